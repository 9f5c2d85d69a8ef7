"""THE ACCESS MATRIX of the observatory: every route that changes something, API and
pages alike, derived from the app's URL map (an endpoint of the `observatory` or
`observatory_api` blueprint answering POST, PATCH, PUT or DELETE), so that a route
added later is walked without anyone listing it here.

For each such route and method, on initiative beta of programme contest-2027 (see
tests/web/observatory_world.py):
- anonymous: 401 or 403, never a success;
- signed in as the rightful user but without the CSRF token: 400 or 403;
- a reader who belongs to nothing, a member of another initiative of the same
  programme (fay of alpha), and the manager of another programme (ed): 403 or 404;
and after every one of those the database is exactly as before. Each request carries
a body that the rightful user could send successfully, so a refusal is about who
asks, never about a bad body. Then the rightful users succeed on a representative
subset. A route this file has no parameter value or body for fails with its name.
The matrix runs on SQLite and on the private PostgreSQL server (tests/postgres.py).
"""

from __future__ import annotations

import re

import pytest

from tests.web.observatory_world import PROGRAMME, build, open_app
from tests.web.support import close_app

MUTATING = {"POST", "PATCH", "PUT", "DELETE"}
TARGET = "beta"              # the initiative every route acts on
TARGET_MEMBER = "lou"        # beta's local actor
CSV = "indicator,period,value,measured_on,evidence\n{indicator},2029-Q1,5,2029-03-31,sneaky\n"
MEASUREMENT = {"period": "2029-Q1", "value": 5, "measured_on": "2029-03-31"}
INDICATOR = {"perspective": "Customers", "factor": "Exports", "name": "Sneaky exports", "unit": "firms"}

# A body the rightful user could send, by endpoint (JSON for the API, a form for pages).
API_BODIES = {
    "create_programme": {"name": "Sneaky programme"},
    "add_manager": {"user": "fay"},
    "define_indicator": {"key": "sneaky", "name": "Sneaky"},
    "create_initiative": {"name": "Sneaky initiative"},
    "update_initiative": {"name": "Sneaky name", "status": "closed"},
    "add_member": {"user": "fay", "role": "local-actor"},
    "start_from_template": {"template_id": "{template}"},
    "add_indicator": INDICATOR,
    "update_indicator": {"name": "Sneaky name"},
    "record_measurement": MEASUREMENT,
    "record_evaluation": {"held_on": "2029-01-01", "findings": "sneaky"},
    "update_action": {"status": "dropped"},
    "close": {"author": "Sneaky"},
}
PAGE_INDICATOR = {**INDICATOR, "direction": "higher", "baseline_value": "1", "target_value": "9"}
PAGE_BODIES = {
    "create_programme": {"name": "Sneaky programme"},
    "add_manager": {"user_name": "fay"},
    "define_indicator": {"key": "sneaky", "name": "Sneaky", "direction": "higher"},
    "create_initiative": {"name": "Sneaky initiative", "status": "proposal", "sharing": "named"},
    "save_initiative": {"name": "Sneaky name", "place": "Betatown", "country": "Brazil", "sectors": "footwear",
                        "status": "running", "start_date": "2026-06-01", "sharing": "named"},
    "set_status": {"status": "closed"},
    "set_sharing": {"sharing": "named"},
    "add_member": {"user_name": "fay", "role": "local-actor"},
    "add_indicator": PAGE_INDICATOR,
    "save_indicator": PAGE_INDICATOR,
    "start_template": {"template_id": "{template}"},
    "record_measurement": {"indicator_id": "{indicator}", "period": "2029-Q1", "value": "5",
                           "measured_on": "2029-03-31"},
    "run_import": {"csv": CSV, "mode": "import"},
    "record_evaluation": {"held_on": "2029-01-01", "findings": "sneaky"},
    "update_action": {"status": "dropped"},
    "close": {},
}
NO_BODY = {"remove_member", "remove_indicator", "import_measurements"}


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request, tmp_path_factory):
    """The world on each backend in turn (PostgreSQL: a new database on the private server)."""
    url = request.getfixturevalue("private_postgres").create_database() if request.param == "postgresql" else None
    app = open_app(tmp_path_factory.mktemp("observatory-access"), url)
    yield build(app)
    close_app(app)


def mutating_routes(app) -> list[tuple[str, str, str]]:
    """(endpoint, rule, method) of every observatory route that may change something."""
    return sorted((rule.endpoint, rule.rule, method) for rule in app.url_map.iter_rules()
                  if rule.endpoint.split(".")[0] in ("observatory", "observatory_api")
                  for method in rule.methods & MUTATING)


def fill(world, rule: str) -> str:
    """The rule's URL for the target initiative, its programme and its rows."""
    values = {"programme_slug": PROGRAMME, "indicator_id": world.indicators[TARGET],
              "measurement_id": world.measurements[TARGET], "action_id": world.actions[TARGET],
              "evaluation_id": world.evaluations[TARGET], "definition_id": world.definition_id,
              "user_name": TARGET_MEMBER}

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == "slug":
            return PROGRAMME if re.search(r"/programmes/<(?:\w+:)?slug>", rule) else TARGET
        if name not in values:
            raise AssertionError(f"{rule}: the access matrix has no value for <{name}>; add one to fill()")
        return str(values[name])

    return re.sub(r"<(?:\w+:)?(\w+)>", value, rule)


