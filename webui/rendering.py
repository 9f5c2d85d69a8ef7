"""Markdown bodies to safe HTML: links resolved, sanitised with nh3, glossary marked.

Casebase links ([[case:ID#lesson]]) point where webui/urls.py says documents live.

Order matters: the author's Markdown is converted and then sanitised, so nothing an
author (or a later web editor) writes can reach a page unsanitised; only afterwards
are glossary tooltips added, built from escaped definitions. Rendered HTML is cached
per document revision (its content hash), so a page view does not re-render.
"""

from __future__ import annotations

import html
import re
import threading
from typing import Callable, Iterable

from cachetools import LRUCache

import markdown
import nh3

from indexer.content.loading import GlossaryTerm
from indexer.content.documents import Document, content_hash, slugify
from indexer.content.links import LINK_PATTERN

from . import urls
from .markdown_limits import IN_PROCESS_LIMIT, RENDER_BUDGET_SECONDS, TooComplex, convert_within, defuse
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
# How many texts that failed to render are remembered (by content hash), so a
# pathological preview or note costs its budget once, not on every request.
FAILED_RENDERS_REMEMBERED = 256
_SKIP_INSIDE = {"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "abbr"}
_TAG = re.compile(r"(<[^>]+>)")


def _convert(text: str) -> str:
    """Python-Markdown with the app's extensions (unsanitised HTML)."""
    try:
        return markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS,
                                 extension_configs={"toc": {"slugify": lambda value, sep: slugify(value)}},
                                 output_format="html")
    except RecursionError:
        raise TooComplex() from None


def safe_html(text: str) -> str:
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
                return safe_html(source)
            return convert_within(source, safe_html, self._budget)
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
