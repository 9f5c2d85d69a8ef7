"""Safe, bounded reading of Markdown files with YAML front matter.

Content files are written by people, and later by a web editor, so the loader must
never hang or run code: YAML is composed with the safe loader, aliases are allowed
only while the fully expanded document stays small (a "billion laughs" document is
refused before it is expanded), nesting is bounded while composing (deep brackets
would otherwise exhaust Python's stack), and oversized files are refused unread.
Every error carries the 1-based line in the *file*, not in the YAML block, and names
the line at fault rather than the one where the parser noticed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from indexer.errors import CasebaseError

MAX_FILE_BYTES = 512 * 1024
MAX_EXPANDED_NODES = 20_000
# The deepest content field is about five levels down (lessons[0].applies_when.x[0]);
# the bound keeps every recursive walk (composing, validating, printing) far from
# Python's recursion limit.
MAX_NESTING = 32

FENCE = "---"
# What PyYAML's constructors raise, besides YAMLError, for an explicitly tagged value
# that does not fit its tag (`!!int abc`, `!!int ''`, `!!float 1e999x`).
_CONSTRUCTOR_FAILURES = (ValueError, TypeError, LookupError, ArithmeticError)


class FrontMatterError(CasebaseError, ValueError):
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
    return parse_text(_read_bounded(path))


def read_yaml_file(path: Path) -> tuple[Any, dict[tuple, int]]:
    """Read a whole YAML file (vocabulary, glossary, rules) with the same bounds as
    front matter; returns (data, line of each key path)."""
    return load_yaml(_read_bounded(path))


def _read_bounded(path: Path) -> str:
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise FrontMatterError(f"file is {size:,} bytes; the limit is {MAX_FILE_BYTES:,} bytes", None)
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise FrontMatterError(f"file is not valid UTF-8 ({exc.reason} at byte {exc.start})", line)


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
        loader = _BoundedLoader(yaml_text, offset)  # the reader refuses control characters here
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        raise FrontMatterError(f"YAML syntax error: {_describe(exc)}", _error_line(exc, yaml_text, offset))
    if node is None:
        return None, {}
    _check_expansion(node, offset)
    try:
        data = _NodeLoader(node).construct_document(node)
    except yaml.YAMLError as exc:  # e.g. an unhashable key or an unknown tag
        raise FrontMatterError(f"YAML error: {_describe(exc)}", _mark_line(exc, offset))
    except _CONSTRUCTOR_FAILURES as exc:  # a tagged value that is not one: !!int abc
        line = _unconstructible_line(node, offset)
        raise FrontMatterError(f"YAML error: a tagged value cannot be read ({exc})", line)
    key_lines: dict[tuple, int] = {}
    _collect_lines(node, (), key_lines, offset, _KeyConstructor())
    return data, key_lines


def _describe(exc: yaml.YAMLError) -> str:
    """What went wrong, without PyYAML's positions (they count within the YAML block,
    not the file; the problem carries the file line)."""
    problem = getattr(exc, "problem", None)
    if problem is None:
        if isinstance(exc, yaml.reader.ReaderError):
            return f"character #x{exc.character:04x} is not allowed in YAML"
        return str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    return problem + (f" ({context})" if context else "")


def _error_line(exc: yaml.YAMLError, yaml_text: str, offset: int) -> int | None:
    if isinstance(exc, yaml.reader.ReaderError):
        return yaml_text.count("\n", 0, exc.position) + offset
    return _mark_line(exc, offset)


def _unconstructible_line(root: Node, offset: int) -> int | None:
    """The line of the first scalar whose explicit tag does not fit its text."""
    probe = yaml.SafeLoader("")
    stack = [root]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            try:
                probe.construct_object(node)
            except (yaml.YAMLError, *_CONSTRUCTOR_FAILURES):
                return node.start_mark.line + offset
        stack.extend(reversed(_children(node)))
    return None


def _mark_line(exc: yaml.YAMLError, offset: int) -> int | None:
    """The file line at fault.

    PyYAML notices an unclosed bracket or quote, or a key without its colon, only on a
    later line (the problem mark); the context mark points where that construct
    opened, which is the line to fix. For block collections the context is the
    collection's first line, far from the fault, so the problem mark is kept.
    """
    problem = getattr(exc, "problem_mark", None)
    context = getattr(exc, "context_mark", None)
    context_text = getattr(exc, "context", None) or ""
    if context is not None and not context_text.startswith("while parsing a block"):
        mark = context
    else:
        mark = problem or context
    return mark.line + offset if mark is not None else None


class _BoundedLoader(yaml.SafeLoader):
    """A SafeLoader whose composer refuses nesting deeper than MAX_NESTING, before
    the recursion that builds nodes gets anywhere near Python's stack limit."""

    def __init__(self, text: str, offset: int):
        super().__init__(text)
        self._offset = offset
        self._depth = 0

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        self._depth += 1
        try:
            if self._depth > MAX_NESTING:
                line = self.peek_event().start_mark.line + self._offset
                raise FrontMatterError(f"YAML is nested more than {MAX_NESTING} levels deep", line)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _check_expansion(root: Node, offset: int) -> None:
    """Refuse documents whose aliases would expand past MAX_EXPANDED_NODES nodes or
    MAX_NESTING levels, or refer to themselves.

    Aliases share node objects, so the expanded size and depth are computed over the
    graph with memoisation, in time linear in the written document, and without
    recursion (aliases can nest far deeper than the written text).
    """
    done: dict[int, tuple[int, int]] = {}  # id(node) -> (expanded size, depth)
    open_nodes: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            measured = [done[id(child)] for child in _children(node)]
            size = min(1 + sum(size for size, _ in measured), MAX_EXPANDED_NODES + 1)
            depth = 1 + max((depth for _, depth in measured), default=0)
            done[key] = (size, depth)
            open_nodes.discard(key)
            line = node.start_mark.line + offset
            if size > MAX_EXPANDED_NODES:
                raise FrontMatterError(
                    f"YAML expands to more than {MAX_EXPANDED_NODES:,} nodes "
                    "(too many or nested aliases); write the values out instead", line)
            if depth > MAX_NESTING:
                raise FrontMatterError(f"YAML is nested more than {MAX_NESTING} levels deep", line)
            continue
        if key in done:
            continue
        if key in open_nodes:
            raise FrontMatterError("YAML contains a recursive alias", node.start_mark.line + offset)
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in done)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


