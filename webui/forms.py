"""The edit form: front matter and body to form values, and back to a file's text.

Which controls a case or note has, what each holds and how it is shown is read from
the field registry (indexer/content/schema.py: `form_fields(kind)`): vocabularies
become selects, lists of ids multiple selects, lessons repeatable groups, sources one
line each. The form is turned back into YAML front matter in registry order, so what
the validator checks is exactly what will be saved. Every function takes the
registry as a parameter (default REGISTRY) so a test can pass a copy with one more field.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

import yaml

from indexer.content.frontmatter import FrontMatterError, parse_text
from indexer.content.loading import Content
from indexer.content.schema import CONDITION, REGISTRY, FieldRegistry, FieldSpec
from indexer.content.vocabulary import UNKNOWN, Vocabulary
from indexer.library.roundtrip import apply_edits

from .presenters import is_paragraph, value_label, vocabulary_of

EXTRA_LESSON_SLOTS = 2
# Texts every document's form has above its structured controls (webui/templates/edit.html).
HEADER_TEXTS = ("title", "summary")
PARAGRAPH_ROWS = 3
LIST_ROWS = 2
# Multiple selects listing documents rather than vocabulary values: field kind -> document kind.
_DOCUMENT_LISTS = {"note-ids": "note", "case-ids": "case"}


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
        source: dict[str, Any] = {"author": parts[0], "year": int(year) if str(year).isascii() and str(year).isdigit() else (year or "n.d.")}
        if len(parts) > 2 and parts[2]:
            source["title"] = parts[2]
        if len(parts) > 3 and parts[3]:
            source["via"] = parts[3]
        sources.append(source)
    return sources


def _has_lessons(kind: str, registry: FieldRegistry) -> bool:
    return any(spec.kind == "lessons" for spec in registry.fields(kind))


def text_to_form(kind: str, text: str | None, registry: FieldRegistry = REGISTRY) -> dict[str, Any]:
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
    for spec in registry.form_fields(kind):
        name = field_name(spec.path)
        if spec.kind == "text-list":
            values[name] = "\n".join(map(str, _get(data, spec.path, []) or []))
        elif spec.many:
            values[name] = list(_get(data, spec.path, []) or [])
        else:
            values[name] = str(_get(data, spec.path, UNKNOWN if spec.required else ""))
    if _has_lessons(kind, registry):
        values["lessons"] = [_lesson_values(lesson) for lesson in _get(data, "lessons", []) or []] + [
            {"id": "", "statement": "", "explanation": "", "topics": [], "sources": "", "applies_when": {}}
            for _ in range(EXTRA_LESSON_SLOTS)]
    return values


def _lesson_values(lesson: Mapping) -> dict[str, Any]:
    conditions = lesson.get("applies_when") or {}
    return {
        "id": lesson.get("id", ""), "statement": lesson.get("statement", ""),
        "explanation": lesson.get("explanation", ""), "topics": list(lesson.get("topics") or []),
        "sources": "\n".join(lesson.get("sources") or []),
        "applies_when": {key: (value if isinstance(value, list) else [value]) for key, value in conditions.items()},
    }


def form_to_text(kind: str, doc_id: str, form, registry: FieldRegistry = REGISTRY,
                 current: str | None = None) -> str:
    """A file's text from submitted form values (a MultiDict).

    With `current` (the file's text the form was opened on) only the values that changed
    are replaced in it, keeping its layout, comments and quoting; otherwise (a new
    document) the front matter is written afresh in registry order."""
    def one(name: str) -> str:
        return (form.get(name) or "").replace("\r\n", "\n").strip()

    def many(name: str) -> list[str]:
        return [value for value in form.getlist(name) if value]

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
            _set(data, spec.path, one(name))  # left empty when empty, so the validator names it
        elif spec.kind == "sources":
            _set(data, spec.path, parse_sources(one(name)))
        elif spec.kind == "lessons":
            _set(data, spec.path, _lessons(form, registry))
        elif spec not in controls:
            continue
        elif spec.kind == "text-list":
            _set(data, spec.path, [line.strip() for line in one(name).splitlines() if line.strip()])
        elif spec.many:
            _set(data, spec.path, many(name))
        elif value := one(name):
            _set(data, spec.path, int(value) if spec.kind == "integer" and value.isascii() and value.isdigit() else value)
        elif spec.required:
            _set(data, spec.path, UNKNOWN)  # a required fact the source does not give
    body = (form.get("body") or "").replace("\r\n", "\n").strip() + "\n"
    if current is not None:
        def owned(path: tuple) -> bool:
            # The form writes lessons and the fields it shows wholly; any other key is kept.
            return path[0] == "lessons" or ".".join(map(str, path)) in written
        def unordered(path: tuple) -> bool:
            if path[0] == "lessons":
                return len(path) > 2 and path[2] in ("topics", "applies_when")
            return ".".join(map(str, path)) in selects
        selects = {spec.path for spec in controls if spec.many and spec.kind != "text-list"}
        edited = apply_edits(current, data, body, owned, unordered)
        if edited is not None:
            return edited
    front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return f"---\n{front}---\n\n{body}"


def _lessons(form, registry: FieldRegistry) -> list[dict]:
    lessons = []
    indexes = sorted({int(m.group(1)) for key in form.keys() if (m := re.match(r"lesson-(\d+)-", key))})
    for index in indexes:
        prefix = f"lesson-{index}-"
        lesson_id = (form.get(prefix + "id") or "").strip()
        statement = (form.get(prefix + "statement") or "").strip()
        if not lesson_id and not statement:
            continue  # an unused slot
        conditions = {}
        for key in registry.condition_keys:
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


# -- the controls the template draws --------------------------------------------------------

def _options(spec: FieldSpec, content: Content) -> list[tuple[str, str]]:
    if spec.kind in _DOCUMENT_LISTS:
        documents = content.notes if _DOCUMENT_LISTS[spec.kind] == "note" else content.cases
        return [(document.id, document.title) for document in documents]
    name = vocabulary_of(spec)
    vocabulary = content.vocabulary
    if name is None or vocabulary is None:
        return []
    return [(value, value_label(vocabulary, name, value)) for value in vocabulary.values(name)]


def control(spec: FieldSpec, content: Content) -> dict[str, Any]:
    """One control of the edit form: its name, label and widget ('input', 'textarea',
    'select' with an Unknown choice, or 'multiple'), with rows or options."""
    name, label = field_name(spec.path), spec.title
    if spec.kind == "text-list":
        return {"name": name, "label": f"{label} (one per line)", "widget": "textarea", "rows": LIST_ROWS}
    if spec.many:
        return {"name": name, "label": label, "widget": "multiple", "options": _options(spec, content)}
    if spec.vocabulary or spec.kind == "country":
        return {"name": name, "label": label, "widget": "select", "options": _options(spec, content)}
    if is_paragraph(spec):
        return {"name": name, "label": label, "widget": "textarea", "rows": PARAGRAPH_ROWS}
    return {"name": name, "label": label, "widget": "input"}


def form_controls(kind: str, content: Content, registry: FieldRegistry = REGISTRY) -> list[dict[str, Any]]:
    """The structured controls of the edit form for 'case' or 'note', in registry order,
    grouped by the first key of their path: every field under one key ('location.place',
    'location.region') is in that key's fieldset, which stands where its first field
    does; top-level fields next to each other form a group without a legend."""
    groups: list[dict[str, Any]] = []
    fieldsets: dict[str, dict[str, Any]] = {}
    for spec in registry.form_fields(kind):
        key = _group_of(spec)
        if key in fieldsets:
            group = fieldsets[key]
        elif key or not groups or groups[-1]["legend"] is not None:
            group = {"legend": key.replace("_", " ").capitalize() if key else None, "controls": []}
            groups.append(group)
            if key:
                fieldsets[key] = group
        else:
            group = groups[-1]
        group["controls"].append(control(spec, content))
    return groups


def _group_of(spec: FieldSpec) -> str:
    return spec.keys[0] if len(spec.keys) > 1 else ""


def lesson_controls(vocabulary: Vocabulary, registry: FieldRegistry = REGISTRY) -> dict[str, Any]:
    """The choices of a lesson's group: its topics, and one select per condition key."""
    topics = next(spec for spec in registry.lesson if spec.key == "topics")
    conditions = [{"key": spec.key, "label": "Applies when " + spec.key.replace("_", " "),
                   "options": [(value, value_label(vocabulary, spec.vocabulary, value))
                               for value in vocabulary.values(spec.vocabulary)]}
                  for spec in registry.with_role(CONDITION) if spec.vocabulary]
    return {"topics": [(value, value_label(vocabulary, topics.vocabulary, value))
                       for value in vocabulary.values(topics.vocabulary)],
            "conditions": conditions}


def controls_names(groups: Iterable[Mapping]) -> list[str]:
    """The names of every control in `form_controls` groups (for tests and the editor)."""
    return [item["name"] for group in groups for item in group["controls"]]
