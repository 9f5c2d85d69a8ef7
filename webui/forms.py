"""The edit form's values: front matter and body to form values, and a posted form back
to a file's text.

Lessons are repeatable groups that can be added, removed and reordered, sources rows of
author, year, title and via; the buttons that change that shape are `apply_action`. The
form is turned back into YAML front matter in registry order, so what the validator
checks is exactly what will be saved. Which control draws each value is
webui/form_controls.py. The functions that read the field registry take it as a
parameter (default REGISTRY) so a test can pass a copy with one more field.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Mapping

import yaml

from indexer.content.frontmatter import FrontMatterError, parse_text
from indexer.content.schema import MAX_ID_LENGTH, REGISTRY, FieldRegistry
from indexer.content.vocabulary import UNKNOWN
from indexer.library.roundtrip import apply_edits

# Texts every document's form has above its structured controls (webui/templates/edit.html).
HEADER_TEXTS = ("title", "summary")
SOURCE_KEYS = ("author", "year", "title", "via")
# The submit buttons that change the form's shape (re-rendered, nothing saved): name and values.
ACTION = "form_action"
_ACTION_PATTERN = re.compile(r"(add|remove|up|down)-(lesson|source)(?:-(\d+))?")


def field_name(path: str) -> str:
    """Form control name of a schema path or a problem's field.

    >>> field_name("initiative.approach"), field_name("lessons[2].applies_when.pressure")
    ('initiative_approach', 'lesson-2-applies_when_pressure')
    >>> field_name("sources[1].year"), field_name("sectors[3]"), field_name("lessons[0].topics[1]")
    ('source-1-year', 'sectors', 'lesson-0-topics')
    """
    path = re.sub(r"^lessons\[(\d+)\]\.?", r"lesson-\1-", path)
    path = re.sub(r"^sources\[(\d+)\]\.?", r"source-\1-", path)
    path = re.sub(r"\[\d+\].*$", "", path)
    return path.replace(".", "_").rstrip("-")


def suggest_id(title: str) -> str:
    """An id made from a title: lower-case ASCII words joined by hyphens, at most MAX_ID_LENGTH.

    >>> suggest_id("Móveis de Ubá: furniture in Minas Gerais (Brazil)")
    'moveis-de-uba-furniture-in-minas-gerais-brazil'
    >>> suggest_id("  ¿?  ")
    ''
    """
    ascii_text = unicodedata.normalize("NFKD", title or "").encode("ascii", "ignore").decode().lower()
    slug = "-".join(re.findall(r"[a-z0-9]+", ascii_text))
    return slug[:MAX_ID_LENGTH].rstrip("-")


def chosen_id(form) -> str:
    """A new document's id: the one written in the form, else the one its title suggests."""
    return (form.get("id") or "").strip() or suggest_id(form.get("title") or "")


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


def blank_source() -> dict[str, str]:
    """An empty source row."""
    return dict.fromkeys(SOURCE_KEYS, "")


def blank_lesson() -> dict[str, Any]:
    """An empty lesson group."""
    return {"id": "", "statement": "", "explanation": "", "topics": [], "sources": "", "applies_when": {}}


def source_rows(sources: Any) -> list[dict[str, str]]:
    """A document's sources as form rows (a source written as plain text becomes its author)."""
    rows = []
    for source in sources if isinstance(sources, list) else []:
        if isinstance(source, Mapping):
            rows.append({key: "" if source.get(key) is None else str(source.get(key)) for key in SOURCE_KEYS})
        elif source is not None:
            rows.append({**blank_source(), "author": str(source)})
    return rows


def parse_sources(text: str) -> list[dict]:
    """Sources from 'Author | Year | Title | Via' lines (what the form once had; API clients may still post it).

    >>> parse_sources("Schmitz | 1998\\nMesopartner WP08 | n.d. | | ")
    [{'author': 'Schmitz', 'year': 1998}, {'author': 'Mesopartner WP08', 'year': 'n.d.'}]
    """
    rows = []
    for line in text.splitlines():
        parts = [part.strip() for part in line.split("|")] + [""] * len(SOURCE_KEYS)
        if parts[0]:
            rows.append(dict(zip(SOURCE_KEYS, parts)) | {"year": parts[1] or "n.d."})
    return [_source(row) for row in rows]


def _source(row: Mapping[str, str]) -> dict[str, Any]:
    """One source's front matter from a row; an empty year is left out, so the validator names it."""
    source: dict[str, Any] = {"author": row.get("author", "")}
    year = row.get("year", "")
    if year:
        source["year"] = int(year) if year.isascii() and year.isdigit() else year
    source.update({key: row[key] for key in ("title", "via") if row.get(key)})
    return source


