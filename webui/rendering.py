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

import markdown
import nh3

from indexer.content.loading import GlossaryTerm
from indexer.content.documents import Document, content_hash, slugify
from indexer.content.links import LINK_PATTERN

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
_SKIP_INSIDE = {"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "abbr"}
_TAG = re.compile(r"(<[^>]+>)")


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


def mark_glossary(fragment: str, terms: Iterable[GlossaryTerm]) -> str:
    """Wrap the first use of each glossary term in a focusable tooltip.

    Works on text between tags only, never inside links, code or headings.

    >>> term = GlossaryTerm("co-opetition", ("coopetition",), "Rivals <who> cooperate.", None, None)
    >>> mark_glossary("<p>Coopetition and co-opetition.</p>", [term])  # doctest: +NORMALIZE_WHITESPACE
    '<p><span class="term" tabindex="0">Coopetition<span class="tip" role="tooltip">co-opetition:
    Rivals &lt;who&gt; cooperate.</span></span> and co-opetition.</p>'
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
        for position, (pattern, term) in enumerate(pending):
            if term is None:
                continue
            match = pattern.search(piece)
            if match:
                tip = html.escape(f"{term.term}: {term.definition}")
                piece = (piece[:match.start()] + f'<span class="term" tabindex="0">{match.group(0)}'
                         f'<span class="tip" role="tooltip">{tip}</span></span>' + piece[match.end():])
                pending[position] = (pattern, None)
        pieces[index] = piece
    return "".join(pieces)


class Renderer:
    """Renders document bodies, caching by document id and content hash."""

    def __init__(self, titles: Callable[[], dict[str, str]], kinds: Callable[[], dict[str, str]],
                 glossary: Callable[[], list[GlossaryTerm]], link: DocumentLink = urls.document):
        self._titles = titles
        self._kinds = kinds
        self._glossary = glossary
        self._link = link  # webui/urls.py by default: links follow the app's routes
        self._cache: dict[tuple[str, str, bool], str] = {}
        self._lock = threading.Lock()

    def body(self, document: Document, with_glossary: bool = False) -> str:
        """Safe HTML of a document's body."""
        key = (document.id, document.content_hash, with_glossary)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        rendered = self.markdown(document.body)
        if with_glossary:
            rendered = mark_glossary(rendered, self._glossary())
        with self._lock:
            self._cache[key] = rendered
        return rendered

    def markdown(self, text: str) -> str:
        """Safe HTML of any Markdown text that may contain casebase links."""
        source = resolve_links(text, self._titles(), self._kinds(), self._link)
        converted = markdown.markdown(source, extensions=["tables", "sane_lists", "toc"],
                                      extension_configs={"toc": {"slugify": lambda value, sep: slugify(value)}},
                                      output_format="html")
        return sanitize(converted)

    def inline(self, text: str) -> str:
        """Safe HTML of a one-paragraph text, without the surrounding <p> (cached by text)."""
        key = ("inline", content_hash(text), False)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        rendered = self.markdown(text)
        if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
            rendered = rendered[3:-4]
        with self._lock:
            self._cache[key] = rendered
        return rendered
