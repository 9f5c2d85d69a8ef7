"""What the editor's pages share (webui/editor.py, webui/reviewing.py, webui/history.py):
the engine's library, the review e-mails, draft and revision ids in routes and queries,
?format=json, and the page a save or publish that a newer revision overtook answers with.
"""

from __future__ import annotations

from flask import g, render_template, request
from werkzeug.routing import BaseConverter, ValidationError

from indexer.library.database import MAX_ROW_ID
from indexer.library.diffs import field_changes
from indexer.library.drafts import Draft
from indexer.library.editing import Conflict, Library
from indexer.library.notify import Notifier

from . import urls
from .services import casebase


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
    return notifier().submitted(draft, g.user.name, absolute(urls.draft(draft.id)))


def absolute(path: str) -> str:
    """A link for an e-mail: this request's host and `path`."""
    return request.host_url.rstrip("/") + path


def wants_json() -> bool:
    """Whether the request asked for JSON (?format=json)."""
    return request.args.get("format") == "json"


def conflict_page(kind: str, doc_id: str, conflict: Conflict):
    """409: the draft's base is no longer the head; both texts, and what changed by field."""
    changes = field_changes(conflict.head_text, conflict.your_text, kind)
    return render_template("conflict.html", kind=kind, doc_id=doc_id, conflict=conflict, changes=changes), 409
