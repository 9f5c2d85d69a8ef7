"""Uploaded documents in search: passages found with their page, aggregated into one
item per document, counted and filtered by the document facets, in every mode."""

from __future__ import annotations

from collections import Counter

import pytest
from tests.documents_search_fixtures import (
    HIDDEN_INITIATIVE, OTHER_INITIATIVE, PAGE_TWO_PHRASE, build_searcher, sample_documents)

from indexer.content.schema import REGISTRY
from indexer.documents import models
from indexer.documents.fields import DOCUMENT_FACETS, public_facets, search_facets
from indexer.documents.units import IndexedDocument, document_units, document_year
from indexer.search.encoder import HashingEncoder
from indexer.search.searcher import SearchError, SearchRequest

DOCUMENTS = sample_documents()
EVERY_TOKEN = frozenset({models.PUBLIC, models.access_token(HIDDEN_INITIATIVE), models.access_token(OTHER_INITIATIVE)})


@pytest.fixture(scope="module")
def searcher(tmp_path_factory):
    built = build_searcher(tmp_path_factory.mktemp("index"), HashingEncoder(), DOCUMENTS)
    yield built
    built.close()


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """The bundled library alone."""
    built = build_searcher(tmp_path_factory.mktemp("bare"), HashingEncoder(), [])
    yield built
    built.close()


def document_hits(response):
    return [hit for hit in response.results if hit.kind == models.SEARCH_KIND]


def test_units_follow_the_passages():
    proposal, report = DOCUMENTS[0], DOCUMENTS[1]
    units = document_units(proposal)
    assert [unit.section for unit in units] == [f"Page {n}" for n in range(1, len(proposal.passages) + 1)]
    assert [unit.anchor for unit in units] == [f"page-{n}" for n in range(1, len(proposal.passages) + 1)]
    assert {unit.item_id for unit in units} == {f"document:{proposal.record.id}"}
    assert units[0].facets == {"kind": ["document"], "document_kind": ["proposal"], "programme": ["north-programme"],
                               "initiative": [], "year": ["2019"], "language": ["en"], "access": ["public"]}
    sections = document_units(report)
    assert [unit.section for unit in sections] == [passage.heading for passage in report.passages]
    assert [unit.anchor for unit in sections] == [f"passage-{passage.number}" for passage in report.passages]
    assert sections[0].facets["access"] == [models.access_token(HIDDEN_INITIATIVE)]
    assert sections[0].facets["language"] == ["pt"] and sections[0].facets["initiative"] == ["hidden-lacquer"]
    units[0].facets["year"].append("1999")  # one unit's facets are its own
    assert units[1].facets["year"] == ["2019"]


def test_a_passage_without_text_is_no_unit_and_a_document_without_a_date_has_its_upload_year():
    minutes = DOCUMENTS[2]
    assert minutes.record.date is None and document_year(minutes.record) == "2024"
    blank = IndexedDocument(DOCUMENTS[0].record, [DOCUMENTS[0].passages[0].model_copy(update={"text": "  \n"})])
    assert document_units(blank) == []


def test_a_phrase_from_page_two_is_found_with_its_page(searcher):
    response = searcher.search(SearchRequest(f'"{PAGE_TWO_PHRASE}"', mode="keyword"))
    (hit,) = response.results
    assert (hit.kind, hit.id, hit.doc_id) == ("document", "document:1", "1")
    assert (hit.section, hit.anchor, hit.title) == ("Page 2", "page-2", DOCUMENTS[0].record.title)
    assert "<mark>quokka</mark>" in hit.snippet_html and "[quokka]" in hit.snippet
    assert response.total == 1


def test_passages_aggregate_into_one_item_with_the_best_as_its_section(searcher):
    response = searcher.search(SearchRequest("dyeing plant association", mode="keyword", kinds=("document",)))
    ids = [hit.id for hit in response.results]
    assert len(ids) == len(set(ids)) and "document:1" in ids
    hit = response.results[ids.index("document:1")]
    others = {other["anchor"] for other in hit.other_matches}
    assert hit.anchor not in others and others  # the other matching pages are listed under it
    assert others <= {f"page-{n}" for n in range(1, 4)}


def test_facets_count_kinds_years_and_languages(searcher):
    visible = DOCUMENTS  # every token: every document
    counts = searcher.facet_counts(access=EVERY_TOKEN)
    assert counts["kind"]["document"] == len(visible)
    assert counts["document_kind"] == dict(Counter(doc.record.kind for doc in visible))
    assert counts["year"] == dict(Counter(document_year(doc.record) for doc in visible))
    assert counts["language"] == dict(Counter(doc.record.language for doc in visible if doc.record.language))
    assert counts["programme"] == {"north-programme": sum(doc.programme_slug == "north-programme" for doc in visible)}
    assert "access" not in counts
    answer = searcher.search(SearchRequest("weavers", mode="keyword", kinds=("document",), access=EVERY_TOKEN))
    kinds_found = Counter(DOCUMENTS[int(hit.doc_id) - 1].record.kind for hit in answer.results)
    assert answer.total == len(answer.results) and answer.facets["document_kind"] == dict(kinds_found)


