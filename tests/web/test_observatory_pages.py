"""The observatory's pages: what each role sees and may do, JSON variants, forms that
keep the user's input on error, charts with their alternatives, escaped user text,
corrections, the CSV dry run and closing into a draft case."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from tests.web.support import PASSWORD, close_app, copy_content, indexed_app

USERS = (("maria", "editor"), ("lek", "reader"), ("pim", "reader"), ("rob", "reader"), ("erin", "editor"))
HOSTILE = '<script>alert("x")</script>'


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An app over a private copy of the content: maria manages a programme with three
    initiatives (one named, two anonymous: a lone anonymous peer would be recognised and
    is left out); lek is a member of the first, pim of the second, rob of none."""
    app = indexed_app(copy_content(tmp_path_factory.mktemp("observatory") / "content"), users=USERS)
    observatory = app.extensions["casebase"].observatory
    accounts = app.extensions["accounts"]
    manager = observatory.viewer(accounts.get("maria"))
    observatory.create_programme(manager, "2027 contest round", slug="round", agency="Agency")
    definition = observatory.define_indicator(manager, "round", {"key": "members", "name": "Member firms",
                                                                   "unit": "firms", "direction": "higher"})
    for slug, name, sharing, member in (("alpha", "Alpha food", "named", "lek"), ("beta", "Beta wine", "anonymous", "pim"),
                                        ("delta", "Delta leather", "anonymous", "erin")):
        observatory.create_initiative(manager, "round", {"slug": slug, "name": name, "status": "running",
                                                         "sharing": sharing, "country": "Chile"})
        observatory.add_member(manager, slug, member, "local-actor")
        indicator = observatory.add_indicator(manager, slug, {
            "perspective": "Customer", "factor": "Membership", "name": "Member firms", "unit": "firms",
            "direction": "higher", "baseline_value": 10, "target_value": 30, "definition_id": definition.id})
        for period, value in (("2027-01", 12), ("2027-02", 15)):
            observatory.record_measurement(manager, indicator.id, period, value, f"{period}-28")
    app.definition_id = definition.id
    yield app
    close_app(app)


def token_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def signed_in(app, name):
    client = app.test_client()
    token = token_of(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token}).status_code == 302
    client.token = token_of(client.get("/observatory").get_data(as_text=True))
    return client


def facade(app):
    return app.extensions["casebase"].observatory


def as_user(app, name):
    return facade(app).viewer(app.extensions["accounts"].get(name))


def indicator_of(app, slug):
    scorecard = facade(app).scorecard(as_user(app, "maria"), slug)
    return scorecard.perspectives[0].factors[0].indicators[0]


def html(response) -> str:
    return response.get_data(as_text=True)


# ------------------------------------------------------------------------ roles

def test_only_editors_and_reviewers_are_offered_a_new_programme(site):
    assert "New programme" in html(signed_in(site, "maria").get("/observatory"))
    reader_page = html(signed_in(site, "rob").get("/observatory"))
    assert "2027 contest round" in reader_page and "New programme" not in reader_page
    assert "New programme" not in html(site.test_client().get("/observatory"))


def test_members_are_offered_recording_readers_only_reading(site):
    member = html(signed_in(site, "lek").get("/observatory/initiatives/alpha"))
    reader = html(signed_in(site, "rob").get("/observatory/initiatives/alpha"))
    for page in (member, reader):
        assert "Alpha food" in page and "Member firms" in page
    assert "Record a measurement" in member and "Record a measurement" not in reader
    assert "Close the initiative" not in member  # closing is the programme manager's
    assert "Close the initiative" in html(signed_in(site, "maria").get("/observatory/initiatives/alpha"))


def test_the_profile_is_shown_with_the_advisors_labels(site):
    manager = as_user(site, "maria")
    facade(site).update_initiative(manager, "alpha", {"profile": {"driver": "private", "approach": "bottom-up"}})
    page = html(signed_in(site, "rob").get("/observatory/initiatives/alpha"))
    profile = page[page.index('class="obs-profile"'):page.index("</details>", page.index('class="obs-profile"'))]
    assert "<dd>private</dd>" not in profile and "<dd>bottom-up</dd>" not in profile  # labels, not stored values
    assert re.search(r"<dt>[^<]+</dt><dd>[^<]*Private[^<]*</dd>", profile)


