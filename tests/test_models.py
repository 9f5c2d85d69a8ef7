"""The typed answer models: the engine's JSON validates against them, and their schema
carries the constraints the OpenAPI document is generated from."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from tests.test_search_service import casebase as search_casebase  # noqa: F401 - fixture reuse
from tests.test_suggest import advisor_tree  # noqa: F401 - fixture reuse

from indexer import models
from indexer.search.encoder import HashingEncoder
from indexer.search.searcher import SearchRequest
from indexer.service import Casebase
from indexer.settings import Settings

QUERIES = [SearchRequest("footwear rift", mode="keyword"), SearchRequest("cluster", limit=50),
           SearchRequest("LQ", mode="keyword"), SearchRequest("footwaer"),
           SearchRequest("rift", kinds=("lesson",)), SearchRequest('"large firms"', mode="semantic")]


@pytest.fixture
def advisor_casebase(advisor_tree, tmp_path):  # noqa: F811
    settings = Settings.from_env(content_dir=advisor_tree.root, index_dir=tmp_path / "index", environ={})
    service = Casebase.open(settings, encoder=HashingEncoder())
    service.build_index()
    yield service
    service.close()


@pytest.mark.parametrize("request_", QUERIES, ids=lambda r: f"{r.mode}:{r.query}")
def test_search_json_is_a_valid_model_and_round_trips(search_casebase, request_):  # noqa: F811
    data = search_casebase.search(request_).to_dict()
    validated = models.SearchResponse.model_validate(data)
    assert validated.model_dump() == data
    assert validated.total >= len(validated.results)


def test_search_hits_link_by_kind_doc_id_and_anchor(search_casebase):  # noqa: F811
    response = search_casebase.search(SearchRequest("footwear upgrading rift", mode="keyword", limit=50))
    data = response.to_dict()
    anchors = {(hit["kind"], hit["doc_id"], hit["anchor"]) for hit in data["results"]}
    assert ("lesson", "shoe-valley", "lesson-mind-the-rift") in anchors
    sections = [other for hit in data["results"] for other in hit["other_matches"]]
    assert sections and all(other["anchor"] and other["doc_id"] == "shoe-valley" for other in sections)


@pytest.mark.parametrize("profile", [
    {"sectors": ["leather-goods"], "driver": "private", "approach": "bottom-up", "country": "Peru"},
    {"description": "footwear makers in crisis", "pressure": "under-pressure",
     "cooperative_culture": "non-cooperative", "activities": ["training"]},
    {},
])
def test_suggestion_json_is_a_valid_model_and_round_trips(advisor_casebase, profile):
    data = advisor_casebase.suggest(profile).to_dict()
    validated = models.Suggestion.model_validate(data)
    assert validated.model_dump() == data
    for lesson in validated.lessons:
        assert lesson.doc_id == lesson.case_id and lesson.anchor.startswith("lesson-")
    assert all(note.kind == "note" and note.anchor is None for note in validated.notes)


def test_similar_cases_are_valid_case_matches(advisor_casebase):
    matches = [match.to_dict() for match in advisor_casebase.similar("shoe-valley")]
    assert models.SimilarCases.model_validate({"case": "shoe-valley", "similar": matches}).similar[0].doc_id


def test_schemas_carry_descriptions_and_constraints():
    schema = models.SearchResponse.model_json_schema()
    definitions = schema["$defs"]
    assert schema["properties"]["results"]["maxItems"] == models.MAX_LIMIT
    assert definitions["Hit"]["properties"]["other_matches"]["maxItems"] == models.MAX_OTHER_MATCHES
    assert schema["properties"]["total"]["minimum"] == 0
    for model in (models.SearchResponse, models.Suggestion, models.ErrorResponse):
        generated = model.model_json_schema()
        for name, definition in {model.__name__: generated, **generated.get("$defs", {})}.items():
            undocumented = [field for field, spec in definition["properties"].items()
                            if "description" not in spec and "$ref" not in spec]
            assert undocumented == [], name
    similarity = models.Suggestion.model_json_schema()["$defs"]["AttributeScore"]["properties"]["similarity"]
    assert (similarity["minimum"], similarity["maximum"]) == (0.0, 1.0)
    error = models.ErrorResponse.model_json_schema()["$defs"]["ErrorBody"]["properties"]["status"]
    assert (error["minimum"], error["maximum"]) == (400, 599)


def test_models_refuse_what_the_schema_forbids():
    explanation = {"fused_score": 1.0, "keyword_rank": 1, "keyword_score": 1.0,
                   "semantic_rank": None, "semantic_score": None}
    other = {"section": "Context", "kind": "case", "doc_id": "a", "anchor": "context"}
    hit = {"id": "a", "kind": "case", "title": "A", "score": 1.0, "snippet": "", "snippet_html": "",
           "section": "", "doc_id": "a", "anchor": None, "explanation": explanation,
           "other_matches": [other]}
    assert models.Hit.model_validate(hit).other_matches[0].anchor == "context"
    with pytest.raises(ValidationError):
        models.Hit.model_validate(dict(hit, other_matches=[other] * 4))
    with pytest.raises(ValidationError):
        models.Hit.model_validate(dict(hit, kind="page"))
    with pytest.raises(ValidationError):
        models.Hit.model_validate(dict(hit, explanation=dict(explanation, keyword_rank=0)))
    with pytest.raises(ValidationError):
        models.Hit.model_validate(dict(hit, url="/cases/a"))  # links are the web layer's
    with pytest.raises(ValidationError):
        models.ErrorBody(status=200, message="fine")
    body = models.ErrorBody(status=400, message="must be between 1 and 100", parameter="limit")
    assert body.model_dump(exclude_none=True) == {"status": 400, "message": "must be between 1 and 100",
                                                  "parameter": "limit"}
