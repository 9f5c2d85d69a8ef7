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
_PAGES = {"case": ("pages.case", "case_id"), "note": ("pages.note", "note_id"), "lesson": ("pages.case", "case_id"),
          "document": ("documents.document", "document_id")}
_PLURALS = {"case": "cases", "note": "notes"}
LESSON_ANCHOR_PREFIX = "lesson-"


def document(kind: str, doc_id: str, anchor: str | None = None) -> str:
    """The page of a case or note (or of the case a lesson belongs to), at `anchor`.

    'lesson' is accepted as a kind because search hits and suggestions are lessons
    shown on their case's page: document("lesson", "x", "lesson-y") is /cases/x#lesson-y;
    'document' (an uploaded file's passage hit) is its page: document("document", "4",
    "page-3") is /documents/4#page-3.
    """
    endpoint, parameter = _PAGES[kind]
    if kind == "document":
        return uploaded(doc_id, anchor)
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


# -- editing routes (webui/editor.py, reviewing.py, history.py and auth.py declare them)

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


def publish(draft_id: int) -> str:
    """Where a reviewer posts the publishing of a draft."""
    return url_for("editor.publish", draft_id=draft_id)


def send_back(draft_id: int) -> str:
    """Where a reviewer posts a draft sent back to its author with a note."""
    return url_for("editor.send_back", draft_id=draft_id)


def discard(draft_id: int) -> str:
    """Where a draft's author (or a reviewer) posts its discarding."""
    return url_for("editor.discard", draft_id=draft_id)


def review() -> str:
    """The reviewers' queue of drafts waiting for a review."""
    return url_for("editor.review")


def revision(kind: str, doc_id: str, revision_id: int) -> str:
    """One revision of a case or note in its history."""
    return url_for("editor.revision", plural=_PLURALS[kind], doc_id=doc_id, revision_id=revision_id)


def confirm_restore(kind: str, doc_id: str, revision_id: int) -> str:
    """The page that shows what restoring a revision would change and asks why."""
    return url_for("editor.confirm_restore", plural=_PLURALS[kind], doc_id=doc_id, revision_id=revision_id)


def edit_section(kind: str, doc_id: str, part: str) -> str:
    """The small form for one part of a document ('summary', 'lesson-ID' or 'section-N')."""
    return url_for("sections.edit_section", plural=_PLURALS[kind], doc_id=doc_id, part_name=part)


def rearrange(kind: str, doc_id: str | None) -> str:
    """Where the edit form posts a lesson or source row added, moved or removed (no script)."""
    if not doc_id:
        return url_for("sections.rearrange_new", plural=_PLURALS[kind])
    return url_for("sections.rearrange", plural=_PLURALS[kind], doc_id=doc_id)


def logout() -> str:
    """Where the sign-out form is posted."""
    return url_for("auth.logout")


# -- the observatory (webui/observatory_pages.py declares the routes) -------------

def observatory() -> str:
    """The programmes, and the form for a new one."""
    return url_for("observatory.programmes")


def programme(slug: str, **filters: Any) -> str:
    """A programme's dashboard; `filters` (sector, country, status, stage) narrow its benchmarks."""
    return url_for("observatory.programme", programme_slug=slug, **{k: v for k, v in filters.items() if v})


def new_initiative(programme_slug: str) -> str:
    """The form for a new initiative of a programme (GET shows it, POST creates it)."""
    return url_for("observatory.new_initiative", programme_slug=programme_slug)


def programme_managers(programme_slug: str) -> str:
    """Where a programme manager is added."""
    return url_for("observatory.add_manager", programme_slug=programme_slug)


def indicator_definitions(programme_slug: str) -> str:
    """Where a programme-wide indicator is defined."""
    return url_for("observatory.define_indicator", programme_slug=programme_slug)


def benchmark(programme_slug: str, definition_id: int, **filters: Any) -> str:
    """The benchmark of one programme-wide indicator, with optional filters and subject."""
    return url_for("observatory.benchmark", programme_slug=programme_slug, definition_id=definition_id,
                   **{k: v for k, v in filters.items() if v})


def iati_export(programme_slug: str) -> str:
    """The programme's results in the IATI results shape (XML)."""
    return url_for("observatory.export_iati", programme_slug=programme_slug)


def initiative(slug: str, anchor: str | None = None, done: str | None = None) -> str:
    """An initiative's page (profile, advice, scorecard, evaluations), at `anchor`;
    `done` names the success message the page shows after a redirect."""
    return url_for("observatory.initiative", slug=slug, done=done, _anchor=anchor or None)


