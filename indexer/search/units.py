"""Splitting documents into searchable units: the document, its sections, its lessons.

A unit is the thing that is indexed and scored; an *item* is what a user gets back
(a case, a note, or a lesson on its own). Sections aggregate into their document's
item, so a case does not fill a results page with its own sections; each lesson is
an item of its own, since lessons are searched and suggested on their own.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from indexer.content.loading import Content
from indexer.content.documents import Document, Lesson
from indexer.content.links import plain_text
from indexer.content.vocabulary import Vocabulary

# Fields of a unit that keyword search reads, with their BM25F weights:
# title > summary and lesson statements > body > context (the title of the document
# a section or lesson belongs to, so it is found by its document's name but never
# outranks the document itself).
FIELD_WEIGHTS = {"title": 3.0, "summary": 2.0, "body": 1.0, "context": 0.5}
# Length normalisation per field: a long title is still a title, so titles and
# context are normalised less than bodies.
FIELD_B = {"title": 0.3, "summary": 0.5, "body": 0.75, "context": 0.3}

FACETS = ("kind", "country", "sector", "markusen", "altenburg_meyer_stamer", "enright",
          "driver", "approach", "pressure", "stage", "topic")

_TYPOLOGY_PATHS = {
    "markusen": "typology.markusen",
    "altenburg_meyer_stamer": "typology.altenburg_meyer_stamer",
    "enright": "typology.enright",
    "driver": "initiative.driver",
    "approach": "initiative.approach",
    "pressure": "situation.pressure",
    "stage": "situation.stage",
}


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
    url: str
    facets: dict[str, list[str]] = field(default_factory=dict)
    context: str = ""

    def semantic_text(self) -> str:
        """The text the embedding model sees for this unit."""
        parts = [self.context, self.title, self.section if self.section != self.title else "",
                 self.summary, self.body]
        return "\n".join(part for part in parts if part)

    def to_dict(self) -> dict:
        """JSON-ready form, as stored in an index generation."""
        return asdict(self)


def document_facets(document: Document, vocabulary: Vocabulary) -> dict[str, list[str]]:
    """Facet values of a document; sectors include their taxonomy ancestors."""
    facets: dict[str, list[str]] = {"kind": [document.kind]}
    if document.kind == "case":
        country = document.get("location.country")
        facets["country"] = [country] if country != "unknown" else []
        sectors: list[str] = []
        for sector in document.values("sectors"):
            for ancestor in vocabulary.sector_ancestors(sector):
                if ancestor not in sectors:
                    sectors.append(ancestor)
        facets["sector"] = sectors
        for facet, path in _TYPOLOGY_PATHS.items():
            facets[facet] = document.values(path)
        facets["topic"] = sorted({topic for lesson in document.lessons for topic in lesson.topics})
    else:
        facets["topic"] = document.values("topics")
    return facets


def units_for(document: Document, vocabulary: Vocabulary, titles: dict[str, str]) -> list[Unit]:
    """The document unit, one unit per body section, one per lesson."""
    base = "/cases/" if document.kind == "case" else "/notes/"
    url = base + document.id
    facets = document_facets(document, vocabulary)
    # The document unit is its title and summary; the body is searched by section,
    # so a long body neither drowns a title match nor duplicates its sections.
    units = [Unit(
        uid=document.id, item_id=document.id, doc_id=document.id, kind=document.kind,
        unit_type="document", item_title=document.title, section="", title=document.title,
        summary=document.summary, body="", url=url, facets=facets,
    )]
    for section in document.sections:
        if not section.text:
            continue
        units.append(Unit(
            uid=f"{document.id}/{section.anchor or 'intro'}", item_id=document.id,
            doc_id=document.id, kind=document.kind, unit_type="section",
            item_title=document.title, section=section.heading or "Introduction",
            title="", summary=section.heading, body=_plain(section.text, titles),
            url=url + (f"#{section.anchor}" if section.anchor else ""), facets=facets,
            context=document.title,
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
        url=f"/cases/{case.id}#lesson-{lesson.id}", facets=facets, context=case.title,
    )


def content_units(content: Content) -> list[Unit]:
    """Every unit of the valid content, in a stable order."""
    assert content.vocabulary is not None
    titles = {doc_id: document.title for doc_id, document in content.documents.items()}
    units: list[Unit] = []
    for document in content.cases + content.notes:
        units.extend(units_for(document, content.vocabulary, titles))
    return units


def _plain(text: str, titles: dict[str, str]) -> str:
    """Body text as plain text, links replaced by their labels or the linked titles."""
    return plain_text(text, titles)
