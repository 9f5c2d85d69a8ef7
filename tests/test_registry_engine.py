"""Adding a field to (a copy of) the registry is enough for search and the advisor to use it.

The new field reuses the pressure vocabulary's values, so the test needs no change
to the vocabulary file; what matters is that nothing in the engine names the field.
"""

from __future__ import annotations

import pytest

from indexer.advisor.profile import Profile, ProfileError
from indexer.advisor.suggest import DEFAULT_WEIGHTS, INITIATIVE, Advisor
from indexer.checking import load_library
from indexer.content.documents import Lesson
from indexer.content.schema import REGISTRY, FieldSpec
from indexer.search.keyword import KeywordIndex
from indexer.search.searcher import SearchError, SearchRequest, Searcher
from indexer.search.synonyms import SynonymExpander
from indexer.search.units import FIELD_B, FIELD_WEIGHTS, content_units, document_facets

NEW = "export_orientation"
ROLES = frozenset({"facet", "attribute", "condition", "fact", "form", "csv"})


@pytest.fixture
def registry():
    return REGISTRY.with_field(FieldSpec(f"situation.{NEW}", "term", vocabulary="pressure",
                                         label="Export orientation", roles=ROLES))


@pytest.fixture
def content(tree):
    """Two cases; only 'exporters' states the new field, and its lesson is conditioned on it."""
    tree.case("exporters", title="Exporters valley", summary="Furniture exporters (Author 2001).")
    tree.case("homebodies", title="Home market town", summary="Furniture for the home market (Author 2001).")
    loaded = load_library(tree.root)
    assert not loaded.errors, loaded.errors
    exporters = loaded.documents["exporters"]
    exporters.meta["situation"][NEW] = "doing-well"
    lesson = exporters.lessons[0]
    exporters.lessons = [Lesson(lesson.id, lesson.case_id, "Follow the buyers abroad.", lesson.explanation,
                                lesson.topics, {NEW: ("doing-well",)}, lesson.sources)]
    return loaded


@pytest.fixture
def searcher(content, registry):
    units = content_units(content, registry)
    records = [{"uid": unit.uid, "title": unit.title, "summary": unit.summary, "body": unit.body,
                "context": unit.context} for unit in units]
    keyword = KeywordIndex.build(records, FIELD_WEIGHTS, field_b=FIELD_B)
    built = Searcher(units, keyword, None, SynonymExpander([]), None, registry=registry)
    yield built
    built.close()


def test_the_new_field_is_a_facet_only_of_the_registry_that_has_it(registry):
    assert NEW in registry.facets and NEW not in REGISTRY.facets
    assert registry.facets[0] == "kind" and registry.facets[-1] == "topic"


def test_a_document_carries_the_new_facet(content, registry):
    exporters, homebodies = content.documents["exporters"], content.documents["homebodies"]
    assert document_facets(exporters, content.vocabulary, registry)[NEW] == ["doing-well"]
    assert document_facets(homebodies, content.vocabulary, registry)[NEW] == []
    assert NEW not in document_facets(exporters, content.vocabulary)


def test_search_counts_and_filters_by_the_new_facet(searcher, content):
    exporters = content.documents["exporters"]
    items_with_value = 1 + len(exporters.lessons)  # a lesson carries its case's facets
    assert searcher.facet_counts()[NEW] == {"doing-well": items_with_value}
    response = searcher.search(SearchRequest("furniture", mode="keyword", filters={NEW: ("doing-well",)}))
    assert {hit.doc_id for hit in response.results} == {"exporters"}
    assert response.facets[NEW] == {"doing-well": response.total}
    with pytest.raises(SearchError) as error:
        SearchRequest("furniture", filters={NEW: ("doing-well",)}).validate()  # the default registry
    assert error.value.parameter == "filter"


def test_the_profile_accepts_and_validates_the_new_attribute(content, registry):
    vocabulary = content.vocabulary
    assert NEW in registry.scalar_attributes
    profile = Profile.from_mapping({NEW: "doing-well"}, vocabulary, registry)
    assert profile.get(NEW) == "doing-well" and profile.to_dict() == {NEW: "doing-well"}
    with pytest.raises(ProfileError) as error:
        Profile.from_mapping({NEW: "sideways"}, vocabulary, registry)
    assert error.value.field == NEW and "under-pressure" in error.value.message
    with pytest.raises(ProfileError) as error:
        Profile.from_mapping({NEW: "doing-well"}, vocabulary)
    assert error.value.field == NEW and "unknown attribute" in error.value.message
    from_case = Profile.from_case(content.documents["exporters"], vocabulary, registry)
    assert from_case.get(NEW) == "doing-well"


def test_the_advisor_compares_the_new_attribute_and_lessons_use_it_as_a_condition(content, searcher, registry):
    assert registry.condition_keys[NEW] == "pressure" and registry.condition_paths[NEW] == f"situation.{NEW}"
    advisor = Advisor(content, searcher, None, registry=registry)
    answer = advisor.suggest(Profile.from_mapping({NEW: "doing-well"}, content.vocabulary, registry))
    assert [match.id for match in answer.cases][0] == "exporters"
    part = next(part for part in answer.cases[0].explanation if part.attribute == NEW)
    assert (part.query_value, part.case_value, part.similarity) == ("doing-well", "doing-well", 1.0)
    unknown = next(part for match in answer.cases if match.id == "homebodies"
                   for part in match.explanation if part.attribute == NEW)
    # A case that does not record the attribute counts at the library's mean, at half weight.
    assert unknown.case_value == "unknown" and unknown.imputed and unknown.weight == 0.5
    lesson = answer.lessons[0]
    assert lesson["id"] == "exporters#start-small"
    assert "applies when export orientation is Doing well (yours)" in lesson["why"]


def test_the_default_registry_gives_every_compared_attribute_a_weight():
    compared = set(REGISTRY.attribute_paths) - set(INITIATIVE)
    assert compared | {"initiative", "description"} == set(DEFAULT_WEIGHTS)
    assert set(INITIATIVE) <= set(REGISTRY.attribute_paths)


def test_content_without_a_vocabulary_has_no_units_instead_of_an_assertion(tmp_path):
    from indexer.content.loading import Content
    from indexer.search.units import content_units

    assert content_units(Content(tmp_path, None)) == []
