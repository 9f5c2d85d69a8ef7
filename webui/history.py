"""The published history of a case or note: its revisions with their credits, the diff
between any two, one revision, and restoring an old one (webui/editor.py's blueprint).
"""

from __future__ import annotations

from flask import abort, flash, g, jsonify, redirect, render_template, request, url_for

from indexer.errors import InvalidInput
from indexer.library.diffs import field_changes
from indexer.library.drafts import Revision
from indexer.library.editing import InvalidEdit, unified_diff

from . import params, urls
from .auth import require
from .editor_web import library, row_id, wants_json


def _credited(kind: str, item: Revision) -> dict:
    """A revision's credits with the links of its page and of its restore."""
    return {**item.credits(), "url": urls.revision(kind, item.doc_id, item.id),
            "restore_url": urls.confirm_restore(kind, item.doc_id, item.id)}


@require("editor")
def history(plural: str, doc_id: str):
    """Published revisions with who wrote, reviewed and why, and the diff between any
    two (?a=ID&b=ID); ?format=json for the credits."""
    kind, doc_id = params.document_kind(plural), params.document_id(doc_id)
    revisions = library().history(kind, doc_id)
    if wants_json():
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


@require("editor")
def revision(plural: str, doc_id: str, revision_id: int):
    """One revision: its credits, its changes against the revision before, its text
    (?format=json: credits and text)."""
    kind, doc_id = params.document_kind(plural), params.document_id(doc_id)
    item = library().revision(revision_id, kind, doc_id)
    if wants_json():
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


@require("reviewer")
def confirm_restore(plural: str, doc_id: str, revision_id: int):
    """Ask first: what restoring would change, and why (the reason is required)."""
    return _restore_page(params.document_kind(plural), params.document_id(doc_id), revision_id)


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


# Declared on the editor blueprint by webui/editor.py: rule, endpoint, view, method.
ROUTES = [
    ("/history/<plural>/<doc_id>", "history", history, "GET"),
    ("/history/<plural>/<doc_id>/revisions/<row_id:revision_id>", "revision", revision, "GET"),
    ("/history/<plural>/<doc_id>/restore/<row_id:revision_id>", "confirm_restore", confirm_restore, "GET"),
    ("/history/<plural>/<doc_id>/restore/<row_id:revision_id>", "restore", restore, "POST"),
]