def test_a_member_of_one_initiative_cannot_record_for_another(site):
    pim = signed_in(site, "pim")
    kpi = indicator_of(site, "alpha")
    before = len(facade(site).measurements(as_user(site, "maria"), kpi.id, history=True))
    answer = pim.post("/observatory/initiatives/alpha/measure", data={
        "csrf_token": pim.token, "indicator_id": kpi.id, "period": "2027-03", "value": "99", "measured_on": "2027-03-31"})
    assert answer.status_code == 403
    assert len(facade(site).measurements(as_user(site, "maria"), kpi.id, history=True)) == before


def test_writes_need_a_signed_in_user_and_the_csrf_token(site):
    kpi = indicator_of(site, "alpha")
    data = {"indicator_id": kpi.id, "period": "2027-03", "value": "20", "measured_on": "2027-03-31"}
    assert site.test_client().post("/observatory/initiatives/alpha/measure", data=data).status_code == 401
    lek = signed_in(site, "lek")
    assert lek.post("/observatory/initiatives/alpha/measure", data=data).status_code == 400
    assert lek.post("/observatory/initiatives/alpha/measure", data={**data, "csrf_token": lek.token}).status_code == 302


# ------------------------------------------------------------------------ sharing

def test_anonymous_sharing_hides_name_and_figures_from_peers_but_not_from_the_manager(site):
    rob = signed_in(site, "rob")
    page = html(rob.get(f"/observatory/round/benchmarks/{site.definition_id}"))
    assert "Alpha food" in page and "Initiative A" in page and "Initiative B" in page
    assert "Beta wine" not in page and "Delta leather" not in page
    dashboard = html(rob.get("/observatory/round"))
    benchmark_part = dashboard[dashboard.index('id="benchmarks"'):]
    assert "Beta wine" not in benchmark_part and "Initiative A" in benchmark_part
    beta = html(rob.get("/observatory/initiatives/beta"))
    assert "not shared" in beta and "<svg" not in beta
    manager_view = html(signed_in(site, "maria").get(f"/observatory/round/benchmarks/{site.definition_id}"))
    assert "Beta wine" in manager_view


# ------------------------------------------------------------------------ JSON variants

@pytest.mark.parametrize("path, keys", [
    ("/observatory", {"programmes"}),
    ("/observatory/round", {"programme", "dashboard", "initiatives", "benchmarks", "exports"}),
    ("/observatory/initiatives/alpha", {"initiative", "advice", "scorecard", "open_actions", "last_self_evaluation"}),
    ("/observatory/initiatives/alpha/scorecard", {"initiative", "scorecard", "templates"}),
    ("/observatory/initiatives/alpha/evaluations", {"initiative", "evaluations"}),
    ("/observatory/initiatives/alpha/measure", {"initiative", "indicators"}),
])
def test_every_page_answers_json_by_parameter_and_by_accept_header(site, path, keys):
    maria = signed_in(site, "maria")
    by_parameter = maria.get(path + "?format=json")
    by_header = maria.get(path, headers={"Accept": "application/json"})
    assert by_parameter.is_json and by_header.is_json
    assert keys <= set(by_parameter.get_json()) and by_parameter.get_json() == by_header.get_json()


def test_the_initiative_json_carries_each_indicators_baseline_target_and_values(site):
    answer = signed_in(site, "maria").get("/observatory/initiatives/alpha?format=json").get_json()
    row = answer["scorecard"][0]["factors"][0]["indicators"][0]
    current = facade(site).measurements(as_user(site, "maria"), row["id"])
    assert (row["baseline_value"], row["target_value"]) == (10, 30)
    assert [m["value"] for m in row["measurements"]] == [m.value for m in sorted(current, key=lambda m: m.period)]
    assert row["latest_value"] == row["measurements"][-1]["value"]
    assert row["progress"] == pytest.approx((row["latest_value"] - 10) / 20)


