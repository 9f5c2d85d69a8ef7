"""Writing content files safely: one writer at a time, atomic replacement, git commits.

A crash at any point of `write_atomically` leaves either the old file or the new one,
never a mix; what it may leave is a hidden temporary file, which
`remove_temporaries` clears when the next writer starts.
"""

from __future__ import annotations

import fcntl
import logging
import os
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

log = logging.getLogger(__name__)
TEMPORARY_SUFFIX = ".tmp"


def _no_checkpoint(step: str) -> None:
    """The default checkpoint: nothing happens between steps."""


@contextmanager
def write_lock(lock_path: Path) -> Iterator[None]:
    """Hold the content write lock (blocking; released when the holder dies)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_atomically(path: Path, text: str, checkpoint: Callable[[str], None] = _no_checkpoint) -> None:
    """Replace `path` with `text`: temporary file in the same folder, fsync, rename, fsync
    of the folder. `checkpoint("temporary-written")` runs between the write and the rename
    (crash tests stop there)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}{TEMPORARY_SUFFIX}")
    try:
        with open(temporary, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        checkpoint("temporary-written")
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
    fsync_folder(path.parent)


def fsync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def remove_temporaries(folders: list[Path]) -> list[Path]:
    """Delete the temporary files of writes that were killed; call only while holding
    the write lock (then no write is in progress). Returns what was removed."""
    removed = []
    for folder in folders:
        for path in folder.glob(f".*.md.*{TEMPORARY_SUFFIX}"):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def git_commit(content_dir: Path, path: Path, reviewer: str, author: str, message: str) -> None:
    """Commit the file when the content folder is a git work tree. Best effort: the
    file and the library's history are the record; a failed commit is logged."""
    if not (content_dir / ".git").exists():
        return
    identity = ["-c", f"user.name={reviewer}", "-c", f"user.email={reviewer}@casebase.invalid"]
    relative = str(path.relative_to(content_dir))
    for command in (["add", "--", relative],
                    ["commit", "-m", message, f"--author={author} <{author}@casebase.invalid>", "--", relative]):
        try:
            result = subprocess.run(["git", *identity, *command], cwd=content_dir, capture_output=True,
                                    text=True, check=False)
        except OSError as exc:  # git is not installed
            log.warning("git %s failed for %s: %s", command[0], relative, exc)
            return
        if result.returncode != 0:
            log.warning("git %s failed for %s: %s", command[0], relative, result.stderr.strip())
            return
