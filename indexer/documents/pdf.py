"""PDF text, page by page (pypdf), with OCR of pages that are only images.

Each page with text becomes one passage carrying its 1-based page number. A page
without a text layer but with images is a scan: its images are read by tesseract
(indexer.documents.ocr) and the passage is marked ocr=True; when tesseract is missing
(or OCR was not asked for) the uploader is told which pages are not searchable.
Encrypted files are opened only when their user password is empty; the page count
is checked against the limit before any page is read.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from indexer.documents.models import PDF, Extracted, Passage
from indexer.documents.ocr import OCRFailed, ocr_status, read_image_text
from indexer.documents.passages import clean
from indexer.errors import InvalidInput
from indexer.settings import DocumentLimits

PASSWORD_ADVICE = "save a copy without the password and upload that"


def page_ranges(pages: Sequence[int]) -> str:
    """Page numbers said the short way.

    >>> page_ranges([4]), page_ranges([1, 2, 3, 5, 7, 8])
    ('page 4', 'pages 1-3, 5, 7-8')
    """
    runs: list[list[int]] = []
    for page in sorted(pages):
        if runs and page == runs[-1][-1] + 1:
            runs[-1].append(page)
        else:
            runs.append([page])
    said = ", ".join(str(run[0]) if len(run) == 1 else f"{run[0]}-{run[-1]}" for run in runs)
    return f"page {said}" if len(pages) == 1 else f"pages {said}"


def _verb(pages: Sequence[int], one: str, many: str) -> str:
    return one if len(pages) == 1 else many


def _open(data: bytes, filename: str):
    """A PdfReader, decrypted with the empty user password when it is encrypted."""
    from pypdf import PasswordType, PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError

    reader = PdfReader(io.BytesIO(data), strict=False)
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except (DependencyError, NotImplementedError, FileNotDecryptedError) as error:
            raise InvalidInput("file", f"{filename}: is encrypted in a way this server cannot open ({error}); "
                                       f"{PASSWORD_ADVICE}") from error
        if opened == PasswordType.NOT_DECRYPTED:
            raise InvalidInput("file", f"{filename}: is protected by a password; {PASSWORD_ADVICE}")
    return reader


def _metadata(reader, notices: list[str]) -> tuple[str, str]:
    """The title and author the PDF declares ("" when it declares none)."""
    try:
        info = reader.metadata
        if info is None:
            return "", ""
        return clean(str(info.title or "")), clean(str(info.author or ""))
    except Exception as error:  # damaged metadata must not cost the document's text
        notices.append(f"its title and author could not be read ({type(error).__name__}: {error})")
        return "", ""


def read_pdf(data: bytes, filename: str, limits: DocumentLimits, ocr: bool = True) -> Extracted:
    """The passages (one per page with text), page count, title, author and notices
    of a PDF; InvalidInput when it is encrypted or has more than limits.pages pages."""
    reader = _open(data, filename)
    count = len(reader.pages)
    if count > limits.pages:
        raise InvalidInput("file", f"{filename}: has {count:,} pages, more than the limit of {limits.pages:,}")
    notices: list[str] = []
    title, author = _metadata(reader, notices)
    passages: list[Passage] = []
    scans = _Scans(limits, ocr)
    for number, page in enumerate(reader.pages, start=1):
        try:
            text = clean(page.extract_text() or "")
        except Exception as error:  # one damaged page is told, the others still count
            notices.append(f"page {number} could not be read ({type(error).__name__}: {error})")
            continue
        if text:
            passages.append(Passage(number=len(passages), page=number, text=text))
            continue
        try:
            # Decoded one page at a time: a scanned book's images would not fit in memory at once.
            images = [image.image for image in page.images]
        except Exception as error:
            notices.append(f"page {number} has no text layer and its images could not be read "
                           f"({type(error).__name__}: {error})")
            continue
        if images and (text := scans.read(number, images)):
            passages.append(Passage(number=len(passages), page=number, text=text, ocr=True))
    notices.extend(scans.notices())
    if not passages:
        notices.append("no text was found in the file")
    return Extracted(media_type=PDF, pages=count, passages=passages, title=title, author=author,
                     ocr=any(passage.ocr for passage in passages), notices=notices)


class _Scans:
    """OCR of the pages without a text layer, and what to tell about them: the pages
    read, those OCR found nothing on or failed on, or why none could be read."""

    def __init__(self, limits: DocumentLimits, ocr: bool):
        self.limits = limits
        self.wanted = ocr
        self.problem: str | None = None   # why OCR cannot run, asked at the first scan
        self.asked = False
        self.unread: list[int] = []
        self.read_pages: list[int] = []
        self.blank: list[int] = []
        self.failures: list[str] = []

    def read(self, number: int, images: list) -> str:
        """The OCR text of page `number`'s images ("" when none could be read)."""
        if not self.asked:
            self.problem = ocr_status() if self.wanted else "OCR was not asked for"
            self.asked = True
        if self.problem:
            self.unread.append(number)
            return ""
        try:
            text = clean("\n\n".join(read_image_text(image, self.limits.seconds) for image in images))
        except OCRFailed as error:  # tesseract failed on this page: say so, go on
            self.failures.append(f"page {number} has no text layer and OCR of its images failed ({error})")
            return ""
        (self.read_pages if text else self.blank).append(number)
        return text

    def notices(self) -> list[str]:
        """What the uploader is told about the scanned pages."""
        said = []
        if self.unread:
            pages = self.unread
            said.append(f"{page_ranges(pages)} {_verb(pages, 'has', 'have')} no text layer and cannot be read "
                        f"({self.problem}); {_verb(pages, 'it is', 'they are')} not searchable")
        if self.read_pages:
            pages = self.read_pages
            said.append(f"{page_ranges(pages)} {_verb(pages, 'has', 'have')} no text layer; "
                        f"{_verb(pages, 'its', 'their')} text was read from the page images by OCR (tesseract) "
                        "and may contain mistakes")
        if self.blank:
            pages = self.blank
            said.append(f"{page_ranges(pages)} {_verb(pages, 'has', 'have')} no text layer and OCR found no text "
                        f"in {_verb(pages, 'its', 'their')} images")
        return said + self.failures
