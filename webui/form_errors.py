"""Validation errors as a person filling in the edit form reads them.

The validator speaks of YAML ("must be a non-empty text"); the form names the field by
its label ("Lesson 2: explanation") and says what to do ("Write an explanation"). The
summary above the form lists every error once, in the form's order, each linking to its
field.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

from indexer.checking import check_candidate
from indexer.content import validate
from indexer.content.schema import CONDITION, MAX_ID_LENGTH, REGISTRY, FieldRegistry

from .forms import HEADER_TEXTS, field_name
# What a person should do, for the validator's messages that speak of YAML types.
_PLAIN = (
    (validate.MISSING_OR_UNKNOWN, "Choose or write {the}, or 'unknown' if the source is silent"),
    (validate.MISSING, "Write {a}"),
    (validate.EMPTY_TEXT, "Write {a}"),
    (validate.UNKNOWN_REFUSED, "Write {a}: 'unknown' is not allowed here"),
    (validate.NO_SOURCES, "Add at least one source: its author and year"),
    (validate.YEAR_EXPECTED, "Write the year as a number such as 1998, or n.d. when the source gives none"),
    (validate.TEXT_LIST, "Write one item per line"),
)
_INVALID_ID = "Use up to {n} lower-case letters, digits and hyphens, e.g. sinos-valley-footwear".format(n=MAX_ID_LENGTH)
_SOURCE_PARTS = {"author": "author", "year": "year", "title": "title", "via": "cited via"}
_LESSON_PARTS = {"id": "id", "statement": "statement", "explanation": "explanation", "topics": "topics",
                 "sources": "citations", "applies_when": "conditions"}


def label_of(name: str, kind: str, registry: FieldRegistry = REGISTRY) -> str:
    """The label a person sees for a control (or a problem's field) by its name.

    >>> label_of("lesson-1-applies_when_altenburg_meyer_stamer", "case")
    'Lesson 2: applies when (Altenburg / Meyer-Stamer type)'
    >>> label_of("source-0-year", "case"), label_of("initiative_approach", "case"), label_of("body", "note")
    ('Source 1: year', 'Approach', 'Text')
    """
    if match := re.fullmatch(r"lesson-(\d+)-?(.*)", name):
        number, part = int(match.group(1)) + 1, match.group(2)
        if part.startswith("applies_when_"):
            spec = next((s for s in registry.with_role(CONDITION) if s.key == part[len("applies_when_"):]), None)
            return f"Lesson {number}: applies when ({spec.title if spec else part[len('applies_when_'):]})"
        return f"Lesson {number}" + (f": {_LESSON_PARTS.get(part, part)}" if part else "")
    if match := re.fullmatch(r"source-(\d+)-?(.*)", name):
        part = match.group(2)
        return f"Source {int(match.group(1)) + 1}" + (f": {_SOURCE_PARTS.get(part, part)}" if part else "")
    if name == "body":
        return "Text"
    spec = next((spec for spec in registry.fields(kind) if field_name(spec.path) == name), None)
    return spec.title if spec else name.replace("_", " ").capitalize()


def plain_message(message: str, label: str) -> str:
    """A validator's message in words for someone filling in the form, about the field `label`.

    >>> plain_message("must be a non-empty text", "Summary"), plain_message("must be a non-empty text", "Lesson 1: explanation")
    ('Write a summary', 'Write an explanation')
    >>> plain_message("'Foo Bar' is not a valid id: use up to 64 ...", "Id")
    'Use up to 64 lower-case letters, digits and hyphens, e.g. sinos-valley-footwear'
    """
    noun = label.split(": ", 1)[-1]
    noun = noun if noun[:1].isupper() and noun.isupper() else noun[:1].lower() + noun[1:]
    article = "an" if noun[:1] in "aeiou" else "a"
    for known, plain in _PLAIN:
        if message.startswith(known):
            return plain.format(a=f"{article} {noun}", the=f"the {noun}")
    if validate.INVALID_ID in message:
        return _INVALID_ID
    return message[:1].upper() + message[1:]


def anchor_of(name: str) -> str:
    """The id of the control a problem's field name points to (a row's first box for a whole row).

    >>> anchor_of("summary"), anchor_of("source-2"), anchor_of("lesson-0")
    ('f-summary', 'f-source-2-author', 'f-lesson-0-id')
    """
    if re.fullmatch(r"source-\d+", name):
        return f"f-{name}-author"
    if re.fullmatch(r"lesson-\d+", name):
        return f"f-{name}-id"
    return f"f-{name}"


def error_report(errors: Mapping[str, list[str]], kind: str, registry: FieldRegistry = REGISTRY) -> dict[str, Any]:
    """Errors by control name in plain words (`by_name`), and the summary above the form
    (`summary`: label, message and the anchor of each field, in the form's order)."""
    order = ["id", *HEADER_TEXTS, *(field_name(spec.path) for spec in registry.form_fields(kind))]

    def rank(name: str) -> tuple:
        if name in order:
            return (0, order.index(name), 0)
        for position, prefix in enumerate(("lesson", "source", "sources", "body")):
            if name.startswith(prefix):
                number = re.match(r"\w+-(\d+)", name)
                return (1 + position, int(number.group(1)) if number else -1, 0)
        return (9, 0, 0)
    by_name: dict[str, list[str]] = {}
    summary = []
    for name in sorted(errors, key=rank):
        label = label_of(name, kind, registry)
        by_name[name] = [plain_message(message, label) for message in errors[name]]
        summary += [{"label": label, "message": message, "href": "#" + anchor_of(name)} for message in by_name[name]]
    return {"by_name": by_name, "summary": summary}


def errors_by_field(problems) -> dict[str, list[str]]:
    """The validator's problems by control name (a problem without a field is the text's)."""
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(field_name(problem.field or "body"), []).append(problem.message)
    return errors


def new_document_errors(content, kind: str, doc_id: str, text: str) -> dict[str, list[str]]:
    """Every error of a new document whose id cannot be used, the id's among them: the
    library refuses such an id before validating, so the form would otherwise show the
    other errors only in a second round."""
    errors = errors_by_field(problem for problem in check_candidate(content, kind, doc_id, text)
                             if problem.severity == "error")
    errors.setdefault("id", [f"'{doc_id}' {validate.INVALID_ID}"])
    return errors
