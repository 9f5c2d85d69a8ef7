"""The documents' part of the OpenAPI document: every /api/documents path of
webui/documents_api.py, its answers from webui/documents_shapes.py's models and its
request bodies (the multipart upload, the metadata correction) with examples."""

from __future__ import annotations

from indexer.documents.models import DOCUMENT_KINDS, LANGUAGES, MEDIA_TYPES, DocumentChanges

from . import documents_shapes as shapes
from .observatory_openapi import ROW_ID, download, path, reading, writing
from .openapi_parts import Schema, body_schemas, json_response, model_schemas, operation, query, ref

DOCUMENT = path("document_id", "The document's id (a document you may not see is a 404).", ROW_ID)
TEXT: Schema = {"type": "string"}
SLUG_TEXT: Schema = {"type": "string", "description": "A slug."}
UPLOAD_ERRORS = ("400", "401", "403", "404", "409", "413", "503")
# What an upload's form fields mean (the same for every file of the request).
UPLOAD_FIELDS: dict[str, Schema] = {
    "file": {"type": "array", "items": {"type": "string", "contentMediaType": "application/octet-stream"},
             "description": "One or more files: PDF, DOCX, ODT, Markdown or plain text (type told by content)."},
    "kind": {"type": "string", "enum": list(DOCUMENT_KINDS), "default": "other"},
    "initiative": {**SLUG_TEXT, "description": "Attach to this initiative (its programme follows)."},
    "programme": {**SLUG_TEXT, "description": "Attach to this programme."},
    "title": {"type": "string", "maxLength": 300, "description": "Default: the file's own title or its name."},
    "date": {"type": "string", "format": "date", "description": "The document's own date (YYYY-MM-DD)."},
    "author": {"type": "string", "maxLength": 300, "description": "Author or organisation."},
    "language": {"type": "string", "enum": [*LANGUAGES, ""], "description": "Default: guessed from the text."},
}
CHANGES_EXAMPLE = {"title": "Fact-finding report, Alpha furniture cluster", "kind": "fact-finding",
                   "date": "2027-03-31", "author": "Provincial development agency", "language": "en",
                   "initiative": "alpha"}


def components() -> dict[str, Schema]:
    """The schemas of the documents' answers and of the correction body."""
    return {**model_schemas(shapes.ANSWERS, ()), **body_schemas((DocumentChanges,))}


def paths() -> dict[str, Schema]:
    """Every documents path of the API."""
    upload_body = {"required": True, "content": {"multipart/form-data": {
        "schema": {"type": "object", "properties": UPLOAD_FIELDS, "required": ["file"]},
        "encoding": {"file": {"contentType": ", ".join(MEDIA_TYPES)}}}}}
    upload = operation(
        "Upload documents", json_response("Every file's outcome; 201 when something was stored.",
                                          ref("UploadReport")), *UPLOAD_ERRORS, ok_status="201",
        operation_id="uploadDocuments", requestBody=upload_body,
        description="Upload one or more files (multipart field `file`, repeatable) with the same kind and "
                    "place. 200 when every file was there already; when a file fails, the first failure's "
                    "status (413 over the per-file or per-request limit), with every file's outcome in "
                    "`results`. Needs editors or reviewers, or the insiders of the initiative; a signed-in "
                    "session and its CSRF token (X-CSRF-Token).")
    upload["responses"]["200"] = json_response("Every file was stored before (duplicates).", ref("UploadReport"))
    for status in ("400", "403", "404", "409", "413"):  # a file refused: the report says which, and why
        answer = upload["responses"][status]["content"]["application/json"]
        answer["schema"] = {"anyOf": [answer["schema"], ref("UploadReport")]}
    changes = {"required": True, "content": {"application/json": {
        "schema": ref("DocumentChanges"), "examples": {"correction": {"value": CHANGES_EXAMPLE}}}}}
    return {
        "/api/documents": {
            "get": reading("The documents you may see", shapes.DocumentList, "listDocuments", [
                query("programme", SLUG_TEXT, "Only this programme's documents."),
                query("initiative", SLUG_TEXT, "Only this initiative's documents."),
                query("kind", {"type": "string", "enum": list(DOCUMENT_KINDS)}, "Only this kind.")]),
            "post": upload},
        "/api/documents/{document_id}": {
            "get": reading("One document with its passages", shapes.DocumentDetail, "getDocument", [DOCUMENT]),
            "patch": writing("Correct a document's details (its uploader, the insiders, reviewers)",
                             shapes.DocumentView, "correctDocument", [DOCUMENT], changes),
            "delete": writing("Delete a document and its passages", None, "deleteDocument", [DOCUMENT], None,
                              "204")},
        "/api/documents/{document_id}/original": {"get": download(
            "The original file as uploaded", {media: {"type": "string", "contentMediaType": media}
                                              for media in MEDIA_TYPES}, "getDocumentOriginal", [DOCUMENT])},
        "/api/documents/{document_id}/case": {"post": writing(
            "Start a draft case from the document (editors and reviewers)", shapes.CaseStarted,
            "startCaseFromDocument", [DOCUMENT], None, "201")},
    }



