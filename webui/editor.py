"""Editing in the browser: forms, drafts, review, history. Every route needs a role.

The views parse the request, call the engine's library (`Casebase.library`: drafts,
publishing, history) and render; the engine validates, writes, records and reloads.
"""

from __future__ import annotations

import time
from datetime import date

from flask import Blueprint, Flask, abort, flash, g, jsonify, redirect, render_template, request, url_for
from werkzeug.routing import BaseConverter, ValidationError

from indexer.content.frontmatter import FrontMatterError, parse_text
from indexer.errors import InvalidInput, NotFound, Refused, StateConflict
from indexer.library.database import MAX_ROW_ID
from indexer.library.diffs import field_changes
from indexer.library.drafts import Draft, Revision
from indexer.library.editing import NEW, Conflict, InvalidEdit, Library, unified_diff
from indexer.library.notify import Notifier
from indexer.library.retaining import case_from_profile

from . import forms, params, urls
from .auth import require
from .form_errors import errors_by_field, new_document_errors
from .forms import form_to_text, text_to_form
from .security import valid_id
from .services import casebase, renderer

bp = Blueprint("editor", __name__)
KINDS = params.DOCUMENT_KINDS
EDIT_MAX_CONTENT_LENGTH = 1024 * 1024


class RowIdConverter(BaseConverter):
    """A draft or revision id in a route: ASCII digits within SQLite's integer range
    (anything else is 404, never a look-up). Werkzeug's `int` takes any Unicode digit
    and any size."""

    regex = r"[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= MAX_ROW_ID:
            raise ValidationError()
        return number

    def to_url(self, value: int) -> str:
        return str(value)


def row_id(value: str | None) -> int | None:
    """A row id from a query parameter, or None when it is not one.

    >>> row_id("12"), row_id("\uff11"), row_id("99999999999999999999999"), row_id(None)
    (12, None, None, None)
    """
    if not value or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ROW_ID else None


def init_app(app: Flask) -> None:
    """The route converter for draft and revision ids (before the blueprint is registered)."""
    app.url_map.converters["row_id"] = RowIdConverter


def library() -> Library:
    """The engine's library of the current app's Casebase."""
    return casebase().library


def notifier() -> Notifier:
    """Review e-mails as the instance configures them (none without CASEBASE_SMTP_HOST).
    Views call it after the library's call returned, so no transaction waits for mail."""
    instance = casebase()
    return Notifier(instance.settings.mail, instance.accounts.users, instance.accounts.record,
                    single_maintainer=instance.settings.single_maintainer)


def announce_draft(draft: Draft) -> bool:
    """Tell the reviewers that `draft` waits for review (True when mail went out); for
    drafts other views create, such as the case an initiative leaves when it closes."""
    return notifier().submitted(draft, g.user.name, _absolute(urls.draft(draft.id)))


def _absolute(path: str) -> str:
    """A link for an e-mail: this request's host and `path`."""
    return request.host_url.rstrip("/") + path


def _wants_json() -> bool:
    return request.args.get("format") == "json"


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
    # The controls come from the field registry (webui/forms.py), over the content now loaded.
    content = casebase().content
    return render_template("edit.html", kind=kind, doc_id=doc_id, values=values, base=base,
                           errors=errors or {}, is_new=is_new,
                           form_controls=lambda form_kind: forms.form_controls(form_kind, content),
                           lesson_controls=lambda: forms.lesson_controls(content.vocabulary)), status


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
        return _conflict_page(kind, doc_id, conflict)
    # A new draft, or one a reviewer had sent back, now waits for review: tell the reviewers.
    submitted = before is None or not before.waits_for_review
    mailed = submitted and notifier().submitted(draft, g.user.name, _absolute(urls.draft(draft.id)))
    flash(f"Saved draft #{draft.id} of {kind} {doc_id}. It waits for a reviewer"
          + (" (reviewers were notified by e-mail)." if mailed else "."), "success")
    return redirect(urls.draft(draft.id))


def _conflict_page(kind: str, doc_id: str, conflict: Conflict):
    changes = field_changes(conflict.head_text, conflict.your_text, kind)
    return render_template("conflict.html", kind=kind, doc_id=doc_id, conflict=conflict, changes=changes), 409


