"""The observatory's JSON API: its answers match the OpenAPI document, bad bodies are
refused with the field named, corrections keep the history, imports write all or
nothing, and sharing holds: a peer never sees more of an initiative's figures than
its choice allows (list, detail, benchmark, exports; anonymous ones without name or
slug). The world is tests/web/observatory_world.py's, built through the API itself.
"""

from __future__ import annotations

import csv
import io
import json
import re

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from webui.observatory_openapi import EXAMPLES

from tests.web.observatory_world import (
    NAMES, PERIODS, PLACES, PROGRAMME, SHARING, VALUES, Api, build, open_app,
)
from tests.web.support import close_app


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One world for the module's read-mostly tests (each writer test builds on its own names)."""
    app = open_app(tmp_path_factory.mktemp("observatory-api"))
    yield build(app)
    close_app(app)


@pytest.fixture(scope="module")
def document(world):
    return world.api().get("/api/openapi.json").get_json()


def conforms(document: dict, answer, path: str, method: str = "get") -> dict:
    """The answer's status is documented for the operation and its JSON body matches."""
    responses = document["paths"][path][method]["responses"]
    assert str(answer.status_code) in responses, (path, answer.status_code, answer.get_data(as_text=True))
    schema = responses[str(answer.status_code)]["content"]["application/json"]["schema"]
    validator = jsonschema_rs.Draft202012Validator({**schema, "components": document["components"]})
    body = answer.get_json()
    assert [f"{error.instance_path}: {error.message[:200]}" for error in validator.iter_errors(body)] == []
    return body


def figures(slug: str) -> list[str]:
    """The texts of an initiative's measured values as JSON would show them."""
    return [json.dumps(value) for value in VALUES[slug]]


def leaks(text: str, slug: str) -> list[str]:
    return [value for value in figures(slug) if value in text]


# -- shapes -----------------------------------------------------------------------

def test_every_reading_answer_matches_the_document(world, document):
    mara = world.api("mara")
    indicator = world.indicators["alpha"]
    for url, path in [
        ("/api/programmes", "/api/programmes"), (f"/api/programmes/{PROGRAMME}", "/api/programmes/{slug}"),
        (f"/api/programmes/{PROGRAMME}/dashboard", "/api/programmes/{slug}/dashboard"),
        (f"/api/programmes/{PROGRAMME}/benchmarks/{world.definition_id}?subject=alpha",
         "/api/programmes/{slug}/benchmarks/{definition_id}"),
        ("/api/initiatives", "/api/initiatives"), (f"/api/initiatives?programme={PROGRAMME}", "/api/initiatives"),
        ("/api/initiatives/alpha", "/api/initiatives/{slug}"),
        ("/api/initiatives/alpha/advice", "/api/initiatives/{slug}/advice"),
        ("/api/initiatives/alpha/scorecard", "/api/initiatives/{slug}/scorecard"),
        ("/api/initiatives/alpha/measurements?history=1", "/api/initiatives/{slug}/measurements"),
        ("/api/initiatives/alpha/evaluations", "/api/initiatives/{slug}/evaluations"),
        (f"/api/indicators/{indicator}/measurements", "/api/indicators/{indicator_id}/measurements"),
        ("/api/scorecard-templates", "/api/scorecard-templates"),
    ]:
        conforms(document, mara.get(url), path)


