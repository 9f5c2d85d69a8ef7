"""A hidden initiative's documents are never found by a reader without its token: not in
hits, totals, facet counts (with and without a query), snippets, the all-words rule's
notices or "did you mean"; a reader with the token finds them. The strongest form:
without the token, the answer is the answer of an index that never held them."""

from __future__ import annotations

import pytest
from tests.documents_search_fixtures import (
    HIDDEN_INITIATIVE, HIDDEN_PHRASE, HIDDEN_WORD, OTHER_INITIATIVE, OTHER_WORD, build_searcher, sample_documents)

from indexer.documents import models
from indexer.search.encoder import HashingEncoder
from indexer.search.searcher import SearchRequest

DOCUMENTS = sample_documents()
HIDDEN = models.access_token(HIDDEN_INITIATIVE)
OTHER = models.access_token(OTHER_INITIATIVE)
HIDDEN_IDS = {f"document:{doc.record.id}" for doc in DOCUMENTS if doc.record.initiative_id == HIDDEN_INITIATIVE}
QUERIES = [HIDDEN_WORD, f'"{HIDDEN_PHRASE}"', f"{HIDDEN_WORD} agency", "lacquer makers", "municipal agency distrust",
           "trust between firms and the municipal agency in the lacquer cluster", "weavers", "", OTHER_WORD,
           f"{HIDDEN_WORD[:-1]}"]
MODES = ("keyword", "hybrid", "semantic")


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    built = build_searcher(tmp_path_factory.mktemp("index"), HashingEncoder(), DOCUMENTS)
    yield built
    built.close()


@pytest.fixture(scope="module")
def without_hidden(tmp_path_factory):
    """The same library as a reader without the hidden token should see it."""
    visible = [doc for doc in DOCUMENTS if doc.record.initiative_id != HIDDEN_INITIATIVE]
    built = build_searcher(tmp_path_factory.mktemp("visible"), HashingEncoder(), visible)
    yield built
    built.close()


def shown(response) -> str:
    """Everything an answer tells its reader beyond echoing the query, as text."""
    answer = response.to_dict()
    return str([answer["total"], answer["results"], answer["facets"], answer["suggestion"]])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("query", QUERIES)
def test_without_the_token_nothing_of_the_hidden_document_shows(searcher, mode, query):
    for access in (frozenset({models.PUBLIC}), frozenset({models.PUBLIC, OTHER})):
        response = searcher.search(SearchRequest(query, mode=mode, limit=50, access=access))
        assert not HIDDEN_IDS & {hit.id for hit in response.results}
        text = shown(response).lower()
        for secret in ("hidden-lacquer", HIDDEN_WORD, "lacquer"):
            assert secret not in text, (secret, query, mode)
        assert "fact-finding" not in response.facets["document_kind"] and "pt" not in response.facets["language"]
        assert response.suggestion is None or HIDDEN_WORD not in response.suggestion


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("query", QUERIES)
def test_without_the_token_the_answer_is_that_of_an_index_without_the_document(searcher, without_hidden, mode, query):
    """Same items, total, facet counts, notices and suggestion (scores may differ: the
    hidden passages still count in the words' document frequencies)."""
    masked = searcher.search(SearchRequest(query, mode=mode, limit=100))
    alone = without_hidden.search(SearchRequest(query, mode=mode, limit=100))
    assert masked.total == alone.total
    assert {hit.id for hit in masked.results} == {hit.id for hit in alone.results}
    assert masked.facets == alone.facets
    assert (masked.notices, masked.suggestion) == (alone.notices, alone.suggestion)
    assert {(hit.id, hit.snippet) for hit in masked.results} == {(hit.id, hit.snippet) for hit in alone.results}


def test_a_word_only_hidden_passages_hold_is_unknown_to_others(searcher):
    response = searcher.search(SearchRequest(f"{HIDDEN_WORD} weavers", mode="keyword"))
    assert f"Nothing in the library matches '{HIDDEN_WORD}'; the results hold the other words" in response.notices
    assert {hit.id for hit in response.results} >= {"document:1", "document:3"}
    insider = searcher.search(SearchRequest(f"{HIDDEN_WORD} weavers", mode="keyword",
                                           access=frozenset({models.PUBLIC, HIDDEN})))
    assert not any("Nothing in the library matches" in notice for notice in insider.notices)


def test_no_suggestion_comes_from_a_hidden_word_even_for_its_insiders(searcher):
    for access in (frozenset({models.PUBLIC}), frozenset({models.PUBLIC, HIDDEN})):
        response = searcher.search(SearchRequest("wombatinne", mode="keyword", access=access))
        assert response.suggestion is None or HIDDEN_WORD not in response.suggestion


def test_facet_counts_without_a_query_leave_the_hidden_document_out(searcher):
    public = searcher.facet_counts()
    assert public["kind"]["document"] == sum(doc.record.initiative_id is None for doc in DOCUMENTS)
    assert "fact-finding" not in public["document_kind"] and "evaluation" not in public["document_kind"]
    assert "hidden-lacquer" not in public["initiative"] and "pt" not in public["language"]
    insider = searcher.facet_counts(access=frozenset({models.PUBLIC, HIDDEN}))
    assert insider["kind"]["document"] == public["kind"]["document"] + 1
    assert insider["initiative"] == {"hidden-lacquer": 1} and insider["document_kind"]["fact-finding"] == 1
    assert insider["kind"]["case"] == public["kind"]["case"]  # cases are visible to all alike


