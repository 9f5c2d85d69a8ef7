"""The one URL builder of the web layer (after Datasette's `Urls`).

Every link a page, a presenter or an API answer shows is built here, from what the
engine returns (a document's kind, id and anchor; facet names and values) and the
routes the blueprints declare, through Flask's `url_for`. The engine never sees a
URL, so a route can change here without rebuilding the index. The functions need a
request context (they follow the app's script root), as every view has.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from flask import url_for

# A document's kind -> (the endpoint of its page, the route's id parameter, its plural
# in the editing routes). A lesson is shown on its case's page.
_PAGES = {"case": ("pages.case", "case_id"), "note": ("pages.note", "note_id"), "lesson": ("pages.case", "case_id")}
_PLURALS = {"case": "cases", "note": "notes"}
LESSON_ANCHOR_PREFIX = "lesson-"


def document(kind: str, doc_id: str, anchor: str | None = None) -> str:
    """The page of a case or note (or of the case a lesson belongs to), at `anchor`.

    'lesson' is accepted as a kind because search hits and suggestions are lessons
    shown on their case's page: document("lesson", "x", "lesson-y") is /cases/x#lesson-y.
    """
    endpoint, parameter = _PAGES[kind]
    return url_for(endpoint, **{parameter: doc_id}, _anchor=anchor or None)


def lesson(case_id: str, lesson_id: str) -> str:
    """A lesson on its case's page."""
    return document("case", case_id, LESSON_ANCHOR_PREFIX + lesson_id)


def linked(item: Mapping[str, Any]) -> str:
    """The page of anything the engine answers with `kind`, `doc_id` and `anchor`."""
    return document(item["kind"], item["doc_id"], item.get("anchor"))


def search(params: Mapping[str, Any] | Iterable[tuple[str, str]] = ()) -> str:
    """The search page with these query parameters, in the given order.

    `params` is a mapping (a value may be a list: a repeated parameter) or (name,
    value) pairs; repeated names are kept together, which does not change the answer.
    """
    pairs = params.items() if isinstance(params, Mapping) else params
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).extend(value if isinstance(value, (list, tuple)) else [value])
    return url_for("pages.search", **grouped)


def facet(name: str, value: str) -> str:
    """Search for everything with one facet value (the fact sheet's links)."""
    return search({name: value})


def home() -> str:
    """The home page."""
    return url_for("pages.home")


def advisor(profile: Mapping[str, Any] | None = None) -> str:
    """The advisor's form, filled with `profile` when given (a shareable result)."""
    return url_for("pages.advisor", **dict(profile or {}))


def cases() -> str:
    """The list of every case."""
    return url_for("pages.cases")


def notes() -> str:
    """The list of every methodology note."""
    return url_for("pages.notes")


def glossary(anchor: str | None = None) -> str:
    """The glossary, at a term's `anchor` when given."""
    return url_for("pages.glossary", _anchor=anchor or None)


def learn() -> str:
    """The onboarding path."""
    return url_for("pages.learn")


def api_document() -> str:
    """The OpenAPI document of the JSON API."""
    return url_for("api.openapi")


# -- editing routes (webui/editor.py and webui/auth.py declare them) -------------

def edit(kind: str, doc_id: str) -> str:
    """The edit form of a case or note."""
    return url_for("editor.edit", plural=_PLURALS[kind], doc_id=doc_id)


def new_document(kind: str) -> str:
    """The form for a new case or note (GET shows it, POST saves it)."""
    return url_for("editor.new", plural=_PLURALS[kind])


def save(kind: str, doc_id: str) -> str:
    """Where the edit form of an existing document is posted."""
    return url_for("editor.save", plural=_PLURALS[kind], doc_id=doc_id)


def history(kind: str, doc_id: str) -> str:
    """The published revisions of a document."""
    return url_for("editor.history", plural=_PLURALS[kind], doc_id=doc_id)


def drafts() -> str:
    """The open drafts."""
    return url_for("editor.drafts")


def draft(draft_id: int) -> str:
    """One draft, with its review actions."""
    return url_for("editor.draft", draft_id=draft_id)


def preview() -> str:
    """Where the edit form's live preview is rendered."""
    return url_for("editor.preview")


def retain() -> str:
    """Where the advisor's profile is saved as a new draft case."""
    return url_for("editor.retain")


def login(next_path: str | None = None) -> str:
    """The sign-in page, returning to `next_path` afterwards."""
    return url_for("auth.login", next=next_path) if next_path else url_for("auth.login")


def logout() -> str:
    """Where the sign-out form is posted."""
    return url_for("auth.logout")
