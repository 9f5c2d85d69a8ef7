"""Splitting documents into searchable units: the document, its sections, its lessons.

A unit is the thing that is indexed and scored; an *item* is what a user gets back
(a case, a note, or a lesson on its own). Sections aggregate into their document's
item, so a case does not fill a results page with its own sections; each lesson is
an item of its own, since lessons are searched and suggested on their own.
"""

from __future__ import annotations

import json
import mmap
import os
import threading
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping, Sequence, overload

import cachetools
import numpy as np

from indexer.content.loading import Content
from indexer.content.documents import Document, Lesson
from indexer.content.links import plain_text
from indexer.content.schema import INTERPRETED_FACET, REGISTRY, FieldRegistry, interpretation_marks, is_interpreted
from indexer.content.vocabulary import Vocabulary

# Fields of a unit that keyword search reads, with their BM25F weights:
# title > summary and lesson statements > body > context (the title of the document
# a section or lesson belongs to, so it is found by its document's name but never
# outranks the document itself).
FIELD_WEIGHTS = {"title": 3.0, "summary": 2.0, "body": 1.0, "context": 0.5}
# Length normalisation per field: a long title is still a title, so titles and
# context are normalised less than bodies.
FIELD_B = {"title": 0.3, "summary": 0.5, "body": 0.75, "context": 0.3}

# Facet names, derived from the field registry (kind first, topic last).
FACETS: tuple[str, ...] = REGISTRY.facets
# The vocabulary whose values have parents: a facet over it also counts the ancestors.
TAXONOMY = "sectors"
# Parsed units a generation's table keeps: a few pages of hits and passages.
UNIT_CACHE_SIZE = 4096


@dataclass
class Unit:
    """One searchable unit and everything needed to show it as a hit."""

    uid: str
    item_id: str
    doc_id: str
    kind: str
    unit_type: str
    item_title: str
    section: str
    title: str
    summary: str
    body: str
    facets: dict[str, list[str]] = field(default_factory=dict)
    context: str = ""
    # Where in its document's page the unit is: a section's anchor, "lesson-<id>", or
    # None for the document itself. The web layer turns kind, doc_id and anchor into
    # a link, so a route can change without rebuilding the index.
    anchor: str | None = None

    def semantic_text(self) -> str:
        """The text the embedding model sees for this unit."""
        parts = [self.context, self.title, self.section if self.section != self.title else "",
                 self.summary, self.body]
        return "\n".join(part for part in parts if part)

    def to_dict(self) -> dict:
        """JSON-ready form, as stored in an index generation (field order as declared).

        Built field by field rather than with dataclasses.asdict, whose recursive deep
        copy was most of the cost of an incremental index update on a large library."""
        data = {name: getattr(self, name) for name in _UNIT_FIELDS}
        data["facets"] = {facet: list(values) for facet, values in self.facets.items()}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Unit":
        """A unit read from an index generation, also one written by an older version
        (which stored a `url` instead of an `anchor`: the anchor is its fragment)."""
        known = {spec.name for spec in fields(cls)}
        values = {key: value for key, value in data.items() if key in known}
        if "anchor" not in data:
            values["anchor"] = _anchor_of(str(data.get("url", "")))
        return cls(**values)


_UNIT_FIELDS = tuple(spec.name for spec in fields(Unit))


def document_facets(document: Document, vocabulary: Vocabulary,
                    registry: FieldRegistry = REGISTRY) -> dict[str, list[str]]:
    """Facet values of a document, one entry per facet of `registry`.

    A case's facets read the registry's facet fields (sectors include their taxonomy
    ancestors) and the topics of its lessons; a note has its kind and topics.
    """
    facets: dict[str, list[str]] = {"kind": [document.kind]}
    if document.kind != "case":
        facets["topic"] = document.values("topics")
        return facets
    marks = interpretation_marks(document.meta)
    interpreted: list[str] = []
    for name, spec in registry.facet_fields.items():
        stated = document.values(spec.path)
        values = stated
        if spec.vocabulary == TAXONOMY:
            values = list(dict.fromkeys(ancestor for value in stated
                                        for ancestor in vocabulary.sector_ancestors(value)))
        facets[name] = values
        if marks:
            interpreted += [f"{name}={value}" for value in values
                            if _interpreted_value(marks, spec.path, value, stated, spec.vocabulary == TAXONOMY,
                                                  vocabulary)]
    facets["topic"] = sorted({topic for lesson in document.lessons for topic in lesson.topics})
    if interpreted:
        facets[INTERPRETED_FACET] = interpreted
    return facets


def _interpreted_value(marks, path: str, value: str, stated: list[str], taxonomy: bool,
                       vocabulary: Vocabulary) -> bool:
    """Whether a facet value is the codifier's interpretation: marked itself, or (a
    sector's ancestor) only derived from stated sectors that are all interpretations."""
    if is_interpreted(marks, path, value):
        return True
    if not taxonomy or value in stated:
        return False
    sources = [leaf for leaf in stated if value in vocabulary.sector_ancestors(leaf)]
    return bool(sources) and all(is_interpreted(marks, path, leaf) for leaf in sources)


