"""An incremental update killed (SIGKILL) at any step leaves the current generation
intact and searchable, and the next build completes the update.

Each case runs the update in a child process that kills itself on reaching one step;
the steps are the functions an update calls, in the order it calls them."""

from __future__ import annotations

import itertools
import signal
import subprocess
import sys
import textwrap

import pytest
from tests.conftest import REPO_ROOT

from indexer.index.build import build_index, current_generation, read_manifest
from indexer.search.encoder import HashingEncoder
from indexer.search.searcher import SearchRequest
from indexer.service import Casebase
from indexer.settings import Settings

KILLED_UPDATE = textwrap.dedent("""
    import importlib, os, signal, sys
    from pathlib import Path
    from indexer.index.build import build_index
    from indexer.search.encoder import HashingEncoder

    root, index, target, only_for = sys.argv[1:5]
    module_name, _, attribute = target.partition(":")
    owner = importlib.import_module(module_name)
    *path, name = attribute.split(".")
    for part in path:
        owner = getattr(owner, part)
    original = getattr(owner, name)

    def killed(*args, **kwargs):
        if only_for in ("", getattr(args[0], "name", None)):
            os.kill(os.getpid(), signal.SIGKILL)
        return original(*args, **kwargs)

    setattr(owner, name, killed)
    report = build_index(Path(root), Path(index), HashingEncoder())
    print("not killed; incremental:", report.incremental)
""")

# (function the child dies in, only when its first argument is a path of this name)
STEPS = [
    ("indexer.index.build:assemble", ""),
    ("indexer.index.incremental:_updated_vectors", ""),
    ("indexer.index.incremental:add_record", ""),
    ("indexer.search.bm25:BM25Matrix.save", ""),
    ("indexer.search.bm25:FieldFrequencies.save", ""),
    ("indexer.index.build:_save_updated_read_model", ""),
    ("indexer.index.build:write_units", ""),
    ("indexer.index.build:_write_file", "manifest.json"),
    ("indexer.index.build:_write_file", "CURRENT"),  # the new folder is in place, not yet current
]
AFTER_THE_SWITCH = ("indexer.index.build:_prune", "")
QUERIES = ["furniture cluster", "zebra crossing", '"furniture cluster"', "textiles"]


@pytest.fixture
def library(tree, tmp_path):
    for number in range(20):
        tree.case(f"town-{number}", title=f"Town {number} furniture cluster",
                  sectors=["textiles"] if number % 2 else ["furniture"])
    tree.note()
    index_dir = tmp_path / "index"
    assert not build_index(tree.root, index_dir, HashingEncoder()).incremental
    return tree, index_dir


def answers(tree, index_dir):
    """Every query's answer from a process that opens the index afresh."""
    settings = Settings.from_env(content_dir=tree.root, index_dir=index_dir, environ={})
    casebase = Casebase.open(settings, encoder=HashingEncoder())
    try:
        return {(query, mode): casebase.search(SearchRequest(query, mode=mode, limit=50)).to_dict()
                for query, mode in itertools.product(QUERIES, ("keyword", "hybrid"))}
    finally:
        casebase.close()


def run_killed(tree, index_dir, step):
    target, only_for = step
    result = subprocess.run([sys.executable, "-c", KILLED_UPDATE, str(tree.root), str(index_dir), target, only_for],
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr  # it died at that step


def first_hit(tree, index_dir, query):
    return answers(tree, index_dir)[(query, "keyword")]["results"][0]["id"]


@pytest.mark.parametrize("step", STEPS, ids=[f"{target}-{only}" if only else target for target, only in STEPS])
def test_an_update_killed_at_any_step_leaves_the_current_generation(library, step):
    tree, index_dir = library
    generation = current_generation(index_dir).name
    expected = answers(tree, index_dir)
    tree.case("town-2", title="Town 2 zebra crossing", sectors=["furniture"])

    run_killed(tree, index_dir, step)
    assert current_generation(index_dir).name == generation
    assert answers(tree, index_dir) == expected

    report = build_index(tree.root, index_dir, HashingEncoder())
    assert report.built and report.incremental
    assert not list((index_dir / "generations").glob(".building-*"))
    assert read_manifest(current_generation(index_dir))["updated_from"] == generation
    assert first_hit(tree, index_dir, "zebra crossing") == "town-2"


def test_an_update_killed_after_the_switch_leaves_the_new_generation(library):
    tree, index_dir = library
    generation = current_generation(index_dir).name
    tree.case("town-2", title="Town 2 zebra crossing", sectors=["furniture"])
    run_killed(tree, index_dir, AFTER_THE_SWITCH)
    assert current_generation(index_dir).name != generation
    assert first_hit(tree, index_dir, "zebra crossing") == "town-2"
    report = build_index(tree.root, index_dir, HashingEncoder())
    assert not report.built  # nothing left to do