def test_the_initiative_answer_has_profile_scorecard_evaluations_and_warnings(world, document):
    mara = world.api("mara")
    mara.ok("PATCH", "/api/initiatives/alpha", json={"profile": {"monitoring_style": "external-inspection",
                                                                 "approach": "top-down"}})
    body = conforms(document, mara.get("/api/initiatives/alpha"), "/api/initiatives/{slug}")
    assert body["initiative"]["name"] == NAMES["alpha"] and body["initiative"]["status"] == "running"
    assert body["initiative"]["profile"]["monitoring_style"] == "external-inspection"
    [perspective] = body["scorecard"]["perspectives"]
    [indicator] = perspective["factors"][0]["indicators"]
    assert (indicator["baseline_value"], indicator["target_value"], indicator["target_date"]) == (10, 40,
                                                                                                  "2028-06-01")
    assert [(m["period"], m["value"]) for m in indicator["measurements"]] == list(zip(PERIODS, VALUES["alpha"]))
    [evaluation] = body["evaluations"]
    assert evaluation["actions"][0]["status"] == "open" and evaluation["indicator_ids"] == [indicator["id"]]
    # The advisor's warnings on this very profile (kb/rules.yaml), each linking its note;
    # they follow the profile as it changes.
    assert "external-inspection-monitoring" in {warning["rule"] for warning in body["warnings"]}
    assert all(warning["note_url"] == f"/notes/{warning['note_id']}" for warning in body["warnings"])
    mara.ok("PATCH", "/api/initiatives/alpha", json={"profile": {"monitoring_style": "participatory",
                                                                 "approach": "top-down"}})
    again = mara.ok("GET", "/api/initiatives/alpha")
    assert "external-inspection-monitoring" not in {warning["rule"] for warning in again["warnings"]}


def test_the_documented_example_bodies_are_accepted(world, document):
    """The document's example bodies do what they show (they would drift with the records otherwise)."""
    mara = world.api("mara")

    def example(path: str) -> dict:
        return document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["examples"][
            "example"]["value"]

    programme = mara.ok("POST", "/api/programmes", 201, json=example("/api/programmes"))
    initiative = mara.ok("POST", f"/api/programmes/{programme['slug']}/initiatives", 201,
                         json=example("/api/programmes/{slug}/initiatives"))
    assert initiative["profile"]["monitoring_style"] == "participatory"
    indicator = mara.ok("POST", f"/api/initiatives/{initiative['slug']}/indicators", 201,
                        json=example("/api/initiatives/{slug}/indicators"))
    mara.ok("POST", f"/api/indicators/{indicator['id']}/measurements", 201,
            json=example("/api/indicators/{indicator_id}/measurements"))
    evaluation = {**example("/api/initiatives/{slug}/evaluations"), "indicator_ids": [indicator["id"]]}
    mara.ok("POST", f"/api/initiatives/{initiative['slug']}/evaluations", 201, json=evaluation)
    assert set(EXAMPLES) == {"ProgrammeCreate", "InitiativeCreate", "IndicatorCreate", "MeasurementCreate",
                             "EvaluationCreate"}


def test_lists_filter_by_programme_and_status(world):
    mara = world.api("mara")
    everything = {row["slug"] for row in mara.ok("GET", "/api/initiatives")["initiatives"]}
    by_programme = {row["slug"] for programme in mara.ok("GET", "/api/programmes")["programmes"]
                    for row in mara.ok("GET", f"/api/programmes/{programme['slug']}")["initiatives"]}
    assert everything == by_programme and {*SHARING, "delta"} <= everything
    of_programme = mara.ok("GET", f"/api/initiatives?programme={PROGRAMME}")
    assert {row["slug"] for row in of_programme["initiatives"]} == set(SHARING)
    assert of_programme["total"] == len(SHARING)
    assert mara.ok("GET", "/api/initiatives?status=proposal")["initiatives"] == [
        row for row in mara.ok("GET", "/api/initiatives")["initiatives"] if row["status"] == "proposal"]
    answer = mara.get("/api/initiatives?status=dreaming")
    assert answer.status_code == 400 and answer.get_json()["error"]["parameter"] == "status"
    assert mara.get("/api/initiatives/no-such-one").status_code == 404
    assert mara.get("/api/indicators/abc/measurements").status_code == 404


# -- validation -------------------------------------------------------------------

