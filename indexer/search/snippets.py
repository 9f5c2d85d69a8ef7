"""Snippets with highlighted query terms, computed from cached token offsets.

Analysing a unit's text is the expensive part of highlighting, so each unit's tokens
(analysed term, start, end) are computed once and kept; building a snippet for a
query is then a window search over integers. Plain snippets mark matches with
[brackets]; HTML snippets escape the text and wrap matches in <mark>.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from dataclasses import dataclass
from html import escape
from typing import Callable

SNIPPET_CHARS = 220


@dataclass(frozen=True)
class Snippet:
    """One snippet in both renderings."""

    text: str
    html: str


class SnippetMaker:
    """Makes snippets for texts identified by a key, caching their token offsets."""

    def __init__(self, tokenize: Callable[[str], list[tuple[str, int, int]]]):
        self._tokenize = tokenize
        self._tokens: dict[str, list[tuple[str, int, int]]] = {}
        self._lock = threading.Lock()

    def _tokens_of(self, key: str, text: str) -> list[tuple[str, int, int]]:
        tokens = self._tokens.get(key)
        if tokens is None:
            tokens = self._tokenize(text)
            with self._lock:
                self._tokens[key] = tokens
        return tokens

    def make(self, key: str, text: str, wanted: set[str], width: int = SNIPPET_CHARS) -> Snippet:
        """The window of `text` with the most query-term matches (or its lead).

        >>> maker = SnippetMaker(lambda t: [(w.lower(), t.index(w), t.index(w) + len(w)) for w in t.split()])
        >>> maker.make("k", "Frog exporters in Zamora <b>", {"zamora"}).html
        'Frog exporters in <mark>Zamora</mark> &lt;b&gt;'
        """
        flat_text = text
        matches = [(start, end) for term, start, end in self._tokens_of(key, text) if term in wanted]
        if not matches:
            lead = _cut(flat_text, 0, width)
            return Snippet(lead, escape(lead))
        best_start = _densest_start([start for start, _ in matches], width)
        window_start = max(0, best_start - width // 4)
        window_start = _word_start(flat_text, window_start)
        window_end = min(len(flat_text), window_start + width)
        inside = [(s, e) for s, e in matches if s >= window_start and e <= window_end]
        plain, html, cursor = [], [], window_start
        for start, end in inside:
            plain.append(flat_text[cursor:start] + "[" + flat_text[start:end] + "]")
            html.append(escape(flat_text[cursor:start]) + "<mark>" + escape(flat_text[start:end]) + "</mark>")
            cursor = end
        tail = _cut(flat_text, cursor, window_end - cursor, ellipsis=window_end < len(flat_text))
        prefix = "… " if window_start > 0 else ""
        return Snippet(_squash(prefix + "".join(plain) + tail), _squash(prefix + "".join(html) + escape(tail)))


def _densest_start(starts: list[int], width: int) -> int:
    """The first start whose window of `width` characters holds the most starts, found
    by bisection over the ascending starts (a long passage of a common word has hundreds
    of matches, and counting each window afresh was quadratic).

    >>> _densest_start([0, 50, 300, 310, 320], 100), _densest_start([5, 500], 100)
    (300, 5)
    """
    best_start, best_count = starts[0], 0
    for index, start in enumerate(starts):
        count = bisect_left(starts, start + width, lo=index) - index
        if count > best_count:
            best_start, best_count = start, count
    return best_start


def _word_start(text: str, position: int) -> int:
    while 0 < position < len(text) and not text[position - 1].isspace():
        position -= 1
    return position


def _cut(text: str, start: int, width: int, ellipsis: bool | None = None) -> str:
    piece = text[start:start + width]
    more = ellipsis if ellipsis is not None else start + width < len(text)
    if more and " " in piece:
        piece = piece.rsplit(" ", 1)[0]
    return piece + (" …" if more else "")


def _squash(text: str) -> str:
    return " ".join(text.split())
