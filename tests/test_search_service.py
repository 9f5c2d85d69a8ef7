"""The service object end to end on a small tree, with a deterministic fake encoder."""

from __future__ import annotations

from collections import Counter

import pytest
from tests.conftest import valid_case

from indexer.index.build import IndexLocked, IndexMismatch, BuildLock
from indexer.search.encoder import HashingEncoder
from indexer.search.searcher import SearchError, SearchRequest
from indexer.service import Casebase
from indexer.settings import Settings

GLOSSARY = """terms:
  - term: location quotient
    aliases: [LQ, LQs]
    definition: A ratio of regional to national employment shares (Author 2001).
    note: methods
  - term: monitoring and evaluation
    aliases: [M&E, M+E]
    definition: Tracking progress (Author 2001).
    note: methods
"""


def shoe_case(tree):
    lessons = [dict(valid_case()["lessons"][0], id="mind-the-rift",
                    statement="Keep large firms and SMEs at one table.",
                    explanation="A rift between large firms and SMEs compromised upgrading (Author 2001).",
                    topics=["cooperation"])]
    tree.case("shoe-valley", title="Shoe valley footwear cluster", sectors=["footwear"],
              summary="Footwear makers whose chamber led upgrading (Author 2001).", lessons=lessons,
              body="## Context\n\nA footwear cluster (Author 2001).\n\n## What happened\n\n"
                   "Upgrading stalled after a rift (Author 2001).\n")


@pytest.fixture
def casebase(tree, tmp_path):
    shoe_case(tree)
    tree.case("tile-town", title="Tile town ceramic cluster", sectors=["ceramic-tiles"],
              summary="Ceramic tile makers where cooperation collapsed after a crisis (Author 2001).",
              location={"place": "Tile town", "region": "unknown", "country": "Italy"})
    tree.note("methods", title="Methods to identify clusters",
              summary="Location quotient and expert opinion (Author 2001).", topics=["identification"],
              body="## Specialisation indicators\n\nThe location quotient compares shares (Author 2001).\n\n"
                   "## Monitoring and evaluation\n\nMonitoring and evaluation needs process indicators.\n")
    (tree.root / "kb" / "glossary.yaml").write_text(GLOSSARY)
    settings = Settings.from_env(content_dir=tree.root, index_dir=tmp_path / "index", environ={})
    service = Casebase.open(settings, encoder=HashingEncoder())
    report = service.build_index()
    assert report.built and report.semantic
    yield service
    service.close()


def ids(response):
    return [hit.id for hit in response.results]


def test_accentless_and_title_queries_find_the_case(casebase):
    assert ids(casebase.search(SearchRequest("tile town")))[0] == "tile-town"


def test_sections_aggregate_into_one_item_per_document(casebase):
    response = casebase.search(SearchRequest("footwear", mode="keyword"))
    assert ids(response).count("shoe-valley") == 1
    hit = response.results[ids(response).index("shoe-valley")]
    assert hit.doc_id == "shoe-valley" and hit.kind == "case"
    assert "url" not in hit.to_dict()  # only the web layer knows its routes


def test_lessons_are_items_of_their_own(casebase):
    response = casebase.search(SearchRequest("rift", kinds=("lesson",)))
    assert ids(response) == ["shoe-valley#mind-the-rift"]
    hit = response.results[0]
    assert hit.doc_id == "shoe-valley" and hit.kind == "lesson"
    assert hit.anchor == "lesson-mind-the-rift" and hit.to_dict()["anchor"] == "lesson-mind-the-rift"
    assert "[rift]" in hit.snippet and "<mark>rift</mark>" in hit.snippet_html


def test_sector_filter_uses_taxonomy_parents(casebase):
    leather = casebase.search(SearchRequest("cluster", filters={"sector": ("leather-and-footwear",)}))
    assert {hit.doc_id for hit in leather.results} == {"shoe-valley"}
    building = casebase.search(SearchRequest("cluster", filters={"sector": ("building-materials",)}))
    assert {hit.doc_id for hit in building.results} == {"tile-town"}