@pytest.mark.parametrize("url, body, field, hint", [
    ("/api/indicators/{alpha}/measurements", {"period": "2027-Q3", "value": 1, "measured_on": "2027-09-30",
                                              "colour": "red"}, "colour", "period, value, measured_on"),
    ("/api/indicators/{alpha}/measurements", {"period": "2027-Q3", "value": "12", "measured_on": "2027-09-30"},
     "value", "number"),
    ("/api/indicators/{alpha}/measurements", {"period": "2027-Q3", "value": float("nan"),
                                              "measured_on": "2027-09-30"}, "value", "finite"),
    ("/api/indicators/{alpha}/measurements", {"period": "2027-Q3", "value": True, "measured_on": "2027-09-30"},
     "value", "number"),
    ("/api/indicators/{alpha}/measurements", {"period": "2027-Q3", "value": 1, "measured_on": "30.9.2027"},
     "measured_on", "date"),
    ("/api/indicators/{alpha}/measurements", {"value": 1, "measured_on": "2027-09-30"}, "period", "required"),
    ("/api/initiatives/alpha/evaluations", {"held_on": "2027-08-01", "actions": [{"text": "x", "due": "soon"}]},
     "actions[0].due", "date"),
    ("/api/initiatives/alpha/evaluations", {"held_on": "2027-08-01", "participants": ["bankers"]},
     "participants[0]", "firms"),
    ("/api/initiatives/alpha", {"sharing": "public"}, "sharing", "anonymous"),
    ("/api/initiatives/alpha", {"slug": "renamed"}, "slug", "not a field"),
    ("/api/initiatives/alpha", {"profile": {"driver": "privat"}}, "profile.driver", "private"),
    ("/api/initiatives/alpha", ["name"], "body", "JSON object"),
    # An id no row can have was a 500 (SQLite cannot hold it), found by the signed-in schemathesis run.
    ("/api/initiatives/alpha/indicators", {"perspective": "Customers", "factor": "Cooperation", "name": "x",
                                           "definition_id": 2**70}, "definition_id", "less than or equal"),
    ("/api/initiatives/alpha/evaluations", {"held_on": "2027-08-01", "indicator_ids": [0]}, "indicator_ids[0]",
     "greater than or equal to 1"),
    ("/api/indicators/{alpha}", {"position": 2}, "position", "not a field"),
])
def test_bad_bodies_are_400_naming_the_field_and_change_nothing(world, document, url, body, field, hint):
    fay = world.api("fay")  # alpha's facilitator: allowed, so only the body is at fault
    url = url.format(alpha=world.indicators["alpha"])
    template = re.sub(r"/api/indicators/\d+", "/api/indicators/{indicator_id}", url.replace("/alpha", "/{slug}"))
    method = "PATCH" if template in ("/api/initiatives/{slug}", "/api/indicators/{indicator_id}") else "POST"
    before = world.snapshot()
    answer = fay.open(method, url, json=body)
    error = conforms(document, answer, template, method.lower())["error"]
    assert answer.status_code == 400 and error["parameter"] == field and hint in error["message"], error
    assert world.snapshot() == before


def test_writes_need_json_and_an_account(world):
    anonymous, fay = world.api(), world.api("fay")
    url = f"/api/indicators/{world.indicators['alpha']}/measurements"
    body = {"period": "2027-Q3", "value": 13, "measured_on": "2027-09-30"}
    assert anonymous.open("POST", url, json=body).status_code == 401
    answer = fay.open("POST", url, data="period=2027-Q3")
    assert answer.status_code == 400 and answer.get_json()["error"]["parameter"] == "body"
    assert fay.open("POST", url, json=body, csrf=False).status_code == 400  # no CSRF token
    reader = world.api("rob")
    answer = reader.open("POST", "/api/programmes", json={"name": "Mine"})
    assert answer.status_code == 403 and "editor" in answer.get_json()["error"]["message"]


# -- corrections and imports ----------------------------------------------------------

