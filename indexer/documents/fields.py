"""The search facets of uploaded documents, declared once.

Cases' facets come from the field registry (indexer/content/schema.py); the passages of
uploaded documents add their own (kind of document, programme, initiative, year,
language) and the internal `access` facet. `search_facets` is the one facet list of
the search index: the read model saved with a generation, the searcher's facet
counts, the filters a request may set and the web layer's facet headings all derive
from it, so a document facet is added here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from indexer.content.schema import INTERPRETED_FACET, REGISTRY, FieldRegistry
from indexer.documents.models import DOCUMENT_KIND_LABELS, LANGUAGE_LABELS
from indexer.documents.units import ACCESS_FACET


@dataclass(frozen=True)
class DocumentFacet:
    """One facet of documents' passages: its name in the index, its heading, and the
    labels of its values where they are known (else a value is shown as it is)."""

    name: str
    label: str
    value_labels: Mapping[str, str] = field(default_factory=dict)
    # Internal facets (access) are never shown and never a filter a request may set.
    internal: bool = False


DOCUMENT_FACETS: tuple[DocumentFacet, ...] = (
    DocumentFacet("document_kind", "Kind of document", DOCUMENT_KIND_LABELS),
    DocumentFacet("programme", "Programme"),
    DocumentFacet("initiative", "Initiative"),
    DocumentFacet("year", "Year"),
    DocumentFacet("language", "Language", {key: label for key, label in LANGUAGE_LABELS.items() if key}),
    DocumentFacet(ACCESS_FACET, "Access", internal=True),
)


def search_facets(registry: FieldRegistry = REGISTRY) -> tuple[str, ...]:
    """Every facet of the search index: the registry's (kind first, topic last), then
    the documents', then the interpreted values ("facet=value" of the cases' `interpreted`
    marks). The access and interpreted facets are stored and read, never shown as facets.

    >>> facets = search_facets()
    >>> facets[0], facets[:len(REGISTRY.facets)] == REGISTRY.facets, facets[-2:]
    ('kind', True, ('access', 'interpreted'))
    """
    return tuple(registry.facets) + tuple(facet.name for facet in DOCUMENT_FACETS
                                          if facet.name not in registry.facets) + (INTERPRETED_FACET,)


def public_facets(registry: FieldRegistry = REGISTRY) -> tuple[str, ...]:
    """The facets a request may filter on and an answer shows: all but the internal ones.

    >>> "access" in public_facets(), "interpreted" in public_facets(), "document_kind" in public_facets()
    (False, False, True)
    """
    internal = {facet.name for facet in DOCUMENT_FACETS if facet.internal} | {INTERPRETED_FACET}
    return tuple(name for name in search_facets(registry) if name not in internal)


def document_facet_labels() -> dict[str, str]:
    """Heading of each shown document facet.

    >>> document_facet_labels()["document_kind"]
    'Kind of document'
    """
    return {facet.name: facet.label for facet in DOCUMENT_FACETS if not facet.internal}


def document_value_labels() -> dict[str, Mapping[str, str]]:
    """Per shown document facet, the labels of the values that have one.

    >>> document_value_labels()["language"]["pt"], document_value_labels()["document_kind"]["fact-finding"]
    ('Portuguese', 'Fact-finding report')
    """
    return {facet.name: facet.value_labels for facet in DOCUMENT_FACETS if facet.value_labels and not facet.internal}
