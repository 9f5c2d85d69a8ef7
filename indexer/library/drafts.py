"""What the library stores about edits: drafts and their states, published revisions,
and the errors an edit can meet.

A draft moves through an explicit state machine, and every change of state goes
through `check_transition`, so the allowed moves are written down once:

    open      -> published | discarded     (the document's one working copy)
    conflict  -> discarded                 (a text saved over a newer revision, kept
                                            so nothing is lost; merged by editing)
    published, discarded                   (final)
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

from indexer.content.documents import content_hash
from indexer.content.frontmatter import FrontMatterError, parse_text
from indexer.content.validate import Problem
from indexer.errors import InvalidInput, NotFound, StateConflict

if TYPE_CHECKING:
    from indexer.library.accounts import User

NEW = "new"  # the revision a document that does not exist yet starts from

OPEN = "open"
CONFLICT = "conflict"
PUBLISHED = "published"
DISCARDED = "discarded"
TRANSITIONS: dict[str, frozenset[str]] = {
    OPEN: frozenset({PUBLISHED, DISCARDED}),
    CONFLICT: frozenset({DISCARDED}),
    PUBLISHED: frozenset(),
    DISCARDED: frozenset(),
}
STATE_LABELS = {OPEN: "open draft", CONFLICT: "conflict copy", PUBLISHED: "published draft",
                DISCARDED: "discarded draft"}

class InvalidEdit(InvalidInput):
    """The text does not validate; nothing was written. `field` is the first problem's
    field (or 'body'); `problems` holds them all."""

    def __init__(self, problems: list[Problem]):
        first = problems[0] if problems else None
        super().__init__((first.field if first else None) or "body", "; ".join(str(p) for p in problems))
        self.problems = problems


class Conflict(StateConflict):
    """The edit started from an older revision than the current one."""

    def __init__(self, head_revision: str, head_text: str, your_text: str, kept_draft: int | None):
        super().__init__(f"the document changed since you started (now at revision {head_revision})")
        self.head_revision = head_revision
        self.head_text = head_text
        self.your_text = your_text
        self.kept_draft = kept_draft
        self.diff = unified_diff(head_text, your_text, "current", "yours")


class TransitionRefused(StateConflict):
    """The draft's state does not allow the operation (publish twice, discard a
    published draft); repeating it will not help."""


class DraftNotFound(NotFound):
    """No draft with that id."""


class RevisionNotFound(NotFound):
    """No revision with that id (of that document)."""


def check_transition(draft: "Draft", target: str) -> None:
    """Raise TransitionRefused unless `draft` may move to state `target`.

    >>> check_transition(Draft(1, "case", "a", "", NEW, "erin", "", OPEN, 0, 0), PUBLISHED)
    >>> check_transition(Draft(1, "case", "a", "", NEW, "erin", "", PUBLISHED, 0, 0), DISCARDED)
    Traceback (most recent call last):
    ...
    indexer.library.drafts.TransitionRefused: draft 1 is a published draft; it cannot be discarded
    """
    if target not in TRANSITIONS.get(draft.status, frozenset()):
        verb = {PUBLISHED: "published", DISCARDED: "discarded"}.get(target, target)
        raise TransitionRefused(f"draft {draft.id} is a {STATE_LABELS.get(draft.status, draft.status)}; "
                                f"it cannot be {verb}")


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
    # Everyone who saved it, in the order they first did (four eyes refuses them all).
    contributors: tuple[str, ...] = ()
    # A reviewer sent it back to its author (None: it waits for review); a save clears it.
    sent_back_by: str | None = None
    sent_back_note: str = ""
    sent_back_at: float | None = None

    @classmethod
    def from_row(cls, row: Mapping) -> "Draft":
        """A draft from a `drafts` row (read by column name)."""
        return cls(id=row["id"], kind=row["kind"], doc_id=row["doc_id"], text=row["text"],
                   published_base=row["published_base"], author=row["author"], message=row["message"],
                   status=row["status"], created=row["created"], updated=row["updated"],
                   contributors=tuple(json.loads(row["contributors"] or "[]")) or (row["author"],),
                   sent_back_by=row["sent_back_by"], sent_back_note=row["sent_back_note"] or "",
                   sent_back_at=row["sent_back_at"])

    @property
    def title(self) -> str:
        """The title in its front matter (the id when it has none or does not parse)."""
        try:
            title = parse_text(self.text).data.get("title")
        except FrontMatterError:
            title = None
        return str(title) if title else self.doc_id

    def summary(self, now: float) -> dict:
        """What a review queue shows of it (no text), `now` giving its age in seconds."""
        return {"id": self.id, "kind": self.kind, "doc_id": self.doc_id, "title": self.title, "author": self.author,
                "contributors": list(self.contributors), "message": self.message, "status": self.status,
                "created": self.created, "updated": self.updated, "age_seconds": max(0, int(now - self.updated)),
                "sent_back_by": self.sent_back_by, "sent_back_note": self.sent_back_note,
                "sent_back_at": self.sent_back_at}

    @property
    def waits_for_review(self) -> bool:
        """True for an open draft no reviewer has sent back since its last save."""
        return self.is_open and self.sent_back_by is None

    @property
    def revision(self) -> str:
        """The revision an edit of this draft starts from."""
        return content_hash(self.text)

    @property
    def is_open(self) -> bool:
        """True while the draft is the document's working copy."""
        return self.status == OPEN

    @property
    def label(self) -> str:
        """Its state in words ('open draft', 'conflict copy', ...)."""
        return STATE_LABELS.get(self.status, self.status)