def test_a_correction_keeps_the_earlier_value_in_the_history(world):
    lou = world.api("lou")
    indicator = world.indicators["beta"]
    first = lou.ok("POST", f"/api/indicators/{indicator}/measurements", 201, json={
        "period": "2027-Q3", "value": 1300, "measured_on": "2027-09-30"})
    second = lou.ok("POST", f"/api/indicators/{indicator}/measurements", 201, json={
        "period": "2027-Q3", "value": 1301, "measured_on": "2027-10-02", "evidence": "recounted"})
    assert second["supersedes"] == first["id"] and second["current"] is True
    current = lou.ok("GET", f"/api/indicators/{indicator}/measurements")["measurements"]
    assert [m["value"] for m in current if m["period"] == "2027-Q3"] == [1301]
    history = lou.ok("GET", f"/api/indicators/{indicator}/measurements?history=1")["measurements"]
    assert {(m["value"], m["current"]) for m in history if m["period"] == "2027-Q3"} == {(1300, False),
                                                                                        (1301, True)}
    assert lou.get(f"/api/indicators/{indicator}/measurements?history=maybe").status_code == 400


def test_an_import_with_bad_rows_writes_nothing_and_names_each_row(world, document):
    fay = world.api("fay")
    indicator = world.indicators["alpha"]
    text = ("indicator,period,value,measured_on,evidence\n"
            f"{indicator},2028-Q1,20,2028-03-31,ok\n"
            f"{indicator},2028-Q2,many,2028-06-30,\n"
            f"{indicator},2028-Q3,22,someday,\n")
    url = "/api/initiatives/alpha/measurements/import"
    before = world.snapshot()
    for query in ("", "?dry_run=1", "?dry_run=0"):
        answer = fay.open("POST", url + query, data=text, content_type="text/csv")
        report = conforms(document, answer, "/api/initiatives/{slug}/measurements/import", "post")
        assert report["written"] == 0 and report["dry_run"] is (query != "?dry_run=0")
        assert {(problem["line"], problem["column"]) for problem in report["problems"]} == {
            (3, "value"), (4, "measured_on")}
    assert world.snapshot() == before
    good = text.splitlines()[:2]
    report = fay.ok("POST", url + "?dry_run=0", data="\n".join(good) + "\n", content_type="text/csv")
    assert report["written"] == 1 and report["problems"] == []
    values = fay.ok("GET", f"/api/indicators/{indicator}/measurements")["measurements"]
    assert ("2028-Q1", 20) in {(m["period"], m["value"]) for m in values}
    answer = fay.open("POST", url, json={"csv": text})
    assert answer.status_code == 400 and answer.get_json()["error"]["parameter"] == "body"


