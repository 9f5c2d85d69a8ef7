"""Telling a file's type by its content, never by its name.

PDF by its magic number (filetype); a ZIP archive is a DOCX only when it holds
word/document.xml and an ODT only when its `mimetype` member says so; anything else
must decode as text. Text is tried before the other magic numbers because some of
them are two ordinary letters ("BM" is a bitmap to filetype).
"""

from __future__ import annotations

import io
import zipfile

import filetype

from indexer.documents.archives import ZIP_FAILURES
from indexer.documents.models import DOCX, MARKDOWN, ODT, PDF, PLAIN
from indexer.documents.text import decode_text, looks_like_markdown
from indexer.errors import InvalidInput

ACCEPTED = "documents may be PDF, Word (DOCX), OpenDocument text (ODT), Markdown or plain text"
_ZIP_MAGIC = b"PK\x03\x04"
_MIMETYPE_BYTES = 100  # "application/vnd.oasis.opendocument.text" and a little more


def sniff(data: bytes, filename: str) -> str:
    """The media type (one of models.MEDIA_TYPES) told by content; InvalidInput
    ("file", "<filename>: ...") when it is none of them."""
    if not data:
        raise InvalidInput("file", f"{filename}: the file is empty")
    kind = filetype.guess(data)
    if kind is not None and kind.mime == "application/pdf":
        return PDF
    if data.startswith(_ZIP_MAGIC):
        return _archive_type(data, filename)
    try:
        text = decode_text(data, filename)
    except InvalidInput as error:
        if kind is not None:
            raise InvalidInput("file", f"{filename}: is a {kind.extension.upper()} file ({kind.mime}); "
                                       f"{ACCEPTED}") from error
        raise InvalidInput("file", f"{error.message}; {ACCEPTED}") from error
    return MARKDOWN if looks_like_markdown(text, filename) else PLAIN


def _archive_type(data: bytes, filename: str) -> str:
    """DOCX or ODT by the members of a ZIP archive (its directory only, plus at most
    _MIMETYPE_BYTES of `mimetype`: nothing large is unpacked here)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            mimetype = ""
            if "mimetype" in names:
                with archive.open("mimetype") as member:
                    mimetype = member.read(_MIMETYPE_BYTES).decode("ascii", "replace").strip()
    except ZIP_FAILURES as error:
        raise InvalidInput("file", f"{filename}: is a damaged ZIP archive and cannot be read ({error})") from error
    if mimetype == ODT:
        return ODT
    if "word/document.xml" in names:
        return DOCX
    if mimetype.startswith("application/vnd.oasis.opendocument."):
        raise InvalidInput("file", f"{filename}: is an OpenDocument file of another kind ({mimetype}); {ACCEPTED}")
    raise InvalidInput("file", f"{filename}: is a ZIP archive, not a Word (DOCX) or OpenDocument text (ODT) "
                               f"file; {ACCEPTED}")
