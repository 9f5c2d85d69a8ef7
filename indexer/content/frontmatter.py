"""Safe, bounded reading of Markdown files with YAML front matter.

Content files are written by people, and later by a web editor, so the loader must
never hang or run code: YAML is composed with the safe loader, aliases are allowed
only while the fully expanded document stays small (a "billion laughs" document is
refused before it is expanded), and oversized files are refused unread. Every error
carries the 1-based line in the *file*, not in the YAML block.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_FILE_BYTES = 512 * 1024
MAX_EXPANDED_NODES = 20_000

FENCE = "---"


class FrontMatterError(ValueError):
    """A file whose front matter cannot be read; `line` is 1-based in the file."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class ParsedFile:
    """Front matter as plain data, where each key path was written, and the body."""

    data: dict[str, Any]
    body: str
    body_line: int
    key_lines: dict[tuple, int] = field(default_factory=dict)

    def line_of(self, *path: Any) -> int | None:
        """Line of the deepest written prefix of `path` (a field that is missing
        is reported at its parent), or None."""
        for end in range(len(path), 0, -1):
            line = self.key_lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


def read_file(path: Path) -> ParsedFile:
    """Read and parse one content file, refusing oversized files before reading."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FrontMatterError(
            f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes", None
        )
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise FrontMatterError(f"file is not valid UTF-8 ({exc.reason} at byte {exc.start})")
    return parse_text(text)


def split_front_matter(text: str) -> tuple[str, str, int]:
    """Split `text` into (yaml_text, body, body_line).

    >>> split_front_matter("---\\nid: a\\n---\\nBody\\n")
    ('id: a\\n', 'Body\\n', 4)
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].rstrip() != FENCE:
        raise FrontMatterError("file must start with a '---' line opening the YAML front matter", 1)
    for index in range(1, len(lines)):
        if lines[index].rstrip() == FENCE:
            yaml_text = "".join(lines[1:index])
            body = "".join(lines[index + 1 :])
            return yaml_text, body, index + 2
    raise FrontMatterError("front matter is not closed: no second '---' line", len(lines))


def parse_text(text: str) -> ParsedFile:
    """Parse a whole file's text (front matter and body)."""
    if len(text.encode("utf-8")) > MAX_FILE_BYTES:
        raise FrontMatterError(f"text is larger than the limit of {MAX_FILE_BYTES:,} bytes")
    yaml_text, body, body_line = split_front_matter(text)
    data, key_lines = load_yaml(yaml_text, first_line=2)
    if data is None:
        raise FrontMatterError("front matter is empty", 2)
    if not isinstance(data, dict):
        raise FrontMatterError("front matter must be a mapping of field: value", 2)
    return ParsedFile(data=data, body=body, body_line=body_line, key_lines=key_lines)


def load_yaml(yaml_text: str, first_line: int = 1) -> tuple[Any, dict[tuple, int]]:
    """Safely load bounded YAML; returns (data, line of each key path).

    `first_line` is the file line the YAML text starts on, so that errors and key
    lines refer to the file the author edits.

    >>> load_yaml("a: [1, 2]\\nb: x\\n")
    ({'a': [1, 2], 'b': 'x'}, {('a',): 1, ('a', 0): 1, ('a', 1): 1, ('b',): 2})
    """
    if len(yaml_text.encode("utf-8")) > MAX_FILE_BYTES:
        raise FrontMatterError(f"YAML is larger than the limit of {MAX_FILE_BYTES:,} bytes")
    offset = first_line
    try:
        node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc)
        context = getattr(exc, "context", None)
        message = f"YAML syntax error: {problem}" + (f" ({context})" if context else "")
        raise FrontMatterError(message, _mark_line(exc, offset))
    if node is None:
        return None, {}
    _check_expansion(node, offset)
    try:
        data = _NodeLoader(node).construct_document(node)
    except yaml.YAMLError as exc:  # e.g. an unhashable key
        raise FrontMatterError(f"YAML error: {exc}", _mark_line(exc, offset))
    key_lines: dict[tuple, int] = {}
    _collect_lines(node, (), key_lines, offset)
    return data, key_lines


def _mark_line(exc: yaml.YAMLError, offset: int) -> int | None:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line + offset if mark is not None else None


def _check_expansion(root: Node, offset: int) -> None:
    """Refuse documents whose aliases would expand past MAX_EXPANDED_NODES.

    Aliases share node objects, so the expanded size is computed over the graph with
    memoisation, in time linear in the written document.
    """
    sizes: dict[int, int] = {}
    active: set[int] = set()

    def size(node: Node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in active:
            raise FrontMatterError(
                "YAML contains a recursive alias", node.start_mark.line + offset
            )
        active.add(key)
        total = 1
        if isinstance(node, SequenceNode):
            for child in node.value:
                total += size(child)
                if total > MAX_EXPANDED_NODES:
                    break
        elif isinstance(node, MappingNode):
            for key_node, value_node in node.value:
                total += size(key_node) + size(value_node)
                if total > MAX_EXPANDED_NODES:
                    break
        active.discard(key)
        sizes[key] = min(total, MAX_EXPANDED_NODES + 1)
        return sizes[key]

    if size(root) > MAX_EXPANDED_NODES:
        raise FrontMatterError(
            f"YAML expands to more than {MAX_EXPANDED_NODES:,} nodes "
            "(too many or nested aliases); write the values out instead",
            root.start_mark.line + offset,
        )


class _NodeLoader(yaml.SafeLoader):
    """A SafeLoader that constructs from an already composed node."""

    def __init__(self, node: Node):
        super().__init__("")
        self._node = node


def _collect_lines(node: Node, path: tuple, out: dict[tuple, int], offset: int) -> None:
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else str(key_node)
            child = path + (key,)
            out.setdefault(child, key_node.start_mark.line + offset)
            _collect_lines(value_node, child, out, offset)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            child = path + (index,)
            out.setdefault(child, item.start_mark.line + offset)
            _collect_lines(item, child, out, offset)
