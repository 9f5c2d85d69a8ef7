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