def test_facets_count_matching_items(casebase):
    # Facets are counted over every matching item, apart from the page: all on one page
    # here, so the counts must equal what the results themselves say.
    response = casebase.search(SearchRequest("cluster", mode="keyword", limit=100))
    assert response.total == len(response.results)
    assert response.facets["kind"] == dict(Counter(hit.kind for hit in response.results))
    assert set(response.facets["kind"]) == {"case", "lesson", "note"}
    cases_only = casebase.search(SearchRequest("cluster", mode="keyword", kinds=("case",), limit=100))
    cases = [casebase.content.documents[hit.doc_id] for hit in cases_only.results]
    assert len(cases) == len(casebase.content.cases)
    assert cases_only.facets["country"] == dict(Counter(case.get("location.country") for case in cases))
    vocabulary = casebase.content.vocabulary
    in_manufacturing = [case for case in cases
                        if any("manufacturing" in vocabulary.sector_ancestors(s) for s in case.values("sectors"))]
    assert cases_only.facets["sector"]["manufacturing"] == len(in_manufacturing) > 0


def test_an_index_written_before_anchors_still_opens(casebase):
    from indexer.search.units import Unit

    unit = casebase.searcher.units[0]
    old = {key: value for key, value in unit.to_dict().items() if key != "anchor"}
    for url, anchor in (("/cases/shoe-valley#lesson-mind-the-rift", "lesson-mind-the-rift"),
                        ("/cases/shoe-valley", None), ("/notes/methods#", None)):
        assert Unit.from_dict(dict(old, url=url)).anchor == anchor
    assert Unit.from_dict(dict(old, colour="red")).uid == unit.uid  # unknown keys are left out


def test_glossary_abbreviations_expand_the_query(casebase):
    response = casebase.search(SearchRequest("LQ", mode="keyword"))
    assert ids(response)[0] == "methods"
    assert "location quotient" in response.expanded_query
    assert response.suggestion is None
    assert ids(casebase.search(SearchRequest("M&E", mode="keyword")))[0] == "methods"


def test_hybrid_hits_explain_their_ranks(casebase):
    hit = casebase.search(SearchRequest("ceramic tile crisis")).results[0]
    assert hit.id == "tile-town"
    explanation = hit.explanation
    assert explanation["keyword_rank"] == 1 and explanation["semantic_rank"] is not None
    expected = 1 / (60 + explanation["keyword_rank"]) + 1 / (60 + explanation["semantic_rank"])
    assert explanation["fused_score"] == pytest.approx(expected, abs=1e-6)


def test_did_you_mean_for_an_unknown_word(casebase):
    assert casebase.search(SearchRequest("footwaer")).suggestion == "footwear"


def test_bad_parameters_name_themselves(casebase):
    with pytest.raises(SearchError) as error:
        casebase.search(SearchRequest("x", mode="fuzzy"))
    assert error.value.parameter == "mode"
    with pytest.raises(SearchError) as error:
        casebase.search(SearchRequest("x", filters={"colour": ("red",)}))
    assert error.value.parameter == "filter"


def test_pagination_is_stable(casebase):
    everything = ids(casebase.search(SearchRequest("cluster", limit=50)))
    second = ids(casebase.search(SearchRequest("cluster", limit=2, offset=2)))
    assert second == everything[2:4]


def test_index_built_with_another_model_is_refused(casebase):
    other = Casebase(casebase.settings, casebase.content, HashingEncoder(name="another-model"))
    with pytest.raises(IndexMismatch, match="run 'casebase index --rebuild'"):
        other.search(SearchRequest("tile"))


def test_second_writer_gets_a_clear_message(casebase):
    with BuildLock(casebase.settings.index_dir / "build.lock"):
        with pytest.raises(IndexLocked, match="another index build is running"):
            casebase.build_index()
