"""What the documents' pages and API share: the facade and the viewer, the upload's
size limit and parsing, each file's outcome, and a record as the pages and JSON show it.

Access is the engine's (indexer/documents/access.py): a document the viewer may not
see is NotFound (404), one they may see but not change is Refused (403).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from flask import g, request
from pydantic import ValidationError
from werkzeug.datastructures import FileStorage

from indexer.documents.models import (DOCUMENT_KIND_LABELS, LANGUAGE_LABELS, MEDIA_TYPE_LABELS, Added,
                                      DocumentChanges, DocumentRecord, Passage)
from indexer.documents.checks import megabytes
from indexer.documents.service import Documents
from indexer.errors import InvalidInput, NotFound, Refused, StateConflict, TooLarge
from indexer.observatory.models import Initiative, Programme, Viewer

from . import urls
from .documents_shapes import DocumentView, PassageView
from .errors import status_of
from .observatory_web import optional_date, text
from .services import casebase

UPLOAD_FIELD = "file"  # the form field (repeatable) that carries the files
METADATA = ("title", "kind", "date", "author", "language", "programme", "initiative")
MAX_DOWNLOAD_NAME = 120
# What one file's upload may fail with and still let the other files of the request go on;
# anything else (the database gone: Unavailable) stops the request.
FILE_ERRORS = (InvalidInput, Refused, NotFound, StateConflict)


def documents() -> Documents:
    """The engine's documents facade of the current app."""
    return casebase().documents


def viewer() -> Viewer:
    """Who is looking, for the facade's access decisions."""
    return casebase().observatory.viewer(g.get("user"))


def limit_upload_request() -> None:
    """Refuse an upload over the instance's request limit before reading it (413, with
    both limits named), and let Werkzeug read bodies up to that limit on this route
    (other routes keep the app's small limit)."""
    limits = casebase().settings.document_limits
    request.max_content_length = limits.request_bytes
    size = request.content_length
    if size is not None and size > limits.request_bytes:
        raise TooLarge("request", f"the upload is {megabytes(size)}, over the {megabytes(limits.request_bytes)} "
                                  f"limit per request (and {megabytes(limits.file_bytes)} per file); "
                                  f"send fewer files at once", limits.request_bytes)


def uploaded_files() -> list[FileStorage]:
    """The request's files (the repeatable `file` field); empty parts (a form sent without
    choosing a file) are left out, and none at all is a clear 400."""
    files = [item for item in request.files.getlist(UPLOAD_FIELD) if item.filename]
    if not files:
        raise InvalidInput(UPLOAD_FIELD, "choose at least one file to upload (PDF, DOCX, ODT, Markdown or text)")
    return files


def upload_metadata(form) -> dict[str, Any]:
    """An upload's metadata fields as the facade takes them (the same for every file)."""
    values = {name: text(form, name) for name in METADATA}
    return {"kind": values["kind"] or "other", "programme": values["programme"] or None,
            "initiative": values["initiative"] or None, "title": values["title"] or None,
            "author": values["author"] or None, "language": values["language"] or None,
            "date": optional_date(form, "date")}


def file_name(item: FileStorage) -> str:
    """The name the browser sent for a part (never a path on this server)."""
    return item.filename or "unnamed file"


def outcome(filename: str, added: Added | None = None, error: Exception | None = None,
            names: "Places | None" = None) -> dict[str, Any]:
    """One file's result as pages and JSON show it: stored, already there (duplicate), or
    the error with its HTTP status; every error message names the file."""
    if error is None:
        assert added is not None
        return {"filename": filename, "status": 200 if added.duplicate else 201, "duplicate": added.duplicate,
                "document": present(added.document, names), "error": None}
    message = error.message if isinstance(error, InvalidInput) else str(error)
    if filename not in message:
        message = f"{filename}: {message}"
    return {"filename": filename, "status": status_of(error) or 500, "duplicate": False, "document": None,
            "error": {"field": getattr(error, "field", None) or UPLOAD_FIELD, "message": message}}


def add_files(who: Viewer, files: list[FileStorage], **metadata: Any) -> list[dict[str, Any]]:
    """Store each file with the same metadata (kind, programme, initiative...); a file
    that fails does not stop the others (what was stored stays stored)."""
    facade, names, results = documents(), Places.load(who), []
    for item in files:
        name = file_name(item)
        try:
            added = facade.add(who, name, item.read(), **metadata)
        except FILE_ERRORS as error:
            results.append(outcome(name, error=error))
        else:
            results.append(outcome(name, added, names=names))
    return results


def overall_status(results: list[dict[str, Any]]) -> int:
    """201 when something new was stored and nothing failed, 200 when every file was
    there already; when a file failed, that error's status (the first one's).

    >>> overall_status([{"status": 201}, {"status": 200}]), overall_status([{"status": 200}])
    (201, 200)
    >>> overall_status([{"status": 201}, {"status": 413}, {"status": 400}])
    413
    """
    failed = [result["status"] for result in results if result["status"] >= 400]
    if failed:
        return failed[0]
    return 201 if any(result["status"] == 201 for result in results) else 200


