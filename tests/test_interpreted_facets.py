"""Interpretation marks in the search facets (issue 9): a case's `interpreted` values
count, per facet value, how many matching items hold the value as the codifier's
reading of the source rather than a stated fact; a sector's ancestor counts as
interpreted only when every stated sector it comes from is."""

from __future__ import annotations

import pytest

from indexer.content.schema import REGISTRY
from indexer.search.searcher import SearchError, SearchRequest
from indexer.service import Casebase
from indexer.settings import Settings

SECTOR = next(name for name, spec in REGISTRY.facet_fields.items() if spec.path == "sectors")
DRIVER = next(name for name, spec in REGISTRY.facet_fields.items() if spec.path == "initiative.driver")


@pytest.fixture
def service(tree, tmp_path):
    # software -> ict -> (technology, services); logistics -> services.
    tree.case("read-in", sectors=["software", "logistics"],
              interpreted=["sectors=software", "initiative.driver"])
    tree.case("stated", sectors=["software"])
    casebase = Casebase.open(Settings.from_env(content_dir=tree.root, index_dir=tmp_path / "index", environ={}),
                             semantic=False)
    casebase.build_index()
    yield casebase
    casebase.close()


def test_a_search_counts_the_interpreted_values_of_the_matching_items(service):
    answer = service.search(SearchRequest("furniture", mode="keyword", kinds=("case",)))
    assert answer.total == 2 and answer.facets[SECTOR]["software"] == 2
    # services also comes from the stated logistics, so it is not an interpretation.
    assert answer.interpreted == {SECTOR: {"software": 1, "ict": 1, "technology": 1}, DRIVER: {"private": 1}}
    assert answer.to_dict()["interpreted"] == answer.interpreted


def test_the_interpreted_counts_follow_the_filters(service):
    only_stated = service.search(SearchRequest("furniture", mode="keyword", kinds=("case",),
                                               filters={SECTOR: ("logistics",)}))
    assert only_stated.total == 1 and only_stated.interpreted[SECTOR] == {"software": 1, "ict": 1, "technology": 1}
    lessons = service.search(SearchRequest("training", mode="keyword", kinds=("lesson",)))
    # A lesson carries its case's facets, and so its case's interpretations.
    assert lessons.total == 2 and lessons.interpreted[DRIVER] == {"private": 1}


def test_the_internal_facet_is_neither_shown_nor_a_filter(service):
    answer = service.search(SearchRequest("furniture", mode="keyword"))
    assert "interpreted" not in answer.facets
    assert "interpreted" not in service.facet_counts()
    with pytest.raises(SearchError, match="interpreted"):
        service.search(SearchRequest("furniture", mode="keyword", filters={"interpreted": ("sector=software",)}))
