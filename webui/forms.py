"""The edit form: front matter and body to form values, and back to a file's text.

Structured fields become form controls (vocabularies as selects, lessons as
repeatable groups, sources as one line each); the form is turned back into YAML front
matter in schema order, so what the validator checks is exactly what will be saved.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import yaml

from indexer.content.frontmatter import FrontMatterError, parse_text
from indexer.content.schema import CONDITION_KEYS

CASE_SCALARS = ("location.place", "location.region", "location.country", "period", "typology.markusen",
                "typology.altenburg_meyer_stamer", "typology.enright", "initiative.name", "initiative.driver",
                "initiative.approach", "situation.pressure", "situation.cooperative_culture", "situation.stage",
                "situation.firm_structure", "funding", "monitoring", "outcomes")
CASE_LISTS = ("sectors", "activities", "obstacles", "related_notes")
NOTE_LISTS = ("topics", "related_notes", "related_cases")
EXTRA_LESSON_SLOTS = 2


def field_name(path: str) -> str:
    """Form control name of a schema path or a problem's field.

    >>> field_name("initiative.approach"), field_name("lessons[2].applies_when.pressure")
    ('initiative_approach', 'lesson-2-applies_when_pressure')
    """
    path = re.sub(r"^lessons\[(\d+)\]\.?", r"lesson-\1-", path)
    path = re.sub(r"\[\d+\].*$", "", path)
    return path.replace(".", "_").rstrip("-")


def _get(data: Mapping, path: str, default: Any = "") -> Any:
    node: Any = data
    for key in path.split("."):
        if not isinstance(node, Mapping) or key not in node:
            return default
        node = node[key]
    return default if node is None else node


def _set(data: dict, path: str, value: Any) -> None:
    keys = path.split(".")
    for key in keys[:-1]:
        data = data.setdefault(key, {})
    data[keys[-1]] = value


def source_lines(sources: list) -> str:
    """Sources as 'Author | Year | Title | Via' lines."""
    lines = []
    for source in sources or []:
        if isinstance(source, Mapping):
            parts = [str(source.get(k, "")) for k in ("author", "year", "title", "via")]
            lines.append(" | ".join(parts).rstrip(" |"))
    return "\n".join(lines)


def parse_sources(text: str) -> list[dict]:
    """The inverse of `source_lines`.

    >>> parse_sources("Schmitz | 1998\\nMesopartner WP08 | n.d. | | ")
    [{'author': 'Schmitz', 'year': 1998}, {'author': 'Mesopartner WP08', 'year': 'n.d.'}]
    """
    sources = []
    for line in text.splitlines():
        parts = [part.strip() for part in line.split("|")]
        if not parts[0]:
            continue
        year: Any = parts[1] if len(parts) > 1 else ""
        source: dict[str, Any] = {"author": parts[0], "year": int(year) if str(year).isdigit() else (year or "n.d.")}
        if len(parts) > 2 and parts[2]:
            source["title"] = parts[2]
        if len(parts) > 3 and parts[3]:
            source["via"] = parts[3]
        sources.append(source)
    return sources


def text_to_form(kind: str, text: str | None) -> dict[str, Any]:
    """Form values for a file's text (empty values for a new document)."""
    data: Mapping = {}
    body = "## Context\n\n"
    if text:
        try:
            parsed = parse_text(text)
            data, body = parsed.data, parsed.body
        except FrontMatterError:
            return {"raw": text}
    values: dict[str, Any] = {"id": _get(data, "id"), "title": _get(data, "title"),
                              "summary": _get(data, "summary"), "body": body,
                              "sources": source_lines(_get(data, "sources", []))}
    if kind == "case":
        for path in CASE_SCALARS:
            values[field_name(path)] = str(_get(data, path, "unknown"))
        for path in CASE_LISTS:
            values[path] = list(_get(data, path, []) or [])
        values["initiative_lead_organisations"] = "\n".join(_get(data, "initiative.lead_organisations", []) or [])
        lessons = []
        for lesson in _get(data, "lessons", []) or []:
            conditions = lesson.get("applies_when") or {}
            lessons.append({
                "id": lesson.get("id", ""), "statement": lesson.get("statement", ""),
                "explanation": lesson.get("explanation", ""), "topics": list(lesson.get("topics") or []),
                "sources": "\n".join(lesson.get("sources") or []),
                "applies_when": {key: (value if isinstance(value, list) else [value])
                                 for key, value in conditions.items()},
            })
        values["lessons"] = lessons + [{"id": "", "statement": "", "explanation": "", "topics": [], "sources": "",
                                        "applies_when": {}} for _ in range(EXTRA_LESSON_SLOTS)]
    else:
        for path in NOTE_LISTS:
            values[path] = list(_get(data, path, []) or [])
        values["paper_section"] = str(_get(data, "paper_section", ""))
        values["learn_order"] = str(_get(data, "learn_order", ""))
    return values


