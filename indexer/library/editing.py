"""Editing the library without losing a word: drafts, review, publishing, history.

Drafts live in the instance database (database.py: SQLite or PostgreSQL, shared by
every server); readers (and the index) only ever see the
published Markdown files. Every edit carries the revision it started from, and a save
over a newer revision is refused with both texts and their differences (the refused
text is kept as a 'conflict' copy). Every save and publish is validated exactly as
`casebase check` validates the files (indexer.checking).

Publishing has one commit point, so a process killed at any moment can be recovered:

1. under the content write lock (a file lock beside a SQLite database; a PostgreSQL
   advisory lock, which holds across machines, on PostgreSQL), one transaction records the revision, marks the draft
   published and leaves a publish intent (the commit point);
2. the file is written atomically (temporary file, fsync, rename);
3. the intent is removed; then git commits (when the content is a repository) and the
   `after_publish` hook reloads content and asks for an index update.

`recover()` (run when a Library opens, and before every publish under the lock)
finishes every intent it finds: a file that still holds the previous text gets the
recorded one, so file, history and draft agree.
"""

from __future__ import annotations

import json
import logging
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from sqlalchemy import delete, insert, select, update

from indexer.checking import check_candidate, load_library
from indexer.content.loading import Content
from indexer.content.documents import content_hash
from indexer.content.loading import FOLDERS
from indexer.content.schema import MAX_ID_LENGTH, SLUG_PATTERN
from indexer.content.validate import Problem
from indexer.errors import InvalidInput, Refused
from indexer.library.accounts import User
from indexer.library.database import Database, valid_row_id
from indexer.library.drafts import (
    CONFLICT, DISCARDED, NEW, OPEN, PUBLISHED, Conflict, Draft, DraftNotFound, InvalidEdit, ReviewQueue,
    Revision, RevisionNotFound, TransitionRefused, check_transition, may_publish, review_queue, unified_diff,
)
from indexer.library.files import git_commit, remove_temporaries, write_atomically, write_lock
from indexer.library.tables import drafts, publish_intents, revisions

__all__ = ["NEW", "Conflict", "Draft", "DraftNotFound", "InvalidEdit", "Library", "Revision",
           "RevisionNotFound", "TransitionRefused", "unified_diff", "MAX_ID_LENGTH"]

log = logging.getLogger(__name__)
CONTENT_WRITE_LOCK = "content.write"  # the advisory lock's name on PostgreSQL
# Longer ids make file names some file systems refuse; the routes check the same bound.

Validator = Callable[[str, str, str], list[Problem]]
Audit = Callable[[str | None, str, str | None, dict], None]


def _nothing(*args) -> None:
    """The default hook: nothing to do."""


