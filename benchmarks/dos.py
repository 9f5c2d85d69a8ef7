"""Denial-of-service benchmark (issue 17): the worst case per input size, old and new.

    .venv/bin/python -m benchmarks.dos                 # sizes 1 KB .. 1 MB
    .venv/bin/python -m benchmarks.dos --cap 5         # give up on the old path after 5 s

For each input size it renders every pathological Markdown pattern (repeated to that
size) twice in the same run: the old path (Python-Markdown straight on the text, as
webui/rendering.py did before) and the new one (Renderer.markdown: defuse in one pass,
convert in a child killed after the render budget), and parses bad JSON bodies the way
webui/api.py does. The old path runs in a child stopped after --cap seconds (shown as
'>cap'); once a pattern passes the cap, larger sizes of it are not tried on the old
path. A benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import time

from webui.markdown_limits import TooComplex, convert_within
from webui.rendering import Renderer, safe_html

PATTERNS = {
    "[[note:": "[[note:", "[": "[", "![": "![", "[a](": "[a](", "[a][": "[a][", "[^": "[^",
    "<a ": "<a ", "<a href='": "<a href='", "<http://": "<http://", "</": "</", "<!-- ": "<!-- ",
    "**a": "**a", "&lt;": "&lt;", "|x table": "|x",
}
NESTED = {
    "nested list": lambda size: "".join("    " * i + "- a\n" for i in range(int((size / 2) ** 0.5))),
    "nested quote": lambda size: ">" * size + " a\n",
}
SIZES = (1_000, 10_000, 100_000, 1_000_000)


def _text(name: str, size: int) -> str:
    if name in NESTED:
        return NESTED[name](size)
    pattern = PATTERNS[name]
    repeated = pattern * (size // len(pattern))
    return "|a|b|\n|-|-|\n" + repeated if name == "|x table" else "x " + repeated


def _time_old(text: str, cap: float) -> float | None:
    """Seconds of the old path, None past `cap` (or when it hit the recursion limit:
    a 500 before). The old path is the app's conversion without defuse(), in a child
    so that it can be stopped at the cap."""
    started = time.monotonic()
    try:
        convert_within(text, safe_html, cap)
    except TooComplex:
        return None
    return time.monotonic() - started


def _time_new(renderer: Renderer, text: str) -> tuple[float, str]:
    started = time.monotonic()
    try:
        renderer.markdown(text)
        outcome = "rendered"
    except TooComplex:
        outcome = "422"
    return time.monotonic() - started, outcome


def _json_cases(size: int) -> dict[str, str]:
    depth = max(1, size // 2)
    return {"nested array": "[" * depth + "]" * depth,
            "lone surrogate": json.dumps({"description": "x" * size})[:-2] + '\\ud800"}'}


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cap", type=float, default=5.0, help="seconds before the old path is given up")
    parser.add_argument("--sizes", type=int, nargs="*", default=list(SIZES))
    args = parser.parse_args()
    renderer = Renderer(dict, dict, list, link=lambda kind, doc_id, anchor: f"/{kind}s/{doc_id}")
    given_up: set[str] = set()
    print(f"{'size':>9} {'pattern':14} {'old s':>8} {'new s':>7} new outcome")
    for size in args.sizes:
        worst_old, worst_new = (0.0, ""), (0.0, "")
        for name in [*PATTERNS, *NESTED]:
            text = _text(name, size)
            old = None if name in given_up else _time_old(text, args.cap)
            if old is None:
                given_up.add(name)
            new, outcome = _time_new(renderer, text)
            shown_old = f">{args.cap:.0f}" if old is None else f"{old:.3f}"
            print(f"{size:9d} {name:14} {shown_old:>8} {new:7.3f} {outcome}")
            worst_old = max(worst_old, (args.cap if old is None else old, name))
            worst_new = max(worst_new, (new, name))
        print(f"{size:9d} WORST old {worst_old[0]:.3f} s ({worst_old[1]}), new {worst_new[0]:.3f} s "
              f"({worst_new[1]})\n")
    from flask import Flask

    from webui.api import json_body
    from webui.errors import BadParameter

    app = Flask(__name__)
    for size in args.sizes[:3]:
        for name, body in _json_cases(size).items():
            started = time.monotonic()
            with app.test_request_context("/api/suggest", method="POST", data=body, content_type="application/json"):
                try:
                    json_body()
                    outcome = "accepted"
                except BadParameter as error:
                    outcome = f"400 {error.message[:40]}"
            print(f"{size:9d} JSON {name:16} {time.monotonic() - started:.4f} s {outcome}")


if __name__ == "__main__":
    main()
