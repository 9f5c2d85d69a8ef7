"""The documents' pages: the list with its filters and the upload form (several files at
once; webui/static/documents.js adds drag and drop and a progress bar per file), and a
document's page: metadata (correctable), its passages as plain text with page anchors,
the download of the original, replace, delete and "Start a case from this document".

Each page also answers JSON with ?format=json or Accept: application/json. Forms post
with the session's csrf_token (`auth.require`); the facade decides who may do what.
A form the engine refuses is shown again with the message next to its field; an
upload shows every file's outcome.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, send_file

from indexer.documents.models import DOCUMENT_KIND_LABELS, DOCUMENT_KINDS, LANGUAGE_LABELS, LANGUAGES
from indexer.errors import InvalidInput

from . import urls
from .auth import require, safe_next
from .documents_web import (FILE_ERRORS, METADATA, Places, add_files, changes_from, documents, download_headers,
                            download_name, file_name, limit_upload_request, limits_shown, outcome, overall_status,
                            present, present_passage, upload_metadata, uploaded_files, viewer)
from .errors import BadParameter, error_body
from .observatory_web import error_of, optional_date, plain, text, wants_json
from .services import casebase

bp = Blueprint("documents", __name__, url_prefix="/documents")
FILTERS = ("programme", "initiative", "kind")
UPLOAD_ENDPOINTS = ("documents.upload", "documents.replace")
EDITOR_ROLES = ("editor", "reviewer")  # accounts that may start a draft case and upload anywhere (the facade decides)


@bp.before_request
def larger_bodies_for_uploads() -> None:
    if request.endpoint in UPLOAD_ENDPOINTS and request.method == "POST":
        limit_upload_request()


def choices() -> dict:
    """What the forms' selects offer: kinds, languages, programmes and initiatives."""
    who, observatory = viewer(), casebase().observatory
    return {"kinds": [(kind, DOCUMENT_KIND_LABELS[kind]) for kind in DOCUMENT_KINDS],
            "languages": [("", LANGUAGE_LABELS[""]), *((code, LANGUAGE_LABELS[code]) for code in LANGUAGES)],
            "programmes": [(item.slug, item.name) for item in observatory.programmes(who)],
            "initiatives": [(item.slug, item.name) for item in observatory.initiatives(who)]}


def _answer(template: str, data: dict, status: int = 200, **page_only):
    """The page as HTML, or `data` as JSON when asked (a refused form as the error body)."""
    if wants_json():
        error = page_only.get("error")
        if error and status >= 400:
            return jsonify(error_body(status, error["message"], error["field"] or None)), status
        return jsonify(plain(data)), status
    return render_template(template, **data, **page_only), status


# ------------------------------------------------------------------------ the list and uploads

@bp.get("")
def index():
    """The documents the viewer may see (filtered by programme, initiative, kind), and the upload form."""
    return _list_page({}, None, [], 200)


def _list_page(values: dict, error: dict | None, results: list, status: int):
    who = viewer()
    chosen = {name: text(request.args, name) or None for name in FILTERS}
    if chosen["kind"] is not None and chosen["kind"] not in DOCUMENT_KINDS:
        raise BadParameter("kind", f"must be one of {', '.join(DOCUMENT_KINDS)}")
    records = documents().list(who, **chosen)
    names = Places.load(who)
    data = {"documents": [present(record, names) for record in records], "total": len(records),
            "filters": chosen, "results": results}
    return _answer("documents/list.html", data, status, values=values, error=error, choices=choices(),
                   may_upload=who.user is not None, clear_url=urls.documents(), limits=limits_shown())


@bp.post("")
@require("reader")
def upload():
    """Store the chosen files (kind, programme or initiative for all of them); every
    file's outcome is shown, and the stored ones stay stored when another fails."""
    values = {name: text(request.form, name) for name in (*METADATA, "return_to")}
    try:
        metadata = upload_metadata(request.form)
        results = add_files(viewer(), uploaded_files(), **metadata)
    except InvalidInput as error:
        return _list_page(values, error_of(error), [], 422)
    status = overall_status(results)
    if status >= 400 or wants_json():
        return _list_page(values, None, results, status)
    known = sum(1 for result in results if result["duplicate"])
    stored = len(results) - known
    flash(f"Uploaded {stored} file{'' if stored == 1 else 's'}"
          + (f"; {known} {'was' if known == 1 else 'were'} there already" if known else "")
          + ". The passages are searchable within seconds.", "success")
    return redirect(safe_next(values["return_to"]) if values["return_to"] else urls.documents())


