"""Publishing one edit updates the index incrementally: only the changed units are
touched, the answers equal a full rebuild's, and a kill at any step leaves the
current generation intact and searchable."""

from __future__ import annotations

import itertools
import threading

import pytest
from whoosh.filedb.filestore import FileStorage

import indexer.index.incremental as incremental
from indexer.index.build import build_index, current_generation, read_manifest
from indexer.search.encoder import HashingEncoder
from indexer.search.searcher import SearchRequest
from indexer.service import Casebase
from indexer.settings import Settings

QUERIES = ["textiles", "furniture cluster", '"small furniture"', "training", "zebra crossing", "garments"]


@pytest.fixture
def library(tree, tmp_path):
    for number in range(20):
        tree.case(f"town-{number}", title=f"Town {number} furniture cluster",
                  sectors=["textiles"] if number % 2 else ["furniture"])
    tree.note()
    settings = Settings.from_env(content_dir=tree.root, index_dir=tmp_path / "index", environ={})
    service = Casebase.open(settings, encoder=HashingEncoder())
    first = service.build_index()
    assert first.built and not first.incremental
    yield tree, service
    service.close()


def answers(service):
    return {(query, mode): service.search(SearchRequest(query, mode=mode, limit=50)).to_dict()
            for query, mode in itertools.product(QUERIES, ("keyword", "hybrid"))}


def test_an_edit_touches_only_its_units_and_answers_as_a_rebuild(library, tmp_path):
    tree, service = library
    before = read_manifest(current_generation(service.settings.index_dir))
    tree.case("town-3", title="Town 3 zebra crossing garments", sectors=["textiles"],
              body="## Context\n\nGarments and zebra crossing (Author 2001).\n")
    tree.case("new-town", title="New town garments", sectors=["textiles"])
    (tree.root / "cases" / "town-5.md").unlink()
    encoder = service.encoder
    calls = encoder.calls
    report = service.build_index()
    assert report.built and report.incremental
    assert 0 < report.changed < before["units"] / 2
    assert 0 < report.embedded < report.changed and encoder.calls == calls + 1
    updated = answers(service)
    hits = updated[("zebra crossing", "keyword")]["results"]
    assert [hit["id"] for hit in hits][:1] == ["town-3"]
    assert "town-5" not in {hit["id"] for answer in updated.values() for hit in answer["results"]}
    assert "new-town" in {hit["id"] for hit in updated[("garments", "keyword")]["results"]}

    rebuilt_settings = Settings.from_env(content_dir=tree.root, index_dir=tmp_path / "rebuilt", environ={})
    rebuilt = Casebase.open(rebuilt_settings, encoder=HashingEncoder())
    try:
        assert not rebuilt.build_index().incremental
        assert answers(rebuilt) == updated
        assert rebuilt.facet_counts() == service.facet_counts()
    finally:
        rebuilt.close()


def test_a_rebuild_is_always_full(library):
    tree, service = library
    tree.case("town-1", title="Town 1 changed", sectors=["textiles"])
    assert not service.build_index(rebuild=True).incremental


STEPS = ["_updated_vectors", "FileStorage", "make_analyzer", "np.save"]


@pytest.mark.parametrize("step", STEPS)
def test_a_kill_at_any_step_of_an_update_leaves_the_current_generation(library, monkeypatch, step):
    tree, service = library
    generation = current_generation(service.settings.index_dir).name
    expected = answers(service)
    tree.case("town-2", title="Town 2 zebra crossing", sectors=["furniture"])

    def killed(*args, **kwargs):
        raise KeyboardInterrupt("killed")

    if step == "np.save":
        monkeypatch.setattr(incremental.np, "save", killed)
    else:
        monkeypatch.setattr(incremental, step, killed)
    with pytest.raises(KeyboardInterrupt):
        build_index(tree.root, service.settings.index_dir, service.encoder)
    assert current_generation(service.settings.index_dir).name == generation
    assert answers(service) == expected
    monkeypatch.undo()
    report = service.build_index()
    assert report.built and report.incremental
    assert service.search(SearchRequest("zebra", mode="keyword")).results[0].id == "town-2"


def test_readers_see_the_old_or_the_new_answer_during_twenty_updates(library, tmp_path):
    tree, service = library
    failures: list[BaseException] = []
    seen: set[int] = set()
    stop = threading.Event()

    def read(query):
        while not stop.is_set():
            try:
                answer = service.search(SearchRequest(query, mode="hybrid", limit=5))
                seen.add(answer.total)
            except BaseException as exc:  # any error a reader meets fails the test
                failures.append(exc)
            stop.wait(0.002)  # load, but leave the writer some of the interpreter

    readers = [threading.Thread(target=read, args=(query,)) for query in ("zebra", "\"zebra crossing\"", "town")]
    for reader in readers:
        reader.start()
    try:
        for update in range(20):
            tree.case(f"town-{update % 20}", title=f"Town {update % 20} zebra crossing {update}",
                      sectors=["furniture"])
            assert service.build_index().incremental
    finally:
        stop.set()
        for reader in readers:
            reader.join()
    assert failures == []
    assert len(seen) > 1
    # Twenty updates merged Whoosh's small segments on the way; answers still equal a rebuild's.
    whoosh = FileStorage(str(current_generation(service.settings.index_dir) / "whoosh")).open_index()
    assert len(whoosh._segments()) <= incremental.MAX_SEGMENTS
    rebuilt = Casebase.open(Settings.from_env(content_dir=tree.root, index_dir=tmp_path / "rebuilt", environ={}),
                            encoder=HashingEncoder())
    try:
        rebuilt.build_index()
        assert answers(rebuilt) == answers(service)
    finally:
        rebuilt.close()
