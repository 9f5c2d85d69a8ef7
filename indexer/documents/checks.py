"""Checks of an upload's input, before anything is read or stored: the file's name
(shown to users, never a storage name), its size against the per-file limit, its
language, and text a database column takes."""

from __future__ import annotations

from indexer.documents.models import LANGUAGES
from indexer.errors import InvalidInput, TooLarge
from indexer.observatory.validation import check_text

MAX_FILENAME = 255
MAX_TITLE = 300  # as DocumentChanges allows


def megabytes(size: int) -> str:
    """A byte count as the size limits' messages say it.

    >>> megabytes(31_200_000), megabytes(25_000_000), megabytes(950)
    ('31.2 MB', '25 MB', '0.001 MB')
    """
    value = size / 1_000_000
    text = f"{value:.1f}" if value >= 1 else f"{value:.3f}".rstrip("0")
    return (text[:-2] if text.endswith(".0") else text) + " MB"


def check_filename(filename: object) -> str:
    """The file's own name without any folder (shown to users, never a storage name).

    >>> check_filename("C:\\\\reports\\\\plan.pdf"), check_filename("../../etc/passwd")
    ('plan.pdf', 'passwd')
    """
    if not isinstance(filename, str):
        raise InvalidInput("filename", "must be text")
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if name in ("", ".", ".."):
        raise InvalidInput("filename", f"'{filename}' names no file")
    return check_text("filename", name, required=True, limit=MAX_FILENAME)


def without_nul(text: str) -> str:
    """Text a database column takes (PostgreSQL refuses NUL characters in text)."""
    return text.replace("\x00", "")


def one_line(text: str) -> str:
    r"""A file's own title or author as one line without control characters (its metadata
    may hold line breaks, form feeds or NULs).

    >>> one_line("  Annual\x0creport\n 2026\x00 ")
    'Annual report 2026'
    """
    return " ".join(without_nul(text).split())


def check_size(filename: str, data: object, limit: int) -> bytes:
    """The upload's bytes; TooLarge over `limit` bytes (before anything is stored),
    InvalidInput when empty. The message names the file."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise InvalidInput("file", f"{filename}: the upload holds no file content")
    data = bytes(data)
    if len(data) > limit:
        raise TooLarge("file", f"{filename}: {megabytes(len(data))} is over the {megabytes(limit)} limit per file",
                       limit)
    if not data:
        raise InvalidInput("file", f"{filename}: the file is empty")
    return data


def check_language(language: object) -> str | None:
    """One of LANGUAGES, "" (not known) or None (not given: guessed from the text)."""
    if language is None:
        return None
    if language not in LANGUAGES and language != "":
        raise InvalidInput("language", f"'{language}' is not one of {', '.join(LANGUAGES)} (or empty: not known)")
    return str(language)
