"""A serving process answers from the index before the content has loaded: the
generation holds what the read path needs (units, items, facets, glossary)."""

from __future__ import annotations

import threading

import indexer.service as service_module
from indexer.index.build import GLOSSARY, current_generation, read_glossary
from indexer.search.encoder import HashingEncoder
from indexer.search.items import READ_MODEL
from indexer.search.searcher import SearchRequest
from indexer.search.units import UnitTable
from indexer.service import Casebase
from indexer.settings import Settings

GLOSSARY_TEXT = """terms:
  - term: location quotient
    aliases: [LQ]
    definition: A ratio of regional to national employment shares (Author 2001).
"""


def test_first_search_does_not_wait_for_the_content(tree, tmp_path, monkeypatch):
    tree.case("alpha-town", title="Alpha town location quotient cluster")
    tree.case("beta-city", title="Beta city textiles", sectors=["textiles"])
    (tree.root / "kb" / "glossary.yaml").write_text(GLOSSARY_TEXT)
    settings = Settings.from_env(content_dir=tree.root, index_dir=tmp_path / "index", environ={})
    builder = Casebase.open(settings, encoder=HashingEncoder())
    builder.build_index()
    builder.close()
    folder = current_generation(settings.index_dir)
    assert (folder / READ_MODEL).exists() and [term.term for term in read_glossary(folder)] == ["location quotient"]

    release, loading, loaded = threading.Event(), threading.Event(), threading.Event()
    real_load = service_module.load_library

    def slow_load(root):
        loading.set()
        release.wait(timeout=5)
        content = real_load(root)
        loaded.set()
        return content

    monkeypatch.setattr(service_module, "load_library", slow_load)
    served = Casebase.open(settings, encoder=HashingEncoder())
    try:
        assert loading.wait(timeout=10)  # the content is being loaded in the background ...
        answer = served.search(SearchRequest("LQ", mode="keyword", kinds=("case",)))  # ... while this answers
        assert not loaded.is_set()
        assert [hit.id for hit in answer.results] == ["alpha-town"]  # the synonym came from the generation
        assert answer.facets["kind"] == {"case": 1} and answer.facets["sector"]
        assert isinstance(served.searcher.units, UnitTable)
        release.set()
        assert set(served.content.documents) >= {"alpha-town", "beta-city"}  # waits for the load
    finally:
        release.set()
        served.close()


def test_a_generation_without_its_glossary_uses_the_contents(tree, tmp_path):
    """Generations written before the glossary was stored still expand synonyms."""
    tree.case("alpha-town", title="Alpha town location quotient cluster")
    (tree.root / "kb" / "glossary.yaml").write_text(GLOSSARY_TEXT)
    settings = Settings.from_env(content_dir=tree.root, index_dir=tmp_path / "index", environ={})
    builder = Casebase.open(settings, encoder=HashingEncoder())
    builder.build_index()
    builder.close()
    (current_generation(settings.index_dir) / GLOSSARY).unlink()
    served = Casebase.open(settings, encoder=HashingEncoder())
    try:
        answer = served.search(SearchRequest("LQ", mode="keyword", kinds=("case",)))
        assert [hit.id for hit in answer.results] == ["alpha-town"]
    finally:
        served.close()


def test_a_serving_process_suggests_before_the_content_has_loaded(tree, tmp_path, monkeypatch):
    """With the case table in its generation, the advisor answers from it (and the
    knowledge base's vocabulary and rules) while the content is still loading, exactly
    as it does once the content is there."""
    from indexer.advisor.casestore import CASE_TABLE, save_case_table

    tree.case("alpha-town", title="Alpha town footwear", sectors=["footwear"])
    tree.case("beta-city", title="Beta city textiles", sectors=["textiles"])
    settings = Settings.from_env(content_dir=tree.root, index_dir=tmp_path / "index", environ={})
    builder = Casebase.open(settings, encoder=HashingEncoder())
    builder.build_index()
    folder = current_generation(settings.index_dir)
    if not (folder / CASE_TABLE).exists():  # until the build writes it itself
        save_case_table(folder, builder.content)
    profile = {"description": "Shoe makers losing exports", "sectors": ["footwear"], "driver": "private"}
    expected = builder.suggest(profile).to_dict()
    builder.close()

    release, loading = _hold_content_loads(monkeypatch)
    served = Casebase.open(settings, encoder=HashingEncoder())
    try:
        assert loading.wait(timeout=10)
        early = served.suggest(profile)
        assert served._content is None  # answered without the content
        assert early.to_dict() == expected and early.cases[0].id == "alpha-town"
        table = served.advisor().table
        release.set()
        assert set(served.content.documents) == {"alpha-town", "beta-city"}
        assert served.suggest(profile).to_dict() == expected
        assert served.advisor().content is served.content and served.advisor().table is table  # same cases: kept
    finally:
        release.set()
        served.close()


def test_an_advisor_reads_the_content_when_it_changed_since_the_build(tree, tmp_path):
    """A publish reloads the content before the index follows: the generation's table
    no longer describes the cases, so the advisor makes its own from the content."""
    from indexer.advisor.casestore import save_case_table

    path = tree.case("alpha-town", title="Alpha town footwear", sectors=["footwear"])
    settings = Settings.from_env(content_dir=tree.root, index_dir=tmp_path / "index", environ={})
    casebase = Casebase.open(settings, encoder=HashingEncoder())
    try:
        casebase.build_index()
        save_case_table(current_generation(settings.index_dir), casebase.content)
        assert casebase.advisor().table.matches(casebase.content)
        path.write_text(path.read_text().replace("Alpha town footwear", "Alpha town shoes"))
        casebase.reload_content()
        advisor = casebase.advisor()
        assert advisor.table.matches(casebase.content) and advisor.table.title("alpha-town") == "Alpha town shoes"
        assert casebase.suggest({"sectors": ["footwear"]}).cases[0].title == "Alpha town shoes"
    finally:
        casebase.close()


def test_warming_up_in_the_background_leaves_keyword_search_free(tree, tmp_path, monkeypatch):
    """warm(wait=False) returns once the index is open, even while preparing the advisor
    waits for the content (a generation without a case table); keyword search answers."""
    from indexer.advisor.casestore import CASE_TABLE

    tree.case("alpha-town", title="Alpha town footwear", sectors=["footwear"])
    settings = Settings.from_env(content_dir=tree.root, index_dir=tmp_path / "index", environ={})
    builder = Casebase.open(settings, encoder=HashingEncoder())
    builder.build_index()
    builder.close()
    (current_generation(settings.index_dir) / CASE_TABLE).unlink(missing_ok=True)
    release, loading = _hold_content_loads(monkeypatch)
    served = Casebase.open(settings, encoder=HashingEncoder())
    try:
        served.warm(wait=False)
        assert loading.wait(timeout=10) and served._content is None
        answer = served.search(SearchRequest("alpha", mode="keyword", kinds=("case",)))
        assert [hit.id for hit in answer.results] == ["alpha-town"] and served._content is None
        release.set()
        assert served.suggest({"sectors": ["footwear"]}).cases[0].id == "alpha-town"
    finally:
        release.set()
        served.close()


def _hold_content_loads(monkeypatch) -> tuple[threading.Event, threading.Event]:
    """Make every content load wait until `release` is set; `loading` says one began."""
    release, loading = threading.Event(), threading.Event()
    real_load = service_module.load_library

    def slow_load(root, previous=None):
        loading.set()
        release.wait(timeout=10)
        return real_load(root, previous)

    monkeypatch.setattr(service_module, "load_library", slow_load)
    return release, loading
