"""Every search the web layer runs goes through here, with the viewer's document access.

Uploaded documents attached to an initiative may be found only by those who may see
them (indexer/documents/access.py decides; the searcher masks every unit whose access
token is not in `SearchRequest.access`). The pages, the API, the facet overview, the
"did you mean" of the search page and its instant results all call these functions, so
none of them can forget the viewer.
"""

from __future__ import annotations

import dataclasses
import logging

from flask import g
from werkzeug.datastructures import MultiDict

from indexer.content.schema import REGISTRY
from indexer.documents.fields import document_facet_labels
from indexer.documents.models import PUBLIC, SEARCH_KIND
from indexer.errors import Unavailable
from indexer.search.searcher import SearchRequest, SearchResponse

from . import params
from .services import casebase

log = logging.getLogger(__name__)
PUBLIC_ONLY = frozenset({PUBLIC})


def access_tokens() -> frozenset[str]:
    """The document access tokens of who is asking (anonymous: the public documents and
    those of initiatives that share by name). Without an instance database there are no
    uploaded documents, so none is opened for it; while the database is unreachable only
    public documents can be shown (searching goes on, as reads do)."""
    instance = casebase()
    settings = instance.settings
    if settings.database_url is None and not settings.database_path.exists():
        return PUBLIC_ONLY
    if g.get("database_unavailable") is not None:
        return PUBLIC_ONLY
    try:
        viewer = instance.observatory.viewer(g.get("user"))
        return instance.documents.access_tokens(viewer)
    except Unavailable as outage:
        log.warning("document access unknown while the database is unreachable (%s): public documents only", outage)
        return PUBLIC_ONLY


def document_facets() -> tuple[str, ...]:
    """The facets of uploaded documents a search may filter on and shows (not the
    internal access facet; not those the case registry already has)."""
    return tuple(name for name in document_facet_labels() if name not in REGISTRY.facets)


def search_request(args: MultiDict, page_size: int | None = None) -> SearchRequest:
    """A SearchRequest from query parameters (webui/params.py), with the documents'
    facets as filters too (document_kind, programme, initiative, year, language)."""
    request = params.search_request(args, page_size=page_size)
    extra = {facet: tuple(value for value in args.getlist(facet) if value) for facet in document_facets()}
    extra = {facet: values for facet, values in extra.items() if values}
    if not extra:
        return request
    if not set(extra) <= set(casebase().searcher.facets):
        # The index holds no uploaded document (the searcher then has no document
        # facets): nothing carries these values, so the answer is the empty one of
        # documents alone, not a refusal of a documented filter.
        return dataclasses.replace(request, kinds=(SEARCH_KIND,))
    return dataclasses.replace(request, filters={**request.filters, **extra})


def with_access(request: SearchRequest) -> SearchRequest:
    """The request with the viewer's access tokens (whatever it carried before)."""
    return dataclasses.replace(request, access=access_tokens())


def search(request: SearchRequest) -> SearchResponse:
    """One search of the current generation, as the viewer may see it."""
    return casebase().search(with_access(request))


def search_any_language(request: SearchRequest):
    """A search whose Portuguese or Spanish words are glossed first (see
    Casebase.search_any_language), as the viewer may see it: (answer, gloss)."""
    return casebase().search_any_language(with_access(request))


def facet_counts() -> dict[str, dict[str, int]]:
    """How many items the viewer may find carry each facet value, over the whole index."""
    return casebase().searcher.facet_counts(access=access_tokens())