# ------------------------------------------------------------------------ forms keep the input

def test_a_refused_programme_form_keeps_the_input_and_names_the_field(site):
    maria = signed_in(site, "maria")
    answer = maria.post("/observatory", data={"csrf_token": maria.token, "name": "Kept name", "slug": "Not A Slug!",
                                              "agency": "Kept agency"})
    page = html(answer)
    assert answer.status_code == 422
    assert 'value="Kept name"' in page and 'value="Kept agency"' in page and 'value="Not A Slug!"' in page
    assert re.search(r'role="alert"[^>]*>slug: ', page)


def test_a_refused_profile_value_keeps_the_initiative_form_and_names_the_attribute(site):
    maria = signed_in(site, "maria")
    answer = maria.post("/observatory/round/new", data={"csrf_token": maria.token, "name": "Gamma leather",
                                                        "place": "Kept place", "driver": "nonsense"})
    page = html(answer)
    assert answer.status_code == 422
    assert 'value="Gamma leather"' in page and 'value="Kept place"' in page
    assert re.search(r'role="alert"[^>]*>(profile\.)?driver: ', page)
    assert "gamma-leather" not in [i.slug for i in facade(site).initiatives(as_user(site, "maria"), "round")]


def test_a_value_that_is_no_number_is_refused_naming_the_field_and_keeping_the_rest(site):
    lek = signed_in(site, "lek")
    kpi = indicator_of(site, "alpha")
    answer = lek.post("/observatory/initiatives/alpha/measure", data={
        "csrf_token": lek.token, "indicator_id": kpi.id, "period": "2027-05", "value": "twelve",
        "measured_on": "2027-05-31", "evidence": "Kept evidence"})
    page = html(answer)
    assert answer.status_code == 422
    assert 'value="2027-05"' in page and 'value="Kept evidence"' in page and 'value="twelve"' in page
    assert 'aria-invalid="true" aria-describedby="value-error"' in page
    assert f'<option value="{kpi.id}" selected>' in page


def test_an_action_row_without_text_is_refused_and_the_evaluation_kept(site):
    lek = signed_in(site, "lek")
    before = len(facade(site).evaluations(as_user(site, "maria"), "alpha"))
    answer = lek.post("/observatory/initiatives/alpha/evaluations", data={
        "csrf_token": lek.token, "held_on": "2027-06-01", "kind": "self-evaluation", "participants": ["firms"],
        "findings": "Kept findings", "action_owner_0": "Kept owner"})
    page = html(answer)
    assert answer.status_code == 422 and "action_text_0: " in page
    assert "Kept findings" in page and 'value="Kept owner"' in page and 'value="firms" checked' in page
    assert len(facade(site).evaluations(as_user(site, "maria"), "alpha")) == before


# ------------------------------------------------------------------------ charts, escaping

class Figures(HTMLParser):
    """Collects, for every <svg>, whether it sits in a <figure> that also holds a
    <figcaption> and a <table> (or <details>)."""

    def __init__(self):
        super().__init__()
        self.stack: list[dict] = []
        self.charts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "figure":
            self.stack.append({"svg": 0, "figcaption": False, "alternative": False})
        elif self.stack and tag == "svg":
            self.stack[-1]["svg"] += 1
        elif self.stack and tag == "figcaption":
            self.stack[-1]["figcaption"] = True
        elif self.stack and tag in ("table", "details"):
            self.stack[-1]["alternative"] = True
        elif tag == "svg":
            self.charts.append({"svg": 1, "figcaption": False, "alternative": False})

    def handle_endtag(self, tag):
        if tag == "figure" and self.stack:
            self.charts.append(self.stack.pop())


@pytest.mark.parametrize("path", ["/observatory/round", "/observatory/initiatives/alpha",
                                  "/observatory/round/benchmarks/{definition}"])
