"""Editing in the browser: the edit form, saving drafts, the live preview, and the
advisor's profile kept as a new case. Every route needs a role.

The views parse the request, call the engine's library (`Casebase.library`: drafts,
publishing, history) and render; the engine validates, writes, records and reloads.
The drafts and their review (webui/reviewing.py) and the published history
(webui/history.py) are on this blueprint too; what they share is webui/editor_web.py.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Flask, abort, flash, g, jsonify, redirect, render_template, request

from indexer.errors import NotFound, Refused, StateConflict
from indexer.library.editing import NEW, Conflict, InvalidEdit
from indexer.library.retaining import case_from_profile

from . import forms, history, params, reviewing, urls
from .auth import require
from .editor_web import RowIdConverter, absolute, conflict_page, library, notifier
from .form_controls import form_controls, lesson_controls
from .form_errors import errors_by_field, new_document_errors
from .forms import form_to_text, text_to_form
from .security import valid_id
from .services import casebase, renderer

bp = Blueprint("editor", __name__)
EDIT_MAX_CONTENT_LENGTH = 1024 * 1024


def init_app(app: Flask) -> None:
    """The route converter for draft and revision ids (before the blueprint is registered)."""
    app.url_map.converters["row_id"] = RowIdConverter


@bp.before_request
def larger_bodies_for_edits() -> None:
    # A case file may be far larger than an API query; still bounded (413 beyond).
    request.max_content_length = EDIT_MAX_CONTENT_LENGTH


def _error_page(status: int, title: str, error: Exception):
    return render_template("error.html", status=status, title=title, message=str(error)), status


@bp.errorhandler(NotFound)
def not_found(error: NotFound):
    """A draft or revision that does not exist."""
    return _error_page(404, "Page not found", error)


@bp.errorhandler(StateConflict)
def state_conflict(error: StateConflict):
    """Publishing a published draft, discarding one that is no longer open."""
    return _error_page(409, "That cannot be done any more", error)


@bp.errorhandler(Refused)
def refused(error: Refused):
    """The engine says this person may not (e.g. discard someone else's draft)."""
    return _error_page(403, "Not allowed", error)


def _render_form(kind: str, doc_id: str, values: dict, base: str, errors: dict | None = None,
                 status: int = 200, is_new: bool = False):
    # The controls come from the field registry (webui/form_controls.py), over the content now loaded.
    content = casebase().content
    return render_template("edit.html", kind=kind, doc_id=doc_id, values=values, base=base,
                           errors=errors or {}, is_new=is_new,
                           form_controls=lambda form_kind: form_controls(form_kind, content),
                           lesson_controls=lambda: lesson_controls(content.vocabulary)), status


@bp.get("/edit/<plural>/<doc_id>")
@require("editor")
def edit(plural: str, doc_id: str):
    """The edit form, starting from the open draft or the published file."""
    kind, doc_id = params.document_kind(plural), params.document_id(doc_id)
    revision, text = library().head(kind, doc_id)
    if text is None:
        abort(404, description=f"no {kind} '{doc_id}'; use 'New {kind}' to create it")
    return _render_form(kind, doc_id, text_to_form(kind, text), revision)


@bp.get("/edit/new/<plural>")
@require("editor")
def new(plural: str):
    """An empty form for a new case or note."""
    kind = params.document_kind(plural)
    return _render_form(kind, "", text_to_form(kind, None), NEW, is_new=True)


@bp.post("/edit/new/<plural>")
@require("editor")
def create(plural: str):
    """Save a new document's first draft (422 naming `id` when it is taken)."""
    return _save(params.document_kind(plural), "", is_new=True)


@bp.post("/edit/<plural>/<doc_id>")
@require("editor")
def save(plural: str, doc_id: str):
    """Validate and save as a draft; 422 with errors by field, 409 on a newer revision."""
    return _save(params.document_kind(plural), params.document_id(doc_id), is_new=False)


def _save(kind: str, doc_id: str, is_new: bool):
    message = request.form.get("message", "")
    if is_new:
        doc_id = forms.chosen_id(request.form)  # the id written, else the title's suggestion
        if not valid_id(doc_id):
            # Every other error at once too: the library would refuse the id before validating.
            text = form_to_text(kind, doc_id, request.form)
            values = text_to_form(kind, text)
            values["id"], values["message"] = doc_id, message
            return _render_form(kind, doc_id, values, NEW,
                                new_document_errors(casebase().content, kind, doc_id, text), 422, is_new=True)
    # An existing document's edits are applied onto its current text, so unchanged lines stay as written.
    current = None if is_new else library().head(kind, doc_id)[1]
    text = form_to_text(kind, doc_id, request.form, current=current)
    base = NEW if is_new else request.form.get("base_revision", "")
    before = None if is_new else library().open_draft(kind, doc_id)
    try:
        if is_new:
            draft = library().create_draft(kind, doc_id, text, g.user.name, message)
        else:
            draft = library().save_draft(kind, doc_id, text, base, g.user.name, message)
    except InvalidEdit as error:
        errors = errors_by_field(error.problems)
        values = text_to_form(kind, text)
        values["message"] = message  # the history message survives a refused save
        if is_new:
            values["id"] = doc_id
        return _render_form(kind, doc_id, values, base, errors, 422, is_new=is_new)
    except Conflict as conflict:
        return conflict_page(kind, doc_id, conflict)
    # A new draft, or one a reviewer had sent back, now waits for review: tell the reviewers.
    submitted = before is None or not before.waits_for_review
    mailed = submitted and notifier().submitted(draft, g.user.name, absolute(urls.draft(draft.id)))
    flash(f"Saved draft #{draft.id} of {kind} {doc_id}. It waits for a reviewer"
          + (" (reviewers were notified by e-mail)." if mailed else "."), "success")
    return redirect(urls.draft(draft.id))


@bp.post("/preview")
@require("editor")
def preview():
    """Rendered, sanitised HTML of a Markdown body (live preview)."""
    return jsonify(html=renderer().markdown(request.form.get("body", "")))


@bp.post("/advisor/retain")
@require("editor")
def retain():
    """Save the advisor's profile as a new draft case: today's initiative, tomorrow's case."""
    data = params.profile_data(request.form)
    doc_id = (request.form.get("id") or "").strip()
    title = (request.form.get("title") or "").strip()
    if not valid_id(doc_id) or not title:
        abort(400, description="give the new case an id (up to 64 lower-case letters, digits, hyphens) and a title")
    try:
        text = case_from_profile(doc_id, title, data, g.user.name, date.today().year)
        draft_item = library().create_draft("case", doc_id, text, g.user.name, "Retained from the advisor")
    except InvalidEdit as error:
        if error.field == "id":
            abort(409, description=f"a case, note or draft '{doc_id}' already exists")
        abort(400, description=str(error))
    return redirect(urls.draft(draft_item.id))


# The drafts' review and the history are modules of their own, but their routes stay on this
# blueprint: its body limit and error pages apply to them, and webui/urls.py and the templates
# name them editor.*.
for rule, endpoint, view, method in (*reviewing.ROUTES, *history.ROUTES):
    bp.add_url_rule(rule, endpoint, view, methods=[method])
