"""The documents API's answers as typed models: the views dump them, and the OpenAPI
document (webui/documents_openapi.py) is made from them, so the two cannot differ."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from indexer.documents.models import DocumentRecord, Passage


class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Place(_Answer):
    """A programme or initiative a document is attached to."""

    slug: str
    name: str
    url: str


class DocumentView(DocumentRecord):
    """A document's record with its labels, where it is attached and its links."""

    kind_label: str
    media_label: str
    language_label: str
    programme: Place | None = None
    initiative: Place | None = None
    url: str                 # the document's page
    original_url: str        # the download of the original file


class PassageView(Passage):
    """A passage with its fragment on the document's page and its label ("Page 3", a heading)."""

    anchor: str
    label: str


class DocumentList(_Answer):
    documents: list[DocumentView]
    total: int


class DocumentDetail(_Answer):
    document: DocumentView
    passages: list[PassageView]
    may_change: bool         # whether the caller may correct, replace or delete it


class UploadError(_Answer):
    field: str
    message: str             # names the file


class UploadResult(_Answer):
    """One file's outcome: stored (201), there already (200, duplicate) or refused (its error's status)."""

    filename: str
    status: int
    duplicate: bool
    document: DocumentView | None
    error: UploadError | None


class UploadReport(_Answer):
    results: list[UploadResult]
    stored: int
    duplicates: int
    failed: int


class CaseStarted(_Answer):
    """The draft case started from a document, and where to complete it."""

    draft_id: int
    case_id: str
    status: str
    author: str
    draft_url: str
    edit_url: str


ANSWERS = (DocumentList, DocumentDetail, DocumentView, UploadReport, CaseStarted)
