"""The edit form's controls: which widget each field is drawn as, and the choices it offers.

Which controls a case or note has, what each holds and how it is shown is read from
the field registry (indexer/content/schema.py: `form_fields(kind)`): vocabularies
become selects, lists of values checkbox groups (a plain click never drops the other
choices), lists of documents checkbox groups of their titles, paragraphs textareas.
The values the controls hold, and a posted form turned back into a file's text, are
webui/forms.py. The functions that read the registry take it as a parameter (default
REGISTRY) so a test can pass a copy with one more field.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from indexer.content.loading import Content
from indexer.content.schema import CONDITION, REGISTRY, FieldRegistry, FieldSpec
from indexer.content.vocabulary import Vocabulary

from .forms import field_name
from .presenters import is_paragraph, value_label, vocabulary_of

PARAGRAPH_ROWS = 3
LIST_ROWS = 2
# Checkbox groups listing documents rather than vocabulary values: field kind -> document kind.
_DOCUMENT_LISTS = {"note-ids": "note", "case-ids": "case"}


def _options(spec: FieldSpec, content: Content) -> list[tuple[str, str]]:
    if spec.kind in _DOCUMENT_LISTS:
        documents = content.notes if _DOCUMENT_LISTS[spec.kind] == "note" else content.cases
        return [(document.id, document.title) for document in documents]
    name = vocabulary_of(spec)
    vocabulary = content.vocabulary
    if name is None or vocabulary is None:
        return []
    return [(value, value_label(vocabulary, name, value)) for value in vocabulary.values(name)]


def option_groups(spec: FieldSpec, content: Content) -> list[dict[str, Any]]:
    """The choices of a checkbox group: sectors under their broadest sector (manufacturing,
    services, ...), anything else as one group without a heading."""
    options = _options(spec, content)
    if spec.vocabulary != "sectors" or content.vocabulary is None:
        return [{"legend": None, "options": options}]
    vocabulary, groups = content.vocabulary, {}
    labels = dict(options)
    for value, label in options:
        ancestors = vocabulary.sector_ancestors(value)
        root = max(ancestors, key=lambda key: (ancestors[key], key in labels))  # the farthest ancestor
        groups.setdefault(root, []).append((value, label))
    return [{"legend": labels.get(root, root), "options": members} for root, members in groups.items()]


def control(spec: FieldSpec, content: Content) -> dict[str, Any]:
    """One control of the edit form: its name, label and widget ('input', 'textarea',
    'select' with an Unknown choice, or 'checkboxes' with option groups)."""
    name, label = field_name(spec.path), spec.title
    if spec.kind == "text-list":
        return {"name": name, "label": label, "hint": "One per line.", "widget": "textarea", "rows": LIST_ROWS}
    if spec.many:
        return {"name": name, "label": label, "widget": "checkboxes", "groups": option_groups(spec, content)}
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
    """The choices of a lesson's group: its topics, and one checkbox group per condition
    key, labelled as the case field it compares with ('Altenburg / Meyer-Stamer type')."""
    topics = next(spec for spec in registry.lesson if spec.key == "topics")
    conditions = [{"key": spec.key, "label": spec.title,
                   "options": [(value, value_label(vocabulary, spec.vocabulary, value))
                               for value in vocabulary.values(spec.vocabulary)]}
                  for spec in registry.with_role(CONDITION) if spec.vocabulary]
    return {"topics": [(value, value_label(vocabulary, topics.vocabulary, value))
                       for value in vocabulary.values(topics.vocabulary)],
            "topics_label": topics.title, "conditions": conditions}


def controls_names(groups: Iterable[Mapping]) -> list[str]:
    """The names of every control in `form_controls` groups (for tests and the editor)."""
    return [item["name"] for group in groups for item in group["controls"]]

