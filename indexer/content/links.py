"""The link syntax between documents: [[case:ID]], [[note:ID]], [[case:ID#LESSON]].

An optional label follows a bar: [[note:financing|how to finance a programme]].
Links are plain text in the Markdown body, so they survive any editor, and are checked
by the validator and turned into anchors by the web front end.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

LINK_PATTERN = re.compile(
    r"\[\[(?P<kind>case|note):(?P<id>[a-z0-9]+(?:-[a-z0-9]+)*)"
    r"(?:#(?P<anchor>[a-z0-9]+(?:-[a-z0-9]+)*))?(?:\|(?P<label>[^\]\n]+))?\]\]"
)
# Anything that looks like a link but does not match the syntax, so typos are reported.
# No '[' inside: each attempt then stops at the next '[', so a line of 100,000 '[' is
# scanned once rather than once per bracket.
LOOSE_LINK_PATTERN = re.compile(r"\[\[[^\[\]\n]*\]\]")


@dataclass(frozen=True)
class Link:
    """One link found in a text; `line` counts from 1 within that text."""

    kind: str
    target: str
    anchor: str | None
    label: str | None
    line: int
    raw: str


def find_links(text: str) -> tuple[list[Link], list[tuple[int, str]]]:
    """Return (valid links, malformed link texts with their lines).

    >>> links, bad = find_links("See [[note:financing|money]].\\n[[case:x#y]] [[oops]]")
    >>> [(l.kind, l.target, l.anchor, l.label, l.line) for l in links]
    [('note', 'financing', None, 'money', 1), ('case', 'x', 'y', None, 2)]
    >>> bad
    [(2, '[[oops]]')]
    """
    links: list[Link] = []
    malformed: list[tuple[int, str]] = []
    for match in LOOSE_LINK_PATTERN.finditer(text):
        line = text.count("\n", 0, match.start()) + 1
        exact = LINK_PATTERN.fullmatch(match.group(0))
        if exact is None:
            malformed.append((line, match.group(0)))
            continue
        links.append(
            Link(
                kind=exact["kind"],
                target=exact["id"],
                anchor=exact["anchor"],
                label=exact["label"],
                line=line,
                raw=match.group(0),
            )
        )
    return links, malformed


_EMPHASIS = re.compile(r"(\*\*|__|`)")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+", re.M)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}.*$", re.M)


def plain_text(text: str, titles: dict[str, str] | None = None) -> str:
    r"""Markdown body as readable plain text for indexing and snippets: links become
    their labels, emphasis marks, list markers and table rules go.

    >>> plain_text("- **Free riders** see [[note:prisoners-dilemma|the dilemma]]\n|a|b|\n|---|---|")
    'Free riders see the dilemma\n|a|b|\n'
    """
    text = strip_links(text, titles)
    text = _TABLE_RULE.sub("", text)
    text = _LIST_MARKER.sub("", text)
    return _EMPHASIS.sub("", text)


def strip_links(text: str, titles: dict[str, str] | None = None) -> str:
    """Replace links by their label, else the target's title, else its id.

    >>> strip_links("read [[note:financing|the financing note]] and [[case:criciuma]]")
    'read the financing note and criciuma'
    >>> strip_links("see [[case:criciuma]]", {"criciuma": "Criciúma tiles"})
    'see Criciúma tiles'
    """
    titles = titles or {}
    return LINK_PATTERN.sub(lambda m: m["label"] or titles.get(m["id"], m["id"]), text)
