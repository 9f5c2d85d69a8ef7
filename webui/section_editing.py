"""Editing one part of a document without the whole form, and reshaping the form without script.

One part is the summary, one lesson or one '## ' section of the body (as wikis allow).
Its small form is saved through the same draft and base-revision path as the whole form
(`Library.save_draft`), with the document's text rebuilt by replacing only that part
(indexer/library/roundtrip.py), so the file changes only there; a save over a newer
revision is a conflict, as for the whole form.

The whole form's "Add a lesson", "Move up" and "Remove" buttons post here when script is
off: the form comes back changed, nothing saved. The blueprint also hands the edit
templates their helpers (`edit_errors`, `edit_links`).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request

from indexer.content.frontmatter import FrontMatterError, parse_text
from indexer.library.diffs import field_changes
from indexer.library.editing import NEW, Conflict, InvalidEdit
from indexer.library.roundtrip import body_sections, replace_section, replace_value, section_text

from . import forms, params, urls
from .auth import require
from .form_errors import error_report, errors_by_field
from .security import valid_id
from .services import casebase

bp = Blueprint("sections", __name__)
KINDS = params.DOCUMENT_KINDS
PLURALS = {kind: plural for plural, kind in KINDS.items()}
SUMMARY = "summary"
LESSON_PREFIX, BODY_PREFIX = "lesson-", "section-"


@dataclass(frozen=True)
class Part:
    """One editable part of a document: what it is ('summary', 'lesson' or 'body'), how it
    is named on the page, and where it is (the lesson's index or the body section)."""

    what: str
    label: str
    index: int | None = None
    section: Any = None


# -- helpers for the edit templates ---------------------------------------------------------

def _rearrange_url(kind: str, doc_id: str, is_new: bool) -> str:
    return urls.rearrange(kind, None if is_new else doc_id)


def section_url(kind: str, doc_id: str, part: str) -> str:
    """The small form for one part ('summary', 'lesson-ID' or 'section-N', N from 1)."""
    return urls.edit_section(kind, doc_id, part)


def _cancel_url(kind: str, doc_id: str, is_new: bool) -> str:
    published = doc_id and not is_new and casebase().content.documents.get(doc_id) is not None
    return urls.document(kind, doc_id) if published else urls.drafts()


def section_links(kind: str, doc_id: str) -> dict[str, Any]:
    """Links to the small form of every part of the document as it stands (its open draft,
    else the published file): summary, lessons by id, body sections in order."""
    _, text = casebase().library.head(kind, doc_id)
    if text is None:
        return {}
    try:
        data = parse_text(text).data
    except FrontMatterError:
        return {}
    lessons = data.get("lessons") if isinstance(data.get("lessons"), list) else []
    return {"summary": section_url(kind, doc_id, SUMMARY),
            "lessons": {lesson["id"]: section_url(kind, doc_id, LESSON_PREFIX + lesson["id"])
                        for lesson in lessons if isinstance(lesson, dict) and valid_id(str(lesson.get("id", "")))},
            "body": [{"heading": section.heading, "url": section_url(kind, doc_id, f"{BODY_PREFIX}{number}")}
                     for number, section in enumerate(body_sections(text), start=1)]}


@bp.app_context_processor
def edit_helpers() -> dict[str, Any]:
    """What edit.html and section_edit.html use besides the controls (webui/pages.py gives those)."""
    links = SimpleNamespace(rearrange=_rearrange_url, cancel=_cancel_url, sections=section_links, section=section_url)
    return {"edit_errors": error_report, "edit_links": links}


# -- reshaping the whole form without script ------------------------------------------------

def _reshaped(kind: str, doc_id: str, is_new: bool):
    values = forms.posted_values(kind, request.form)
    values["message"] = request.form.get("message", "")
    focus = forms.apply_action(values, request.form.get(forms.ACTION, ""))
    if focus is None:
        abort(400, description="form_action must be add-lesson, remove-lesson-N, up-lesson-N, down-lesson-N, "
                               "add-source or remove-source-N with N one of the rows")
    return render_template("edit.html", kind=kind, doc_id=doc_id, values=values,
                           base=request.form.get("base_revision", NEW if is_new else ""), errors={},
                           is_new=is_new, focus=focus)


@bp.post("/edit/<plural>/<doc_id>/rearrange")
@require("editor")
def rearrange(plural: str, doc_id: str):
    """The edit form again with a lesson or source added, moved or removed (nothing saved)."""
    return _reshaped(params.document_kind(plural), params.document_id(doc_id), is_new=False)


@bp.post("/edit/new/<plural>/rearrange")
@require("editor")
def rearrange_new(plural: str):
    """The new document's form again with a lesson or source added, moved or removed."""
    return _reshaped(params.document_kind(plural), "", is_new=True)


# -- one part alone -------------------------------------------------------------------------

def find_part(text: str, part: str) -> Part | None:
    """The part named `part` in a document's text, or None when it has none such."""
    if part == SUMMARY:
        return Part("summary", "Summary")
    try:
        data = parse_text(text).data
    except FrontMatterError:
        return None
    if part.startswith(LESSON_PREFIX):
        lessons = data.get("lessons") if isinstance(data.get("lessons"), list) else []
        wanted = part[len(LESSON_PREFIX):]
        index = next((i for i, lesson in enumerate(lessons) if isinstance(lesson, dict) and lesson.get("id") == wanted),
                     None)
        return None if index is None else Part("lesson", f"Lesson {index + 1}", index)
    if part.startswith(BODY_PREFIX) and part[len(BODY_PREFIX):].isascii() and part[len(BODY_PREFIX):].isdigit():
        sections = body_sections(text)
        number = int(part[len(BODY_PREFIX):])
        if 1 <= number <= len(sections):
            section = sections[number - 1]
            return Part("body", f"Section \u201c{section.heading}\u201d", number - 1, section)
    return None


def part_values(kind: str, text: str, part: Part) -> dict[str, Any]:
    """The form values of one part, as the text holds it."""
    if part.what == "body":
        return {"body": section_text(text, part.section)}
    values = forms.text_to_form(kind, text)
    if part.what == "summary":
        return {"summary": values.get("summary", "")}
    return {"lesson": values["lessons"][part.index]}


def rebuilt_text(kind: str, text: str, part: Part, form) -> str:
    """The document's whole text with only `part` replaced by the posted values."""
    if part.what == "body":
        return replace_section(text, part.section, form.get("body", ""))
    if part.what == "summary":
        value: Any = (form.get("summary") or "").replace("\r\n", "\n").strip()
        keys: tuple = ("summary",)
    else:
        posted = forms.posted_lessons(form)
        if len(posted) != 1:
            abort(400, description="a lesson's form posts exactly one lesson")
        value, keys = forms.lesson_data(posted[0]), ("lessons", part.index)
    rebuilt = replace_value(text, keys, value, unordered=lambda path: len(path) > 2 and path[2] in ("topics",
                                                                                                     "applies_when"))
    if rebuilt is None:
        abort(422, description="this document's front matter cannot be read; use the whole form")
    return rebuilt


def _render_part(kind: str, doc_id: str, part_name: str, part: Part, values: dict, base: str,
                 errors: dict | None = None, status: int = 200):
    title = casebase().library.head(kind, doc_id)[1]
    document_title = forms.text_to_form(kind, title).get("title", doc_id) if title else doc_id
    return render_template("section_edit.html", kind=kind, doc_id=doc_id, part_name=part_name, part=part,
                           values=values, base=base, errors=errors or {}, document_title=document_title,
                           action=section_url(kind, doc_id, part_name)), status


def _head(kind: str, doc_id: str, part_name: str) -> tuple[str, str, Part]:
    revision, text = casebase().library.head(kind, doc_id)
    if text is None:
        abort(404, description=f"no {kind} '{doc_id}'")
    part = find_part(text, part_name)
    if part is None:
        abort(404, description=f"{kind} '{doc_id}' has no part '{part_name}'; "
                               "parts are summary, lesson-ID and section-N")
    return revision, text, part


@bp.get("/edit/<plural>/<doc_id>/section/<part_name>")
@require("editor")
def edit_section(plural: str, doc_id: str, part_name: str):
    """The small form for one part of the document (its open draft, else the published file)."""
    kind, doc_id = params.document_kind(plural), params.document_id(doc_id)
    revision, text, part = _head(kind, doc_id, part_name)
    return _render_part(kind, doc_id, part_name, part, part_values(kind, text, part), revision)


@bp.post("/edit/<plural>/<doc_id>/section/<part_name>")
@require("editor")
def save_section(plural: str, doc_id: str, part_name: str):
    """Save one part as the document's draft: 422 with the errors in plain words, 409 when
    the document changed since the small form was opened."""
    kind, doc_id = params.document_kind(plural), params.document_id(doc_id)
    _, text, part = _head(kind, doc_id, part_name)
    rebuilt = rebuilt_text(kind, text, part, request.form)
    base = request.form.get("base_revision", "")
    library = casebase().library
    try:
        draft = library.save_draft(kind, doc_id, rebuilt, base, g.user.name, request.form.get("message", ""))
    except InvalidEdit as error:
        posted = part_values(kind, rebuilt, part) if part.what != "body" else {"body": request.form.get("body", "")}
        return _render_part(kind, doc_id, part_name, part, posted, base, errors_by_field(error.problems), 422)
    except Conflict as conflict:
        changes = field_changes(conflict.head_text, conflict.your_text, kind)
        return render_template("conflict.html", kind=kind, doc_id=doc_id, conflict=conflict, changes=changes), 409
    return redirect(urls.draft(draft.id))
