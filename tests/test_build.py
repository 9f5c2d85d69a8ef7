"""Index lifecycle: generations, incremental embedding, crashes, missing model."""

from __future__ import annotations

import json

import pytest

import indexer.index.build as build_module
from indexer.index.build import build_index, current_generation, read_manifest
from indexer.search.encoder import HashingEncoder, ModelUnavailable
from indexer.search.searcher import SearchError, SearchRequest
from indexer.service import Casebase
from indexer.settings import Settings


@pytest.fixture
def paths(tree, tmp_path):
    tree.case("alpha-town")
    tree.case("beta-city", title="Beta city textiles", sectors=["textiles"])
    tree.note()
    return tree, tmp_path / "index"


def test_first_build_writes_a_complete_generation(paths):
    tree, index_dir = paths
    report = build_index(tree.root, index_dir, HashingEncoder())
    folder = current_generation(index_dir)
    assert report.built and folder is not None and folder.name == report.generation
    manifest = read_manifest(folder)
    assert manifest["model"] == "hashing-test-encoder" and manifest["semantic"] is True
    assert set(manifest["hashes"]) >= {"alpha-town", "beta-city", "basics", "kb/vocabulary.yaml"}
    assert (folder / "vectors.npy").exists() and (folder / "whoosh").is_dir()
    assert len((folder / "units.jsonl").read_text().splitlines()) == manifest["units"]


def test_unchanged_content_is_not_rebuilt(paths):
    tree, index_dir = paths
    first = build_index(tree.root, index_dir, HashingEncoder())
    second = build_index(tree.root, index_dir, HashingEncoder())
    assert not second.built and second.generation == first.generation


def test_editing_one_file_embeds_only_its_changed_units(paths):
    tree, index_dir = paths
    first = build_index(tree.root, index_dir, HashingEncoder())
    tree.case("beta-city", title="Beta city textiles and garments", sectors=["textiles"])
    encoder = HashingEncoder()
    second = build_index(tree.root, index_dir, encoder)
    assert second.built and second.generation != first.generation
    assert 0 < second.embedded < first.embedded
    rebuilt = build_index(tree.root, index_dir, HashingEncoder(), rebuild=True)
    assert rebuilt.embedded > second.embedded


def test_a_crash_mid_build_leaves_the_previous_generation_in_use(paths, monkeypatch):
    tree, index_dir = paths
    first = build_index(tree.root, index_dir, HashingEncoder())
    tree.case("beta-city", title="Changed title", sectors=["textiles"])

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(build_module, "write_units", explode)
    with pytest.raises(OSError):
        build_index(tree.root, index_dir, HashingEncoder())
    assert current_generation(index_dir).name == first.generation
    assert list((index_dir / "generations").glob(".building-*"))  # the debris of the crash
    monkeypatch.undo()
    second = build_index(tree.root, index_dir, HashingEncoder())
    assert second.built and not list((index_dir / "generations").glob(".building-*"))


def test_readers_switch_to_a_new_generation(paths):
    tree, index_dir = paths
    settings = Settings.from_env(content_dir=tree.root, index_dir=index_dir, environ={})
    service = Casebase.open(settings, encoder=HashingEncoder())
    service.build_index()
    assert service.search(SearchRequest("zebra", mode="keyword")).total == 0
    tree.case("alpha-town", title="Zebra crossing cluster")
    build_index(tree.root, index_dir, HashingEncoder())  # another process, say
    assert service.search(SearchRequest("zebra", mode="keyword")).results[0].id == "alpha-town"


class BrokenEncoder(HashingEncoder):
    def encode(self, texts, batch_size=32, progress=False):
        raise ModelUnavailable("model files missing")


def test_missing_model_builds_keyword_only_and_says_so(paths):
    tree, index_dir = paths
    report = build_index(tree.root, index_dir, BrokenEncoder())
    assert report.built and not report.semantic
    assert "semantic search disabled" in report.warnings[0]
    settings = Settings.from_env(content_dir=tree.root, index_dir=index_dir, environ={})
    service = Casebase.open(settings, encoder=None, semantic=False)
    hybrid = service.search(SearchRequest("textiles"))
    assert hybrid.results[0].id == "beta-city" and "unavailable" in hybrid.notices[0]
    with pytest.raises(SearchError, match="semantic search is unavailable"):
        service.search(SearchRequest("textiles", mode="semantic"))


def test_content_errors_leave_the_file_out_with_a_warning(paths):
    tree, index_dir = paths
    tree.write("case", "broken", "---\nid: broken\n---\n")
    report = build_index(tree.root, index_dir, HashingEncoder())
    assert "content error" in report.warnings[0]
    units = [json.loads(line)["doc_id"] for line in
             (current_generation(index_dir) / "units.jsonl").read_text().splitlines()]
    assert "broken" not in units and "alpha-town" in units


def test_an_index_of_the_previous_format_must_be_rebuilt(paths):
    """Units now store ids and anchors, not URLs: an older folder is refused by name."""
    from indexer.index.build import INDEX_FORMAT, IndexMismatch

    tree, index_dir = paths
    build_index(tree.root, index_dir, None)
    manifest_path = current_generation(index_dir) / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["format"] = INDEX_FORMAT - 1
    manifest_path.write_text(json.dumps(manifest))
    service = Casebase.open(Settings.from_env(content_dir=tree.root, index_dir=index_dir, environ={}),
                            semantic=False)
    with pytest.raises(IndexMismatch, match="casebase index --rebuild"):
        service.search(SearchRequest("alpha", mode="keyword"))
    assert build_index(tree.root, index_dir, None).built  # a plain update rebuilds it


