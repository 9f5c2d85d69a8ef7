"""Original files of uploaded documents, stored under their content hash.

`<root>/<sha[:2]>/<sha>` holds the bytes whose SHA-256 is `sha`: the user's file name
is never a storage name (it could climb out of the folder, collide, or say what a
hidden initiative's file is about), and the same bytes are stored once however many
records point at them. A file is written to a temporary name in its folder, fsynced,
renamed into place and its folder fsynced, so a crash leaves the old state or the new
one, and at worst a temporary file that `remove_temporaries` clears.

The facade decides when a file is no longer used (no record points at it) and removes
it; this module only reads and writes bytes.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
from pathlib import Path

from indexer.library.files import fsync_folder

TEMPORARY_PREFIX = ".upload-"
SHA256_PATTERN = re.compile(r"^[0-9a-f]{64}$")


def content_hash(data: bytes) -> str:
    """The SHA-256 of `data` in hex, the stored file's name.

    >>> content_hash(b"")[:12]
    'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


class FileStore:
    """The folder of original files (`settings.documents_dir`)."""

    def __init__(self, root: Path):
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Where the file of this hash lives (ValueError for anything not a SHA-256 in hex,
        so no stored value can name a path outside the folder)."""
        if not isinstance(sha256, str) or not SHA256_PATTERN.match(sha256):
            raise ValueError(f"not a SHA-256 in hex: {sha256!r}")
        return self.root / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        """True when the file of this hash is stored."""
        return self.path(sha256).is_file()

    def put(self, data: bytes) -> tuple[str, bool]:
        """Store `data`; returns (its hash, whether this call created the file). Bytes
        already stored are not written again."""
        sha256 = content_hash(data)
        target = self.path(sha256)
        if target.is_file():
            return sha256, False
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f"{TEMPORARY_PREFIX}{sha256}.{os.getpid()}.{threading.get_ident()}")
        try:
            with open(temporary, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
        fsync_folder(target.parent)
        return sha256, True

    def remove(self, sha256: str) -> bool:
        """Delete the file of this hash; returns whether there was one."""
        target = self.path(sha256)
        try:
            target.unlink()
        except FileNotFoundError:
            return False
        fsync_folder(target.parent)
        return True

    def remove_temporaries(self) -> list[Path]:
        """Delete the temporary files of writes that were killed (call while no write is
        in progress, e.g. inside the database's write transaction). Returns what was removed."""
        removed = []
        if self.root.is_dir():
            for path in self.root.glob(f"*/{TEMPORARY_PREFIX}*"):
                path.unlink(missing_ok=True)
                removed.append(path)
        return removed

    def stored(self) -> list[str]:
        """The hashes of every stored file (for checks and tests)."""
        if not self.root.is_dir():
            return []
        return sorted(path.name for path in self.root.glob("*/*") if SHA256_PATTERN.match(path.name))