def test_filtering_by_kind_of_document(searcher):
    response = searcher.search(SearchRequest("weavers dyeing", mode="keyword", filters={"document_kind": ("minutes",)}))
    assert [hit.id for hit in response.results] == ["document:3"]
    assert response.facets["document_kind"] == {"minutes": 1}
    every = searcher.search(SearchRequest("weavers", mode="keyword", kinds=("document",)))
    assert {hit.id for hit in every.results} == {"document:1", "document:3"}


def test_the_access_facet_is_no_filter_and_documents_are_a_kind():
    with pytest.raises(SearchError) as error:
        SearchRequest("x", filters={"access": ("initiative:41",)}).validate()
    assert error.value.parameter == "filter"
    with pytest.raises(SearchError) as error:
        SearchRequest("x", access={"public"}).validate()  # type: ignore[arg-type]
    assert error.value.parameter == "access"
    SearchRequest("x", kinds=("document",), filters={"language": ("pt",), "year": ("2021",)}).validate()
    assert "access" in search_facets() and "access" not in public_facets()
    assert search_facets()[:len(REGISTRY.facets)] == REGISTRY.facets
    assert {facet.name for facet in DOCUMENT_FACETS} <= set(search_facets())


@pytest.mark.parametrize("mode", ["keyword", "hybrid", "semantic"])
def test_every_mode_finds_passages(searcher, mode):
    response = searcher.search(SearchRequest("quokka weavers dyeing plant", mode=mode, limit=5))
    assert response.results and response.results[0].id == "document:1", [h.id for h in response.results]
    assert response.results[0].section == "Page 2"


def test_the_bundled_answers_are_the_same_for_every_reader_without_documents(bare):
    assert bare.facets == REGISTRY.facets and set(bare.facet_counts()) == set(REGISTRY.facets)
    for query in ("trust between firms", "footwear", "clustr promotoin"):
        public = bare.search(SearchRequest(query, mode="hybrid"))
        everyone = bare.search(SearchRequest(query, mode="hybrid", access=EVERY_TOKEN))
        assert public.to_dict() == everyone.to_dict()
        assert set(public.facets) == set(REGISTRY.facets) and not document_hits(public)


def test_documents_leave_the_bundled_items_where_a_filter_keeps_to_them(searcher, bare):
    for query in ("trust between firms", "footwear cluster"):
        request = dict(mode="keyword", kinds=("case", "note", "lesson"), limit=50)
        with_documents = searcher.search(SearchRequest(query, **request))
        alone = bare.search(SearchRequest(query, **request))
        assert with_documents.total == alone.total
        assert {hit.id for hit in with_documents.results} == {hit.id for hit in alone.results}


@pytest.mark.model
def test_the_real_model_finds_a_passage_by_meaning(tmp_path):
    from indexer.search.encoder import SentenceTransformerEncoder

    searcher = build_searcher(tmp_path / "index", SentenceTransformerEncoder(threads=2), DOCUMENTS)
    try:
        query = "artisans who make cloth want a common facility to colour their yarn"
        semantic = searcher.search(SearchRequest(query, mode="semantic", kinds=("document",), limit=3))
        hybrid = searcher.search(SearchRequest(query, mode="hybrid", limit=10))
        assert semantic.results[0].id == "document:1"
        assert "document:1" in [hit.id for hit in hybrid.results]
    finally:
        searcher.close()


def test_a_document_facet_filter_on_an_index_without_documents_matches_nothing(bare):
    response = bare.search(SearchRequest("trust", mode="keyword", filters={"document_kind": ("proposal",)}))
    assert (response.total, response.results) == (0, [])
    assert set(response.facets) == set(REGISTRY.facets)
    with pytest.raises(SearchError):
        bare.search(SearchRequest("trust", mode="keyword", filters={"access": ("public",)}))


def test_the_benchmarks_documents_are_synthetic_varied_and_partly_hidden():
    from benchmarks.documents import HIDDEN_INITIATIVES, paragraphs, synthetic_documents
    from tests.conftest import REPO_ROOT

    texts = paragraphs(content_root=REPO_ROOT)
    documents = synthetic_documents(40, 3, texts)
    assert all(doc.record.title.startswith("Synthetic document ") for doc in documents)
    assert len({tuple(p.text for p in doc.passages) for doc in documents}) == len(documents)
    hidden = [doc for doc in documents if doc.record.initiative_id is not None]
    assert len(hidden) == len(documents) // 4
    assert all(1 <= doc.record.initiative_id <= HIDDEN_INITIATIVES for doc in hidden)
    assert {len(document_units(doc)) for doc in documents} == {3}