def test_every_chart_has_a_caption_and_a_table_beside_it(site, path):
    page = html(signed_in(site, "maria").get(path.format(definition=site.definition_id)))
    figures = Figures()
    figures.feed(page)
    charts = [figure for figure in figures.charts if figure["svg"]]
    assert charts and len(charts) >= page.count("<svg")
    assert all(figure["figcaption"] and figure["alternative"] for figure in charts), charts


def test_no_page_carries_a_style_attribute_or_inline_script(site):
    maria = signed_in(site, "maria")
    for path in ("/observatory", "/observatory/round", "/observatory/initiatives/alpha",
                 "/observatory/initiatives/alpha/scorecard", "/observatory/initiatives/alpha/measure",
                 "/observatory/initiatives/alpha/evaluations", "/observatory/initiatives/alpha/import"):
        page = html(maria.get(path))
        assert not re.search(r"<[^>]+\sstyle=", page), path
        assert not re.search(r"<script(?![^>]*\ssrc=)", page), path


def test_user_text_is_escaped_everywhere_it_is_shown(site):
    maria = signed_in(site, "maria")
    manager = as_user(site, "maria")
    facade(site).create_initiative(manager, "round", {"slug": "hostile", "name": HOSTILE, "description": HOSTILE,
                                                      "place": HOSTILE})
    kpi = facade(site).add_indicator(manager, "hostile", {"perspective": HOSTILE, "factor": HOSTILE, "name": HOSTILE,
                                                           "unit": HOSTILE, "definition_id": site.definition_id})
    facade(site).record_measurement(manager, kpi.id, "2027-01", 5, "2027-01-31", evidence=HOSTILE)
    facade(site).record_evaluation(manager, "hostile", {"held_on": "2027-02-01", "findings": HOSTILE,
                                                        "actions": [{"text": HOSTILE, "owner": HOSTILE}]})
    for path in ("/observatory/round", "/observatory/initiatives/hostile", "/observatory/initiatives/hostile/scorecard",
                 f"/observatory/initiatives/hostile/indicators/{kpi.id}", "/observatory/initiatives/hostile/evaluations",
                 "/observatory/initiatives/hostile/measure", f"/observatory/round/benchmarks/{site.definition_id}"):
        page = html(maria.get(path))
        assert HOSTILE not in page, path
        assert "&lt;script&gt;" in page, path


# ------------------------------------------------------------------------ records

def test_a_correction_keeps_the_earlier_value_in_the_history(site):
    lek = signed_in(site, "lek")
    kpi = indicator_of(site, "alpha")
    for value in ("17", "18,5"):
        answer = lek.post("/observatory/initiatives/alpha/measure", data={
            "csrf_token": lek.token, "indicator_id": kpi.id, "period": "2027-04", "value": value,
            "measured_on": "2027-04-30"})
        assert answer.status_code == 302 and "done=measurement-recorded" in answer.location
    page = html(lek.get(f"/observatory/initiatives/alpha/indicators/{kpi.id}"))
    assert "<del>17 firms</del>" in page and "18.5 firms" in page and "(a correction)" in page
    assert "The measurement was recorded." in html(lek.get(answer.location))


def test_the_csv_dry_run_names_every_bad_row_and_writes_nothing(site):
    lek = signed_in(site, "lek")
    kpi = indicator_of(site, "alpha")
    before = len(facade(site).measurements(as_user(site, "maria"), kpi.id, history=True))
    text = (f"indicator,period,value,measured_on,evidence\n{kpi.id},2027-07,20,2027-07-31,ok\n"
            f"{kpi.id},2027-08,lots,2027-08-31,\n{kpi.id},2027-09,21,31.9.2027,\n")
    for mode in ("check", "import"):
        answer = lek.post("/observatory/initiatives/alpha/import", data={"csrf_token": lek.token, "csv": text,
                                                                         "mode": mode})
        page = html(answer)
        assert answer.status_code == 422 and "nothing was written" in page
        rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>", page)
        assert ("3", "value") in rows and ("4", "measured_on") in rows and len(rows) == 2
        assert f"{kpi.id},2027-08,lots" in page  # the text stays in the form to correct
    assert len(facade(site).measurements(as_user(site, "maria"), kpi.id, history=True)) == before
    good = text.splitlines()[:2]
    checked = lek.post("/observatory/initiatives/alpha/import", data={"csrf_token": lek.token, "csv": "\n".join(good),
                                                                      "mode": "check"})
    assert checked.status_code == 200 and "1 row would be imported" in html(checked)
    assert len(facade(site).measurements(as_user(site, "maria"), kpi.id, history=True)) == before
    imported = lek.post("/observatory/initiatives/alpha/import", data={"csrf_token": lek.token,
                                                                       "csv": "\n".join(good), "mode": "import"})
    assert imported.status_code == 302
    assert len(facade(site).measurements(as_user(site, "maria"), kpi.id, history=True)) == before + 1


