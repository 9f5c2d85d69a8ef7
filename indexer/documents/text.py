"""Plain text and Markdown: decoding by byte-order mark, and Markdown made plain.

Markdown is never rendered: its markup is taken away (heading marks, emphasis, link
targets, HTML tags) and what a reader would see is kept as plain text, cut into one
passage per heading. Text must be UTF-8, UTF-8 with a byte-order mark, or UTF-16 with
a byte-order mark; anything else is refused with the line where decoding failed,
rather than guessed (a wrong guess would silently garble every accent).
"""

from __future__ import annotations

import codecs
import html
import re

import yaml

from indexer.documents.models import MARKDOWN, PLAIN, Extracted
from indexer.documents.passages import Section, section_passages, text_passages
from indexer.errors import InvalidInput

_ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_BLOCK_MARKERS = re.compile(r"^\s*(?:>\s?)*(?:[-*+]\s+|\d{1,9}[.)]\s+)?")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s+\S+")
_INLINE = (
    (re.compile(r"<!--.*?-->", re.S), ""),
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1"),
    (re.compile(r"<((?:https?|mailto):[^>\s]+)>"), r"\1"),
    (re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"), ""),
    (re.compile(r"(`+)(.+?)\1"), r"\2"),
    (re.compile(r"(\*\*|__)(?=\S)([^*_\n]+?)(?<=\S)\1"), r"\2"),
    (re.compile(r"(?<![\w*])([*_])(?=\S)([^*_\n]+?)(?<=\S)\1(?![\w*])"), r"\2"),
    (re.compile(r"~~(?=\S)([^~\n]+?)(?<=\S)~~"), r"\1"),
)
_MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkd")


def decode_text(data: bytes, filename: str) -> str:
    """The text of `data`: UTF-8 (a byte-order mark allowed) or UTF-16 with its
    byte-order mark; InvalidInput naming the file and line otherwise.

    >>> decode_text("olá".encode("utf-16"), "a.txt")
    'olá'
    """
    if data.startswith(codecs.BOM_UTF8):
        encoding, body = "utf-8", data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, body = "utf-16", data
    else:
        encoding, body = "utf-8", data
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as error:
        line = body[: error.start].decode(encoding, "replace").count("\n") + 1
        raise InvalidInput("file", f"{filename}: line {line} is not {encoding.upper()} text; save the file "
                                   "as UTF-8 and upload it again") from error
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InvalidInput("file", f"{filename}: line {line} holds a NUL character, so this is not a text file "
                                   "(or it is UTF-16 without a byte-order mark)")
    return text


def looks_like_markdown(text: str, filename: str) -> bool:
    """Markdown by its file name's extension, or by "# heading" lines.

    >>> looks_like_markdown("# Title\\n\\nbody", "notes.txt"), looks_like_markdown("#5 on the list", "a.txt")
    (True, False)
    """
    if filename.lower().endswith(_MARKDOWN_SUFFIXES):
        return True
    return any(re.match(r"^#{1,6}[ \t]+\S", line) for line in text.splitlines())


def plain_inline(line: str) -> str:
    """One line of Markdown without its inline markup, as a reader sees it.

    >>> plain_inline("**Bold** and *it* with [a link](http://x.org) <b>tag</b> &amp; `code`")
    'Bold and it with a link tag & code'
    """
    for pattern, replacement in _INLINE:
        line = pattern.sub(replacement, line)
    return html.unescape(line)


def _front_matter(lines: list[str]) -> tuple[dict, list[str]]:
    """A leading YAML block's mapping and the lines after it; a block that is not a
    YAML mapping stays part of the text."""
    if not lines or lines[0].strip() != "---":
        return {}, lines
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            try:
                data = yaml.safe_load("\n".join(lines[1:end]))
            except yaml.YAMLError:
                return {}, lines
            return (data, lines[end + 1:]) if isinstance(data, dict) else ({}, lines)
    return {}, lines


def markdown_sections(text: str) -> tuple[dict, list[Section]]:
    """Front matter (if any) and the plain-text sections of a Markdown text."""
    meta, lines = _front_matter(text.splitlines())
    sections = [Section("")]
    paragraph: list[str] = []
    fence = ""

    def end_paragraph() -> None:
        if paragraph:
            sections[-1].paragraphs.append("\n".join(paragraph))
            paragraph.clear()

    for line in lines:
        if fence:
            if line.strip().startswith(fence):
                fence = ""
                end_paragraph()
            else:
                paragraph.append(line)
            continue
        if opening := _FENCE.match(line):
            end_paragraph()
            fence = opening.group(1)
            continue
        if heading := _ATX_HEADING.match(line):
            end_paragraph()
            sections.append(Section(plain_inline(heading.group(2) or "").strip()))
        elif _SETEXT_UNDERLINE.match(line) and paragraph and (line.strip()[0] == "=" or len(paragraph) == 1):
            title = paragraph.pop()
            end_paragraph()
            sections.append(Section(plain_inline(title).strip()))
        elif "|" in line and _TABLE_RULE.match(line):
            continue  # a table's header rule: the rows around it stay one block
        elif not line.strip() or _LINK_DEFINITION.match(line):
            end_paragraph()
        else:
            content = _BLOCK_MARKERS.sub("", line, count=1)
            if content.strip().startswith("|"):
                content = " | ".join(cell.strip() for cell in content.strip().strip("|").split("|"))
            paragraph.append(plain_inline(content))
    end_paragraph()
    return meta, sections


def read_markdown(text: str) -> Extracted:
    """A Markdown text as passages per heading; the title from front matter or the first heading."""
    meta, sections = markdown_sections(text)
    first_heading = next((section.heading for section in sections if section.heading), "")
    title = meta.get("title") if isinstance(meta.get("title"), str) else first_heading
    author = meta.get("author") if isinstance(meta.get("author"), str) else ""
    return Extracted(media_type=MARKDOWN, passages=section_passages(sections), title=title.strip(),
                     author=author.strip())


def read_plain(text: str) -> Extracted:
    """Plain text as passages of blank-line blocks; it has no title or author of its own."""
    return Extracted(media_type=PLAIN, passages=text_passages(text))