@dataclass(frozen=True)
class Revision:
    """A published version of a document."""

    id: int
    kind: str
    doc_id: str
    revision: str
    text: str
    author: str  # the reviewer who published it
    message: str  # the history's one-line summary
    time: float
    editor: str = ""  # who wrote the text (the draft's author; the restorer for a restore)
    editor_message: str = ""
    reviewer_message: str = ""
    restored_from: int | None = None
    restore_reason: str = ""

    @classmethod
    def from_row(cls, row: Mapping) -> "Revision":
        """A revision from a `revisions` row (read by column name)."""
        return cls(id=row["id"], kind=row["kind"], doc_id=row["doc_id"], revision=row["revision"],
                   text=row["text"], author=row["author"], message=row["message"], time=row["time"],
                   editor=row["editor"] or row["author"], editor_message=row["editor_message"],
                   reviewer_message=row["reviewer_message"], restored_from=row["restored_from"],
                   restore_reason=row["restore_reason"])

    @property
    def reviewer(self) -> str:
        """Who published it (stored as `author`, the name the history always had)."""
        return self.author

    def credits(self) -> dict:
        """Who did what, for the history page and its JSON (no text)."""
        return {"id": self.id, "revision": self.revision, "time": self.time, "editor": self.editor,
                "reviewer": self.reviewer, "editor_message": self.editor_message,
                "reviewer_message": self.reviewer_message, "message": self.message,
                "restored_from": self.restored_from, "restore_reason": self.restore_reason}


def may_publish(user: "User", draft: Draft, single_maintainer: bool = False) -> bool:
    """Four eyes: a reviewer publishes an open draft they never saved (anyone's on a
    single-maintainer instance).

    >>> from indexer.library.accounts import User
    >>> draft = Draft(1, "case", "a", "", NEW, "rita", "", OPEN, 0, 0, contributors=("erin", "rita"))
    >>> may_publish(User("erin", "reviewer"), draft), may_publish(User("tom", "reviewer"), draft)
    (False, True)
    >>> may_publish(User("erin", "reviewer"), draft, single_maintainer=True)
    True
    """
    return (draft.is_open and user.can("reviewer")
            and (single_maintainer or user.name not in draft.contributors))


@dataclass(frozen=True)
class ReviewQueue:
    """Open drafts as one reviewer sees them, each list oldest first (by last save)."""

    waiting: list[Draft] = field(default_factory=list)  # this reviewer may publish them
    yours: list[Draft] = field(default_factory=list)  # they changed them: another reviewer must
    sent_back: list[Draft] = field(default_factory=list)  # waiting for their authors


def review_queue(open_drafts: list[Draft], user: "User", single_maintainer: bool = False) -> ReviewQueue:
    """Sort `open_drafts` into `user`'s review queue."""
    queue = ReviewQueue()
    for draft in sorted(open_drafts, key=lambda item: (item.updated, item.id)):
        if not draft.waits_for_review:
            queue.sent_back.append(draft)
        elif may_publish(user, draft, single_maintainer):
            queue.waiting.append(draft)
        else:
            queue.yours.append(draft)
    return queue


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
