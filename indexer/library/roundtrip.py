"""Saves that change only what changed: edited values applied onto a file's own YAML.

The edit form produces plain data; dumping that data afresh rewrites the whole file's
layout (quoting, line wrapping, comments, key order), so a one-sentence edit looked like
a 200-line change to the reviewer. Here the current file's front matter is read with
ruamel.yaml's round-trip loader and only values that differ are replaced, so unchanged
keys keep their bytes and the diff shows the real change.
"""

from __future__ import annotations

import difflib
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError
from ruamel.yaml.util import load_yaml_guess_indent

FENCE = "---"


def _yaml(front: str) -> YAML:
    # A fresh instance per call: YAML objects carry parser state, so none is kept at module level.
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a value we did not change
    # ruamel writes one indentation for the whole document, so use the one this file is written in
    # (the project's files indent lists "  - item"; None when the file has no block list).
    _, sequence, offset = load_yaml_guess_indent(front)
    yaml.indent(mapping=2, sequence=sequence or 4, offset=offset if offset is not None else 2)
    return yaml


def _load_front(text: str):
    """(round-trip YAML, the front matter as a CommentedMap, its text, the rest of the
    file) or None when the text has no readable front matter mapping."""
    parts = split(text)
    if parts is None:
        return None
    front, rest = parts
    try:
        yaml = _yaml(front)
        document = yaml.load(front)
    except YAMLError:
        return None
    if not isinstance(document, CommentedMap):
        return None
    return yaml, document, front, rest


def split(text: str) -> tuple[str, str] | None:
    """(front matter YAML, rest of the file after the closing fence) or None without front matter."""
    if not text.startswith(FENCE + "\n"):
        return None
    end = text.find("\n" + FENCE + "\n", len(FENCE))
    if end < 0:
        return None
    return text[len(FENCE) + 1:end + 1], text[end + len(FENCE) + 2:]


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


def _edit_scalars(old: CommentedSeq, new: list, unordered: bool) -> CommentedSeq:
    """A list of plain values edited in place with the fewest inserted and removed items."""
    before = [_plain(item) for item in old]
    if unordered:
        # A multiple select posts its choices in the options' order, not the file's:
        # keep the file's order and put new choices last.
        new = sorted(new, key=lambda item: before.index(item) if item in before else len(before))
    matcher = difflib.SequenceMatcher(a=before, b=[_plain(item) for item in new], autojunk=False)
    for tag, a0, a1, b0, b1 in reversed(matcher.get_opcodes()):
        if tag == "equal":
            continue
        for index in range(a1 - 1, a0 - 1, -1):
            del old[index]
        for offset, item in enumerate(new[b0:b1]):
            old.insert(a0 + offset, item)
    return old


def _merge(old: Any, new: Any, prune: Callable[[tuple], bool], unordered: Callable[[tuple], bool],
           path: tuple) -> Any:
    """`new` expressed as edits on `old`: returns old itself (modified in place) where possible."""
    if _plain(old) == _plain(new):
        return old
    if isinstance(old, CommentedMap) and isinstance(new, Mapping):
        for key, value in new.items():
            if key in old:
                old[key] = _merge(old[key], value, prune, unordered, path + (key,))
            elif not _empty(value):
                old[key] = value  # a field the file did not have (appended at the end of its mapping)
        for key in [key for key in old if key not in new]:
            if prune(path + (key,)):
                del old[key]
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        if all(not isinstance(item, (Mapping, list)) for item in [*old, *new]):
            return _edit_scalars(old, new, unordered(path))
        shared = min(len(old), len(new))
        for index in range(shared):
            old[index] = _merge(old[index], new[index], prune, unordered, path + (index,))
        del old[shared:]
        old.extend(new[shared:])
        return old
    return new


def apply_edits(current: str, data: Mapping[str, Any], body: str,
                owned: Callable[[tuple], bool], unordered: Callable[[tuple], bool] = lambda path: False) -> str | None:
    """`current`'s text with front matter values changed to `data` and the body set to `body`.

    `owned(path)` says whether the form writes that key wholly, so a key the form left out
    was removed by the editor (rather than being a field the form does not show);
    `unordered(path)` says whether a list's order carries no meaning (a multiple select).
    None when `current` has no readable front matter (the caller then writes it afresh).
    """
    loaded = _load_front(current)
    if loaded is None:  # no readable front matter: the caller writes the file afresh
        return None
    yaml, document, front, rest = loaded
    if _plain(document) != _plain(data):
        _merge(document, data, owned, unordered, ())
        stream = io.StringIO()
        yaml.dump(document, stream)
        front = stream.getvalue()
    old_body = rest[1:] if rest.startswith("\n") else rest
    separator = rest[:len(rest) - len(old_body)]
    if old_body.strip() == body.strip():
        body = old_body
    return f"{FENCE}\n{front}{FENCE}\n{separator}{body}"