def test_the_csv_export_has_every_current_value_and_imports_again(world):
    fay = world.api("fay")
    answer = fay.get("/api/initiatives/alpha/export?format=csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(answer.get_data(as_text=True))))
    current = fay.ok("GET", "/api/initiatives/alpha/measurements")["indicators"][0]["measurements"]
    assert {(row["period"], float(row["value"])) for row in rows if row["current"] in ("true", "True", "1")} >= {
        (m["period"], m["value"]) for m in current}
    exported = fay.get("/api/initiatives/alpha/export?format=json")
    assert exported.mimetype == "application/json" and json.loads(exported.get_data(as_text=True))
    assert fay.get("/api/initiatives/alpha/export?format=xls").status_code == 400


# -- sharing ----------------------------------------------------------------------------

@pytest.mark.parametrize("user", [None, "rob", "fay"])
def test_peers_never_see_more_figures_than_the_sharing_allows(world, user):
    """rob reads; fay is alpha's facilitator and a peer of beta and gamma; None is anonymous."""
    peer = world.api(user)
    listed = peer.ok("GET", f"/api/initiatives?programme={PROGRAMME}")
    assert {row["slug"] for row in listed["initiatives"]} <= set(SHARING)
    for slug in ("beta", "gamma", "zeta"):
        for url in (f"/api/initiatives/{slug}", f"/api/initiatives/{slug}/scorecard",
                    f"/api/initiatives/{slug}/measurements?history=1",
                    f"/api/indicators/{world.indicators[slug]}/measurements?history=1",
                    f"/api/initiatives/{slug}/export?format=csv", f"/api/initiatives/{slug}/export?format=json",
                    "/api/initiatives", f"/api/programmes/{PROGRAMME}", f"/api/programmes/{PROGRAMME}/dashboard",
                    f"/api/programmes/{PROGRAMME}/iati"):
            answer = peer.get(url)
            assert answer.status_code in (200, 403, 404), (url, answer.status_code)
            if url.endswith("/iati") and SHARING[slug] == "anonymous":
                continue  # its results are published unnamed (checked below)
            assert leaks(answer.get_data(as_text=True), slug) == [], (user, url)
    benchmark = peer.ok("GET", f"/api/programmes/{PROGRAMME}/benchmarks/{world.definition_id}")
    text = json.dumps(benchmark)
    by_label = {row["label"]: row for row in benchmark["peers"]}
    alpha = by_label[NAMES["alpha"]]
    current = world.api("mara").ok("GET", "/api/initiatives/alpha/measurements")["indicators"][0]["measurements"]
    latest = max(current, key=lambda measurement: measurement["period"])
    assert alpha["named"] and alpha["slug"] == "alpha" and alpha["value"] == latest["value"]
    anonymous = [row for row in benchmark["peers"] if not row["named"]]
    assert len(anonymous) == 2 and len(benchmark["peers"]) == 3  # beta and zeta unnamed, gamma left out
    for row in anonymous:
        assert row["slug"] is None and row["label"].startswith("Initiative ") and row["value"] is not None
    for slug in ("beta", "zeta", "gamma"):
        for secret in (NAMES[slug], slug, PLACES[slug]):
            assert secret not in text, (user, secret)
    assert "lou" not in text and leaks(text, "gamma") == []
    iati = peer.get(f"/api/programmes/{PROGRAMME}/iati").get_data(as_text=True)
    for slug in ("beta", "zeta", "gamma"):
        assert NAMES[slug] not in iati and PLACES[slug] not in iati and f'"{slug}"' not in iati, (user, slug)
    assert leaks(iati, "gamma") == [] and leaks(iati, "beta") and NAMES["alpha"] in iati


def test_insiders_see_their_own_figures_and_managers_see_all(world):
    lou, mara = world.api("lou"), world.api("mara")
    own = lou.ok("GET", "/api/initiatives/beta")
    values = [m["value"] for m in own["scorecard"]["perspectives"][0]["factors"][0]["indicators"][0]["measurements"]]
    assert values[:2] == list(VALUES["beta"])
    benchmark = json.dumps(mara.ok("GET", f"/api/programmes/{PROGRAMME}/benchmarks/{world.definition_id}"))
    assert all(NAMES[slug] in benchmark for slug in SHARING)
    gamma = mara.ok("GET", "/api/initiatives/gamma/export?format=csv")
    assert all(value.rstrip("0").rstrip(".") in gamma for value in map(str, VALUES["gamma"]))


# -- the writing flow -------------------------------------------------------------------

def test_a_manager_runs_an_initiative_from_template_to_a_draft_case(world, document):
    mara = world.api("mara")
    created = mara.open("POST", f"/api/programmes/{PROGRAMME}/initiatives", json={"name": "Thai Food Valley"})
    body = conforms(document, created, "/api/programmes/{slug}/initiatives", "post")
    assert created.status_code == 201 and body["slug"] == "thai-food-valley" and body["status"] == "proposal"
    templates = mara.ok("GET", "/api/scorecard-templates")["templates"]
    thai = next(template for template in templates if "thai" in template["id"])
    scorecard = mara.ok("POST", "/api/initiatives/thai-food-valley/scorecard/template", 201,
                        json={"template_id": thai["id"]})
    expected = sum(len(factor["indicators"]) for perspective in thai["perspectives"]
                   for factor in perspective["factors"])
    indicators = [indicator for perspective in scorecard["perspectives"] for factor in perspective["factors"]
                  for indicator in factor["indicators"]]
    assert len(indicators) == expected and scorecard["template"] == thai["id"]
    again = mara.open("POST", "/api/initiatives/thai-food-valley/scorecard/template", json={"template_id": thai["id"]})
    assert again.status_code in (400, 409)
    first = indicators[0]
    changed = mara.ok("PATCH", f"/api/indicators/{first['id']}", json={"target_value": 50, "unit": "%"})
    assert (changed["target_value"], changed["unit"], changed["name"]) == (50, "%", first["name"])
    mara.ok("DELETE", f"/api/indicators/{indicators[-1]['id']}", 204)
    left = mara.ok("GET", "/api/initiatives/thai-food-valley/scorecard")
    assert sum(len(f["indicators"]) for p in left["perspectives"] for f in p["factors"]) == expected - 1
    evaluation = mara.ok("POST", "/api/initiatives/thai-food-valley/evaluations", 201, json={
        "held_on": "2027-05-01", "findings": "Buyers want certified produce",
        "actions": [{"text": "Find a certifier", "due": "2027-06-30"}]})
    action = mara.ok("PATCH", f"/api/actions/{evaluation['actions'][0]['id']}", json={"status": "done"})
    assert action["status"] == "done"
    closed = mara.open("POST", "/api/initiatives/thai-food-valley/close")
    body = conforms(document, closed, "/api/initiatives/{slug}/close", "post")
    assert closed.status_code == 201 and body["initiative"]["status"] == "closed"
    assert body["initiative"]["case_draft_id"] == body["draft"]["id"] and body["draft"]["url"].endswith(
        f"/drafts/{body['draft']['id']}")
    draft = world.app.extensions["casebase"].library.draft(body["draft"]["id"])
    assert "Thai Food Valley" in draft.text and "Buyers want certified produce" in draft.text
    assert "/observatory/initiatives/thai-food-valley" in draft.text  # the case links back to its record


# -- schemathesis, signed in -------------------------------------------------------------

SIGNED_IN_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
                    response_schema_conformance]