def form_to_text(kind: str, doc_id: str, form) -> str:
    """A file's text from submitted form values (a MultiDict)."""
    def one(name: str) -> str:
        return (form.get(name) or "").replace("\r\n", "\n").strip()

    def many(name: str) -> list[str]:
        return [value for value in form.getlist(name) if value]

    data: dict[str, Any] = {"id": doc_id, "title": one("title"), "summary": one("summary")}
    if kind == "case":
        for path in CASE_SCALARS:
            _set(data, path, one(field_name(path)) or "unknown")
        lead = [line.strip() for line in one("initiative_lead_organisations").splitlines() if line.strip()]
        _set(data, "initiative.lead_organisations", lead)
        ordered: dict[str, Any] = {"id": doc_id, "title": data["title"], "summary": data["summary"],
                                   "location": data["location"], "sectors": many("sectors"),
                                   "period": data["period"], "typology": data["typology"],
                                   "initiative": data["initiative"], "situation": data["situation"],
                                   "activities": many("activities"), "obstacles": many("obstacles"),
                                   "funding": data["funding"], "monitoring": data["monitoring"],
                                   "outcomes": data["outcomes"], "related_notes": many("related_notes"),
                                   "sources": parse_sources(one("sources")), "lessons": _lessons(form)}
        data = ordered
    else:
        data["topics"] = many("topics")
        if one("paper_section"):
            data["paper_section"] = one("paper_section")
        if one("learn_order"):
            order = one("learn_order")
            data["learn_order"] = int(order) if order.isdigit() else order
        data["related_notes"] = many("related_notes")
        data["related_cases"] = many("related_cases")
        data["sources"] = parse_sources(one("sources"))
    front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    body = (form.get("body") or "").replace("\r\n", "\n").strip() + "\n"
    return f"---\n{front}---\n\n{body}"


def _lessons(form) -> list[dict]:
    lessons = []
    indexes = sorted({int(m.group(1)) for key in form.keys() if (m := re.match(r"lesson-(\d+)-", key))})
    for index in indexes:
        prefix = f"lesson-{index}-"
        lesson_id = (form.get(prefix + "id") or "").strip()
        statement = (form.get(prefix + "statement") or "").strip()
        if not lesson_id and not statement:
            continue  # an unused slot
        conditions = {}
        for key in CONDITION_KEYS:
            values = [v for v in form.getlist(f"{prefix}applies_when_{key}") if v]
            if values:
                conditions[key] = values[0] if len(values) == 1 else values
        lessons.append({
            "id": lesson_id, "statement": statement,
            "explanation": (form.get(prefix + "explanation") or "").replace("\r\n", "\n").strip(),
            "topics": [v for v in form.getlist(prefix + "topics") if v],
            "applies_when": conditions,
            "sources": [line.strip() for line in (form.get(prefix + "sources") or "").splitlines() if line.strip()],
        })
    return lessons
