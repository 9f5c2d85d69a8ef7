"""Documents as plain data for JSON and templates (one shape for both)."""

from __future__ import annotations

from typing import Any

from indexer.content.documents import Document
from indexer.service import Casebase
from indexer.content.vocabulary import UNKNOWN

from .rendering import Renderer

# Structured case fields shown on a fact sheet: (label, dotted path, vocabulary or facet).
FACT_SHEET = (
    ("Country", "location.country", "country"),
    ("Place", "location.place", None),
    ("Region", "location.region", None),
    ("Sectors", "sectors", "sector"),
    ("Period", "period", None),
    ("Driver", "initiative.driver", "driver"),
    ("Approach", "initiative.approach", "approach"),
    ("Initiative", "initiative.name", None),
    ("Pressure", "situation.pressure", "pressure"),
    ("Cooperative culture", "situation.cooperative_culture", None),
    ("Life-cycle stage", "situation.stage", "stage"),
    ("Firm structure", "situation.firm_structure", None),
    ("Markusen type", "typology.markusen", "markusen"),
    ("Altenburg / Meyer-Stamer type", "typology.altenburg_meyer_stamer", "altenburg_meyer_stamer"),
    ("Enright type", "typology.enright", "enright"),
    ("Activities", "activities", None),
    ("Obstacles", "obstacles", None),
)
_VOCABULARY_OF = {
    "sectors": "sectors", "initiative.driver": "driver", "initiative.approach": "approach",
    "situation.pressure": "pressure", "situation.cooperative_culture": "cooperative_culture",
    "situation.stage": "stage", "situation.firm_structure": "firm_structure",
    "typology.markusen": "typology.markusen",
    "typology.altenburg_meyer_stamer": "typology.altenburg_meyer_stamer",
    "typology.enright": "typology.enright", "activities": "activities", "obstacles": "obstacles",
}
LIST_FIELDS = ("sectors", "activities", "obstacles")


def case_fields(case: Document) -> dict[str, Any]:
    """The structured fields of a case, flat, for JSON and CSV."""
    fields: dict[str, Any] = {"id": case.id, "title": case.title, "summary": case.summary}
    for _, path, _ in FACT_SHEET:
        # Free-text fields may be YAML numbers (period: 1998); JSON and CSV always get text.
        fields[path.replace(".", "_")] = case.values(path) if path in LIST_FIELDS else str(case.get(path))
    fields["lead_organisations"] = case.values("initiative.lead_organisations")
    for name in ("funding", "monitoring", "outcomes"):
        fields[name] = " ".join(str(case.get(name)).split())
    fields["lessons"] = len(case.lessons)
    fields["url"] = f"/cases/{case.id}"
    return fields


def fact_sheet(case: Document, casebase: Casebase) -> list[dict[str, Any]]:
    """Rows of label and values, each value with its label and a search link."""
    vocabulary = casebase.content.vocabulary
    rows = []
    for label, path, facet in FACT_SHEET:
        raw = case.values(path) if path in LIST_FIELDS else [case.get(path)]
        values = []
        for value in raw:
            value = str(value)
            name = _VOCABULARY_OF.get(path)
            shown = "Unknown" if value == UNKNOWN else (
                vocabulary.label(name, value) if (vocabulary and name) else value)
            link = f"/search?{facet}={value}" if facet and value != UNKNOWN else None
            values.append({"value": value, "label": shown, "link": link})
        rows.append({"label": label, "values": values or [{"value": UNKNOWN, "label": "Unknown", "link": None}]})
    return rows


def case_detail(case: Document, casebase: Casebase, renderer: Renderer) -> dict[str, Any]:
    """Everything a case page or GET /api/cases/<id> shows."""
    similar = []
    try:
        similar = [{"id": m.id, "title": m.title, "score": m.score, "reason": m.reason, "url": f"/cases/{m.id}"}
                   for m in casebase.similar(case.id, limit=4)]
    except Exception:  # an index being rebuilt must not take the case page down
        similar = []
    return {
        **case_fields(case),
        "fact_sheet": fact_sheet(case, casebase),
        "lessons": [{"id": lesson.id, "uid": lesson.uid, "statement": lesson.statement,
                     "explanation": lesson.explanation, "topics": list(lesson.topics),
                     "applies_when": {k: list(v) for k, v in lesson.applies_when.items()},
                     "sources": list(lesson.sources)} for lesson in case.lessons],
        "sources": case.get("sources", []),
        "related_notes": [{"id": n, "title": casebase.content.documents[n].title, "url": f"/notes/{n}"}
                          for n in case.get("related_notes", []) or [] if n in casebase.content.documents],
        "similar": similar,
        "body_markdown": case.body,
        "body_html": renderer.body(case),
        "modified": case.modified,
    }


def note_detail(note: Document, casebase: Casebase, renderer: Renderer) -> dict[str, Any]:
    """Everything a note page or GET /api/notes/<id> shows."""
    documents = casebase.content.documents
    backlinks = [
        {"id": case.id, "title": case.title, "url": f"/cases/{case.id}"}
        for case in casebase.content.cases
        if note.id in (case.get("related_notes", []) or []) or f"[[note:{note.id}" in case.body
    ]
    return {
        "id": note.id, "title": note.title, "summary": note.summary, "topics": note.values("topics"),
        "paper_section": str(note.get("paper_section")), "learn_order": note.meta.get("learn_order"),
        "sources": note.get("sources", []),
        "related_notes": [{"id": n, "title": documents[n].title, "url": f"/notes/{n}"}
                          for n in note.get("related_notes", []) or [] if n in documents],
        "related_cases": [{"id": c, "title": documents[c].title, "url": f"/cases/{c}"}
                          for c in note.get("related_cases", []) or [] if c in documents],
        "illustrated_by": backlinks,
        "body_markdown": note.body,
        "body_html": renderer.body(note, with_glossary=True),
        "url": f"/notes/{note.id}",
        "modified": note.modified,
    }


def facets_overview(casebase: Casebase) -> dict[str, Any]:
    """Every facet's values with labels and the number of items that carry them."""
    counts = casebase.facet_counts()
    vocabulary = casebase.content.vocabulary
    names = {"sector": "sectors", "driver": "driver", "approach": "approach", "pressure": "pressure",
             "stage": "stage", "markusen": "typology.markusen",
             "altenburg_meyer_stamer": "typology.altenburg_meyer_stamer", "enright": "typology.enright",
             "topic": "topics"}
    overview: dict[str, Any] = {}
    for facet, vocabulary_name in names.items():
        overview[facet] = [{"value": value, "label": vocabulary.label(vocabulary_name, value),
                            "count": counts.get(facet, {}).get(value, 0)}
                           for value in vocabulary.values(vocabulary_name)]
    overview["country"] = [{"value": name, "label": name, "count": counts.get("country", {}).get(name, 0)}
                           for name in vocabulary.values("countries")]
    overview["kind"] = [{"value": kind, "label": kind.capitalize(), "count": counts.get("kind", {}).get(kind, 0)}
                        for kind in ("case", "note", "lesson")]
    return overview
