"""The documents' JSON API under /api/documents: list, upload (multipart, several files),
one document with its passages, metadata corrections (PATCH), deletion, the original
file, and a draft case started from a document.

Like the observatory's API: views parse and render, the facade decides access (a
document the caller may not see is 404, one they may not change 403), and writes need a
signed-in session and its CSRF token in the X-CSRF-Token header. The answers' shapes
are webui/documents_openapi.py's models, which the OpenAPI document is made from.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, jsonify, request, send_file

from indexer.documents.models import DOCUMENT_KINDS

from . import urls
from . import documents_shapes as shapes
from .api import json_body
from .auth import require
from .documents_web import (Places, add_files, changes_from, documents, download_headers, download_name,
                            limit_upload_request, overall_status, present, present_passage, upload_metadata,
                            uploaded_files, viewer)
from .errors import BadParameter
from .observatory_api import row_id

bp = Blueprint("documents_api", __name__, url_prefix="/api/documents")
signed_in = require("reader")  # every account is at least a reader; the facade decides the rest


@bp.before_request
def larger_bodies_for_uploads() -> None:
    if request.endpoint == "documents_api.upload" and request.method == "POST":
        limit_upload_request()


@bp.get("")
def documents_list():
    """The documents the caller may see, newest first (of one programme, initiative or kind)."""
    kind = request.args.get("kind") or None
    if kind is not None and kind not in DOCUMENT_KINDS:
        raise BadParameter("kind", f"must be one of {', '.join(DOCUMENT_KINDS)}")
    who = viewer()
    records = documents().list(who, programme=request.args.get("programme") or None,
                               initiative=request.args.get("initiative") or None, kind=kind)
    names = Places.load(who)
    return jsonify({"documents": [present(record, names) for record in records], "total": len(records)})


@bp.post("")
@signed_in
def upload():
    """Upload one or more files (multipart field `file`, repeatable) with the same kind,
    programme or initiative, title, date, author and language. Each file's outcome is in
    `results`; the status is 201 (stored), 200 (all there already) or the first failure's."""
    results = add_files(viewer(), uploaded_files(), **upload_metadata(request.form))
    report = {"results": results, "stored": sum(1 for r in results if r["status"] == 201),
              "duplicates": sum(1 for r in results if r["duplicate"]),
              "failed": sum(1 for r in results if r["error"])}
    return jsonify(report), overall_status(results)


@bp.get("/<document_id>")
def document(document_id: str):
    """One document: its record, its passages (plain text) and whether the caller may change it."""
    who, facade = viewer(), documents()
    record = facade.get(who, row_id(document_id, "document"))
    return jsonify({"document": present(record, Places.load(who)),
                    "passages": [present_passage(passage) for passage in facade.passages(who, record.id)],
                    "may_change": facade.may_change(who, record)})


@bp.patch("/<document_id>")
@signed_in
def correct(document_id: str):
    """Correct the metadata (fields left out stay; programme/initiative are slugs, "" detaches)."""
    body = json_body()
    if not isinstance(body, dict):
        raise BadParameter("body", "must be a JSON object of the fields to change")
    who = viewer()
    record = documents().update(who, row_id(document_id, "document"), changes_from(body))
    return jsonify(present(record, Places.load(who)))


@bp.delete("/<document_id>")
@signed_in
def remove(document_id: str):
    """Delete the document and its passages (and its stored file when no record uses it)."""
    documents().delete(viewer(), row_id(document_id, "document"))
    return Response(status=204)


@bp.get("/<document_id>/original")
def original(document_id: str):
    """The original file as uploaded, always as an attachment."""
    record, path = documents().original(viewer(), row_id(document_id, "document"))
    answer = send_file(path, mimetype=record.media_type, as_attachment=True, download_name=download_name(record),
                       conditional=True, max_age=0)
    answer.headers.update(download_headers())
    return answer


@bp.post("/<document_id>/case")
@signed_in
def start_case(document_id: str):
    """Start a draft case pre-filled from the document (editors and reviewers)."""
    draft = documents().start_case(viewer(), row_id(document_id, "document"), g.user.name)
    return jsonify(shapes.CaseStarted(
        draft_id=draft.id, case_id=draft.doc_id, status=draft.status, author=draft.author,
        draft_url=urls.draft(draft.id), edit_url=urls.edit("case", draft.doc_id)).model_dump()), 201
