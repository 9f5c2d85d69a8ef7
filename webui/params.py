"""Turning query strings and JSON bodies into engine requests, or BadParameter.

Which filters a search takes and which attributes a profile has are read from the
field registry, so a field added there is accepted here without an edit.
"""

from __future__ import annotations

from typing import Mapping

from flask import abort
from werkzeug.datastructures import MultiDict

from indexer.advisor.profile import TEXT_ATTRIBUTES, has_words
from indexer.content.schema import ATTRIBUTE, REGISTRY, FieldRegistry
from indexer.models import MAX_LIMIT, MAX_QUERY
from indexer.search.searcher import KINDS, MODES, SearchRequest

from .errors import BadParameter
from .security import valid_id

# The editing routes' plural in the path -> the kind of document it names.
DOCUMENT_KINDS = {"cases": "case", "notes": "note"}


def document_kind(plural: str) -> str:
    """'case' or 'note' for the path's 'cases' or 'notes'; 404 for anything else."""
    if plural not in DOCUMENT_KINDS:
        abort(404)
    return DOCUMENT_KINDS[plural]


def document_id(doc_id: str) -> str:
    """A document id from the path, refused (404) before any look-up unless it is a slug."""
    if not valid_id(doc_id):
        abort(404, description="ids are up to 64 lower-case letters, digits and hyphens")
    return doc_id

MAX_OFFSET = 10_000
MAX_PAGE = 1000


def _integer(args: MultiDict, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadParameter(name, f"must be a whole number, not '{raw}'")
    if not low <= value <= high:
        raise BadParameter(name, f"must be between {low} and {high}")
    return value


def search_request(args: MultiDict, page_size: int | None = None,
                   registry: FieldRegistry = REGISTRY) -> SearchRequest:
    """A SearchRequest from query parameters q, mode, kind, <facet> (any facet of
    `registry`), limit/offset or page."""
    query = args.get("q", "").strip()
    if len(query) > MAX_QUERY:
        raise BadParameter("q", f"is longer than {MAX_QUERY} characters")
    mode = args.get("mode", "hybrid") or "hybrid"
    if mode not in MODES:
        raise BadParameter("mode", f"must be one of {', '.join(MODES)}")
    kinds = tuple(k for k in args.getlist("kind") if k)
    for kind in kinds:
        if kind not in KINDS:
            raise BadParameter("kind", f"must be one of {', '.join(KINDS)}")
    filters = {facet: tuple(v for v in args.getlist(facet) if v) for facet in registry.facets if facet != "kind"}
    filters = {facet: values for facet, values in filters.items() if values}
    if page_size is None:
        limit = _integer(args, "limit", 10, 1, MAX_LIMIT)
        offset = _integer(args, "offset", 0, 0, MAX_OFFSET)
    else:
        page = _integer(args, "page", 1, 1, MAX_PAGE)
        limit, offset = page_size, (page - 1) * page_size
    return SearchRequest(query, mode=mode, kinds=kinds, filters=filters, limit=limit, offset=offset)


def profile_data(args: Mapping, registry: FieldRegistry = REGISTRY) -> dict:
    """The profile of a form or query string: its texts and every profile attribute of
    `registry` (a list for a list attribute); empty and 'unknown' values are dropped, and
    so is a description without a letter or digit ("   ", "...")."""
    data: dict = {}
    attributes = registry.with_role(ATTRIBUTE)
    for key in (*TEXT_ATTRIBUTES, *(spec.key for spec in attributes if not spec.many)):
        value = args.get(key)
        if key in TEXT_ATTRIBUTES and isinstance(value, str) and not has_words(value):
            continue
        if value not in (None, "", "unknown"):
            data[key] = value
    getlist = getattr(args, "getlist", None)
    for key in (spec.key for spec in attributes if spec.many):
        values = getlist(key) if getlist else args.get(key)
        values = [v for v in (values or []) if v]
        if values:
            data[key] = values
    return data


def single_values(args: MultiDict, registry: FieldRegistry = REGISTRY) -> None:
    """BadParameter naming the first attribute of one value (or text) given two different
    values ('pressure=under-pressure&pressure=doing-well'): which one was meant cannot
    be known, and keeping the first would hide the second."""
    titles = {spec.key: spec.title for spec in registry.with_role(ATTRIBUTE)}
    titles.update({key: key.capitalize() for key in TEXT_ATTRIBUTES})
    for key in (*TEXT_ATTRIBUTES, *(spec.key for spec in registry.with_role(ATTRIBUTE) if not spec.many)):
        given = list(dict.fromkeys(value for value in args.getlist(key) if value.strip()))
        if len(given) > 1:
            raise BadParameter(key, f"{titles[key]} was given {len(given)} different values ("
                               + ", ".join(f"'{value}'" for value in given) + "); give one")
