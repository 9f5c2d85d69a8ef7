"""Markdown that cannot hang or crash a worker: the text is defused before conversion
(bounded bracket, list and quote nesting, in linear time), and a long text converts in a
forked child that is killed past a time budget (TooComplex, answered 422).

Kept apart from webui/rendering.py, which decides what the HTML may contain: this module
only bounds the work, whatever the conversion.
"""

from __future__ import annotations

import os
import re
import select
import signal
import time
from typing import Callable

from indexer.errors import InvalidInput

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


def convert_within(text: str, render: Callable[[str], str], budget: float = RENDER_BUDGET_SECONDS) -> str:
    """`render(text)` in a forked child killed after `budget` seconds (TooComplex).
    The app's render sanitises there too: html5ever's time also grows with the square
    of the nesting of raw tags (20,000 nested <div> take 1.6 s).

    A thread cannot be stopped and signals reach only the main thread, so a child
    process is the one way to stop a runaway conversion inside a threaded worker."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: convert, write, leave without running the parent's cleanup
        status = 0
        try:
            os.close(read_end)
            try:
                payload = b"+" + render(text).encode("utf-8", "surrogatepass")
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
