"""One entry to the readers of every format, and their failures said in plain words.

The readers (pdf, office, text) run on untrusted bytes with third-party parsers that
raise whatever the damage provokes (pypdf alone raises a dozen kinds); here each
failure becomes one InvalidInput("file", "<filename>: ...") that names the file and
keeps the parser's own words in brackets for whoever has to look closer.
"""

from __future__ import annotations

from indexer.documents.models import DOCX, MARKDOWN, MEDIA_TYPE_LABELS, ODT, PDF, PLAIN, Extracted
from indexer.documents.office import read_docx, read_odt
from indexer.documents.pdf import read_pdf
from indexer.documents.text import decode_text, read_markdown, read_plain
from indexer.errors import InvalidInput
from indexer.settings import DocumentLimits

MAX_DETAIL = 200  # characters of a parser's own message kept in ours
# A 2,000-page report holds some 6 million characters; far more is a crafted file, and
# all of it would travel to the server and into the index.
MAX_TEXT_CHARACTERS = 20_000_000


def parse(data: bytes, filename: str, media_type: str, limits: DocumentLimits, ocr: bool = True) -> Extracted:
    """What the reader of `media_type` extracts from `data` (already sniffed and, for
    archives, checked); any failure is InvalidInput("file", "<filename>: ...")."""
    extracted = _read(data, filename, media_type, limits, ocr)
    characters = sum(len(passage.text) for passage in extracted.passages)
    if characters > MAX_TEXT_CHARACTERS:
        raise InvalidInput("file", f"{filename}: holds {characters:,} characters of text, more than the "
                                   f"{MAX_TEXT_CHARACTERS:,} a document may have")
    return extracted


def _read(data: bytes, filename: str, media_type: str, limits: DocumentLimits, ocr: bool) -> Extracted:
    """The reader of `media_type`, its failures made InvalidInput."""
    label = MEDIA_TYPE_LABELS.get(media_type, media_type)
    try:
        if media_type == PDF:
            return read_pdf(data, filename, limits, ocr)
        if media_type == DOCX:
            return read_docx(data)
        if media_type == ODT:
            return read_odt(data)
        if media_type == MARKDOWN:
            return read_markdown(decode_text(data, filename))
        if media_type == PLAIN:
            return read_plain(decode_text(data, filename))
    except InvalidInput:
        raise
    except MemoryError as error:
        raise InvalidInput("file", f"{filename}: reading it needed more than the memory limit of "
                                   f"{limits.memory_bytes / 1e6:,.0f} MB") from error
    except RecursionError as error:
        raise InvalidInput("file", f"{filename}: its {label} structure is nested too deeply to be read") from error
    except Exception as error:  # the parsers' many failure types on damaged input
        raise InvalidInput("file", f"{filename}: is not a readable {label} file; it is damaged or incomplete "
                                   f"({describe(error)})") from error
    raise InvalidInput("file", f"{filename}: {media_type} is not a document type this server reads")


def describe(error: BaseException) -> str:
    """An exception's type and message, cut to MAX_DETAIL characters.

    >>> describe(ValueError("x" * 300))[-5:], len(describe(ValueError("x" * 300)))
    ('xxxx…', 201)
    """
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return text if len(text) <= MAX_DETAIL else text[:MAX_DETAIL] + "…"