def _has_lessons(kind: str, registry: FieldRegistry) -> bool:
    return any(spec.kind == "lessons" for spec in registry.fields(kind))


def text_to_form(kind: str, text: str | None, registry: FieldRegistry = REGISTRY) -> dict[str, Any]:
    """Form values for a file's text (empty values, one source row and one lesson for a new document)."""
    data: Mapping = {}
    body = "## Context\n\n"
    if text:
        try:
            parsed = parse_text(text)
            data, body = parsed.data, parsed.body
        except FrontMatterError:
            return {"raw": text}
    title = str(_get(data, "title"))
    values: dict[str, Any] = {"id": _get(data, "id"), "title": title, "summary": _get(data, "summary"),
                              "body": body, "sources": source_rows(_get(data, "sources", [])) or [blank_source()],
                              "suggested_id": suggest_id(title)}
    for spec in registry.form_fields(kind):
        name = field_name(spec.path)
        if spec.kind == "text-list":
            values[name] = "\n".join(map(str, _get(data, spec.path, []) or []))
        elif spec.many:
            values[name] = list(_get(data, spec.path, []) or [])
        else:
            values[name] = str(_get(data, spec.path, UNKNOWN if spec.required else ""))
    if _has_lessons(kind, registry):
        lessons = _get(data, "lessons", []) or []
        values["lessons"] = [_lesson_values(lesson) for lesson in lessons if isinstance(lesson, Mapping)]
        if text is None:
            values["lessons"].append(blank_lesson())
    return values


def _lesson_values(lesson: Mapping) -> dict[str, Any]:
    conditions = lesson.get("applies_when") or {}
    return {
        "id": lesson.get("id", ""), "statement": lesson.get("statement", ""),
        "explanation": lesson.get("explanation", ""), "topics": list(lesson.get("topics") or []),
        "sources": "\n".join(map(str, lesson.get("sources") or [])),
        "applies_when": {key: (value if isinstance(value, list) else [value]) for key, value in conditions.items()},
    }


# -- a posted form --------------------------------------------------------------------------

def _text(form, name: str) -> str:
    return (form.get(name) or "").replace("\r\n", "\n").strip()


def _indexes(form, prefix: str) -> list[int]:
    return sorted({int(m.group(1)) for key in form.keys() if (m := re.match(prefix + r"-(\d+)-", key))})


def posted_sources(form) -> list[dict[str, str]]:
    """The source rows of a posted form, blank ones included, in row order."""
    return [{key: _text(form, f"source-{index}-{key}") for key in SOURCE_KEYS} for index in _indexes(form, "source")]


def posted_lessons(form, registry: FieldRegistry = REGISTRY) -> list[dict[str, Any]]:
    """The lesson groups of a posted form (as `text_to_form` gives them), blank ones included."""
    lessons = []
    for index in _indexes(form, "lesson"):
        prefix = f"lesson-{index}-"
        conditions = {key: chosen for key in registry.condition_keys
                      if (chosen := [v for v in form.getlist(f"{prefix}applies_when_{key}") if v])}
        lessons.append({"id": _text(form, prefix + "id"), "statement": _text(form, prefix + "statement"),
                        "explanation": _text(form, prefix + "explanation"),
                        "topics": [v for v in form.getlist(prefix + "topics") if v],
                        "sources": _text(form, prefix + "sources"), "applies_when": conditions})
    return lessons


def lesson_data(lesson: Mapping[str, Any]) -> dict[str, Any]:
    """A lesson's front matter from its form group (one condition value is written as a scalar)."""
    return {"id": lesson["id"], "statement": lesson["statement"], "explanation": lesson["explanation"],
            "topics": list(lesson["topics"]),
            "applies_when": {key: values[0] if len(values) == 1 else list(values)
                             for key, values in lesson["applies_when"].items()},
            "sources": [line.strip() for line in lesson["sources"].splitlines() if line.strip()]}


def _lessons(form, registry: FieldRegistry) -> list[dict]:
    # An untouched group (no id, no statement) is a slot the editor did not use.
    return [lesson_data(lesson) for lesson in posted_lessons(form, registry) if lesson["id"] or lesson["statement"]]


def _sources(form) -> list[dict]:
    rows = [_source(row) for row in posted_sources(form) if any(row.values())]
    return rows + parse_sources(_text(form, "sources"))


