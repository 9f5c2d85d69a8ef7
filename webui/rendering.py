"""Markdown bodies to safe HTML: links resolved, sanitised with nh3, glossary marked.

Casebase links ([[case:ID#lesson]]) point where webui/urls.py says documents live.

Order matters: the author's Markdown is converted and then sanitised, so nothing an
author (or a later web editor) writes can reach a page unsanitised; only afterwards
are glossary tooltips added, built from escaped definitions. Rendered HTML is cached
per document revision (its content hash), so a page view does not re-render.
"""

from __future__ import annotations

import html
import os
import re
import select
import signal
import threading
import time
from typing import Callable, Iterable

from cachetools import LRUCache

import markdown
import nh3

from indexer.content.loading import GlossaryTerm
from indexer.content.documents import Document, content_hash, slugify
from indexer.content.links import LINK_PATTERN
from indexer.errors import InvalidInput

from . import urls
from .urls import LESSON_ANCHOR_PREFIX

# Builds the link of a document: (kind, id, anchor) -> URL.
DocumentLink = Callable[[str, str, "str | None"], str]

ALLOWED_TAGS = {
    "a", "abbr", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h1", "h2", "h3", "h4",
    "h5", "h6", "hr", "li", "ol", "p", "pre", "strong", "sub", "sup", "table", "tbody", "td", "th",
    "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "td": {"align"},
    "th": {"align"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
}
URL_SCHEMES = {"http", "https", "mailto"}
MARKDOWN_EXTENSIONS = ["tables", "sane_lists", "toc"]
# Longest a Markdown conversion may run; past it the text is "too complex" (the work is
# killed, not abandoned: it runs in a child process).
RENDER_BUDGET_SECONDS = 2.0
# Texts up to this size convert in-process: after defuse() they take milliseconds, and
# forking for every lesson line would cost more than it saves.
IN_PROCESS_LIMIT = 4096
# Deeper bracket nesting is shown as text (no author needs 16 levels of [).
MAX_BRACKET_DEPTH = 16
# Deeper list/quote nesting is flattened: Python-Markdown recurses per level and hits
# Python's recursion limit (a RecursionError) a few hundred levels down.
MAX_INDENT = 32
MAX_QUOTE_DEPTH = 16
# How many texts that failed to render are remembered (by content hash), so a
# pathological preview or note costs its budget once, not on every request.
FAILED_RENDERS_REMEMBERED = 256
_SKIP_INSIDE = {"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "abbr"}
_TAG = re.compile(r"(<[^>]+>)")


class TooComplex(InvalidInput):
    """A Markdown text that cannot be rendered within the budget (answered 422)."""

    def __init__(self, field: str = "body"):
        super().__init__(field, "this text is too complex to preview or render; simplify it "
                                "(unmatched [ or <, very deep nesting) and try again")


_CODE_RUN = re.compile(r"`+")
_LEADING_QUOTES = re.compile(r"^(?:[ ]{0,3}>[ ]?)+")
_LEADING_SPACE = re.compile(r"^[ \t]+")


def _code_spans(line: str) -> list[tuple[int, int]]:
    """(start, end) of the backtick code spans of one line, found in one pass."""
    spans, open_runs = [], {}
    for match in _CODE_RUN.finditer(line):
        length = len(match.group(0))
        start = open_runs.pop(length, None)
        if start is None:
            open_runs[length] = match.start()
        else:
            spans.append((start, match.end()))
            open_runs.clear()  # a closed span hides any run opened inside it
    return spans


def _defuse_line(line: str) -> str:
    """Escape the openers of one line that cannot close: '[' without its ']', '(' after
    '](' without its ')', '<' with no '>' before the next '<'; and '[' nested deeper
    than MAX_BRACKET_DEPTH. Python-Markdown rescans to the end of the block for each
    such opener, which makes its time grow with the square of the text."""
    code = _code_spans(line)
    in_code = bytearray(len(line))
    for start, end in code:
        in_code[start:end] = b"\x01" * (end - start)
    escape: set[int] = set()
    brackets: list[int] = []
    parens: list[int] = []
    closed_parens: set[int] = set()
    closed_brackets: list[int] = []  # positions of ']' that closed a '['
    position = 0
    while position < len(line):
        char = line[position]
        if in_code[position]:
            position += 1
            continue
        if char == "\\":
            position += 2
            continue
        if char == "[":
            if len(brackets) >= MAX_BRACKET_DEPTH:
                escape.add(position)
            else:
                brackets.append(position)
        elif char == "]" and brackets:
            brackets.pop()
            closed_brackets.append(position)
        elif char == "(":
            parens.append(position)
        elif char == ")" and parens:
            closed_parens.add(parens.pop())
        position += 1
    escape.update(brackets)
    for close in closed_brackets:
        if line.startswith("(", close + 1) and close + 1 not in closed_parens:
            escape.add(close + 1)
    next_open = len(line)  # '<' with a '>' before the next '<' may be a tag; others are text
    next_close = None
    for position in range(len(line) - 1, -1, -1):
        char = line[position]
        if in_code[position]:
            continue
        if char == ">":
            next_close = position
        elif char == "<":
            if next_close is None or next_close > next_open:
                escape.add(position)
            next_open = position
    if not escape:
        return line
    pieces = []
    for position, char in enumerate(line):
        if position in escape:
            pieces.append("&lt;" if char == "<" else "\\" + char)
        else:
            pieces.append(char)
    return "".join(pieces)


def _flatten_nesting(line: str) -> str:
    """Cap quote depth and indentation, which Python-Markdown turns into recursion."""
    quotes = _LEADING_QUOTES.match(line)
    if quotes and quotes.group(0).count(">") > MAX_QUOTE_DEPTH:
        line = "> " * MAX_QUOTE_DEPTH + line[quotes.end():]
    space = _LEADING_SPACE.match(line)
    if space and len(space.group(0).expandtabs(4)) > MAX_INDENT:
        line = " " * MAX_INDENT + line[space.end():]
    return line


def defuse(text: str) -> str:
    r"""The text with what makes Markdown slow or recursive made plain, in linear time;
    matched links, images, tags and code spans are left as written.

    >>> defuse("[a](b) [c <d> e<f `[g`")
    '[a](b) \\[c <d> e&lt;f `[g`'
    >>> defuse("[a](b")
    '[a]\\(b'
    """
    # Judged per line: a raw tag split over lines is shown as text, an accepted cost.
    return "\n".join(_defuse_line(_flatten_nesting(line)) for line in text.split("\n"))


def _convert(text: str) -> str:
    """Python-Markdown with the app's extensions (unsanitised HTML)."""
    try:
        return markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS,
                                 extension_configs={"toc": {"slugify": lambda value, sep: slugify(value)}},
                                 output_format="html")
    except RecursionError:
        raise TooComplex() from None


def convert_within(text: str, budget: float = RENDER_BUDGET_SECONDS) -> str:
    """`_render(text)` in a forked child killed after `budget` seconds (TooComplex).
    The sanitiser runs there too: html5ever's time also grows with the square of the
    nesting of raw tags (20,000 nested <div> take 1.6 s).

    A thread cannot be stopped and signals reach only the main thread, so a child
    process is the one way to stop a runaway conversion inside a threaded worker."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: convert, write, leave without running the parent's cleanup
        status = 0
        try:
            os.close(read_end)
            try:
                payload = b"+" + _render(text).encode("utf-8", "surrogatepass")
            except TooComplex:
                payload = b"!"
            view = memoryview(payload)
            while view:
                written = os.write(write_end, view)
                view = view[written:]
        except BaseException:  # noqa: BLE001 - the parent sees a missing answer and refuses
            status = 1
        finally:
            os._exit(status)
    os.close(write_end)
    chunks: list[bytes] = []
    deadline = time.monotonic() + budget
    finished = False
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                break
            ready, _, _ = select.select([read_end], [], [], remaining)
            if not ready:
                break
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                finished = True
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        if not finished:
            _kill(pid)
        os.waitpid(pid, 0)
    answer = b"".join(chunks)
    if not finished or not answer.startswith(b"+"):
        raise TooComplex()
    return answer[1:].decode("utf-8", "surrogatepass")


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:  # it ended between the deadline and the kill
        pass


def _render(text: str) -> str:
    """Safe HTML of defused Markdown: converted, then sanitised."""
    return sanitize(_convert(text))


def sanitize(fragment: str) -> str:
    """Keep only harmless tags and attributes; drop javascript:/data: URLs.

    >>> sanitize('<p onclick="x()">Hi<script>alert(1)</script> <a href="javascript:alert(1)">x</a></p>')
    '<p>Hi <a rel="noopener noreferrer">x</a></p>'
    """
    return nh3.clean(fragment, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     clean_content_tags={"script", "style"}, link_rel="noopener noreferrer")


def resolve_links(text: str, titles: dict[str, str], kinds: dict[str, str], link: DocumentLink) -> str:
    """Turn [[case:ID]]-style links into Markdown links to `link(kind, id, anchor)`;
    unknown targets become text.

    >>> def link(kind, doc_id, anchor):
    ...     return f"/{kind}s/{doc_id}" + (f"#{anchor}" if anchor else "")
    >>> resolve_links("See [[note:money|funding]] and [[case:x#l1]] or [[case:gone]].",
    ...               {"money": "Financing", "x": "X town"}, {"money": "note", "x": "case"}, link)
    'See [funding](/notes/money) and [X town](/cases/x#lesson-l1) or gone.'
    """
    def replace(match: re.Match) -> str:
        target, kind = match["id"], match["kind"]
        label = match["label"] or titles.get(target, target)
        if kinds.get(target) != kind:
            return label
        anchor = f"{LESSON_ANCHOR_PREFIX}{match['anchor']}" if match["anchor"] else None
        return f"[{label}]({link(kind, target, anchor)})"

    return LINK_PATTERN.sub(replace, text)


def term_anchor(term: str) -> str:
    """The glossary page's anchor of a term.

    >>> term_anchor("Location quotient (LQ)")
    'term-location-quotient-lq'
    """
    return "term-" + re.sub(r"[^a-z0-9]+", "-", term.casefold()).strip("-")


TermLinks = Callable[[GlossaryTerm], list[tuple[str, str]]]


def mark_glossary(fragment: str, terms: Iterable[GlossaryTerm], links: TermLinks | None = None) -> str:
    """Wrap the first use of each glossary term in a focusable tooltip, which ends
    with the term's `links` ((label, url) pairs: its note, its glossary entry).

    Works on text between tags only, never inside links, code or headings, and never
    inside another term's tip.

    >>> term = GlossaryTerm("co-opetition", ("coopetition",), "Rivals <who> cooperate.", None, None)
    >>> mark_glossary("<p>Coopetition and co-opetition.</p>", [term])  # doctest: +NORMALIZE_WHITESPACE
    '<p><span class="term" tabindex="0">Coopetition<span class="tip" role="tooltip">co-opetition:
    Rivals &lt;who&gt; cooperate.</span></span> and co-opetition.</p>'
    >>> mark_glossary("<p>Coopetition.</p>", [term], lambda t: [("Glossary", "/glossary#x&y")])
    ... # doctest: +NORMALIZE_WHITESPACE
    '<p><span class="term" tabindex="0">Coopetition<span class="tip" role="tooltip">co-opetition:
    Rivals &lt;who&gt; cooperate. <a href="/glossary#x&amp;y">Glossary</a></span></span>.</p>'
    >>> rivals = GlossaryTerm("rivals", (), "Competitors.", None, None)
    >>> mark_glossary("<p>Coopetition.</p>", [term, rivals]).count('class="term"')  # not in the tip
    1
    """
    pending = []
    for term in terms:
        forms = sorted({term.term, *term.aliases}, key=len, reverse=True)
        pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(f) for f in forms) + r")(?![\w-])", re.I)
        pending.append((pattern, term))
    pieces = _TAG.split(fragment)
    open_tags: list[str] = []
    for index, piece in enumerate(pieces):
        if piece.startswith("<"):
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", piece)
            if name:
                tag = name.group(1).lower()
                if piece.startswith("</"):
                    if tag in open_tags:
                        open_tags.remove(tag)
                elif not piece.endswith("/>") and tag in _SKIP_INSIDE:
                    open_tags.append(tag)
            continue
        if open_tags or not piece.strip():
            continue
        # Matches are found in the text as written, never inside a tip added before.
        chosen: list[tuple[int, int, GlossaryTerm]] = []
        for position, (pattern, term) in enumerate(pending):
            if term is None:
                continue
            for match in pattern.finditer(piece):
                if all(match.end() <= start or match.start() >= end for start, end, _ in chosen):
                    chosen.append((match.start(), match.end(), term))
                    pending[position] = (pattern, None)
                    break
        for start, end, term in sorted(chosen, key=lambda found: found[0], reverse=True):
            tip = html.escape(f"{term.term}: {term.definition}")
            tip += "".join(f' <a href="{html.escape(url)}">{html.escape(label)}</a>'
                           for label, url in (links(term) if links else ()))
            piece = (piece[:start] + f'<span class="term" tabindex="0">{piece[start:end]}'
                     f'<span class="tip" role="tooltip">{tip}</span></span>' + piece[end:])
        pieces[index] = piece
    return "".join(pieces)


class Renderer:
    """Renders document bodies, caching by document id and content hash."""

    def __init__(self, titles: Callable[[], dict[str, str]], kinds: Callable[[], dict[str, str]],
                 glossary: Callable[[], list[GlossaryTerm]], link: DocumentLink = urls.document,
                 budget: float = RENDER_BUDGET_SECONDS, glossary_link: Callable[[str], str] = urls.glossary):
        self._titles = titles
        self._kinds = kinds
        self._glossary = glossary
        self._link = link  # webui/urls.py by default: links follow the app's routes
        self._glossary_link = glossary_link
        self._budget = budget
        self._cache: dict[tuple[str, str, bool], str] = {}
        self._failed: LRUCache = LRUCache(maxsize=FAILED_RENDERS_REMEMBERED)
        self._lock = threading.Lock()

    def body(self, document: Document, with_glossary: bool = False) -> str:
        """Safe HTML of a document's body; a body too complex to render is shown as
        its escaped source under a notice (and that answer is cached like any other)."""
        key = (document.id, document.content_hash, with_glossary)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            rendered = self.markdown(document.body)
        except TooComplex as error:
            rendered = (f'<p class="render-error">{html.escape(error.message)}</p>'
                        f"<pre>{html.escape(document.body)}</pre>")
            with self._lock:
                self._cache[key] = rendered
            return rendered
        if with_glossary:
            rendered = mark_glossary(rendered, self._glossary(), lambda term: self.term_links(term, document.id))
        with self._lock:
            self._cache[key] = rendered
        return rendered

    def term_links(self, term: GlossaryTerm, current: str | None = None) -> list[tuple[str, str]]:
        """Where a tooltip leads: the note that explains the term (unless it is the
        page being read) and the term's glossary entry."""
        links = []
        if term.note and term.note != current:
            title = self._titles().get(term.note)
            if title:
                links.append((f"Read the note: {title}", self._link("note", term.note, None)))
        links.append(("Glossary entry", self._glossary_link(term_anchor(term.term))))
        return links

    def markdown(self, text: str) -> str:
        """Safe HTML of any Markdown text that may contain casebase links; TooComplex
        when it cannot be converted within RENDER_BUDGET_SECONDS (remembered by content
        hash, so the same text is refused at once the next time)."""
        fingerprint = content_hash(text)
        if fingerprint in self._failed:
            raise TooComplex()
        source = defuse(resolve_links(text, self._titles(), self._kinds(), self._link))
        try:
            if len(source) <= IN_PROCESS_LIMIT:
                return _render(source)
            return convert_within(source, self._budget)
        except TooComplex:
            with self._lock:
                self._failed[fingerprint] = True
            raise

    def inline(self, text: str) -> str:
        """Safe HTML of a one-paragraph text, without the surrounding <p> (cached by
        text); a text too complex to render is shown escaped."""
        key = ("inline", content_hash(text), False)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        try:
            rendered = self.markdown(text)
        except TooComplex:  # a lesson line too complex to render is shown as its text
            rendered = html.escape(text)
        if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
            rendered = rendered[3:-4]
        with self._lock:
            self._cache[key] = rendered
        return rendered
