"""Publishing one edit updates the index incrementally: only the changed units are
touched, the answers equal a full rebuild's, and a kill at any step leaves the
current generation intact and searchable."""

from __future__ import annotations

import itertools
import threading

import numpy as np
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
        # The streamed vector file holds exactly the rebuild's matrix, row for row.
        streamed = np.load(current_generation(service.settings.index_dir) / "vectors.npy")
        assert np.array_equal(streamed, np.load(current_generation(rebuilt_settings.index_dir) / "vectors.npy"))
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


def rebuilt_answers(tree, tmp_path, name="rebuilt"):
    settings = Settings.from_env(content_dir=tree.root, index_dir=tmp_path / name, environ={})
    rebuilt = Casebase.open(settings, encoder=HashingEncoder())
    try:
        assert not rebuilt.build_index().incremental
        return answers(rebuilt), rebuilt.facet_counts()
    finally:
        rebuilt.close()


def cases_found(service, query):
    """The cases of the hits (a lesson's id starts with its case's)."""
    return {hit.id.split("#")[0] for hit in service.search(SearchRequest(query, mode="keyword", limit=50)).results}


def documents_of(service):
    return len(service.content.documents)


def test_an_edit_copies_every_other_documents_units(library, tmp_path):
    tree, service = library
    tree.case("town-4", title="Town 4 garments", sectors=["textiles"])
    report = service.build_index()
    assert report.incremental and report.copied_documents == documents_of(service) - 1
    assert answers(service), service.facet_counts() == rebuilt_answers(tree, tmp_path)
    assert service.search(SearchRequest("garments", mode="keyword")).results[0].id == "town-4"


LINKING_BODY = "## Context\n\nThey copied [[case:town-1]] and met [[case:town-2|the neighbours]] (Author 2001).\n"


def test_a_changed_title_makes_again_the_documents_that_show_it(library, tmp_path):
    tree, service = library
    tree.case("town-0", title="Town 0 furniture cluster", sectors=["furniture"], body=LINKING_BODY)
    assert service.build_index().incremental
    tree.case("town-1", title="Town 1 aardvark works", sectors=["textiles"])
    tree.case("town-2", title="Town 2 pangolin works", sectors=["furniture"])
    report = service.build_index()
    # town-0 shows town-1's title (a link without a label); the labelled link to town-2 shows no title.
    assert report.incremental and report.copied_documents == documents_of(service) - 3
    assert cases_found(service, "aardvark") == {"town-0", "town-1"}
    assert cases_found(service, "pangolin") == {"town-2"}
    assert (answers(service), service.facet_counts()) == rebuilt_answers(tree, tmp_path)


def test_a_removed_document_makes_again_the_documents_that_showed_its_title(library, tmp_path):
    tree, service = library
    tree.case("town-0", title="Town 0 furniture cluster", sectors=["furniture"], body=LINKING_BODY)
    tree.case("town-1", title="Town 1 aardvark works", sectors=["textiles"])
    service.build_index()
    (tree.root / "cases" / "town-1.md").unlink()
    report = service.build_index()
    assert report.incremental
    assert service.search(SearchRequest("aardvark", mode="keyword")).total == 0
    assert (answers(service), service.facet_counts()) == rebuilt_answers(tree, tmp_path)


def test_a_vocabulary_change_makes_every_unit_again_but_touches_only_changed_rows(library, tmp_path):
    tree, service = library
    vocabulary = tree.root / "kb" / "vocabulary.yaml"
    vocabulary.write_text(vocabulary.read_text(encoding="utf-8") + "\n# reviewed\n", encoding="utf-8")
    report = service.build_index()
    assert report.built and report.copied_documents == 0
    assert report.incremental and report.changed == 0
    assert (answers(service), service.facet_counts()) == rebuilt_answers(tree, tmp_path)


def test_a_reload_right_after_a_load_parses_only_the_edited_file(tree, monkeypatch):
    """Files written just before a load (a library copied in, a benchmark) have stamps
    too recent to trust; their unchanged texts are recognised by hash, not parsed again."""
    import os

    import indexer.content.loading as loading
    from indexer.checking import load_library

    for number in range(5):
        tree.case(f"town-{number}")
    first = load_library(tree.root)
    parsed: list[str] = []
    reading = loading.read_file
    monkeypatch.setattr(loading, "read_file", lambda path: parsed.append(path.name) or reading(path))
    edited = tree.root / "cases" / "town-3.md"
    temporary = edited.with_suffix(".tmp")
    temporary.write_text(edited.read_text(encoding="utf-8").replace("town-3 cluster", "Town three"), encoding="utf-8")
    os.replace(temporary, edited)
    reloaded = load_library(tree.root, previous=first)
    assert parsed == ["town-3.md"]
    assert reloaded.documents["town-3"].title == "Town three"
    assert reloaded.documents["town-1"] is first.documents["town-1"]
