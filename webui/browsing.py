"""Browsing without words: the items a set of filters selects, read from the content.

A search with no words used to answer "0 results", so every fact-sheet link and the
"Cases" breadcrumb landed on an empty page. The ranking engine has nothing to rank
without words, so the list is built here from the loaded content, with the same
facet values the index gives each item (indexer/search/units.py), sorted by kind and
title. Facet counts are disjunctive, as in Datasette: a facet's counts ignore that
facet's own selection, so its other values stay visible for OR.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from markupsafe import escape

from indexer.content.loading import Content
from indexer.content.schema import INTERPRETED_FACET, REGISTRY, FieldRegistry
from indexer.search.units import document_facets, lesson_anchor

from . import urls

# The order kinds are listed in when nothing narrows them: cases first, as the way in.
KIND_ORDER = ("case", "note", "lesson")


@dataclass(frozen=True)
class BrowseItem:
    """One listed item: what the result list shows and the facet values it carries."""

    id: str
    kind: str
    title: str
    summary: str
    doc_id: str
    anchor: str | None
    facets: Mapping[str, list[str]]

    def hit(self) -> dict[str, Any]:
        """The item in the shape of a search hit (the same template and JSON render both)."""
        return {"id": self.id, "kind": self.kind, "title": self.title, "score": 0.0, "snippet": self.summary,
                "snippet_html": str(escape(self.summary)), "section": self.title, "doc_id": self.doc_id,
                "anchor": self.anchor, "other_matches": [], "explanation": {},
                "url": urls.document(self.kind, self.doc_id, self.anchor)}


def browse_items(content: Content, registry: FieldRegistry = REGISTRY) -> list[BrowseItem]:
    """Every case, note and lesson of the content with its facets, sorted by kind and title."""
    items: list[BrowseItem] = []
    vocabulary = content.vocabulary
    if vocabulary is None:  # a broken vocabulary: the pages that need it say so (presenters)
        return items
    for document in (*content.cases, *content.notes):
        facets = document_facets(document, vocabulary, registry)
        items.append(BrowseItem(document.id, document.kind, document.title, document.summary,
                                document.id, None, facets))
        if document.kind != "case":
            continue
        for lesson in document.lessons:
            lesson_facets = dict(facets, kind=["lesson"], topic=list(lesson.topics))
            items.append(BrowseItem(lesson.uid, "lesson", lesson.statement, lesson.explanation,
                                    document.id, lesson_anchor(lesson.id), lesson_facets))
    return sorted(items, key=lambda item: (KIND_ORDER.index(item.kind), item.title.casefold(), item.id))


def _selects(item: BrowseItem, selection: Mapping[str, Iterable[str]], ignored: str | None = None) -> bool:
    """True when the item has one of the selected values of every facet (but `ignored`)."""
    return all(set(item.facets.get(facet, ())) & set(values)
               for facet, values in selection.items() if values and facet != ignored)


def browse(content: Content, kinds: tuple[str, ...], filters: Mapping[str, tuple[str, ...]],
           limit: int, offset: int, registry: FieldRegistry = REGISTRY) -> dict[str, Any]:
    """The items `kinds` and `filters` select (everything when neither), a page of them
    as hits, and every facet's counts over the selection without that facet's own filter."""
    selection = {"kind": kinds, **filters}
    items = browse_items(content, registry)
    chosen = [item for item in items if _selects(item, selection)]
    facets: dict[str, dict[str, int]] = {}
    interpreted: dict[str, dict[str, int]] = {}
    for facet in registry.facets:
        counts: dict[str, int] = {}
        for item in items:
            if _selects(item, selection, ignored=facet):
                for value in item.facets.get(facet, ()):
                    counts[value] = counts.get(value, 0) + 1
                    if f"{facet}={value}" in item.facets.get(INTERPRETED_FACET, ()):
                        marks = interpreted.setdefault(facet, {})
                        marks[value] = marks.get(value, 0) + 1
        facets[facet] = dict(sorted(counts.items(), key=lambda pair: (-pair[1], pair[0])))
    return {"query": "", "mode": "browse", "total": len(chosen),
            "results": [item.hit() for item in chosen[offset:offset + limit]],
            "facets": facets, "suggestion": None, "expanded_query": "", "notices": [],
            "interpreted": interpreted}
