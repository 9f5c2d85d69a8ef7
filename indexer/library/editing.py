"""Editing the library without losing a word: drafts, review, publishing, history.

Drafts live in the instance database; readers (and the index) only ever see the
published Markdown files. Every edit carries the revision it started from, and a save
over a newer revision is refused with both texts and their differences (the refused
text is kept as a 'conflict' draft). Publishing validates again, writes the file
atomically (temporary file, fsync, rename) under a lock, and records the revision;
when the content folder is a git repository it also commits, as the reviewer.
"""

from __future__ import annotations

import difflib
import fcntl
import os
import sqlite3
import subprocess
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from indexer.content.loading import FOLDERS, check_text, load_content
from indexer.library.database import InstanceDatabase
from indexer.content.documents import content_hash
from indexer.content.schema import SLUG_PATTERN
from indexer.content.validate import Problem

NEW = "new"

SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL, doc_id TEXT NOT NULL, text TEXT NOT NULL,
    published_base TEXT NOT NULL, author TEXT NOT NULL, message TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL, doc_id TEXT NOT NULL, revision TEXT NOT NULL, text TEXT NOT NULL,
    author TEXT NOT NULL, message TEXT NOT NULL, time REAL NOT NULL
);
"""


class InvalidEdit(ValueError):
    """The text does not validate; nothing was written."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


class Conflict(Exception):
    """The edit started from an older revision than the current one."""

    def __init__(self, head_revision: str, head_text: str, your_text: str, kept_draft: int | None):
        super().__init__(f"the document changed since you started (now at revision {head_revision})")
        self.head_revision = head_revision
        self.head_text = head_text
        self.your_text = your_text
        self.kept_draft = kept_draft
        self.diff = unified_diff(head_text, your_text, "current", "yours")


@dataclass(frozen=True)
class Draft:
    """An unpublished version of a document."""

    id: int
    kind: str
    doc_id: str
    text: str
    published_base: str
    author: str
    message: str
    status: str
    created: float
    updated: float

    @property
    def revision(self) -> str:
        """The revision an edit of this draft starts from."""
        return content_hash(self.text)


@dataclass(frozen=True)
class Revision:
    """A published version of a document."""

    id: int
    kind: str
    doc_id: str
    revision: str
    text: str
    author: str
    message: str
    time: float


def unified_diff(old: str, new: str, old_name: str = "before", new_name: str = "after") -> str:
    """A unified diff of two texts.

    >>> print(unified_diff("a\\nb\\n", "a\\nc\\n"), end="")
    --- before
    +++ after
    @@ -1,2 +1,2 @@
     a
    -b
    +c
    """
    return "".join(difflib.unified_diff(old.splitlines(keepends=True), new.splitlines(keepends=True),
                                        old_name, new_name))


