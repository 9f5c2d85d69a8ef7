"""The ast workaround (indexer/compat.py): syntax-tree conversions take turns."""

from __future__ import annotations

import ast
import io
import sys
import threading

import numpy as np
import pytest

from indexer import compat

pytestmark = pytest.mark.skipif(sys.version_info >= (3, 12), reason="fixed in CPython 3.12 (gh-106905)")


def _finishes_while_the_turn_is_taken(work) -> bool:
    """Does `work` finish in another thread while this thread holds the turn?"""
    done = threading.Event()
    with compat._TURN:
        worker = threading.Thread(target=lambda: (work(), done.set()), daemon=True)
        worker.start()
        finished = done.wait(0.3)
    worker.join(5)
    assert done.is_set()  # and once the turn is free it does finish
    return finished


def test_numpy_headers_and_route_compilation_wait_for_their_turn():
    compat.serialise_ast()
    buffer = io.BytesIO()
    np.save(buffer, np.arange(3))
    assert not _finishes_while_the_turn_is_taken(lambda: np.load(io.BytesIO(buffer.getvalue())))
    assert not _finishes_while_the_turn_is_taken(lambda: ast.parse("self._converters['id'].to_url()"))
    tree = ast.fix_missing_locations(ast.Expression(ast.Constant(1)))
    assert not _finishes_while_the_turn_is_taken(lambda: compile(tree, "<tree>", "eval"))


def test_compiling_source_text_does_not_wait_and_results_are_unchanged():
    compat.serialise_ast()
    compat.serialise_ast()  # idempotent: wrapped once
    assert _finishes_while_the_turn_is_taken(lambda: compile("1 + 1", "<text>", "eval"))
    assert eval(compile(ast.parse("2 * 21", mode="eval"), "<tree>", "eval")) == 42
    assert ast.literal_eval("{'descr': '<i8', 'shape': (3,)}") == {"descr": "<i8", "shape": (3,)}