def test_the_export_downloads_what_was_recorded(site):
    kpi = indicator_of(site, "alpha")
    answer = signed_in(site, "lek").get("/observatory/initiatives/alpha/measurements.csv")
    assert answer.status_code == 200 and answer.mimetype == "text/csv"
    assert "attachment" in answer.headers["Content-Disposition"]
    assert f"{kpi.id},2027-01,12" in answer.get_data(as_text=True).replace(".0,", ",")


def test_starting_from_the_thai_template_copies_its_factors(site):
    maria = signed_in(site, "maria")
    facade(site).create_initiative(as_user(site, "maria"), "round", {"slug": "thai", "name": "Thai start"})
    answer = maria.post("/observatory/initiatives/thai/scorecard/template",
                        data={"csrf_token": maria.token, "template_id": "thai-food-cluster", "defined_by": "group"})
    assert answer.status_code == 302
    template = next(t for t in facade(site).templates() if t.id == "thai-food-cluster")
    page = html(maria.get(answer.location))
    for perspective in template.perspectives:
        for factor in perspective.factors:
            assert factor.name in page
    again = maria.post("/observatory/initiatives/thai/scorecard/template",
                       data={"csrf_token": maria.token, "template_id": "thai-food-cluster"})
    assert again.status_code in (409, 422)


def test_closing_an_initiative_links_to_its_draft_case(site):
    maria = signed_in(site, "maria")
    facade(site).create_initiative(as_user(site, "maria"), "round", {"slug": "closing", "name": "Closing soon"})
    answer = maria.post("/observatory/initiatives/closing/close", data={"csrf_token": maria.token})
    assert answer.status_code == 302
    closed = facade(site).initiative(as_user(site, "maria"), "closing")
    assert closed.status == "closed" and closed.case_draft_id
    page = html(maria.get(answer.location))
    assert f'href="/drafts/{closed.case_draft_id}"' in page and "draft case" in page
    assert maria.get(f"/drafts/{closed.case_draft_id}").status_code == 200


def test_forms_for_writers_only_are_refused_to_others(site):
    rob = signed_in(site, "rob")
    assert rob.get("/observatory/round/new").status_code == 403
    assert rob.get("/observatory/initiatives/alpha/edit").status_code == 403
    assert signed_in(site, "lek").get("/observatory/round/new").status_code == 403
    lek_edit = signed_in(site, "lek").get("/observatory/initiatives/alpha/edit")
    assert lek_edit.status_code == 200 and 'value="Alpha food"' in html(lek_edit)
    assert site.test_client().get("/observatory/round/new").status_code == 401


@pytest.mark.parametrize("path", ["/observatory/nowhere", "/observatory/initiatives/nowhere",
                                  "/observatory/initiatives/alpha/indicators/999999",
                                  "/observatory/round/benchmarks/999999"])
def test_what_does_not_exist_is_404_in_html_and_json(site, path):
    maria = signed_in(site, "maria")
    assert maria.get(path).status_code == 404
    answer = maria.get(path + "?format=json")
    assert answer.status_code == 404 and answer.is_json and answer.get_json()["error"]["status"] == 404


