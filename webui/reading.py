"""What the reading pages add to a document: lists of cases and notes, a table of
contents, the fact sheet split into stated and unstated facts, lessons' conditions in
words, reading times and the learning path's previous/next.

Labels come from the field registry and the vocabulary (presenters.value_label), links
from webui/urls.py.
"""

from __future__ import annotations

import math
import re
from typing import Any

from indexer.content.documents import Document
from indexer.content.loading import Content
from indexer.content.schema import ATTRIBUTE, REGISTRY, FieldRegistry
from indexer.content.vocabulary import UNKNOWN

from . import presenters, urls
from .rendering import term_anchor

WORDS_PER_MINUTE = 200  # a common estimate for reading on a screen
# A path module groups this many consecutive notes of the learning path.
MODULE_SIZE = 6


def reading_minutes(document: Document) -> int:
    """Minutes to read a document's summary and body, at least one."""
    words = len(re.findall(r"\w+", f"{document.summary} {document.body}"))
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def table_of_contents(document: Document) -> list[dict[str, str]]:
    """The body's headed sections as (heading, anchor) links, in order."""
    return [{"heading": section.heading, "anchor": section.anchor}
            for section in document.sections if section.heading and section.anchor]


def split_fact_sheet(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    """The fact-sheet rows with a stated value, and the labels of the rows the sources
    leave unstated (shown folded under "not stated in the sources")."""
    stated, unstated = [], []
    for row in rows:
        known = [value for value in row["values"] if value["value"] != UNKNOWN]
        if known:
            stated.append({**row, "values": known})
        else:
            unstated.append(row["label"])
    return stated, unstated


def lesson_conditions(applies_when: dict[str, list[str]], vocabulary,
                      registry: FieldRegistry = REGISTRY) -> list[dict[str, Any]]:
    """A lesson's conditions with the field's label and the values' labels."""
    attributes = {spec.key: spec for spec in registry.with_role(ATTRIBUTE)}
    conditions = []
    for key, values in applies_when.items():
        spec = attributes.get(key)
        label = spec.title if spec else key.replace("_", " ").capitalize()
        name = presenters.vocabulary_of(spec) if spec else None
        conditions.append({"label": label,
                           "values": [presenters.value_label(vocabulary, name, value) for value in values]})
    return conditions


def topic_links(topics: list[str], vocabulary) -> list[dict[str, str]]:
    """Topics as labels with a link to everything on that topic."""
    name = presenters.facet_vocabularies()[presenters.TOPIC_FACET]
    return [{"label": presenters.value_label(vocabulary, name, topic),
             "url": urls.facet(presenters.TOPIC_FACET, topic)} for topic in topics]


def path_notes(content: Content) -> list[Document]:
    """The notes of the learning path in reading order (notes without a place last, by title)."""
    def position(note: Document) -> tuple:
        order = note.meta.get("learn_order")
        return (order is None, order if isinstance(order, (int, float)) else 0, note.title.casefold())
    return sorted(content.notes, key=position)


def path_neighbours(content: Content, note_id: str) -> dict[str, Any]:
    """The note's place on the learning path: position, total and previous/next links."""
    notes = path_notes(content)
    ids = [note.id for note in notes]
    if note_id not in ids:
        return {}
    index = ids.index(note_id)
    def link(i: int):
        return {"title": notes[i].title, "url": urls.document("note", notes[i].id)} if 0 <= i < len(notes) else None
    return {"position": index + 1, "total": len(notes), "previous": link(index - 1), "next": link(index + 1)}


def path_modules(content: Content) -> list[dict[str, Any]]:
    """The learning path in modules of consecutive notes, each note and module with
    its reading time, each module with the glossary terms its notes explain."""
    notes = path_notes(content)
    anchors = {term["term"]: term["anchor"] for group in glossary_letters(content) for term in group["terms"]}
    modules = []
    for start in range(0, len(notes), MODULE_SIZE):
        chunk = notes[start:start + MODULE_SIZE]
        items = [{"id": n.id, "title": n.title, "summary": n.summary, "url": urls.document("note", n.id),
                  "order": n.meta.get("learn_order"), "minutes": reading_minutes(n)} for n in chunk]
        ids = {n.id for n in chunk}
        terms = [{"term": t.term, "definition": t.definition, "url": urls.glossary(anchors[t.term]),
                  "note_url": urls.document("note", t.note)}
                 for t in sorted(content.glossary, key=lambda t: t.term.casefold()) if t.note in ids]
        modules.append({"number": len(modules) + 1, "title": chunk[0].title, "notes": items, "terms": terms,
                        "minutes": sum(item["minutes"] for item in items)})
    return modules


def case_list(content: Content) -> list[dict[str, Any]]:
    """Every case by title with its key facts (country, sectors, driver, stage) as
    labels and facet links, and its number of lessons."""
    vocabulary = content.vocabulary
    facets = {spec.path: name for name, spec in REGISTRY.facet_fields.items()}
    rows = []
    for case in sorted(content.cases, key=lambda c: c.title.casefold()):
        facts = []
        for path in ("location.country", "sectors", "initiative.driver", "situation.stage"):
            spec = REGISTRY.by_path(path)
            values = [str(v) for v in (case.values(path) if spec.many else [case.get(path)])]
            for value in values:
                if value and value != UNKNOWN:
                    facts.append({"label": presenters.value_label(vocabulary, presenters.vocabulary_of(spec), value),
                                  "title": spec.title, "url": urls.facet(facets[path], value)})
        rows.append({"id": case.id, "title": case.title, "summary": case.summary,
                     "url": urls.document("case", case.id), "facts": facts, "lessons": len(case.lessons)})
    return rows


def note_list(content: Content) -> list[dict[str, Any]]:
    """Every note in learning-path order with its reading time and topic links."""
    return [{"id": n.id, "title": n.title, "summary": n.summary, "url": urls.document("note", n.id),
             "minutes": reading_minutes(n), "topics": topic_links(n.values("topics"), content.vocabulary)}
            for n in path_notes(content)]


def glossary_letters(content: Content) -> list[dict[str, Any]]:
    """The glossary A-Z: each initial with its terms (anchor, aliases, definition and
    the note that explains the term)."""
    letters: dict[str, list[dict[str, Any]]] = {}
    for term in sorted(content.glossary, key=lambda t: t.term.casefold()):
        initial = term.term[:1].upper()
        letters.setdefault(initial, []).append({
            "term": term.term, "anchor": term_anchor(term.term),
            "aliases": list(term.aliases), "definition": term.definition,
            "note_url": urls.document("note", term.note) if term.note else None,
            "note_title": content.documents[term.note].title if term.note in content.documents else None})
    return [{"letter": letter, "terms": terms} for letter, terms in letters.items()]