FEW = settings(max_examples=6, derandomize=True, database=None, deadline=None, print_blob=False,
               phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_schemathesis_as_a_programme_manager_finds_no_server_error(tmp_path, mode):
    """tests/web/test_api.py runs the whole document anonymously, where every write stops
    at 401; here a manager with a session and its CSRF token sends generated bodies to
    the observatory's operations, so they reach the bodies' checks and the facade."""
    app = open_app(tmp_path)
    try:
        world = build(app)
        mara = Api(app, "mara")
        rows = {"indicator_id": world.indicators["beta"], "action_id": world.actions["beta"],
                "definition_id": world.definition_id, "user_name": "lou"}
        credentials = {"headers": {"X-CSRF-Token": mara.token()},
                       "cookies": {"session": mara.client.get_cookie("session").value}}
        schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
        failures, statuses = [], {}
        for result in schema.get_all_operations():
            operation = result.ok()
            if not operation.path.startswith(("/api/programmes", "/api/initiatives", "/api/indicators",
                                              "/api/actions", "/api/scorecard-templates")):
                continue

            @FEW
            @given(case=operation.as_strategy(generation_mode=mode))
            def check(case):
                for name in case.path_parameters or {}:  # real rows, so that bodies are judged, not 404s
                    programme = case.path.startswith("/api/programmes")
                    case.path_parameters[name] = rows[name] if name != "slug" else PROGRAMME if programme else "beta"
                response = case.call(**credentials)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                case.validate_response(response, checks=SIGNED_IN_CHECKS)

            try:
                check()
            except Exception as exc:  # noqa: BLE001 - collect every operation's failure
                if "Unable to satisfy assumptions" not in str(exc):
                    failures.append(f"{operation.label}: {str(exc)[:1500]}")
        assert failures == [], "\n\n".join(failures)
        assert 401 not in statuses and 403 not in statuses  # signed in as the rightful user
        judged = sum(count for status, count in statuses.items() if status in (
            (200, 201, 204) if mode is GenerationMode.POSITIVE else (400,)))
        assert judged > 30, statuses  # the bodies reached their checks and the facade
    finally:
        close_app(app)
