"""Cutting extracted text into passages: one per heading section, long ones split.

A passage is what search shows as one hit, so it should be about a screenful: sections
are cut at paragraph boundaries once they pass about TARGET_CHARACTERS, and a single
paragraph that is far longer (a text without blank lines) at sentence ends.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from indexer.documents.models import Passage

TARGET_CHARACTERS = 1500
_SENTENCE_END = re.compile(r"(?<=[.!?;:])\s+")
_SPACES = re.compile(r"[ \t\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"\n\s*\n")


@dataclass
class Section:
    """The paragraphs under one heading ("" before the first heading)."""

    heading: str
    paragraphs: list[str] = field(default_factory=list)


def clean(text: str) -> str:
    """Text with runs of spaces made one, lines stripped and at most one blank line.

    >>> clean("  a \\t b \\n\\n\\n\\n c  ")
    'a b\\n\\nc'
    """
    lines = [_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def blocks(text: str) -> list[str]:
    """The blank-line separated blocks of a text, cleaned, empty ones left out.

    >>> blocks("one\\ntwo\\n\\n\\nthree\\n")
    ['one\\ntwo', 'three']
    """
    return [block for block in (clean(part) for part in _BLANK_LINES.split(text)) if block]


def _pieces(paragraph: str, target: int) -> list[str]:
    """A paragraph, or its sentences packed to about `target` when it is far longer.

    >>> _pieces("One. Two. Three. Four.", 10)
    ['One. Two.', 'Three.', 'Four.']
    """
    if len(paragraph) <= 2 * target:
        return [paragraph]
    words = [part for part in _SENTENCE_END.split(paragraph) if part]
    if len(words) == 1:  # no sentence ends: cut between words, else anywhere
        words = paragraph.split() or [paragraph]
    pieces: list[str] = []
    current = ""
    for word in words:
        while len(word) > 2 * target:  # one endless "word": cut it
            if current:
                pieces.append(current)
                current = ""
            pieces.append(word[:target])
            word = word[target:]
        if current and len(current) + 1 + len(word) > target:
            pieces.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        pieces.append(current)
    return pieces


def _chunks(paragraphs: Iterable[str], target: int) -> list[str]:
    """Paragraphs joined by blank lines into chunks of about `target` characters.

    >>> _chunks(["aaaa", "bbbb", "cc"], 10)
    ['aaaa\\n\\nbbbb', 'cc']
    """
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for paragraph in paragraphs:
        for piece in _pieces(paragraph, target):
            if current and size + 2 + len(piece) > target:
                chunks.append("\n\n".join(current))
                current, size = [], 0
            size += (2 if current else 0) + len(piece)
            current.append(piece)
    if current:
        chunks.append("\n\n".join(current))
    return chunks


def section_passages(sections: Sequence[Section], target: int = TARGET_CHARACTERS) -> list[Passage]:
    """One passage per section (heading kept), long sections split at paragraphs;
    sections with no text of their own give none."""
    passages: list[Passage] = []
    for section in sections:
        paragraphs = [text for text in (clean(paragraph) for paragraph in section.paragraphs) if text]
        for chunk in _chunks(paragraphs, target):
            passages.append(Passage(number=len(passages), heading=section.heading, text=chunk))
    return passages


def text_passages(text: str, target: int = TARGET_CHARACTERS) -> list[Passage]:
    """Plain text as passages of blank-line blocks packed to about `target` characters."""
    return section_passages([Section("", blocks(text))], target)