class Places:
    """The programmes and initiatives a record may name, by id (one read per request)."""

    def __init__(self, programmes: list[Programme], initiatives: list[Initiative]):
        self.programmes = {programme.id: programme for programme in programmes}
        self.initiatives = {initiative.id: initiative for initiative in initiatives}

    @classmethod
    def load(cls, who: Viewer) -> "Places":
        observatory = casebase().observatory
        return cls(observatory.programmes(who), observatory.initiatives(who))

    def programme(self, programme_id: int | None) -> dict[str, str] | None:
        found = self.programmes.get(programme_id) if programme_id is not None else None
        return {"slug": found.slug, "name": found.name, "url": urls.programme(found.slug)} if found else None

    def initiative(self, initiative_id: int | None) -> dict[str, str] | None:
        found = self.initiatives.get(initiative_id) if initiative_id is not None else None
        return {"slug": found.slug, "name": found.name, "url": urls.initiative(found.slug)} if found else None


def present(record: DocumentRecord, names: Places | None = None) -> dict[str, Any]:
    """A document record as JSON and templates show it (shapes.DocumentView): its fields,
    labels, where it is attached (slug, name, page) and its links."""
    return DocumentView(
        **dict(record), kind_label=DOCUMENT_KIND_LABELS.get(record.kind, record.kind),
        media_label=MEDIA_TYPE_LABELS.get(record.media_type, record.media_type),
        language_label=LANGUAGE_LABELS.get(record.language, record.language),
        programme=names.programme(record.programme_id) if names else None,
        initiative=names.initiative(record.initiative_id) if names else None,
        url=urls.uploaded(record.id), original_url=urls.document_original(record.id)).model_dump(mode="json")


def passage_anchor(passage: Passage) -> str:
    """The fragment of a passage on the document's page, as search hits link to it:
    'page-N' for a PDF page, else 'passage-N' (its 0-based number).

    >>> passage_anchor(Passage(number=2, page=3, text="x")), passage_anchor(Passage(number=4, text="y"))
    ('page-3', 'passage-4')
    """
    return f"page-{passage.page}" if passage.page is not None else f"passage-{passage.number}"


def present_passage(passage: Passage) -> dict[str, Any]:
    """A passage with its anchor and the label a reader sees ("Page 3" or its heading)."""
    label = f"Page {passage.page}" if passage.page is not None else (passage.heading or f"Passage {passage.number + 1}")
    return PassageView(**dict(passage), anchor=passage_anchor(passage), label=label).model_dump(mode="json")


def download_name(record: DocumentRecord) -> str:
    """The file name a download is saved under: the uploaded name without folders,
    control characters, quotes or anything a shell or a header would act on.

    >>> download_name(DocumentRecord(id=1, sha256="a", filename='r\\u00e9sum\\u00e9 "final"\\r\\n.pdf', media_type="application/pdf",
    ...     size=1, title="t", uploaded_by="u", uploaded_at=0, updated_at=0))
    'résumé final.pdf'
    >>> download_name(DocumentRecord(id=7, sha256="a", filename="...", media_type="text/plain",
    ...     size=1, title="t", uploaded_by="u", uploaded_at=0, updated_at=0))
    'document-7.txt'
    """
    name = unicodedata.normalize("NFC", record.filename.replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r'["\'`;<>|*?:$%]+', "", name)
    name = " ".join(name.split()).strip(" .")
    if not name:
        name = f"document-{record.id}{EXTENSIONS.get(record.media_type, '')}"
    if len(name) > MAX_DOWNLOAD_NAME:
        stem, dot, extension = name.rpartition(".")
        keep = MAX_DOWNLOAD_NAME - len(extension) - 1 if dot and len(extension) <= 8 else MAX_DOWNLOAD_NAME
        name = (stem[:keep] + "." + extension) if dot and len(extension) <= 8 else name[:keep]
    return name


EXTENSIONS = {"application/pdf": ".pdf", "text/plain": ".txt", "text/markdown": ".md",
              "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
              "application/vnd.oasis.opendocument.text": ".odt"}


def download_headers() -> dict[str, str]:
    """Headers that keep a download from ever being rendered or sniffed as something else."""
    return {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox; default-src 'none'",
            "Cache-Control": "private, no-store"}


def changes_from(values: dict[str, Any]) -> DocumentChanges:
    """A metadata correction from a form or JSON body; a value the model refuses (a title
    over 300 characters, an unknown kind, a date that is none) is InvalidInput naming its field."""
    try:
        return DocumentChanges(**values)
    except ValidationError as error:
        problem = error.errors()[0]
        field = ".".join(str(part) for part in problem["loc"]) or "body"
        raise InvalidInput(field, problem["msg"]) from None


def limits_shown() -> dict[str, str]:
    """The upload limits as the form states them."""
    limits = casebase().settings.document_limits
    return {"file": megabytes(limits.file_bytes), "request": megabytes(limits.request_bytes)}
