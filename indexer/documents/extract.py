"""Extraction of an uploaded document: its type by content, its text in passages.

`extract_safely` is what the service calls on an upload: it checks the size, tells
the type by content (`sniff`), checks DOCX/ODT archives against zip bombs before a
byte is unpacked, and parses in a limited child process (indexer.documents.sandbox).
`extract` does the same in this process, for trusted files and for measuring what the
child process costs.
"""

from __future__ import annotations

from pathlib import PurePosixPath

from indexer.documents.archives import check_archive
from indexer.documents.formats import parse
from indexer.documents.models import DOCX, ODT, Extracted
from indexer.documents.ocr import ocr_status
from indexer.documents.sandbox import run_in_child
from indexer.documents.sniff import sniff
from indexer.errors import TooLarge
from indexer.settings import DocumentLimits

__all__ = ["display_name", "extract", "extract_safely", "ocr_status", "sniff"]


def display_name(filename: str) -> str:
    """The file name said in messages: without folders (browsers may send a path).

    >>> display_name("C:\\\\fakepath\\\\report.pdf"), display_name("")
    ('report.pdf', 'the file')
    """
    return PurePosixPath(filename.replace("\\", "/")).name or "the file"


def _checked(data: bytes, filename: str, limits: DocumentLimits) -> str:
    """The media type of a file within the size limit, archives checked; else the error."""
    if len(data) > limits.file_bytes:
        raise TooLarge("file", f"{filename}: is {len(data) / 1e6:,.1f} MB, more than the limit of "
                               f"{limits.file_bytes / 1e6:,.1f} MB per file", limits.file_bytes)
    media_type = sniff(data, filename)
    if media_type in (DOCX, ODT):
        check_archive(data, filename, limits)
    return media_type


def extract(data: bytes, filename: str, limits: DocumentLimits, ocr: bool = True) -> Extracted:
    """Sniff, check and extract in THIS process (no time or memory limit): for files
    the caller trusts; uploads go through `extract_safely`."""
    name = display_name(filename)
    return parse(data, name, _checked(data, name, limits), limits, ocr)


def extract_safely(data: bytes, filename: str, limits: DocumentLimits, ocr: bool = True) -> Extracted:
    """Sniff, then extract in a separate process (limits.seconds of CPU and wall time,
    limits.memory_bytes of address space), OCR pages without a text layer when
    tesseract (eng+por+spa) is installed and `ocr`. Broken, truncated, encrypted, over
    limits.pages, zip bombs, too large (TooLarge), killed or timed out: InvalidInput
    ("file", "<filename>: <what is wrong, in plain words>")."""
    name = display_name(filename)
    media_type = _checked(data, name, limits)
    return run_in_child(data, name, media_type, limits, ocr)