def request_of(world, endpoint: str) -> dict:
    """The keyword arguments of a request the rightful user could make to `endpoint`."""
    blueprint, name = endpoint.split(".")
    if blueprint == "observatory_api" and name == "import_measurements":
        return {"data": CSV.format(indicator=world.indicators[TARGET]), "content_type": "text/csv",
                "query_string": {"dry_run": "0"}}
    if name in NO_BODY:
        return {}
    bodies = API_BODIES if blueprint == "observatory_api" else PAGE_BODIES
    assert name in bodies, f"{endpoint}: the access matrix has no body for it; add one here"
    template = world.api("mara").ok("GET", "/api/scorecard-templates")["templates"][0]["id"]
    body = {key: value.format(template=template, indicator=world.indicators[TARGET])
            if isinstance(value, str) else value for key, value in bodies[name].items()}
    return {"json": body} if blueprint == "observatory_api" else {"data": body}


def test_the_matrix_walks_every_api_write_and_every_page_form(world):
    endpoints = {endpoint for endpoint, _, _ in mutating_routes(world.app)}
    api = {endpoint.split(".")[1] for endpoint in endpoints if endpoint.startswith("observatory_api.")}
    pages = {endpoint.split(".")[1] for endpoint in endpoints if endpoint.startswith("observatory.")}
    assert api == {*API_BODIES, *NO_BODY}
    assert pages <= {*PAGE_BODIES, *NO_BODY} and len(pages) >= 10


def test_no_one_but_the_rightful_users_changes_anything(world):
    clients = {who: world.api(who) for who in ("rob", "fay", "ed", "mara", TARGET_MEMBER)}
    anonymous = world.api()
    before = world.snapshot()
    failures: list[str] = []
    walked = 0
    for endpoint, rule, method in mutating_routes(world.app):
        url, kwargs = fill(world, rule), request_of(world, endpoint)
        walked += 1
        checks = [("anonymous", anonymous, True, (401, 403)),
                  ("without CSRF", clients[TARGET_MEMBER], False, (400, 403)),
                  ("without CSRF", clients["mara"], False, (400, 403)),
                  ("a reader", clients["rob"], True, (403, 404)),
                  ("a member of alpha", clients["fay"], True, (403, 404)),
                  ("another programme's manager", clients["ed"], True, (403, 404))]
        if endpoint.endswith(".create_programme"):  # any editor may: ed is the rightful user here
            checks = [check for check in checks if check[1] is not clients["ed"]]
        for who, client, csrf, allowed in checks:
            answer = client.open(method, url, csrf=csrf, **kwargs)
            if answer.status_code not in allowed:
                shown = answer.get_json() if answer.is_json else answer.mimetype
                failures.append(f"{method} {url} ({endpoint}) as {who}: {answer.status_code}, expected {allowed}: "
                                f"{shown}")
            if world.snapshot() != before:
                failures.append(f"{method} {url} as {who} changed the database")
                before = world.snapshot()
    assert failures == [], "\n".join(failures)
    assert walked >= len(API_BODIES) + len(NO_BODY)


# The rightful users, on a representative subset: (user, method, url, body, status).
ALLOWED = [
    ("lou", "POST", "/api/indicators/{indicator}/measurements", MEASUREMENT, 201),
    ("lou", "PATCH", "/api/indicators/{indicator}", {"unit": "companies"}, 200),
    ("lou", "POST", "/api/initiatives/beta/indicators", INDICATOR, 201),
    ("lou", "POST", "/api/initiatives/beta/evaluations", {"held_on": "2029-01-01"}, 201),
    ("lou", "PATCH", "/api/actions/{action}", {"status": "done"}, 200),
    ("lou", "PATCH", "/api/initiatives/beta", {"description": "Shoe makers of Betatown"}, 200),
    ("mara", "PATCH", "/api/initiatives/beta", {"status": "launched"}, 200),
    ("mara", "POST", "/api/initiatives/beta/members", {"user": "rob", "role": "local-actor"}, 200),
    ("mara", "POST", f"/api/programmes/{PROGRAMME}/initiatives", {"name": "Epsilon"}, 201),
    ("mara", "POST", f"/api/programmes/{PROGRAMME}/definitions", {"key": "exports", "name": "Exports"}, 201),
    ("mara", "POST", f"/api/programmes/{PROGRAMME}/managers", {"user": "ed"}, 200),
    ("ed", "POST", "/api/programmes", {"name": "Ed's second round"}, 201),
    # The pages' forms answer a success with a redirect to the page that shows it.
    ("lou", "POST", "/observatory/initiatives/beta/measure", {**PAGE_BODIES["record_measurement"], "value": "6"},
     302),
    ("lou", "POST", "/observatory/initiatives/beta/evaluations", PAGE_BODIES["record_evaluation"], 302),
    ("mara", "POST", "/observatory/initiatives/beta/status", {"status": "fact-finding"}, 302),
    ("mara", "POST", "/observatory/initiatives/beta/members", {"user_name": "ed", "role": "facilitator"}, 302),
]


def test_the_rightful_users_succeed(tmp_path):
    """After the matrix, the same kind of requests from the rightful users do change things."""
    app = open_app(tmp_path)
    try:
        world = build(app)
        for user, method, url, body, status in ALLOWED:
            url = url.format(indicator=world.indicators[TARGET], action=world.actions[TARGET])
            before = world.snapshot()
            if url.startswith("/api/"):
                world.api(user).ok(method, url, status, json=body)
            else:
                form = {key: value.format(indicator=world.indicators[TARGET]) for key, value in body.items()}
                world.api(user).ok(method, url, status, data=form)
            assert world.snapshot() != before, (user, method, url)
    finally:
        close_app(app)


def test_a_member_cannot_set_the_status_that_only_managers_set(world):
    before = world.snapshot()
    answer = world.api(TARGET_MEMBER).open("PATCH", f"/api/initiatives/{TARGET}", json={"status": "closed"})
    assert answer.status_code == 403 and world.snapshot() == before