def write_atomically(path: Path, text: str) -> None:
    """Replace `path` with `text`: temporary file in the same folder, fsync, rename.

    A crash at any point leaves either the old file or the new one, never a mix.
    """
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()
    descriptor = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class Library:
    """Drafts, review and history over one content folder."""

    def __init__(self, content_dir: Path, database: Path):
        self.content_dir = content_dir
        self.database = database
        self._instance_db = InstanceDatabase(database, SCHEMA)

    def _db(self) -> sqlite3.Connection:
        return self._instance_db.connection()

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        lock_path = self.database.with_name("content-write.lock")
        with open(lock_path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- reading ---------------------------------------------------------------

    def path_of(self, kind: str, doc_id: str) -> Path:
        """Where a published document lives."""
        if kind not in FOLDERS or not SLUG_PATTERN.match(doc_id):
            raise ValueError(f"not a document: {kind} {doc_id!r}")
        return self.content_dir / FOLDERS[kind] / f"{doc_id}.md"

    def published(self, kind: str, doc_id: str) -> tuple[str, str | None]:
        """(revision, text) of the published file, or ('new', None)."""
        path = self.path_of(kind, doc_id)
        if not path.exists():
            return NEW, None
        text = path.read_text(encoding="utf-8")
        return content_hash(text), text

    def open_draft(self, kind: str, doc_id: str) -> Draft | None:
        """The document's open draft, if any."""
        row = self._db().execute("SELECT * FROM drafts WHERE kind = ? AND doc_id = ? AND status = 'draft' "
                                 "ORDER BY updated DESC LIMIT 1", (kind, doc_id)).fetchone()
        return Draft(*row) if row else None

    def head(self, kind: str, doc_id: str) -> tuple[str, str | None]:
        """(revision, text) an edit must start from: the open draft, else the file."""
        draft = self.open_draft(kind, doc_id)
        if draft is not None:
            return draft.revision, draft.text
        return self.published(kind, doc_id)

    def draft(self, draft_id: int) -> Draft | None:
        """A draft by id."""
        row = self._db().execute("SELECT * FROM drafts WHERE id = ?", (draft_id,)).fetchone()
        return Draft(*row) if row else None

    def drafts(self, status: str = "draft", author: str | None = None) -> list[Draft]:
        """Drafts by status (and author), newest first."""
        query = "SELECT * FROM drafts WHERE status = ?" + (" AND author = ?" if author else "")
        args = (status, author) if author else (status,)
        return [Draft(*row) for row in self._db().execute(query + " ORDER BY updated DESC", args).fetchall()]

    def history(self, kind: str, doc_id: str) -> list[Revision]:
        """Published revisions, newest first."""
        rows = self._db().execute("SELECT * FROM revisions WHERE kind = ? AND doc_id = ? ORDER BY id DESC",
                                  (kind, doc_id)).fetchall()
        return [Revision(*row) for row in rows]

    def revision(self, revision_id: int) -> Revision | None:
        """A published revision by id."""
        row = self._db().execute("SELECT * FROM revisions WHERE id = ?", (revision_id,)).fetchone()
        return Revision(*row) if row else None

    # -- writing ---------------------------------------------------------------

    def save_draft(self, kind: str, doc_id: str, text: str, base_revision: str, author: str,
                   message: str = "") -> Draft:
        """Validate and save `text` as the document's draft.

        Raises InvalidEdit (nothing saved) or Conflict (the text is kept as a
        'conflict' draft, the open draft stays as it was).
        """
        text = text.replace("\r\n", "\n")
        problems = [p for p in check_text(load_content(self.content_dir), kind, doc_id, text)
                    if p.severity == "error"]
        if problems:
            raise InvalidEdit(problems)
        now = time.time()
        with self._write_lock():
            head_revision, head_text = self.head(kind, doc_id)
            published_revision, _ = self.published(kind, doc_id)
            db = self._db()
            if base_revision != head_revision:
                cursor = db.execute(
                    "INSERT INTO drafts(kind, doc_id, text, published_base, author, message, status, created, updated)"
                    " VALUES (?, ?, ?, ?, ?, ?, 'conflict', ?, ?)",
                    (kind, doc_id, text, published_revision, author, message, now, now))
                raise Conflict(head_revision, head_text or "", text, cursor.lastrowid)
            current = self.open_draft(kind, doc_id)
            if current is not None:
                db.execute("UPDATE drafts SET text = ?, author = ?, message = ?, updated = ? WHERE id = ?",
                           (text, author, message, now, current.id))
                return self.draft(current.id)  # type: ignore[return-value]
            cursor = db.execute(
                "INSERT INTO drafts(kind, doc_id, text, published_base, author, message, status, created, updated)"
                " VALUES (?, ?, ?, ?, ?, ?, 'draft', ?, ?)",
                (kind, doc_id, text, published_revision, author, message, now, now))
            return self.draft(cursor.lastrowid)  # type: ignore[return-value,arg-type]

    def discard(self, draft_id: int) -> None:
        """Set a draft aside (it is kept, with status 'discarded')."""
        self._db().execute("UPDATE drafts SET status = 'discarded', updated = ? WHERE id = ?", (time.time(), draft_id))

    def publish(self, draft_id: int, reviewer: str, message: str = "") -> Revision:
        """Publish a draft: validate, write the file atomically, record the revision."""
        draft = self.draft(draft_id)
        if draft is None or draft.status != "draft":
            raise ValueError(f"draft {draft_id} is not open for publishing")
        problems = [p for p in check_text(load_content(self.content_dir), draft.kind, draft.doc_id, draft.text)
                    if p.severity == "error"]
        if problems:
            raise InvalidEdit(problems)
        with self._write_lock():
            revision, text = self.published(draft.kind, draft.doc_id)
            if revision != draft.published_base:
                raise Conflict(revision, text or "", draft.text, draft.id)
            record = self._write(draft.kind, draft.doc_id, draft.text, reviewer,
                                 message or draft.message or f"Publish {draft.kind} {draft.doc_id}",
                                 previous=text, draft_author=draft.author)
            self._db().execute("UPDATE drafts SET status = 'published', updated = ? WHERE id = ?",
                               (time.time(), draft.id))
        return record

    def restore(self, revision_id: int, reviewer: str) -> Revision:
        """Publish an old revision's text again, as a new revision."""
        old = self.revision(revision_id)
        if old is None:
            raise ValueError(f"no revision {revision_id}")
        with self._write_lock():
            _, text = self.published(old.kind, old.doc_id)
            return self._write(old.kind, old.doc_id, old.text, reviewer,
                               f"Restore revision {old.id} ({old.revision})", previous=text,
                               draft_author=reviewer)

    def _write(self, kind: str, doc_id: str, text: str, reviewer: str, message: str, previous: str | None,
               draft_author: str) -> Revision:
        db = self._db()
        if previous is not None and not self.history(kind, doc_id):
            # The first edit through the web keeps the version that came from git or disk.
            db.execute("INSERT INTO revisions(kind, doc_id, revision, text, author, message, time) "
                       "VALUES (?, ?, ?, ?, 'import', 'Version before the first web edit', ?)",
                       (kind, doc_id, content_hash(previous), previous, time.time()))
        path = self.path_of(kind, doc_id)
        write_atomically(path, text)
        cursor = db.execute("INSERT INTO revisions(kind, doc_id, revision, text, author, message, time) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (kind, doc_id, content_hash(text), text, reviewer, message, time.time()))
        self._git_commit(path, reviewer, draft_author, message)
        return self.revision(cursor.lastrowid)  # type: ignore[return-value,arg-type]

    def _git_commit(self, path: Path, reviewer: str, author: str, message: str) -> None:
        """Commit the file when the content folder is a git work tree (best effort)."""
        if not (self.content_dir / ".git").exists():
            return
        identity = ["-c", f"user.name={reviewer}", "-c", f"user.email={reviewer}@casebase.invalid"]
        relative = str(path.relative_to(self.content_dir))
        subprocess.run(["git", *identity, "add", "--", relative], cwd=self.content_dir,
                       capture_output=True, check=False)
        subprocess.run(["git", *identity, "commit", "-m", message, f"--author={author} <{author}@casebase.invalid>",
                        "--", relative], cwd=self.content_dir, capture_output=True, check=False)
