"""The documents contract: typed records shared by extraction, storage, search and pages.

A *document* is a file somebody uploaded (a proposal, a fact-finding report, minutes,
an evaluation): the original bytes are kept under their SHA-256 (never under the
user's file name), the text extracted from it is kept as *passages* (one per PDF page,
or per heading of a Word/OpenDocument/Markdown file), and its metadata lives in the
instance database, where users correct it.

Who may see a document follows what it is attached to:
- attached to an initiative: the initiative's insiders (members, the programme's
  managers) always; anybody else who may read the casebase only while the
  initiative's sharing is "named" (an "anonymous" or "hidden" initiative's documents
  would name it, so they stay with its insiders);
- attached to a programme only, or to nothing: whoever may read the casebase.

In the search index each passage is a unit of kind "document" whose `access` token
(`access_token`) says which rule applies; the allowed tokens of a viewer are worked
out from the database at query time, so a change of sharing takes effect at once,
without rebuilding anything.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

DocumentKind = Literal["proposal", "fact-finding", "minutes", "evaluation", "other"]
DOCUMENT_KINDS: tuple[str, ...] = ("proposal", "fact-finding", "minutes", "evaluation", "other")
DOCUMENT_KIND_LABELS = {"proposal": "Proposal", "fact-finding": "Fact-finding report", "minutes": "Minutes",
                        "evaluation": "Evaluation", "other": "Other"}

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
MARKDOWN = "text/markdown"
PLAIN = "text/plain"
MEDIA_TYPES: tuple[str, ...] = (PDF, DOCX, ODT, MARKDOWN, PLAIN)
MEDIA_TYPE_LABELS = {PDF: "PDF", DOCX: "Word (DOCX)", ODT: "OpenDocument text (ODT)", MARKDOWN: "Markdown",
                     PLAIN: "Plain text"}

# Languages the product reads (the advisor's and search's glosses); "" = not known.
LANGUAGES: tuple[str, ...] = ("en", "pt", "es")
LANGUAGE_LABELS = {"en": "English", "pt": "Portuguese", "es": "Spanish", "": "Not known"}

# The search index's unit kind for passages, and the access tokens of its units.
SEARCH_KIND = "document"
PUBLIC = "public"


def access_token(initiative_id: int | None) -> str:
    """The access token of a document's passages in the search index.

    >>> access_token(None), access_token(12)
    ('public', 'initiative:12')
    """
    return PUBLIC if initiative_id is None else f"initiative:{initiative_id}"


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Passage(_Record):
    """One searchable piece of a document's text: a PDF page or a headed section."""

    number: int                      # 0-based order within the document
    page: int | None = None          # 1-based PDF page; None for files without pages
    heading: str = ""                # the heading the passage falls under, if any
    text: str
    ocr: bool = False                # True: read from a page image by tesseract


class Extracted(_Record):
    """What extraction got out of one file (run in a child process with limits)."""

    media_type: str                  # one of MEDIA_TYPES, told by content, not by extension
    pages: int | None = None         # PDFs: the page count
    passages: list[Passage] = []
    title: str = ""                  # the file's own title (PDF/DOCX/ODT metadata, first heading)
    author: str = ""                 # the file's own author metadata, if any
    ocr: bool = False                # some text came from OCR
    # Said to the uploader: e.g. "pages 3-5 have no text layer and tesseract is not
    # installed; they are not searchable".
    notices: list[str] = []


class DocumentRecord(_Record):
    """A stored document and its (correctable) metadata."""

    id: int
    sha256: str
    filename: str                    # as uploaded; shown, never used as a storage name
    media_type: str
    size: int
    title: str
    kind: DocumentKind = "other"
    date: dt.date | None = None      # the document's own date (not the upload's)
    author: str = ""                 # author or organisation
    language: str = ""               # one of LANGUAGES or ""
    programme_id: int | None = None
    initiative_id: int | None = None
    uploaded_by: str
    uploaded_at: float
    updated_at: float
    pages: int | None = None
    passages: int = 0
    ocr: bool = False
    notices: list[str] = []


class DocumentChanges(_Record):
    """A correction of a document's metadata; fields left None stay as they are.
    `programme`/`initiative` are slugs; "" detaches."""

    title: str | None = Field(default=None, max_length=300)
    kind: DocumentKind | None = None
    date: dt.date | None = None
    author: str | None = Field(default=None, max_length=300)
    language: str | None = None
    programme: str | None = None
    initiative: str | None = None


class Added(_Record):
    """The answer to one uploaded file."""

    document: DocumentRecord
    duplicate: bool = False          # the same bytes were stored before: that record is returned
