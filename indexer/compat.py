"""A workaround for CPython 3.11's ast module, which keeps its recursion-depth check in
state shared by all threads (gh-106905, fixed in 3.12): two threads converting syntax
trees at once can fail with "SystemError: AST constructor recursion depth mismatch".

This process does that more than one might think: numpy reads every .npy header with
`ast.literal_eval` (the index's read model and vectors, opened by the content-loader,
the warm-up and a request after a publish), and werkzeug compiles each route with
`ast.parse` and `compile`. Clean-clone test runs failed twice this way while one
thread opened an index and another built an app. `serialise_ast` makes such
conversions take turns; ordinary `compile` of source text is left alone.
"""

from __future__ import annotations

import ast
import builtins
import sys
import threading

# Re-entrant: ast.parse itself calls compile with PyCF_ONLY_AST.
_TURN = threading.RLock()


def serialise_ast() -> None:
    """Make ast.parse (and so ast.literal_eval) and compile of, or into, a syntax tree
    take turns across threads. Idempotent; nothing to do from Python 3.12 on."""
    if sys.version_info >= (3, 12) or getattr(ast.parse, "takes_turns", False):
        return
    parse, compile_source = ast.parse, builtins.compile

    def parse_in_turn(*args, **kwargs):
        with _TURN:
            return parse(*args, **kwargs)

    def compile_in_turn(source, filename, mode, flags=0, *args, **kwargs):
        if isinstance(source, ast.AST) or flags & ast.PyCF_ONLY_AST:
            with _TURN:
                return compile_source(source, filename, mode, flags, *args, **kwargs)
        return compile_source(source, filename, mode, flags, *args, **kwargs)

    parse_in_turn.takes_turns = True  # type: ignore[attr-defined]
    ast.parse = parse_in_turn
    builtins.compile = compile_in_turn
