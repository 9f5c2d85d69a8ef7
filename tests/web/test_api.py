"""The JSON API keeps the promises of its OpenAPI document.

Three layers: every endpoint called with realistic inputs and its body validated
against the schema served at /api/openapi.json; a small, deterministic schemathesis
run over the whole document (valid and invalid inputs: no 5xx, only documented
statuses, bodies that match); and the error contract spelled out case by case.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.definitions import OPENAPI_31

from indexer.content.documents import Document
from indexer.search.encoder import HashingEncoder
from indexer.service import Casebase
from indexer.settings import Settings
from webui import create_app, presenters
from webui.api import CSV_COLUMNS

REPO_ROOT = Path(__file__).resolve().parents[2]
PROFILE = {"description": "Shoe workshops lose market share to imports; large factories and small workshops "
                          "distrust each other", "country": "Mexico", "sectors": ["footwear"],
           "driver": "private", "approach": "bottom-up"}


@pytest.fixture
def document(client):
    """The served OpenAPI document."""
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def schema_for(document: dict, path: str, method: str, status: int, media: str = "application/json") -> dict:
    """The documented schema of one response (KeyError when the status is undocumented)."""
    return document["paths"][path][method]["responses"][str(status)]["content"][media]["schema"]


def problems(document: dict, schema: dict, instance) -> list[str]:
    """Validation errors of `instance` against `schema`, with the document's $refs resolvable."""
    validator = jsonschema_rs.Draft202012Validator({**schema, "components": document["components"]})
    return [f"{'/'.join(map(str, error.instance_path))}: {error.message[:300]}"
            for error in validator.iter_errors(instance)]


def assert_conforms(document: dict, response, path: str, method: str = "get") -> dict:
    """The response's status is documented and its JSON body matches the schema."""
    assert response.mimetype == "application/json", response.mimetype
    body = response.get_json()
    assert problems(document, schema_for(document, path, method, response.status_code), body) == []
    return body


# -- the document itself ------------------------------------------------------

