"""Turning query strings and JSON bodies into engine requests, or BadParameter."""

from __future__ import annotations

from typing import Mapping

from werkzeug.datastructures import MultiDict

from indexer.search.searcher import FACETS, KINDS, MODES, SearchRequest

from .errors import BadParameter

MAX_QUERY = 500


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


def search_request(args: MultiDict, page_size: int | None = None) -> SearchRequest:
    """A SearchRequest from query parameters q, mode, kind, <facet>, limit/offset or page."""
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
    filters = {facet: tuple(v for v in args.getlist(facet) if v) for facet in FACETS if facet != "kind"}
    filters = {facet: values for facet, values in filters.items() if values}
    if page_size is None:
        limit = _integer(args, "limit", 10, 1, 100)
        offset = _integer(args, "offset", 0, 0, 10_000)
    else:
        page = _integer(args, "page", 1, 1, 1000)
        limit, offset = page_size, (page - 1) * page_size
    return SearchRequest(query, mode=mode, kinds=kinds, filters=filters, limit=limit, offset=offset)


def profile_data(args: Mapping) -> dict:
    """The profile fields of a form or query string (empty values dropped)."""
    data: dict = {}
    for key in ("description", "country", "driver", "approach", "pressure", "cooperative_culture", "stage",
                "firm_structure", "funding_level", "monitoring_style", "markusen", "altenburg_meyer_stamer",
                "enright", "title"):
        value = args.get(key)
        if value not in (None, "", "unknown"):
            data[key] = value
    getlist = getattr(args, "getlist", None)
    for key in ("sectors", "activities"):
        values = getlist(key) if getlist else args.get(key)
        values = [v for v in (values or []) if v]
        if values:
            data[key] = values
    return data