def test_publishing_through_the_service_reloads_at_once_and_other_processes_follow(paths):
    tree, index_dir = paths
    settings = Settings.from_env(content_dir=tree.root, index_dir=index_dir, environ={})
    publisher = Casebase.open(settings, encoder=HashingEncoder())
    publisher.build_index()
    follower = Casebase.open(settings, encoder=HashingEncoder())
    versions = (publisher.content_version, follower.content_version)
    library = publisher.library
    revision, _ = library.published("case", "beta-city")
    from tests.conftest import render, valid_case

    draft = library.save_draft("case", "beta-city", render(valid_case("beta-city", title="Beta renamed")),
                               revision, "erin")
    library.publish(draft.id, "rita")
    assert publisher.document("beta-city").title == "Beta renamed" and publisher.content_version > versions[0]
    assert follower.document("beta-city").title != "Beta renamed"  # until its next request...
    follower.refresh()
    assert follower.document("beta-city").title == "Beta renamed" and follower.content_version > versions[1]
    seen = follower.content_version
    follower.refresh()
    assert follower.content_version == seen  # nothing changed: no reload
    assert publisher.updater.wait(30) and publisher.updater.last_error is None
    assert publisher.search(SearchRequest("renamed", mode="keyword")).results[0].id == "beta-city"
    publisher.close()
    follower.close()


def test_a_build_waits_its_turn_when_another_server_holds_the_cross_server_lock(paths):
    """Servers sharing PostgreSQL keep builds apart with the database's advisory lock;
    when another server holds it, this build refuses at once and builds nothing."""
    from contextlib import contextmanager

    from indexer.index.build import IndexLocked

    tree, index = paths
    content = tree.root

    @contextmanager
    def held_elsewhere():
        yield False

    with pytest.raises(IndexLocked, match="another server"):
        build_index(content, index, HashingEncoder(), cross_server_lock=held_elsewhere)
    assert current_generation(index) is None
    assert build_index(content, index, HashingEncoder()).built


def passage(number: int, body: str) -> "Unit":
    """A unit of kind 'document', as the documents package makes for each passage."""
    from indexer.search.units import Unit

    return Unit(uid=f"document:7/passage-{number}", item_id="document:7", doc_id="7", kind="document",
                unit_type="passage", item_title="Uploaded report", section=f"Page {number}", title="",
                summary="", body=body, facets={"kind": ["document"]}, anchor=f"page-{number}")


def keyword_index(index_dir):
    from indexer.search.keyword import KeywordIndex

    return KeywordIndex.open(current_generation(index_dir))


def test_extra_units_are_indexed_after_the_contents_units(paths):
    from indexer.search.keyword import ParsedQuery

    tree, index_dir = paths
    extra = [passage(1, "Quokkaville ceramics kilns"), passage(2, "Export consortium of tiles")]
    report = build_index(tree.root, index_dir, None, extra_units=extra, extra_hashes={"document:7": "h1"})
    stored = [json.loads(line)["uid"] for line in (current_generation(index_dir) / "units.jsonl").read_text().splitlines()]
    assert report.units == len(stored) and stored[-2:] == [unit.uid for unit in extra]
    assert "alpha-town" in stored[:-2]
    index = keyword_index(index_dir)
    try:
        scores = index.scores(ParsedQuery.parse("quokkaville"))
        assert scores.nonzero()[0].tolist() == [len(stored) - 2]
    finally:
        index.close()


def test_a_changed_extra_hash_alone_updates_incrementally_and_the_same_one_does_not(paths):
    tree, index_dir = paths
    first = build_index(tree.root, index_dir, HashingEncoder(), extra_units=[passage(1, "Kilns")],
                        extra_hashes={"document:7": "h1"})
    same = build_index(tree.root, index_dir, HashingEncoder(), extra_units=[passage(1, "Kilns")],
                       extra_hashes={"document:7": "h1"})
    assert not same.built and same.generation == first.generation
    changed = build_index(tree.root, index_dir, HashingEncoder(), extra_units=[passage(1, "Kilns and glazes")],
                          extra_hashes={"document:7": "h2"})
    assert changed.built and changed.incremental and changed.embedded == 1
    manifest = read_manifest(current_generation(index_dir))
    assert manifest["hashes"]["extra:document:7"] == "h2" and "alpha-town" in manifest["hashes"]


def spelling_words(index_dir) -> set[str]:
    index = keyword_index(index_dir)
    try:
        return set(index._spelling_index().frequency)
    finally:
        index.close()


def test_document_units_give_no_words_to_spelling_in_a_build_and_in_an_update(paths):
    from indexer.search.keyword import ParsedQuery

    tree, index_dir = paths
    for number in range(12):  # enough units that one edit is an incremental update
        tree.case(f"town-{number}", title=f"Town {number} furniture cluster")
    build_index(tree.root, index_dir, None, extra_units=[passage(1, "Quokkaville ceramics")],
                extra_hashes={"document:7": "h1"})
    words = spelling_words(index_dir)
    assert "quokkaville" not in words and "alpha" in words
    index = keyword_index(index_dir)
    try:
        assert index.scores(ParsedQuery.parse("quokkaville")).any()  # searchable, just not suggested
        assert index.suggest(ParsedQuery.parse("quokkavile")) is None
    finally:
        index.close()
    tree.case("alpha-town", title="Alpha town wallabyfield tiles")
    report = build_index(tree.root, index_dir, None,
                         extra_units=[passage(1, "Quokkaville ceramics"), passage(2, "Numbatburg glazes")],
                         extra_hashes={"document:7": "h2"})
    assert report.incremental
    words = spelling_words(index_dir)
    assert "wallabyfield" in words and not {"quokkaville", "numbatburg"} & words