@bp.post("/preview")
@require("editor")
def preview():
    """Rendered, sanitised HTML of a Markdown body (live preview)."""
    return jsonify(html=renderer().markdown(request.form.get("body", "")))


@bp.get("/drafts")
@require("editor")
def drafts():
    """Open drafts (and conflict copies), newest first."""
    return render_template("drafts.html", drafts=library().drafts("open"), conflicts=library().drafts("conflict"))


@bp.get("/drafts/<row_id:draft_id>")
@require("editor")
def draft(draft_id: int):
    """A draft: preview, changes against the published version, and the review actions."""
    item = library().draft(draft_id)
    _, published = library().published(item.kind, item.doc_id)
    try:
        body_html = renderer().markdown(parse_text(item.text).body)
    except FrontMatterError:
        body_html = ""
    can_discard = item.status in ("open", "conflict") and library().may_discard(g.user, item)
    return render_template("draft.html", draft=item, diff=unified_diff(published or "", item.text, "published",
                                                                       "draft"), body_html=body_html,
                           changes=field_changes(published or "", item.text, item.kind), can_discard=can_discard,
                           can_publish=library().may_publish(g.user, item))


def waited(seconds: float) -> str:
    """How long a draft has waited, in words.

    >>> waited(30), waited(3600 * 5), waited(86400 * 3 + 7200)
    ('under a minute', '5 hours', '3 days')
    """
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''}"
    return "under a minute"


def _queued(item: Draft, now: float) -> dict:
    """One draft of the review queue, as the page and its JSON show it."""
    return {**item.summary(now), "age": waited(now - item.updated), "url": urls.draft(item.id),
            "diff_url": urls.draft(item.id) + "#changes"}


@bp.get("/review")
@require("reviewer")
def review():
    """What waits for this reviewer, oldest first; drafts they changed (another reviewer
    must publish them) and drafts sent back to their authors apart. ?format=json too."""
    queue, now = library().review_queue(g.user), time.time()
    groups = {name: [_queued(item, now) for item in getattr(queue, name)] for name in ("waiting", "yours",
                                                                                       "sent_back")}
    if _wants_json():
        return jsonify(reviewer=g.user.name, **groups)
    return render_template("review.html", **groups)


@bp.post("/drafts/<row_id:draft_id>/send-back")
@require("reviewer")
def send_back(draft_id: int):
    """Return an open draft to its author with a note (required); they are e-mailed."""
    try:
        item = library().send_back(draft_id, g.user, request.form.get("note", ""))
    except InvalidInput as error:
        flash(f"Not sent back: {error.message}.", "error")
        return redirect(urls.draft(draft_id))
    mailed = notifier().sent_back(item, _absolute(urls.draft(item.id)))
    flash(f"Sent draft #{item.id} back to {item.author}" + (" (notified by e-mail)." if mailed else "."), "success")
    return redirect(urls.review())


@bp.post("/drafts/<row_id:draft_id>/publish")
@require("reviewer")
def publish(draft_id: int):
    """Publish a draft: the file is written, the revision recorded, the content reloaded
    and the index updated (409 when the draft is no longer open)."""
    item = library().draft(draft_id)
    try:
        record = library().publish(draft_id, g.user.name, request.form.get("message", ""))
    except Conflict as conflict:
        return _conflict_page(item.kind, item.doc_id, conflict)
    except InvalidEdit as error:
        abort(422, description="; ".join(str(p) for p in error.problems))
    except Refused as refused:
        abort(403, description=str(refused))
    mailed = notifier().published(library().draft(draft_id), record,
                                  _absolute(urls.document(item.kind, item.doc_id)))
    flash(f"Published {item.kind} {item.doc_id} as revision #{record.id}"
          + (" (the author was notified by e-mail)." if mailed else "."), "success")
    return redirect(urls.document(item.kind, item.doc_id))


@bp.post("/drafts/<row_id:draft_id>/discard")
@require("editor")
def discard(draft_id: int):
    """Set a draft aside (kept with status 'discarded'): reviewers any open draft or
    conflict copy, editors only their own (403 otherwise, 409 once published)."""
    item = library().discard(draft_id, g.user)
    flash(f"Discarded draft #{item.id} of {item.kind} {item.doc_id} (it is kept, but no longer open).", "success")
    return redirect(urls.drafts())