@pytest.mark.parametrize("mode", MODES)
def test_with_the_token_the_hidden_document_is_found_counted_and_highlighted(searcher, mode):
    access = frozenset({models.PUBLIC, HIDDEN})
    response = searcher.search(SearchRequest(f'"{HIDDEN_PHRASE}"', mode=mode, access=access))
    assert [hit.id for hit in response.results] == sorted(HIDDEN_IDS) and response.total == 1
    hit = response.results[0]
    assert hit.section == "Diagnóstico" and hit.anchor == "passage-0"
    assert f"<mark>{HIDDEN_WORD}</mark>" in hit.snippet_html
    assert response.facets["initiative"] == {"hidden-lacquer": 1} and response.facets["language"] == {"pt": 1}


def test_one_initiatives_token_opens_only_its_own_documents(searcher):
    other_only = frozenset({models.PUBLIC, OTHER})
    found = searcher.search(SearchRequest(OTHER_WORD, mode="keyword", access=other_only))
    assert [hit.id for hit in found.results] == ["document:4"]
    assert not searcher.search(SearchRequest(HIDDEN_WORD, mode="keyword", access=other_only)).results
    assert not searcher.search(SearchRequest(OTHER_WORD, mode="keyword", access=frozenset({HIDDEN}))).results
    tokenless = searcher.search(SearchRequest("weavers footwear", mode="keyword", access=frozenset()))
    assert not [hit for hit in tokenless.results if hit.kind == "document"] and tokenless.results  # cases still


def small_searcher(bodies: dict[str, str], hidden: dict[str, str]):
    """An in-memory searcher over notes (`bodies`) and hidden documents' passages."""
    from indexer.search.keyword import KeywordIndex
    from indexer.search.searcher import Searcher
    from indexer.search.synonyms import SynonymExpander
    from indexer.search.units import FIELD_B, FIELD_WEIGHTS, Unit

    units = [Unit(uid=name, item_id=name, doc_id=name, kind="note", unit_type="document", item_title=name,
                  section="", title=name, summary="", body=body, facets={"kind": ["note"]})
             for name, body in bodies.items()]
    units += [Unit(uid=f"{name}/0", item_id=name, doc_id=name.split(":")[1], kind="document", unit_type="passage",
                   item_title=name, section="Page 1", title="", summary="", body=body,
                   facets={"kind": ["document"], "access": [HIDDEN]}, anchor="page-1")
              for name, body in hidden.items()]
    records = [{"uid": unit.uid, "title": unit.title, "summary": unit.summary, "body": unit.body,
                "context": unit.context, "kind": unit.kind} for unit in units]
    return Searcher(units, KeywordIndex.build(records, FIELD_WEIGHTS, field_b=FIELD_B), None, SynonymExpander([]), None)


def test_which_words_are_common_is_decided_among_the_items_the_reader_may_see():
    """Half of the visible notes say 'orchard', so it is common and only 'harvest' is
    required; counted among hidden passages too, 'orchard' would look rare and the
    answer would change (and so reveal how many hidden passages there are)."""
    notes = {"n1": "orchard", "n2": "orchard", "n3": "harvest", "n4": "granary"}
    hidden = {f"document:{n}": "sealed ledger" for n in range(1, 5)}
    with_hidden, alone = small_searcher(notes, hidden), small_searcher(notes, {})
    try:
        request = SearchRequest("orchard harvest", mode="keyword")
        assert [hit.id for hit in alone.search(request).results] == ["n3"]
        assert [hit.id for hit in with_hidden.search(request).results] == ["n3"]
        insider = with_hidden.search(SearchRequest("orchard harvest", mode="keyword", access=frozenset({HIDDEN})))
        assert sorted(hit.id for hit in insider.results) == ["n1", "n2", "n3"]  # now 'orchard' is rare
    finally:
        with_hidden.close()
        alone.close()


def test_a_generation_whose_read_model_lacks_the_access_facet_still_masks(tmp_path):
    """A read model saved with the registry's facets alone (by a build that predates the
    documents' facets) cannot mask: the searcher then reads the units instead."""
    import json

    from tests.documents_search_fixtures import open_generation

    from indexer.content.schema import REGISTRY
    from indexer.documents.fields import search_facets
    from indexer.index.build import current_generation
    from indexer.search.items import save_read_model
    from indexer.search.units import Unit, UnitTable

    build_searcher(tmp_path / "index", None, DOCUMENTS).close()
    folder = current_generation(tmp_path / "index")
    with open(folder / "units.jsonl", encoding="utf-8") as stream:
        units = [Unit.from_dict(json.loads(line)) for line in stream]
    for facets, lazy in ((REGISTRY.facets, False), (search_facets(), True)):
        save_read_model(folder, [unit.item_id for unit in units], [unit.facets for unit in units], facets)
        searcher = open_generation(folder, None)
        try:
            assert isinstance(searcher.units, UnitTable) is lazy
            assert not searcher.search(SearchRequest(HIDDEN_WORD, mode="keyword")).results
            assert "hidden-lacquer" not in searcher.facet_counts()["initiative"]
            insider = searcher.search(SearchRequest(HIDDEN_WORD, mode="keyword", access=frozenset({HIDDEN})))
            assert [hit.id for hit in insider.results] == sorted(HIDDEN_IDS)
        finally:
            searcher.close()