def test_a_fourth_indicator_for_one_factor_is_refused_and_the_form_kept(site):
    maria = signed_in(site, "maria")
    manager = as_user(site, "maria")
    facade(site).create_initiative(manager, "round", {"slug": "full", "name": "Full factor"})
    for n in range(3):
        facade(site).add_indicator(manager, "full", {"perspective": "Internal", "factor": "Trust", "name": f"KPI {n}"})
    answer = maria.post("/observatory/initiatives/full/scorecard", data={
        "csrf_token": maria.token, "perspective": "Internal", "factor": "Trust", "name": "A fourth one",
        "unit": "meetings", "baseline_value": "2", "direction": "higher"})
    page = html(answer)
    assert answer.status_code == 422 and 'value="A fourth one"' in page and 'value="meetings"' in page
    assert re.search(r'role="alert"[^>]*>\w+: ', page)
    assert len(facade(site).scorecard(manager, "full").perspectives[0].factors[0].indicators) == 3


def test_a_programme_manager_sets_status_sharing_and_members(site):
    maria = signed_in(site, "maria")
    manager = as_user(site, "maria")
    facade(site).create_initiative(manager, "round", {"slug": "moving", "name": "Moving along"})
    assert maria.post("/observatory/initiatives/moving/status",
                      data={"csrf_token": maria.token, "status": "launched"}).status_code == 302
    assert maria.post("/observatory/initiatives/moving/sharing",
                      data={"csrf_token": maria.token, "sharing": "hidden"}).status_code == 302
    added = maria.post("/observatory/initiatives/moving/members",
                       data={"csrf_token": maria.token, "user_name": "rob", "role": "facilitator"})
    assert added.status_code == 302 and "done=member-added" in added.location
    moved = facade(site).initiative(manager, "moving")
    assert (moved.status, moved.sharing, [m.user for m in moved.members]) == ("launched", "hidden", ["rob"])
    assert "The member was added." in html(maria.get(added.location))
    members = maria.get("/observatory/initiatives/moving/members?format=json").get_json()
    assert members == {"members": [{"user": "rob", "role": "facilitator"}]}
    assert maria.post("/observatory/initiatives/moving/members/rob/remove",
                      data={"csrf_token": maria.token}).status_code == 302
    assert facade(site).initiative(manager, "moving").members == []
    lek = signed_in(site, "lek")
    assert lek.post("/observatory/initiatives/alpha/status",
                    data={"csrf_token": lek.token, "status": "closed"}).status_code == 403


def test_the_dashboard_draws_the_first_benchmarks_and_links_the_others(site):
    from webui.observatory_pages import DASHBOARD_BENCHMARKS

    manager = as_user(site, "maria")
    facade(site).create_programme(manager, "Many indicators", slug="many")
    for n in range(DASHBOARD_BENCHMARKS + 2):
        facade(site).define_indicator(manager, "many", {"key": f"shared-{n}", "name": f"Shared indicator {n}"})
    answer = signed_in(site, "maria").get("/observatory/many?format=json").get_json()
    definitions = facade(site).definitions(manager, "many")
    assert [b["definition_id"] for b in answer["benchmarks"]] == [d.id for d in definitions[:DASHBOARD_BENCHMARKS]]
    assert [b["name"] for b in answer["more_benchmarks"]] == [d.name for d in definitions[DASHBOARD_BENCHMARKS:]]
    page = html(signed_in(site, "maria").get("/observatory/many"))
    for definition in definitions[DASHBOARD_BENCHMARKS:]:
        assert f'href="/observatory/many/benchmarks/{definition.id}">{definition.name}</a>' in page


def test_a_refused_form_asked_for_json_answers_the_error_body_naming_the_field(site):
    lek = signed_in(site, "lek")
    kpi = indicator_of(site, "alpha")
    answer = lek.post("/observatory/initiatives/alpha/measure?format=json", data={
        "csrf_token": lek.token, "indicator_id": kpi.id, "period": "2027-05", "value": "twelve",
        "measured_on": "2027-05-31"})
    assert answer.status_code == 422 and answer.is_json
    assert answer.get_json()["error"]["parameter"] == "value" and "twelve" in answer.get_json()["error"]["message"]
