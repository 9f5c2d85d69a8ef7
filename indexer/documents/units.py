"""Uploaded documents as search units: one unit per passage (a PDF page or a headed section).

A document's passages aggregate into one item (`document:<id>`), as a case's sections
do, so a long report does not fill a results page with its own pages; the best passage
becomes the hit's section and anchor. Every unit carries an `access` facet (see
models.access_token): the searcher masks out rows whose token the viewer lacks, so the
index holds every document once and who may see which is decided at query time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from indexer.documents import models
from indexer.documents.models import DocumentRecord, Passage
from indexer.search.units import Unit

# The facet that says who may see a unit; never shown, never a filter a request may set.
ACCESS_FACET = "access"


@dataclass(frozen=True)
class IndexedDocument:
    """A stored document with its passages and the slugs and names of what it is attached
    to, everything its search units are made of (Documents.indexed builds these)."""

    record: DocumentRecord
    passages: list[Passage] = field(default_factory=list)
    programme_slug: str = ""
    programme_name: str = ""
    initiative_slug: str = ""
    initiative_name: str = ""

    def fingerprint(self) -> str:
        """A hash of everything the document's search units are made of: its record
        (metadata and content hash), its passages and the names of what it is attached to."""
        digest = hashlib.sha256()
        digest.update(self.record.model_dump_json(exclude={"uploaded_at", "updated_at"}).encode("utf-8"))
        for passage in self.passages:
            digest.update(passage.model_dump_json().encode("utf-8"))
        digest.update(json.dumps([self.programme_slug, self.programme_name, self.initiative_slug,
                                  self.initiative_name]).encode("utf-8"))
        return digest.hexdigest()


def item_id(document_id: int) -> str:
    """The search item of a document.

    >>> item_id(7)
    'document:7'
    """
    return f"{models.SEARCH_KIND}:{document_id}"


def passage_section(passage: Passage) -> str:
    """What a hit says about where in the document a passage is: its page, else its
    heading, else its place in the order.

    >>> passage_section(Passage(number=2, page=3, text="x"))
    'Page 3'
    >>> passage_section(Passage(number=0, heading="Findings", text="x"))
    'Findings'
    >>> passage_section(Passage(number=4, text="x"))
    'Passage 5'
    """
    if passage.page is not None:
        return f"Page {passage.page}"
    return passage.heading or f"Passage {passage.number + 1}"


def passage_anchor(passage: Passage) -> str:
    """The anchor of a passage within its document's page.

    >>> passage_anchor(Passage(number=2, page=3, text="x")), passage_anchor(Passage(number=4, text="x"))
    ('page-3', 'passage-4')
    """
    return f"page-{passage.page}" if passage.page is not None else f"passage-{passage.number}"


def document_year(record: DocumentRecord) -> str:
    """The year facet: of the document's own date, else of its upload (UTC).

    >>> base = dict(id=1, sha256="0" * 64, filename="a.pdf", media_type=models.PDF, size=1,
    ...             title="A", uploaded_by="ed", uploaded_at=0.0, updated_at=0.0)
    >>> document_year(DocumentRecord(**base, date=dt.date(2004, 5, 1))), document_year(DocumentRecord(**base))
    ('2004', '1970')
    """
    if record.date is not None:
        return str(record.date.year)
    return str(dt.datetime.fromtimestamp(record.uploaded_at, dt.timezone.utc).year)


def document_facets(doc: IndexedDocument) -> dict[str, list[str]]:
    """The facet values every passage of a document carries (a missing value is an
    empty list, so it is counted nowhere and filtered out by any value)."""
    record = doc.record
    return {
        "kind": [models.SEARCH_KIND],
        "document_kind": [record.kind],
        "programme": [doc.programme_slug] if doc.programme_slug else [],
        "initiative": [doc.initiative_slug] if doc.initiative_slug else [],
        "year": [document_year(record)],
        "language": [record.language] if record.language else [],
        ACCESS_FACET: [models.access_token(record.initiative_id)],
    }


def document_context(doc: IndexedDocument) -> str:
    """The context words of every passage: the title and what the document is attached
    to, so a search for an initiative's name finds its documents without outranking
    a passage that speaks of it."""
    parts = [doc.record.title, doc.initiative_name, doc.programme_name, doc.record.author]
    return " · ".join(part for part in parts if part)


def document_units(doc: IndexedDocument) -> list[Unit]:
    """One unit of kind "document" per passage with text, in passage order."""
    record = doc.record
    facets = document_facets(doc)
    context = document_context(doc)
    units = []
    for passage in sorted(doc.passages, key=lambda p: p.number):
        if not passage.text.strip():
            continue
        section = passage_section(passage)
        units.append(Unit(
            uid=f"{item_id(record.id)}/{passage.number}", item_id=item_id(record.id), doc_id=str(record.id),
            kind=models.SEARCH_KIND, unit_type="passage", item_title=record.title, section=section,
            title="", summary=passage.heading, body=passage.text,
            # Each unit gets its own lists: a unit's facets must not change with another's.
            facets={name: list(values) for name, values in facets.items()},
            context=context, anchor=passage_anchor(passage),
        ))
    return units