def units_for(document: Document, vocabulary: Vocabulary, titles: dict[str, str],
              registry: FieldRegistry = REGISTRY) -> list[Unit]:
    """The document unit, one unit per body section, one per lesson."""
    facets = document_facets(document, vocabulary, registry)
    # The document unit is its title and summary; the body is searched by section,
    # so a long body neither drowns a title match nor duplicates its sections.
    units = [Unit(
        uid=document.id, item_id=document.id, doc_id=document.id, kind=document.kind,
        unit_type="document", item_title=document.title, section="", title=document.title,
        summary=document.summary, body="", facets=facets,
    )]
    for section in document.sections:
        if not section.text:
            continue
        units.append(Unit(
            uid=f"{document.id}/{section.anchor or 'intro'}", item_id=document.id,
            doc_id=document.id, kind=document.kind, unit_type="section",
            item_title=document.title, section=section.heading or "Introduction",
            title="", summary=section.heading, body=_plain(section.text, titles),
            facets=facets, context=document.title, anchor=section.anchor or None,
        ))
    for lesson in document.lessons:
        units.append(lesson_unit(document, lesson, facets, titles))
    return units


def lesson_unit(case: Document, lesson: Lesson, case_facets: dict[str, list[str]],
                titles: dict[str, str]) -> Unit:
    """A lesson as an item of its own, carrying its case's facets and its own topics."""
    facets = dict(case_facets, kind=["lesson"], topic=list(lesson.topics))
    return Unit(
        uid=lesson.uid, item_id=lesson.uid, doc_id=case.id, kind="lesson", unit_type="lesson",
        item_title=lesson.statement, section=lesson.statement, title=lesson.statement,
        summary="", body=_plain(lesson.explanation, titles),
        facets=facets, context=case.title, anchor=lesson_anchor(lesson.id),
    )


def lesson_anchor(lesson_id: str) -> str:
    """The anchor of a lesson within its case's page."""
    return f"lesson-{lesson_id}"


def content_units(content: Content, registry: FieldRegistry = REGISTRY) -> list[Unit]:
    """Every unit of the valid content, in a stable order, with the facets of `registry`.

    Content whose vocabulary could not be read holds no valid documents, so no units."""
    if content.vocabulary is None:
        return []
    titles = {doc_id: document.title for doc_id, document in content.documents.items()}
    units: list[Unit] = []
    for document in content.cases + content.notes:
        units.extend(units_for(document, content.vocabulary, titles, registry))
    return units


def _anchor_of(url: str) -> str | None:
    """The fragment of a stored URL, or None when it has none."""
    _, hash_sign, fragment = url.partition("#")
    return fragment if hash_sign and fragment else None


def _plain(text: str, titles: dict[str, str]) -> str:
    """Body text as plain text, links replaced by their labels or the linked titles."""
    return plain_text(text, titles)


class UnitTable(Sequence[Unit]):
    """The units of a generation, read one line of units.jsonl at a time when asked.

    A serving process must answer its first query without parsing every unit: the file
    is memory-mapped, line starts are found with one vectorised scan, and a unit is
    parsed when a hit or the advisor's passage needs it. The most recently used
    `cache_size` units are kept, so that memory stays bounded however many different
    units a long-running server shows (all units parsed would be several times the file)."""

    def __init__(self, path: Path, cache_size: int = UNIT_CACHE_SIZE):
        self.path = path
        # The mapping outlives the descriptor, and readers still holding this table
        # after a generation switch (or its pruning) keep reading the old file.
        with open(path, "rb") as stream:
            size = os.fstat(stream.fileno()).st_size
            self._map = mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ) if size else None
        if self._map is None:
            self._starts = np.zeros(1, dtype=np.int64)
        else:
            newlines = np.flatnonzero(np.frombuffer(self._map, dtype=np.uint8) == 0x0A)
            ends = newlines + 1 if newlines.size and newlines[-1] == size - 1 else np.append(newlines + 1, size)
            self._starts = np.concatenate(([0], ends)).astype(np.int64)
        self._parsed: cachetools.LRUCache[int, Unit] = cachetools.LRUCache(cache_size)
        self._parsed_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._starts) - 1

    @overload
    def __getitem__(self, row: int) -> Unit: ...

    @overload
    def __getitem__(self, row: slice) -> list[Unit]: ...

    def __getitem__(self, row):
        if isinstance(row, slice):
            return [self[index] for index in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(row)
        with self._parsed_lock:  # an LRU cache reorders itself on every read
            found = self._parsed.get(row)
        if found is None:  # two threads may parse one row at once; both get equal units
            assert self._map is not None
            found = Unit.from_dict(json.loads(self._map[self._starts[row]:self._starts[row + 1]]))
            with self._parsed_lock:
                self._parsed[row] = found
        return found