def initiative_record(slug: str) -> str:
    """The initiative's page as a full address, for the draft case it leaves to link back to."""
    return url_for("observatory.initiative", slug=slug, _external=True)


def edit_initiative(slug: str) -> str:
    """The initiative's profile form (GET shows it, POST saves it)."""
    return url_for("observatory.edit_initiative", slug=slug)


def initiative_status(slug: str) -> str:
    """Where a programme manager sets the initiative's status."""
    return url_for("observatory.set_status", slug=slug)


def initiative_members(slug: str) -> str:
    """Where members are added (POST) and the member list is shown."""
    return url_for("observatory.members", slug=slug)


def remove_member(slug: str, user_name: str) -> str:
    """Where one member is removed."""
    return url_for("observatory.remove_member", slug=slug, user_name=user_name)


def close_initiative(slug: str) -> str:
    """Where the initiative is closed (and its draft case created)."""
    return url_for("observatory.close", slug=slug)


def scorecard(slug: str, done: str | None = None) -> str:
    """The initiative's scorecard editor: templates, indicators."""
    return url_for("observatory.scorecard", slug=slug, done=done)


def scorecard_template(slug: str) -> str:
    """Where the scorecard is started from a template."""
    return url_for("observatory.start_template", slug=slug)


def indicator(slug: str, indicator_id: int, done: str | None = None) -> str:
    """One indicator of an initiative: its chart, measurement history with corrections, edit form."""
    return url_for("observatory.indicator", slug=slug, indicator_id=indicator_id, done=done)


def remove_indicator(slug: str, indicator_id: int) -> str:
    """Where an indicator is removed."""
    return url_for("observatory.remove_indicator", slug=slug, indicator_id=indicator_id)


def measure(slug: str, indicator_id: int | None = None, done: str | None = None) -> str:
    """The quick measurement form (phone-friendly), for one indicator when given."""
    return url_for("observatory.measure", slug=slug, indicator=indicator_id, done=done)


def measurements_import(slug: str) -> str:
    """The CSV import (dry run first) of an initiative's measurements."""
    return url_for("observatory.import_measurements", slug=slug)


def measurements_export(slug: str, format: str = "csv") -> str:
    """The initiative's measurements as CSV or JSON."""
    return url_for("observatory.export_measurements", slug=slug, extension=format)


def evaluations(slug: str, done: str | None = None) -> str:
    """The initiative's evaluations and the form for a new one (POST records it)."""
    return url_for("observatory.evaluations", slug=slug, done=done)


def action(slug: str, action_id: int) -> str:
    """Where a corrective action's status is changed."""
    return url_for("observatory.update_action", slug=slug, action_id=action_id)


def sharing(slug: str) -> str:
    """Where the initiative chooses how its figures are shown to peers."""
    return url_for("observatory.set_sharing", slug=slug)


# -- uploaded documents (webui/documents_pages.py and webui/documents_api.py declare the routes) --

def documents(**filters: Any) -> str:
    """The list of documents (filters: programme, initiative, kind) with the upload form;
    the upload form posts here too."""
    return url_for("documents.index", **{k: v for k, v in filters.items() if v})


def uploaded(document_id: int | str, anchor: str | None = None) -> str:
    """An uploaded document's page (metadata, passages with their page anchors), at `anchor`."""
    return url_for("documents.document", document_id=int(document_id), _anchor=anchor or None)


def document_original(document_id: int) -> str:
    """The download of a document's original file (always an attachment)."""
    return url_for("documents.original", document_id=document_id)


def document_replace(document_id: int) -> str:
    """Where a new version of a document's file is posted."""
    return url_for("documents.replace", document_id=document_id)


def document_delete(document_id: int) -> str:
    """The page that asks to confirm deleting a document (GET), and where it is posted."""
    return url_for("documents.delete", document_id=document_id)


def document_case(document_id: int) -> str:
    """Where "Start a case from this document" is posted."""
    return url_for("documents.start_case", document_id=document_id)


def api_documents() -> str:
    """The JSON list of documents (GET) and the upload (POST)."""
    return url_for("documents_api.documents_list")


def api_uploaded(document_id: int) -> str:
    """One document as JSON (GET), its correction (PATCH) and deletion (DELETE)."""
    return url_for("documents_api.document", document_id=document_id)


def api_document_original(document_id: int) -> str:
    """A document's original file through the API."""
    return url_for("documents_api.original", document_id=document_id)


def api_document_case(document_id: int) -> str:
    """Where the API starts a draft case from a document."""
    return url_for("documents_api.start_case", document_id=document_id)
