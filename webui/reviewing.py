"""The drafts and their review: the open drafts, one draft with its changes, the review
queue, and sending back, publishing and discarding a draft (webui/editor.py's blueprint).

Who may publish or discard which draft is the engine's (`Library.may_publish`,
`may_discard`); the pages only offer what it allows.
"""

from __future__ import annotations

import time

from flask import abort, flash, g, jsonify, redirect, render_template, request

from indexer.content.frontmatter import FrontMatterError, parse_text
from indexer.errors import InvalidInput, Refused
from indexer.library.diffs import field_changes
from indexer.library.drafts import Draft
from indexer.library.editing import Conflict, InvalidEdit, unified_diff

from . import urls
from .auth import require
from .editor_web import absolute, conflict_page, library, notifier, wants_json
from .services import renderer


@require("editor")
def drafts():
    """Open drafts (and conflict copies), newest first."""
    return render_template("drafts.html", drafts=library().drafts("open"), conflicts=library().drafts("conflict"))


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


@require("reviewer")
def review():
    """What waits for this reviewer, oldest first; drafts they changed (another reviewer
    must publish them) and drafts sent back to their authors apart. ?format=json too."""
    queue, now = library().review_queue(g.user), time.time()
    groups = {name: [_queued(item, now) for item in getattr(queue, name)] for name in ("waiting", "yours",
                                                                                       "sent_back")}
    if wants_json():
        return jsonify(reviewer=g.user.name, **groups)
    return render_template("review.html", **groups)


@require("reviewer")
def send_back(draft_id: int):
    """Return an open draft to its author with a note (required); they are e-mailed."""
    try:
        item = library().send_back(draft_id, g.user, request.form.get("note", ""))
    except InvalidInput as error:
        flash(f"Not sent back: {error.message}.", "error")
        return redirect(urls.draft(draft_id))
    mailed = notifier().sent_back(item, absolute(urls.draft(item.id)))
    flash(f"Sent draft #{item.id} back to {item.author}" + (" (notified by e-mail)." if mailed else "."), "success")
    return redirect(urls.review())


@require("reviewer")
def publish(draft_id: int):
    """Publish a draft: the file is written, the revision recorded, the content reloaded
    and the index updated (409 when the draft is no longer open)."""
    item = library().draft(draft_id)
    try:
        record = library().publish(draft_id, g.user.name, request.form.get("message", ""))
    except Conflict as conflict:
        return conflict_page(item.kind, item.doc_id, conflict)
    except InvalidEdit as error:
        abort(422, description="; ".join(str(p) for p in error.problems))
    except Refused as refused:
        abort(403, description=str(refused))
    mailed = notifier().published(library().draft(draft_id), record,
                                  absolute(urls.document(item.kind, item.doc_id)))
    flash(f"Published {item.kind} {item.doc_id} as revision #{record.id}"
          + (" (the author was notified by e-mail)." if mailed else "."), "success")
    return redirect(urls.document(item.kind, item.doc_id))


@require("editor")
def discard(draft_id: int):
    """Set a draft aside (kept with status 'discarded'): reviewers any open draft or
    conflict copy, editors only their own (403 otherwise, 409 once published)."""
    item = library().discard(draft_id, g.user)
    flash(f"Discarded draft #{item.id} of {item.kind} {item.doc_id} (it is kept, but no longer open).", "success")
    return redirect(urls.drafts())


# Declared on the editor blueprint by webui/editor.py: rule, endpoint, view, method.
ROUTES = [
    ("/drafts", "drafts", drafts, "GET"),
    ("/drafts/<row_id:draft_id>", "draft", draft, "GET"),
    ("/review", "review", review, "GET"),
    ("/drafts/<row_id:draft_id>/send-back", "send_back", send_back, "POST"),
    ("/drafts/<row_id:draft_id>/publish", "publish", publish, "POST"),
    ("/drafts/<row_id:draft_id>/discard", "discard", discard, "POST"),
]