def _credited(kind: str, item: Revision) -> dict:
    """A revision's credits with the links of its page and of its restore."""
    return {**item.credits(), "url": urls.revision(kind, item.doc_id, item.id),
            "restore_url": urls.confirm_restore(kind, item.doc_id, item.id)}


@bp.get("/history/<plural>/<doc_id>")
@require("editor")
def history(plural: str, doc_id: str):
    """Published revisions with who wrote, reviewed and why, and the diff between any
    two (?a=ID&b=ID); ?format=json for the credits."""
    kind, doc_id = params.document_kind(plural), params.document_id(doc_id)
    revisions = library().history(kind, doc_id)
    if _wants_json():
        return jsonify(kind=kind, doc_id=doc_id, revisions=[_credited(kind, item) for item in revisions])
    diff = changes = None
    if request.args.get("a") and request.args.get("b"):
        older_id, newer_id = row_id(request.args.get("a")), row_id(request.args.get("b"))
        if older_id is None or newer_id is None:
            abort(404, description="no such revisions of this document")
        older = library().revision(older_id, kind, doc_id)
        newer = library().revision(newer_id, kind, doc_id)
        diff = unified_diff(older.text, newer.text, f"revision {older.id}", f"revision {newer.id}")
        changes = field_changes(older.text, newer.text, kind)
    return render_template("history.html", kind=kind, doc_id=doc_id, revisions=revisions, diff=diff,
                           changes=changes, links={item.id: _credited(kind, item) for item in revisions})


@bp.get("/history/<plural>/<doc_id>/revisions/<row_id:revision_id>")
@require("editor")
def revision(plural: str, doc_id: str, revision_id: int):
    """One revision: its credits, its changes against the revision before, its text
    (?format=json: credits and text)."""
    kind, doc_id = params.document_kind(plural), params.document_id(doc_id)
    item = library().revision(revision_id, kind, doc_id)
    if _wants_json():
        return jsonify(kind=kind, doc_id=doc_id, text=item.text, **_credited(kind, item))
    older = [other for other in library().history(kind, doc_id) if other.id < item.id]
    before = older[0].text if older else ""
    return render_template("revision.html", kind=kind, doc_id=doc_id, item=item, links=_credited(kind, item),
                           previous=older[0] if older else None, changes=field_changes(before, item.text, kind),
                           diff=unified_diff(before, item.text, "before", f"revision {item.id}"))


def _restore_page(kind: str, doc_id: str, revision_id: int, reason: str = "", error: str | None = None,
                  status: int = 200):
    item = library().revision(revision_id, kind, doc_id)
    _, current = library().published(kind, doc_id)
    return render_template("restore.html", kind=kind, doc_id=doc_id, item=item, reason=reason, error=error,
                           changes=field_changes(current or "", item.text, kind),
                           diff=unified_diff(current or "", item.text, "published now", f"revision {item.id}"),
                           action=url_for("editor.restore", plural=kind + "s", doc_id=doc_id,
                                          revision_id=revision_id)), status


@bp.get("/history/<plural>/<doc_id>/restore/<row_id:revision_id>")
@require("reviewer")
def confirm_restore(plural: str, doc_id: str, revision_id: int):
    """Ask first: what restoring would change, and why (the reason is required)."""
    return _restore_page(params.document_kind(plural), params.document_id(doc_id), revision_id)


@bp.post("/history/<plural>/<doc_id>/restore/<row_id:revision_id>")
@require("reviewer")
def restore(plural: str, doc_id: str, revision_id: int):
    """Publish an old revision again, as a new revision naming it and the reason
    (422 with the confirmation page again when no reason is given)."""
    kind, doc_id = params.document_kind(plural), params.document_id(doc_id)
    reason = request.form.get("reason", "")
    try:
        record = library().restore(revision_id, g.user.name, kind, doc_id, reason=reason)
    except InvalidEdit as error:
        abort(422, description="; ".join(str(p) for p in error.problems))
    except InvalidInput as error:
        return _restore_page(kind, doc_id, revision_id, reason, error.message, 422)
    flash(f"Restored revision #{revision_id} of {kind} {doc_id} as revision #{record.id}.", "success")
    return redirect(urls.history(kind, doc_id))


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