# ------------------------------------------------------------------------ one document

@bp.get("/<row_id:document_id>")
def document(document_id: int):
    """A document: metadata, passages (escaped plain text) with page anchors, actions."""
    return _document_page(document_id, None, None, 200)


def _document_page(document_id: int, values: dict | None, error: dict | None, status: int):
    who, facade = viewer(), documents()
    record = facade.get(who, document_id)
    shown = present(record, Places.load(who))
    data = {"document": shown, "may_change": facade.may_change(who, record),
            "passages": [present_passage(passage) for passage in facade.passages(who, document_id)]}
    values = values or {**{name: getattr(record, name) or "" for name in ("title", "kind", "author", "language")},
                        "date": record.date.isoformat() if record.date else "",
                        "programme": (shown["programme"] or {}).get("slug", ""),
                        "initiative": (shown["initiative"] or {}).get("slug", "")}
    return _answer("documents/document.html", data, status, values=values, error=error, choices=choices(),
                   may_start_case=who.account_role in EDITOR_ROLES, limits=limits_shown())


@bp.post("/<row_id:document_id>")
@require("reader")
def update(document_id: int):
    """Correct the document's metadata (the uploader, the insiders, reviewers)."""
    values = {name: text(request.form, name) for name in METADATA}
    try:
        changes = changes_from({**values, "kind": values["kind"] or None, "date": optional_date(request.form, "date")})
        documents().update(viewer(), document_id, changes)
    except InvalidInput as error:
        return _document_page(document_id, values, error_of(error), 422)
    flash("The document's details were saved.", "success")
    return redirect(urls.uploaded(document_id))


@bp.get("/<row_id:document_id>/original")
def original(document_id: int):
    """The original file, always as a download (never shown inline, never sniffed)."""
    record, path = documents().original(viewer(), document_id)
    answer = send_file(path, mimetype=record.media_type, as_attachment=True, download_name=download_name(record),
                       conditional=True, max_age=0)
    answer.headers.update(download_headers())
    return answer


@bp.post("/<row_id:document_id>/replace")
@require("reader")
def replace(document_id: int):
    """A new version of the document's file; its metadata stays, its passages are read anew."""
    try:
        item = uploaded_files()[0]
        added = documents().replace(viewer(), document_id, file_name(item), item.read())
    except FILE_ERRORS as error:
        sent = request.files.get("file")
        result = outcome(file_name(sent) if sent and sent.filename else "the file", error=error)
        return _document_page(document_id, None, result["error"], result["status"])
    flash("The file was the same as before; nothing changed." if added.duplicate else
          "The file was replaced; its passages are searchable again within seconds.", "success")
    return redirect(urls.uploaded(document_id))


@bp.get("/<row_id:document_id>/delete")
@require("reader")
def delete(document_id: int):
    """Ask to confirm deleting the document."""
    who = viewer()
    record = documents().get(who, document_id)
    return render_template("documents/delete.html", document=present(record, Places.load(who)),
                           may_change=documents().may_change(who, record))


@bp.post("/<row_id:document_id>/delete")
@require("reader")
def confirm_delete(document_id: int):
    """Delete the document, its passages (gone from search within seconds) and, when no
    other record uses it, its stored file."""
    who = viewer()
    record = documents().get(who, document_id)
    documents().delete(who, document_id)
    flash(f"Deleted “{record.title}” ({record.filename}).", "success")
    return redirect(urls.documents())


@bp.post("/<row_id:document_id>/case")
@require("reader")
def start_case(document_id: int):
    """A draft case pre-filled from the document, opened in the edit form."""
    draft = documents().start_case(viewer(), document_id, g.user.name)
    flash(f"Started the draft case “{draft.doc_id}” from the document: the values read from it are marked as "
          "read; complete the summary and lessons, then save it for a reviewer.", "success")
    return redirect(urls.edit("case", draft.doc_id))