def test_document_is_valid_openapi_31_and_covers_every_api_route(app, document):
    jsonschema_rs.validate(OPENAPI_31, document)
    documented = {(path, method.upper()) for path, item in document["paths"].items() for method in item}
    routed = {(rule.rule.replace("<", "{").replace(">", "}"), method)
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routed
    for name, schema in document["components"]["schemas"].items():  # each is valid JSON Schema 2020-12
        jsonschema_rs.meta.validate({"$schema": "https://json-schema.org/draft/2020-12/schema", **schema})
        problems(document, {"$ref": f"#/components/schemas/{name}"}, {})  # and its $refs resolve


def test_enums_come_from_the_vocabulary(document, bundled_casebase):
    vocabulary = bundled_casebase.content.vocabulary
    profile = document["components"]["schemas"]["Profile"]["properties"]
    driver = profile["driver"]["anyOf"][0]["enum"]
    assert set(driver) == set(vocabulary.values("driver")) | {"unknown"}
    assert "Mexico" in profile["country"]["anyOf"][0]["enum"]
    search = {p["name"]: p for p in document["paths"]["/api/search"]["get"]["parameters"]}
    assert set(search) == {"q", "mode", "kind", "limit", "offset", "country", "sector", "markusen",
                           "altenburg_meyer_stamer", "enright", "driver", "approach", "pressure", "stage", "topic"}
    assert search["kind"]["schema"]["items"]["enum"] == ["case", "note", "lesson", "document"]
    assert search["sector"]["explode"] is True and search["limit"]["schema"]["maximum"] == 100


def test_schemas_reject_wrong_shapes(client, document):
    """The schemas are strict enough to catch drift, not `{}` in disguise."""
    body = client.get("/api/search?q=trust&mode=keyword").get_json()
    schema = schema_for(document, "/api/search", "get", 200)
    assert problems(document, schema, body) == []
    broken = {**body, "results": [{**body["results"][0], "explanation": {**body["results"][0]["explanation"],
                                                                         "keyword_rank": "1"}}]}
    assert problems(document, schema, broken)
    assert problems(document, schema, {key: value for key, value in body.items() if key != "suggestion"})
    assert problems(document, schema, {**body, "extra": 1})
    error = schema_for(document, "/api/search", "get", 400)
    assert problems(document, error, {"error": {"status": 400, "message": "x", "parameter": "q"}}) == []
    assert problems(document, error, {"error": {"message": "x"}})


# -- every endpoint, realistic inputs, validated against the document ---------

@pytest.mark.parametrize("query", [
    "q=trust", "q=trust&mode=keyword", "q=monitoring+and+evaluation&mode=semantic&limit=3",
    'q="business+associations"&kind=lesson&kind=case', "q=cooperation&country=Brazil&sector=manufacturing",
    "q=cluster&limit=5&offset=5", "q=clustr+promotoin", "q=LQ", "kind=note", "q=", "q=zzzzqqq",
    "q=cluster&markusen=italianate&altenburg_meyer_stamer=survival&enright=latent&driver=public"
    "&approach=bottom-up&pressure=under-pressure&stage=growth&topic=monitoring",
])
def test_search_answers_match_the_schema(client, document, query):
    body = assert_conforms(document, client.get(f"/api/search?{query}"), "/api/search")
    assert len(body["results"]) <= body["total"]
    assert set(body["facets"]) == {"kind", "country", "sector", "markusen", "altenburg_meyer_stamer", "enright",
                                   "driver", "approach", "pressure", "stage", "topic"}


def test_search_nullables_are_really_null(client, document):
    keyword = assert_conforms(document, client.get("/api/search?q=trust&mode=keyword"), "/api/search")
    assert keyword["results"] and all(hit["explanation"]["semantic_rank"] is None for hit in keyword["results"])
    assert keyword["suggestion"] is None
    typo = assert_conforms(document, client.get("/api/search?q=footwaer"), "/api/search")
    assert typo["suggestion"] == "footwear"


def test_search_filters_and_pagination_do_what_they_say(client):
    lessons = client.get("/api/search?q=cooperation&kind=lesson&country=Brazil").get_json()
    assert lessons["total"] > 0 and {hit["kind"] for hit in lessons["results"]} == {"lesson"}
    assert set(lessons["facets"]["country"]) == {"Brazil"} and set(lessons["facets"]["kind"]) == {"lesson"}
    whole = client.get("/api/search?q=cluster&mode=keyword&limit=10").get_json()
    page = client.get("/api/search?q=cluster&mode=keyword&limit=5&offset=5").get_json()
    assert [hit["id"] for hit in page["results"]] == [hit["id"] for hit in whole["results"][5:10]]


def test_case_list_json_matches_the_schema(client, document):
    assert_conforms(document, client.get("/api/cases"), "/api/cases")
    assert_conforms(document, client.get("/api/cases?format=json"), "/api/cases")


def test_every_case_and_note_matches_the_schema(client, document, bundled_casebase):
    content = bundled_casebase.content
    for case in content.cases:
        body = assert_conforms(document, client.get(f"/api/cases/{case.id}"), "/api/cases/{case_id}")
        assert body["id"] == case.id and len(body["lessons"]) == len(case.lessons)
    for note in content.notes:
        body = assert_conforms(document, client.get(f"/api/notes/{note.id}"), "/api/notes/{note_id}")
        assert body["id"] == note.id


def test_facets_health_and_document_match_the_schema(client, document, bundled_casebase):
    content = bundled_casebase.content
    counts = {"cases": len(content.cases), "notes": len(content.notes), "lessons": len(content.lessons)}
    facets = assert_conforms(document, client.get("/api/facets"), "/api/facets")
    assert [entry["count"] for entry in facets["kind"]] == [counts["cases"], counts["notes"], counts["lessons"]]
    health = assert_conforms(document, client.get("/api/health"), "/api/health")
    assert health["status"] == "ok" and health["content"] == {**counts, "errors": 0}
    assert health["database"]["backend"] == "sqlite" and health["database"]["current"] is True
    assert health["database"]["revision"] == health["database"]["expected"]
    assert_conforms(document, client.get("/api/openapi.json"), "/api/openapi.json")


@pytest.mark.parametrize("profile", [
    PROFILE,
    {},
    {"description": "a latent cluster under pressure with little cooperation", "pressure": "under-pressure",
     "cooperative_culture": "non-cooperative", "funding_level": "large", "monitoring_style": "external-inspection",
     "activities": ["training"], "stage": "unknown", "enright": None, "markusen": ""},
    {"country": "brazil", "sectors": "textiles", "title": "Textiles in the south"},
])
def test_suggestions_match_the_schema(client, document, profile):
    body = assert_conforms(document, client.post("/api/suggest", json=profile), "/api/suggest", "post")
    assert body["cases"] and all(0 <= case["score"] <= 1 for case in body["cases"])
    if profile.get("country"):
        assert body["profile"]["country"] in ("Mexico", "Brazil")  # canonical spelling in the echo


def test_no_index_answers_503_and_health_says_so(tmp_path, document):
    settings = Settings.from_env(content_dir=REPO_ROOT, index_dir=tmp_path / "empty", environ={})
    casebase = Casebase.open(settings, encoder=HashingEncoder())
    client = create_app({"TESTING": True, "CASEBASE": casebase}).test_client()
    try:
        for path, method, response in [("/api/search", "get", client.get("/api/search?q=trust")),
                                       ("/api/facets", "get", client.get("/api/facets")),
                                       ("/api/suggest", "post", client.post("/api/suggest", json=PROFILE))]:
            assert response.status_code == 503
            assert assert_conforms(document, response, path, method)["error"]["status"] == 503
        health = assert_conforms(document, client.get("/api/health"), "/api/health")
        assert health["status"] == "no-index" and set(health["index"].values()) == {None}
    finally:
        casebase.close()


# -- schemathesis over the whole document --------------------------------------

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FAST = settings(max_examples=12, derandomize=True, database=None, deadline=None, print_blob=False,
                phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


def run_schemathesis(app, mode: GenerationMode) -> tuple[list[str], dict[int, int]]:
    """Run every operation (and its documented examples); failures as text, statuses seen."""
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    failures: list[str] = []
    statuses: dict[int, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        # Type mistakes in a query string cannot be seen on the wire ('1' is the number and the
        # text), so rejection of invalid data is demanded only of the JSON body.
        extra = ([positive_data_acceptance] if mode is GenerationMode.POSITIVE
                 else [negative_data_rejection] if operation.method.upper() == "POST" else [])
        strategies = [operation.as_strategy(generation_mode=mode)]
        if mode is GenerationMode.POSITIVE:
            strategies += schema.get_strategies_from_examples(operation)
        for strategy in strategies:

            @FAST
            @given(case=strategy)
            def check(case):
                response = case.call()
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                case.validate_response(response, checks=CHECKS + extra)

            try:
                check()
            except Exception as exc:  # noqa: BLE001 - collect every operation's failure
                if "Unable to satisfy assumptions" in str(exc):  # nothing invalid to send (no parameters)
                    continue
                failures.append(f"{operation.label}: {exc}")
    return failures, statuses


def test_schemathesis_valid_inputs_get_documented_answers(app):
    failures, statuses = run_schemathesis(app, GenerationMode.POSITIVE)
    assert failures == []
    assert statuses.get(200, 0) > 30 and 404 in statuses  # real work was done, and unknown ids were tried


def test_schemathesis_invalid_inputs_are_refused_cleanly(app):
    failures, statuses = run_schemathesis(app, GenerationMode.NEGATIVE)
    assert failures == []
    assert statuses.get(400, 0) > 10 and not any(status >= 500 for status in statuses)


# -- the error contract ---------------------------------------------------------

def error_of(response, status: int) -> dict:
    assert response.status_code == status and response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status and error["message"]
    return error


@pytest.mark.parametrize("query, parameter", [
    ("q=x&mode=fuzzy", "mode"), ("q=x&limit=0", "limit"), ("q=x&limit=abc", "limit"), ("q=x&limit=101", "limit"),
    ("q=x&offset=-1", "offset"), ("q=x&kind=x", "kind"), ("q=x&kind=case&kind=chapter", "kind"),
    ("q=" + "a" * 501, "q"),
])
def test_bad_search_parameters_are_400_naming_the_parameter(client, document, query, parameter):
    response = client.get(f"/api/search?{query}")
    assert error_of(response, 400)["parameter"] == parameter
    assert_conforms(document, response, "/api/search")


def test_bad_case_list_format_is_400(client):
    assert error_of(client.get("/api/cases?format=xml"), 400)["parameter"] == "format"


@pytest.mark.parametrize("kwargs", [
    {"json": [PROFILE]}, {"json": "footwear"}, {"json": 42}, {"json": None},
    {"data": "{not json", "content_type": "application/json"}, {"data": "country=Mexico"},
])
def test_suggest_needs_a_json_object(client, document, kwargs):
    response = client.post("/api/suggest", **kwargs)
    assert error_of(response, 400)["parameter"] == "body"
    assert_conforms(document, response, "/api/suggest", "post")


@pytest.mark.parametrize("profile, parameter, hint", [
    ({"driver": "privat"}, "driver", "private"), ({"sectors": ["footwaer"]}, "sectors", "footwear"),
    ({"country": "Atlantis"}, "country", "closest"), ({"colour": "red"}, "colour", "valid attributes"),
    ({"description": "x" * 5001}, "description", "5000"), ({"description": 5}, "description", "text"),
    ({"stage": 3}, "stage", "emergence"),
])
def test_suggest_with_an_invalid_value_is_400_naming_the_field(client, document, profile, parameter, hint):
    response = client.post("/api/suggest", json=profile)
    error = error_of(response, 400)
    assert error["parameter"] == parameter and hint in error["message"]
    assert_conforms(document, response, "/api/suggest", "post")
    assert problems(document, {"$ref": "#/components/schemas/Profile"}, profile)  # the document refuses it too


@pytest.mark.parametrize("path, template", [
    ("/api/cases/no-such-case", "/api/cases/{case_id}"), ("/api/cases/monitoring", "/api/cases/{case_id}"),
    ("/api/cases/Sinos-Valley", "/api/cases/{case_id}"), ("/api/notes/sinos-valley", "/api/notes/{note_id}"),
    ("/api/notes/no-such-note", "/api/notes/{note_id}"), ("/api/notes/..%2F..%2Fetc", "/api/notes/{note_id}"),
])
def test_unknown_ids_are_404(client, document, path, template):
    response = client.get(path)
    error = error_of(response, 404)
    assert "parameter" not in error
    if template.endswith("{case_id}") and "%" not in path:
        assert path.rsplit("/", 1)[1] in error["message"]
    assert_conforms(document, response, template)


def test_wrong_method_is_405_with_allow_header(client):
    response = client.delete("/api/search")
    error_of(response, 405)
    assert {"GET"} <= {method.strip() for method in response.headers["Allow"].split(",")}


def test_oversized_suggest_body_is_413(client, document):
    response = client.post("/api/suggest", data='{"description": "' + "x" * 70_000 + '"}',
                           content_type="application/json")
    error_of(response, 413)
    assert_conforms(document, response, "/api/suggest", "post")


# -- the case list as CSV and JSON ------------------------------------------------

def test_cases_csv_has_a_header_and_one_row_per_case(client, bundled_casebase):
    response = client.get("/api/cases?format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert tuple(rows[0]) == CSV_COLUMNS
    cases = bundled_casebase.content.cases
    assert len(rows) == 1 + len(cases) and cases
    records = {row[0]: dict(zip(CSV_COLUMNS, row)) for row in rows[1:]}
    assert set(records) == {case.id for case in cases}
    sinos = records["sinos-valley"]
    assert sinos["initiative_driver"] == "private" and sinos["sectors"] == "footwear"
    assert sinos["lead_organisations"] == "private sector (business) associations; the local business chamber"
    assert sinos["lessons"] == str(len(bundled_casebase.document("sinos-valley").lessons))
    assert all("\n" not in value for value in sinos.values() if value != sinos["summary"])


def test_cases_json_lists_every_case_with_structured_fields(client, bundled_casebase):
    body = client.get("/api/cases").get_json()
    cases = bundled_casebase.content.cases
    assert body["total"] == len(body["cases"]) == len(cases) > 0
    by_id = {row["id"]: row for row in body["cases"]}
    assert set(by_id) == {case.id for case in cases}
    for case in cases:
        row = by_id[case.id]
        assert row["title"] == case.title and row["url"] == f"/cases/{case.id}"
        assert row["initiative_approach"] == case.get("initiative.approach")
        assert row["typology_enright"] == case.get("typology.enright")
        assert row["sectors"] == case.values("sectors") and row["lessons"] == len(case.lessons)
    assert by_id["sinos-valley"]["situation_firm_structure"] == "large-and-sme"
    assert by_id["sinos-valley"]["obstacles"] == ["sme-association-relations"]


def test_numeric_free_text_fields_are_served_as_text(app, tmp_path, document):
    """YAML reads `period: 1998` as a number; the API promises text (fixed in presenters)."""
    case = Document(id="numbers", kind="case", title="Numbers", summary="A case with numeric fields.",
                    meta={"period": 1998, "location": {"place": 7, "country": "Brazil"},
                          "initiative": {"name": 2001}},
                    body="", path=tmp_path / "numbers.md")
    with app.test_request_context():  # the case's url is built from the app's routes
        fields = presenters.case_fields(case)
    assert (fields["period"], fields["location_place"], fields["initiative_name"]) == ("1998", "7", "2001")
    assert problems(document, {"$ref": "#/components/schemas/CaseFields"}, fields) == []