def posted_values(kind: str, form, registry: FieldRegistry = REGISTRY) -> dict[str, Any]:
    """Form values from a posted form without going through the file's text, blank rows and
    groups kept (to draw the form again after a button changed its shape)."""
    values: dict[str, Any] = {name: _text(form, name) for name in ("id", "title", "summary")}
    values.update(body=(form.get("body") or "").replace("\r\n", "\n"), sources=posted_sources(form),
                  suggested_id=suggest_id(values["title"]))
    for spec in registry.form_fields(kind):
        name = field_name(spec.path)
        if spec.many and spec.kind != "text-list":
            values[name] = [value for value in form.getlist(name) if value]
        else:
            values[name] = _text(form, name) or (UNKNOWN if spec.required and spec.kind != "text-list" else "")
    if _has_lessons(kind, registry):
        values["lessons"] = posted_lessons(form, registry)
    return values


def apply_action(values: dict[str, Any], action: str) -> str | None:
    """Change the form's shape as a button asked ('add-lesson', 'remove-lesson-2', 'up-lesson-1',
    'down-source-0', ...); returns the id of the control to focus, None for an unknown action.

    >>> values = {"lessons": [{"id": "a"}, {"id": "b"}], "sources": []}
    >>> apply_action(values, "up-lesson-1"), [lesson["id"] for lesson in values["lessons"]]
    ('f-lesson-0-id', ['b', 'a'])
    >>> apply_action(values, "remove-lesson-0"), [lesson["id"] for lesson in values["lessons"]]
    ('f-lesson-0-id', ['a'])
    """
    match = _ACTION_PATTERN.fullmatch(action or "")
    if not match:
        return None
    verb, what, number = match.group(1), match.group(2), match.group(3)
    rows = values.setdefault("lessons" if what == "lesson" else "sources", [])
    first = "id" if what == "lesson" else "author"
    if verb == "add":
        rows.append(blank_lesson() if what == "lesson" else blank_source())
        return f"f-{what}-{len(rows) - 1}-{first}"
    index = int(number) if number is not None else -1
    if not 0 <= index < len(rows):
        return None
    if verb == "remove":
        del rows[index]
        return f"f-{what}-{min(index, len(rows) - 1)}-{first}" if rows else f"add-{what}"
    target = index - 1 if verb == "up" else index + 1
    if 0 <= target < len(rows):
        rows[index], rows[target] = rows[target], rows[index]
        index = target
    return f"f-{what}-{index}-{first}"


def form_to_text(kind: str, doc_id: str, form, registry: FieldRegistry = REGISTRY,
                 current: str | None = None) -> str:
    """A file's text from submitted form values (a MultiDict).

    With `current` (the file's text the form was opened on) only the values that changed
    are replaced in it, keeping its layout, comments and quoting; otherwise (a new
    document) the front matter is written afresh in registry order."""
    controls = set(registry.form_fields(kind))
    data: dict[str, Any] = {}
    written: set[str] = set()
    for spec in registry.fields(kind):
        if spec in controls or spec.path in HEADER_TEXTS or spec.path == "id" or spec.kind in ("sources", "lessons"):
            written.add(spec.path)
        name = field_name(spec.path)
        if spec.path == "id":
            _set(data, spec.path, doc_id)
        elif spec.path in HEADER_TEXTS:
            _set(data, spec.path, _text(form, name))  # left empty when empty, so the validator names it
        elif spec.kind == "sources":
            _set(data, spec.path, _sources(form))
        elif spec.kind == "lessons":
            _set(data, spec.path, _lessons(form, registry))
        elif spec not in controls:
            continue
        elif spec.kind == "text-list":
            _set(data, spec.path, [line.strip() for line in _text(form, name).splitlines() if line.strip()])
        elif spec.many:
            _set(data, spec.path, [value for value in form.getlist(name) if value])
        elif (value := _text(form, name)) and (spec.required or value != UNKNOWN):
            _set(data, spec.path, int(value) if spec.kind == "integer" and value.isascii() and value.isdigit() else value)
        elif spec.required:
            _set(data, spec.path, UNKNOWN)  # a required fact the source does not give
        # An optional field left (or set back to) Unknown is not written: the file does
        # not record it, as before the form was opened.
    body = (form.get("body") or "").replace("\r\n", "\n").strip() + "\n"
    if current is not None:
        selects = {spec.path for spec in controls if spec.many and spec.kind != "text-list"}

        def owned(path: tuple) -> bool:
            # The form writes lessons, sources and the fields it shows wholly; any other key is kept.
            return path[0] in ("lessons", "sources") or ".".join(map(str, path)) in written

        def unordered(path: tuple) -> bool:
            if path[0] == "lessons":
                return len(path) > 2 and path[2] in ("topics", "applies_when")
            return ".".join(map(str, path)) in selects
        edited = apply_edits(current, data, body, owned, unordered)
        if edited is not None:
            return edited
    front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{front}---\n\n{body}"
