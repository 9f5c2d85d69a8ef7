"""The documents of the casebase: cases, notes and their lessons, as plain objects.

These are what the validator produces from valid files and what the indexer, the
similarity measures and the web front end consume. They carry no behaviour beyond
reading their own fields.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.content.vocabulary import UNKNOWN

HEADING_PATTERN = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Section:
    """A part of a document body under one heading; the intro has heading ''."""

    heading: str
    anchor: str
    text: str


@dataclass(frozen=True)
class Lesson:
    """A lesson learned, owned by a case, searched and suggested on its own."""

    id: str
    case_id: str
    statement: str
    explanation: str
    topics: tuple[str, ...]
    applies_when: dict[str, tuple[str, ...]]
    sources: tuple[str, ...]

    @property
    def uid(self) -> str:
        """Globally unique id: '<case-id>#<lesson-id>'."""
        return f"{self.case_id}#{self.id}"


@dataclass
class Document:
    """A validated case or note."""

    id: str
    kind: str
    title: str
    summary: str
    meta: dict[str, Any]
    body: str
    path: Path
    body_line: int = 1
    sections: list[Section] = field(default_factory=list)
    lessons: list[Lesson] = field(default_factory=list)
    content_hash: str = ""
    modified: float = 0.0

    def get(self, dotted: str, default: Any = UNKNOWN) -> Any:
        """Front-matter value at a dotted path such as 'initiative.approach'."""
        node: Any = self.meta
        for key in dotted.split("."):
            if not isinstance(node, dict) or key not in node:
                return default
            node = node[key]
        return default if node is None else node

    def values(self, dotted: str) -> list[str]:
        """A field as a list of known values (unknown and empty dropped)."""
        value = self.get(dotted, [])
        items = value if isinstance(value, list) else [value]
        return [str(item) for item in items if item not in (None, "", UNKNOWN)]

    def lesson(self, lesson_id: str) -> Lesson | None:
        """The lesson with this id, or None."""
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)


def slugify(text: str) -> str:
    """Anchor for a heading.

    >>> slugify("What was done?  (1998-2002)")
    'what-was-done-1998-2002'
    """
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def split_sections(body: str) -> list[Section]:
    """Split a Markdown body at its headings; text before the first heading is ''.

    >>> [(s.heading, s.text) for s in split_sections("Intro\\n## A\\ntext a\\n### B\\ntext b\\n")]
    [('', 'Intro'), ('A', 'text a'), ('B', 'text b')]
    """
    sections: list[Section] = []
    heading, lines = "", []
    in_fence = False

    def flush() -> None:
        text = "\n".join(lines).strip()
        if text or heading:
            sections.append(Section(heading, slugify(heading), text))

    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else HEADING_PATTERN.match(line)
        if match:
            flush()
            heading, lines = match.group(2).strip(), []
        else:
            lines.append(line)
    flush()
    return sections


def content_hash(text: str) -> str:
    """Stable hash of a file's text, used for incremental indexing and revisions."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