class Library:
    """Drafts, review and history over one content folder.

    `validate(kind, doc_id, text)` returns a candidate's problems (default: checked
    against the content on disk); `after_publish()` runs after every publish or
    restore; `audit(actor, action, target, detail)` records who did what;
    `checkpoint(step)` is called between the steps of a publish (crash tests stop
    the process there). `database` is a shared Database, a SQLite file path or a
    database URL."""

    def __init__(self, content_dir: Path, database: "Database | Path | str", validate: Validator | None = None,
                 after_publish: Callable[[], None] = _nothing, audit: Audit = _nothing,
                 checkpoint: Callable[[str], None] = _nothing, single_maintainer: bool = False):
        self.content_dir = Path(content_dir)
        self._single_maintainer = single_maintainer
        self._db = Database.open(database)
        self.database = self._db
        with self._db.transaction() as db:
            # Databases written before the state machine called open drafts 'draft'
            # (another process of that version may still write them).
            db.execute(update(drafts).where(drafts.c.status == "draft").values(status=OPEN))
        self._validate = validate or self._validate_on_disk
        self._after_publish = after_publish
        self._audit = audit
        self._checkpoint = checkpoint
        self._checked: Content | None = None  # the last load a save was checked against
        self.recover()

    def _validate_on_disk(self, kind: str, doc_id: str, text: str) -> list[Problem]:
        # Against the files as they are now, re-reading only those changed since the last
        # check: parsing the whole library on every save grows with the library.
        self._checked = load_library(self.content_dir, previous=self._checked)
        return check_candidate(self._checked, kind, doc_id, text)

    def _errors(self, kind: str, doc_id: str, text: str) -> list[Problem]:
        return [p for p in self._validate(kind, doc_id, text) if p.severity == "error"]

    @contextmanager
    def _lock(self) -> Iterator[None]:
        """One writer of content files at a time: every process beside a SQLite file is
        on one machine (a file lock beside it); PostgreSQL's servers may not be (its
        advisory lock, released when the holder dies like the file lock)."""
        if self._db.backend == "sqlite":
            with write_lock(Path(self._db.url.database).with_name("content-write.lock")):
                yield
        else:
            with self._db.advisory_lock(CONTENT_WRITE_LOCK):
                yield

    # -- reading ---------------------------------------------------------------

    def path_of(self, kind: str, doc_id: str) -> Path:
        """Where a published document lives (InvalidInput for anything not a document id)."""
        if kind not in FOLDERS:
            raise InvalidInput("kind", f"not a kind of document: {kind!r}")
        if len(doc_id) > MAX_ID_LENGTH or not SLUG_PATTERN.match(doc_id):
            raise InvalidInput("id", f"ids are up to {MAX_ID_LENGTH} lower-case letters, digits and hyphens")
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
        query = (select(drafts).where(drafts.c.kind == kind, drafts.c.doc_id == doc_id, drafts.c.status == OPEN)
                 .order_by(drafts.c.updated.desc()).limit(1))
        with self._db.reading() as db:
            row = db.execute(query).mappings().first()
        return Draft.from_row(row) if row else None

    def head(self, kind: str, doc_id: str) -> tuple[str, str | None]:
        """(revision, text) an edit must start from: the open draft, else the file."""
        draft = self.open_draft(kind, doc_id)
        if draft is not None:
            return draft.revision, draft.text
        return self.published(kind, doc_id)

    def draft(self, draft_id: int) -> Draft:
        """A draft by id (DraftNotFound when there is none, whatever the number)."""
        row = None
        if valid_row_id(draft_id):
            with self._db.reading() as db:
                row = db.execute(select(drafts).where(drafts.c.id == draft_id)).mappings().first()
        if row is None:
            raise DraftNotFound(f"there is no draft {draft_id}")
        return Draft.from_row(row)

    def drafts(self, status: str = OPEN, author: str | None = None) -> list[Draft]:
        """Drafts in one state (and by one author), newest first."""
        query = select(drafts).where(drafts.c.status == status)
        if author:
            query = query.where(drafts.c.author == author)
        with self._db.reading() as db:
            rows = db.execute(query.order_by(drafts.c.updated.desc())).mappings().all()
        return [Draft.from_row(row) for row in rows]

    def history(self, kind: str, doc_id: str) -> list[Revision]:
        """Published revisions, newest first."""
        query = select(revisions).where(revisions.c.kind == kind, revisions.c.doc_id == doc_id)
        with self._db.reading() as db:
            rows = db.execute(query.order_by(revisions.c.id.desc())).mappings().all()
        return [Revision.from_row(row) for row in rows]

    def revision(self, revision_id: int, kind: str | None = None, doc_id: str | None = None) -> Revision:
        """A published revision by id, optionally required to be of one document
        (RevisionNotFound otherwise, whatever the number)."""
        row = None
        if valid_row_id(revision_id):
            with self._db.reading() as db:
                row = db.execute(select(revisions).where(revisions.c.id == revision_id)).mappings().first()
        if row is None or (kind is not None and row["kind"] != kind) or (doc_id is not None
                                                                          and row["doc_id"] != doc_id):
            raise RevisionNotFound(f"there is no revision {revision_id}"
                                   + (f" of {kind} '{doc_id}'" if doc_id else ""))
        return Revision.from_row(row)

    def may_discard(self, user: User, draft: Draft) -> bool:
        """Reviewers may discard any draft; editors only drafts they saved last."""
        return user.can("reviewer") or (user.can("editor") and draft.author == user.name)

    def may_publish(self, user: User, draft: Draft) -> bool:
        """Reviewers may publish an open draft nobody but others changed (four eyes),
        any open draft on a single-maintainer instance."""
        return may_publish(user, draft, self._single_maintainer)

    def review_queue(self, user: User) -> ReviewQueue:
        """The open drafts as `user` reviews them: waiting (oldest first), theirs
        (another reviewer must publish), and sent back to their authors."""
        return review_queue(self.drafts(OPEN), user, self._single_maintainer)

    # -- writing ---------------------------------------------------------------

    def create_draft(self, kind: str, doc_id: str, text: str, author: str, message: str = "") -> Draft:
        """The first draft of a new document; InvalidEdit naming `id` when a case, note
        or open draft of either kind already has that id."""
        return self._save(kind, doc_id, text, NEW, author, message, creating=True)

    def save_draft(self, kind: str, doc_id: str, text: str, base_revision: str, author: str,
                   message: str = "") -> Draft:
        """Validate and save `text` as the document's draft.

        Raises InvalidEdit (nothing saved; also when a new document would take the id
        of the other kind) or Conflict (the text is kept as a 'conflict' copy, the open
        draft stays as it was).
        """
        return self._save(kind, doc_id, text, base_revision, author, message, creating=False)

    def _taken(self, kind: str, doc_id: str, kinds: list[str]) -> None:
        """InvalidEdit on `id` when a document or open draft of one of `kinds` has the id."""
        for other_kind in kinds:
            if self.published(other_kind, doc_id)[1] is not None:
                where = f"{FOLDERS[other_kind]}/{doc_id}.md"
            elif self.open_draft(other_kind, doc_id) is not None:
                where = f"an open {other_kind} draft"
            else:
                continue
            raise InvalidEdit([Problem(f"{FOLDERS[kind]}/{doc_id}.md", None, "id",
                                       f"'{doc_id}' is already taken (by {where})")])

    def _save(self, kind: str, doc_id: str, text: str, base_revision: str, author: str, message: str,
              creating: bool) -> Draft:
        self.path_of(kind, doc_id)
        text = text.replace("\r\n", "\n")
        problems = self._errors(kind, doc_id, text)
        if problems:
            raise InvalidEdit(problems)
        now = time.time()
        target = f"{kind}:{doc_id}"
        with self._db.transaction() as db:
            head_revision, head_text = self.head(kind, doc_id)
            published_revision, _ = self.published(kind, doc_id)
            if creating:
                self._taken(kind, doc_id, list(FOLDERS))
            elif head_revision == NEW:  # a new document all the same: ids are unique across kinds
                self._taken(kind, doc_id, [other for other in FOLDERS if other != kind])
            values = dict(kind=kind, doc_id=doc_id, text=text, published_base=published_revision, author=author,
                          message=message, created=now, updated=now, contributors=json.dumps([author]))
            if base_revision != head_revision:
                kept = db.execute(insert(drafts).values(status=CONFLICT, **values)).inserted_primary_key[0]
                conflict = Conflict(head_revision, head_text or "", text, kept)
            else:
                conflict = None
                current = self.open_draft(kind, doc_id)
                if current is not None:  # a save answers a send-back: the draft waits for review again
                    contributors = list(current.contributors) + ([author] if author not in current.contributors
                                                                 else [])
                    db.execute(update(drafts).where(drafts.c.id == current.id)
                               .values(text=text, author=author, message=message, updated=now,
                                       contributors=json.dumps(contributors), sent_back_by=None,
                                       sent_back_note="", sent_back_at=None))
                    draft_id = current.id
                else:
                    draft_id = db.execute(insert(drafts).values(status=OPEN, **values)).inserted_primary_key[0]
        if conflict is not None:
            self._audit(author, "draft.conflict", target, {"kept": conflict.kept_draft})
            raise conflict
        self._audit(author, "draft.save", target, {"draft": draft_id})
        return self.draft(draft_id)

    def discard(self, draft_id: int, user: User) -> Draft:
        """Set a draft aside (kept, with status 'discarded'): Refused when `user` may
        not (see `may_discard`), TransitionRefused when it is no longer open."""
        with self._db.transaction() as db:
            draft = self.draft(draft_id)
            if not self.may_discard(user, draft):
                raise Refused(f"only reviewers may discard other people's drafts; draft {draft_id} was saved "
                              f"by {draft.author}")
            check_transition(draft, DISCARDED)
            db.execute(update(drafts).where(drafts.c.id == draft_id).values(status=DISCARDED, updated=time.time()))
        self._audit(user.name, "draft.discard", f"{draft.kind}:{draft.doc_id}", {"draft": draft_id})
        return self.draft(draft_id)

    def send_back(self, draft_id: int, user: User, note: str) -> Draft:
        """A reviewer returns an open draft to its author with `note` (required): it
        stays the document's open draft, out of the review queue until the next save."""
        note = note.strip()
        if not user.can("reviewer"):
            raise Refused("only reviewers send drafts back")
        if not note:
            raise InvalidInput("note", "say what the author should change")
        with self._db.transaction() as db:
            draft = self.draft(draft_id)
            if not draft.is_open:
                raise TransitionRefused(f"draft {draft_id} is a {draft.label}; it cannot be sent back")
            db.execute(update(drafts).where(drafts.c.id == draft_id)
                       .values(sent_back_by=user.name, sent_back_note=note, sent_back_at=time.time()))
        self._audit(user.name, "draft.send_back", f"{draft.kind}:{draft.doc_id}", {"draft": draft_id})
        return self.draft(draft_id)

    def publish(self, draft_id: int, reviewer: str, message: str = "") -> Revision:
        """Publish an open draft: validate, record, write the file atomically.

        Raises DraftNotFound, TransitionRefused (not open), Refused (the reviewer wrote
        or changed the draft at any point, unless single_maintainer), InvalidEdit or
        Conflict (the file changed since the draft started). The revision credits the
        draft's author as editor with their message, and the reviewer with `message`."""
        draft = self.draft(draft_id)
        check_transition(draft, PUBLISHED)
        self._four_eyes(draft, reviewer)
        problems = self._errors(draft.kind, draft.doc_id, draft.text)
        if problems:
            raise InvalidEdit(problems)
        with self._lock():
            self._complete_intents()  # a publish killed in another, still running, worker
            with self._db.transaction() as db:
                draft = self.draft(draft_id)  # again under the lock: another reviewer may have been first
                check_transition(draft, PUBLISHED)
                self._four_eyes(draft, reviewer)  # and someone may have saved it since
                revision, text = self.published(draft.kind, draft.doc_id)
                if revision != draft.published_base:
                    raise Conflict(revision, text or "", draft.text, draft.id)
                record = self._record(draft.kind, draft.doc_id, draft.text, reviewer,
                                      message or draft.message or f"Publish {draft.kind} {draft.doc_id}",
                                      previous=text, editor=draft.author, editor_message=draft.message,
                                      # the publish form offers the editor's message: kept, it is theirs
                                      reviewer_message="" if message == draft.message else message)
                db.execute(update(drafts).where(drafts.c.id == draft.id)
                           .values(status=PUBLISHED, updated=time.time()))
            self._land(record, draft.author, reopen=draft.id)
        self._audit(reviewer, "publish", f"{draft.kind}:{draft.doc_id}", {"draft": draft_id})
        self._after_publish()
        return record

    def _four_eyes(self, draft: Draft, reviewer: str) -> None:
        """Refused when `reviewer` wrote or changed `draft` (unless single_maintainer)."""
        if reviewer in draft.contributors and not self._single_maintainer:
            raise Refused(f"{reviewer} changed this draft, so another reviewer must publish it "
                          "(four eyes; an instance with one maintainer sets CASEBASE_SINGLE_MAINTAINER=true)")

    def restore(self, revision_id: int, reviewer: str, kind: str | None = None,
                doc_id: str | None = None, *, reason: str) -> Revision:
        """Publish an old revision's text again, as a new revision that names it and
        `reason` (required: InvalidInput on `reason`); validated as any publish is,
        RevisionNotFound when it is not a revision of kind/doc_id."""
        reason = reason.strip()
        if not reason:
            raise InvalidInput("reason", "say why this revision is restored")
        old = self.revision(revision_id, kind, doc_id)
        problems = self._errors(old.kind, old.doc_id, old.text)
        if problems:
            raise InvalidEdit(problems)
        with self._lock():
            self._complete_intents()
            with self._db.transaction():
                _, text = self.published(old.kind, old.doc_id)
                record = self._record(old.kind, old.doc_id, old.text, reviewer,
                                      f"Restore revision {old.id} ({old.revision}): {reason}", previous=text,
                                      editor=reviewer, reviewer_message=reason, restored_from=old.id,
                                      restore_reason=reason)
            self._land(record, reviewer, reopen=None)
        self._audit(reviewer, "restore", f"{old.kind}:{old.doc_id}", {"revision": revision_id, "reason": reason})
        self._after_publish()
        return record

    def _record(self, kind: str, doc_id: str, text: str, reviewer: str, message: str,
                previous: str | None, **credits) -> Revision:
        """Inside the publish transaction: the revision (with `credits`: editor, both
        messages, restored_from, restore_reason) and its publish intent."""
        with self._db.transaction() as db:  # joins the publish's transaction
            if previous is not None and not self.history(kind, doc_id):
                # The first edit through the web keeps the version that came from git or disk.
                db.execute(insert(revisions).values(kind=kind, doc_id=doc_id, revision=content_hash(previous),
                                                    text=previous, author="import", editor="import",
                                                    message="Version before the first web edit", time=time.time()))
            revision_id = db.execute(insert(revisions).values(
                kind=kind, doc_id=doc_id, revision=content_hash(text), text=text, author=reviewer, message=message,
                time=time.time(), **credits)).inserted_primary_key[0]
            db.execute(insert(publish_intents).values(
                revision_id=revision_id, previous_revision=content_hash(previous) if previous is not None else NEW))
            return self.revision(revision_id)

    def _land(self, record: Revision, author: str, reopen: int | None) -> None:
        """After the commit point (holding the write lock): the file, then the intent's
        end. When writing fails with an error (not a kill), the publish is undone:
        revision and intent removed, the draft `reopen` open again."""
        self._checkpoint("recorded")
        path = self.path_of(record.kind, record.doc_id)
        try:
            write_atomically(path, record.text, self._checkpoint)
            self._checkpoint("written")
        except Exception:
            if self.published(record.kind, record.doc_id)[0] != record.revision:
                with self._db.transaction() as db:
                    db.execute(delete(publish_intents).where(publish_intents.c.revision_id == record.id))
                    db.execute(delete(revisions).where(revisions.c.id == record.id))
                    if reopen is not None:
                        db.execute(update(drafts).where(drafts.c.id == reopen).values(status=OPEN))
                raise
            # The file is in place (only making the rename durable failed): finish.
            log.exception("publishing %s %s: the file was written, then", record.kind, record.doc_id)
        with self._db.transaction() as db:
            db.execute(delete(publish_intents).where(publish_intents.c.revision_id == record.id))
        self._checkpoint("finished")
        git_commit(self.content_dir, path, record.author, author, record.message)

    # -- recovery --------------------------------------------------------------

    def recover(self) -> list[Revision]:
        """Finish publishes a killed process left behind and remove its temporary files;
        returns the revisions whose files were written now."""
        with self._lock():
            completed = self._complete_intents()
        if completed:
            self._after_publish()
        return completed

    def _complete_intents(self) -> list[Revision]:
        """Holding the write lock (so every intent found belongs to a dead process):
        write each recorded text whose file still holds the previous one."""
        remove_temporaries([self.content_dir / folder for folder in FOLDERS.values()])
        completed = []
        with self._db.reading() as db:
            rows = db.execute(select(publish_intents).order_by(publish_intents.c.revision_id)).mappings().all()
        for row in rows:
            record = self.revision(row["revision_id"])
            on_disk, _ = self.published(record.kind, record.doc_id)
            if on_disk == row["previous_revision"]:
                path = self.path_of(record.kind, record.doc_id)
                write_atomically(path, record.text)
                git_commit(self.content_dir, path, record.author, record.author, record.message)
                completed.append(record)
                log.warning("completed the interrupted publish of %s %s (revision %s)", record.kind,
                            record.doc_id, record.id)
            elif on_disk != record.revision:
                # Changed by hand since the crash: the file is the source of truth.
                log.warning("not completing revision %s of %s %s: the file changed since",
                            record.id, record.kind, record.doc_id)
            with self._db.transaction() as db:
                db.execute(delete(publish_intents).where(publish_intents.c.revision_id == record.id))
        return completed