# -- one section of a document ---------------------------------------------------------------

_HEADING = re.compile(r"## +\S")
_FENCE = re.compile(r"(```|~~~)")


@dataclass(frozen=True)
class BodySection:
    """One '## ' section of a file's body: its heading and the file lines [start, end) it spans."""

    heading: str
    start: int
    end: int


def body_sections(text: str) -> list[BodySection]:
    """The '## ' sections of a file's body, in order (headings inside fenced code do not count).
    Text before the first heading is a section too when it holds anything.

    >>> [(s.heading, s.start, s.end) for s in body_sections("---\\nid: a\\n---\\n\\n## One\\nx\\n\\n## Two\\ny\\n")]
    [('One', 4, 7), ('Two', 7, 9)]
    """
    lines = text.splitlines(keepends=True)
    parts = split(text)
    first = 0 if parts is None else len((FENCE + "\n" + parts[0] + FENCE + "\n").splitlines())
    starts, in_code = [], False
    for number in range(first, len(lines)):
        line = lines[number]
        if _FENCE.match(line.lstrip()):
            in_code = not in_code
        elif not in_code and _HEADING.match(line):
            starts.append(number)
    sections = []
    preamble_end = starts[0] if starts else len(lines)
    text_start = next((n for n in range(first, preamble_end) if lines[n].strip()), None)
    if text_start is not None:  # from its first written line: the blank line after the fence stays
        sections.append(BodySection("Introduction", text_start, preamble_end))
    for index, start in enumerate(starts):
        end = starts[index + 1] if index + 1 < len(starts) else len(lines)
        sections.append(BodySection(lines[start][3:].strip().rstrip("#").strip(), start, end))
    return sections


def section_text(text: str, section: BodySection) -> str:
    """A body section's text as an editor sees it (without the blank lines that end it)."""
    return "".join(text.splitlines(keepends=True)[section.start:section.end]).rstrip("\n")


def replace_section(text: str, section: BodySection, new: str) -> str:
    """`text` with one body section replaced by `new`; every other byte is kept, and so
    are the blank lines that separated it from the next section.

    >>> text = "---\\nid: a\\n---\\n\\n## One\\nx\\n\\n## Two\\ny\\n"
    >>> replace_section(text, body_sections(text)[0], "## One\\r\\nchanged\\n\\n")
    '---\\nid: a\\n---\\n\\n## One\\nchanged\\n\\n## Two\\ny\\n'
    """
    lines = text.splitlines(keepends=True)
    old = "".join(lines[section.start:section.end])
    tail = old[len(old.rstrip("\n")):] or ("\n" if section.end < len(lines) else "")
    body = new.replace("\r\n", "\n").strip("\n")
    replaced = body + (tail if body else "")
    return "".join(lines[:section.start]) + replaced + "".join(lines[section.end:])


def replace_value(text: str, keys: tuple, value: Any,
                  unordered: Callable[[tuple], bool] = lambda path: False) -> str | None:
    """`text` with the front-matter value at `keys` (e.g. ('summary',) or ('lessons', 2))
    replaced by `value`, edited in place like `apply_edits` so only its lines change.
    None when the file has no readable front matter or nothing at `keys`."""
    loaded = _load_front(text)
    if loaded is None:
        return None
    yaml, document, _, rest = loaded
    parent = document
    for key in keys[:-1]:
        try:
            parent = parent[key]
        except (KeyError, IndexError, TypeError):
            return None
    last = keys[-1]
    if not isinstance(parent, (CommentedMap, CommentedSeq)) or (
            isinstance(parent, CommentedSeq) and not (isinstance(last, int) and 0 <= last < len(parent))):
        return None
    if isinstance(parent, CommentedMap) and last not in parent:
        parent[last] = value
    elif _plain(parent[last]) == _plain(value):
        return text
    else:
        parent[last] = _merge(parent[last], value, lambda path: True, unordered, tuple(keys))
    stream = io.StringIO()
    yaml.dump(document, stream)
    return f"{FENCE}\n{stream.getvalue()}{FENCE}\n{rest}"