class _NodeLoader(yaml.SafeLoader):
    """A SafeLoader that constructs from an already composed node."""

    def __init__(self, node: Node):
        super().__init__("")
        self._node = node


class _KeyConstructor(yaml.SafeLoader):
    """Builds mapping keys as the loaded data holds them (`5:` is the number 5), so
    the line of a field whose name is not a text is found too."""

    def __init__(self) -> None:
        super().__init__("")

    def key(self, node: ScalarNode) -> Any:
        """The loaded value of a scalar key."""
        try:
            return self.construct_object(node)
        except (yaml.YAMLError, *_CONSTRUCTOR_FAILURES):
            return node.value


def _collect_lines(node: Node, path: tuple, out: dict[tuple, int], offset: int,
                   keys: _KeyConstructor) -> None:
    # Recursion is safe: _check_expansion has bounded the expanded depth.
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            key = keys.key(key_node) if isinstance(key_node, ScalarNode) else str(key_node)
            child = path + (key,)
            out.setdefault(child, key_node.start_mark.line + offset)
            _collect_lines(value_node, child, out, offset, keys)
    elif isinstance(node, SequenceNode):
        for index, item in enumerate(node.value):
            child = path + (index,)
            out.setdefault(child, item.start_mark.line + offset)
            _collect_lines(item, child, out, offset, keys)
