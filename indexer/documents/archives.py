"""Zip-bomb checks of DOCX and ODT archives, made BEFORE anything is unpacked.

An office file is a ZIP archive; a crafted one can declare a member that unpacks to
gigabytes from a few kilobytes, thousands of members, or paths that climb out of a
folder. The central directory tells all of that without decompressing a byte, so the
archive is refused on it. (Sizes in the directory can lie; zipfile then stops at the
declared size and fails its CRC check, and the child process's memory limit is the
last line.)
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import PurePosixPath

from indexer.errors import InvalidInput
from indexer.settings import DocumentLimits

# A long report holds a few hundred members (its XML parts, images, fonts); thousands
# only come from a crafted archive, and each member costs parsing time.
MAX_MEMBERS = 5_000
# Folders in a member's path: office files use two or three.
MAX_DEPTH = 16
# Small members compress very well when legitimate (repetitive XML styles), so the
# ratio is only held against members and archives that unpack to more than this.
RATIO_FLOOR_BYTES = 1_000_000
_COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
# What zipfile raises on a damaged archive (a bad offset is a ValueError from seek).
ZIP_FAILURES = (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError,
                RuntimeError, KeyError, zlib.error)


def check_archive(data: bytes, filename: str, limits: DocumentLimits) -> None:
    """Refuse (InvalidInput "file") an archive that would unpack to more than
    limits.unpacked_bytes, at a ratio over limits.unpack_ratio, with more than
    MAX_MEMBERS members, with encrypted or oddly compressed members, or with member
    paths that are absolute, climb with "..", or nest deeper than MAX_DEPTH."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except ZIP_FAILURES as error:
        raise InvalidInput("file", f"{filename}: is a damaged ZIP archive and cannot be read ({error})") from error
    if len(members) > MAX_MEMBERS:
        raise InvalidInput("file", f"{filename}: holds {len(members)} files inside, more than the {MAX_MEMBERS} "
                                   "a document may have")
    total = 0
    for member in members:
        _check_name(member.filename, filename)
        if member.flag_bits & 0x1:
            raise InvalidInput("file", f"{filename}: its part {member.filename!r} is encrypted; save the document "
                                       "without a password and upload it again")
        if member.compress_type not in _COMPRESSIONS:
            raise InvalidInput("file", f"{filename}: its part {member.filename!r} uses a compression office "
                                       "programs do not write")
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR_BYTES and ratio > limits.unpack_ratio:
            raise InvalidInput("file", f"{filename}: its part {member.filename!r} would unpack {ratio:,.0f} times "
                                       f"its packed size (the limit is {limits.unpack_ratio:g}); it looks like "
                                       "a zip bomb")
        total += member.file_size
    if total > limits.unpacked_bytes:
        raise InvalidInput("file", f"{filename}: would unpack to {total / 1e6:,.1f} MB, more than the limit of "
                                   f"{limits.unpacked_bytes / 1e6:,.1f} MB")
    if total > RATIO_FLOOR_BYTES and total > limits.unpack_ratio * len(data):
        raise InvalidInput("file", f"{filename}: would unpack to {total / max(len(data), 1):,.0f} times its size "
                                   f"(the limit is {limits.unpack_ratio:g}); it looks like a zip bomb")


def _check_name(name: str, filename: str) -> None:
    """Refuse a member path that is absolute, climbs out with "..", names a drive,
    holds a NUL, or nests deeper than MAX_DEPTH folders.

    >>> _check_name("word/document.xml", "a.docx")
    >>> _check_name("../../etc/passwd", "a.docx")
    Traceback (most recent call last):
    ...
    indexer.errors.InvalidInput: file: a.docx: its part '../../etc/passwd' has a path that leaves the archive
    """
    normal = name.replace("\\", "/")
    parts = PurePosixPath(normal).parts
    if normal.startswith("/") or ".." in parts or (len(normal) > 1 and normal[1] == ":") or "\x00" in normal:
        raise InvalidInput("file", f"{filename}: its part {name!r} has a path that leaves the archive")
    if len(parts) > MAX_DEPTH:
        raise InvalidInput("file", f"{filename}: its part {name!r} is nested {len(parts)} folders deep")
