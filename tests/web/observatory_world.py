"""A small observatory built through the JSON API, for the API and access tests (a
helper module, not a test file).

Programme "contest-2027" (managed by mara) holds four initiatives that share their
figures in the three ways: alpha (named; fay is its facilitator), beta (anonymous;
lou is a local actor), gamma (hidden) and zeta (anonymous too: a lone anonymous peer
would be known by elimination, so benchmarks show anonymous ones only in company). Each has one indicator linked to the
programme-wide definition "firms-in-projects", two quarters of measurements with
values found nowhere else (so a leak shows in any answer's text), and a
self-evaluation with one open action. Programme "other-round" (managed by ed) holds
delta. rob is a reader who belongs to nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import select

from indexer.library.database import Database
from indexer.library.tables import metadata
from indexer.search.encoder import HashingEncoder
from indexer.service import Casebase
from indexer.settings import Settings

from tests.web.support import PASSWORD, REPO_ROOT, make_app

USERS = (("mara", "editor"), ("ed", "editor"), ("fay", "reader"), ("lou", "reader"), ("rob", "reader"))
PROGRAMME, OTHER_PROGRAMME = "contest-2027", "other-round"
SHARING = {"alpha": "named", "beta": "anonymous", "gamma": "hidden", "zeta": "anonymous"}
NAMES = {"alpha": "Alpha Furniture Network", "beta": "Beta Shoe Makers", "gamma": "Gamma Wine Route",
         "zeta": "Zeta Leather Guild"}
PLACES = {"alpha": "Alphaville", "beta": "Betatown", "gamma": "Gammaford", "zeta": "Zetaport"}
# Two quarters per initiative; every number is unique to its initiative.
VALUES = {"alpha": (11.5, 12.75), "beta": (1234.25, 1240.5), "gamma": (4711.5, 4722.25), "zeta": (777.125, 778.375)}
PERIODS = ("2027-Q1", "2027-Q2")
MEMBERS = {"alpha": ("fay", "facilitator"), "beta": ("lou", "local-actor")}
# Tables whose rows change on every sign-in or request, not through the observatory.
BOOKKEEPING = {"users", "audit", "login_failures", "sessions"}


class Api:
    """A test client of the app, signed in as `user` (None: anonymous), that sends the
    session's CSRF token with every write unless told not to."""

    def __init__(self, app: Flask, user: str | None = None):
        self.app, self.user = app, user
        self.client = app.test_client()
        if user is not None:
            page = self.client.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            answer = self.client.post("/login", data={"name": user, "password": PASSWORD, "csrf_token": token})
            assert answer.status_code == 302, answer.get_data(as_text=True)

    def token(self) -> str:
        with self.client.session_transaction() as session:
            return session.get("csrf", "")

    def open(self, method: str, url: str, csrf: bool = True, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if csrf and self.user is not None:
            headers["X-CSRF-Token"] = self.token()
        return self.client.open(url, method=method, headers=headers, **kwargs)

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def ok(self, method: str, url: str, status: int = 200, **kwargs):
        """The JSON answer of a call that must succeed with `status`."""
        answer = self.open(method, url, **kwargs)
        assert answer.status_code == status, (method, url, answer.status_code, answer.get_data(as_text=True))
        return answer.get_json() if answer.mimetype == "application/json" else answer.get_data(as_text=True)


@dataclass
class World:
    """The app and the ids of what was built."""

    app: Flask
    definition_id: int = 0
    indicators: dict[str, int] = field(default_factory=dict)     # initiative slug -> its indicator
    measurements: dict[str, int] = field(default_factory=dict)   # initiative slug -> its first measurement
    actions: dict[str, int] = field(default_factory=dict)        # initiative slug -> its open action
    evaluations: dict[str, int] = field(default_factory=dict)

    def api(self, user: str | None = None) -> Api:
        return Api(self.app, user)

    def database(self):
        return self.app.extensions["casebase"].database

    def snapshot(self) -> dict[str, list[tuple]]:
        """Every row of every table but the sign-in bookkeeping: equal before and after
        a refused request, or that request changed something."""
        with self.database().reading() as db:
            return {table.name: sorted(map(tuple, db.execute(select(table)).all()), key=repr)
                    for table in metadata.sorted_tables if table.name not in BOOKKEEPING}


def open_app(tmp_path, database_url: str | None = None) -> Flask:
    """An app over the bundled content with a private index, and a private instance
    database: a SQLite file, or the PostgreSQL database at `database_url`."""
    index_dir = tmp_path / "instance" / "index"
    environ = {"CASEBASE_DATABASE_URL": database_url} if database_url else {}
    if database_url:  # a new PostgreSQL database starts empty: 'casebase db upgrade' first, as on a server
        migrator = Database(database_url)
        migrator.upgrade()
        migrator.dispose()
    casebase = Casebase.open(Settings.from_env(content_dir=REPO_ROOT, index_dir=index_dir, environ=environ),
                             encoder=HashingEncoder())
    casebase.build_index()
    return make_app(casebase, users=USERS, SESSION_COOKIE_SECURE=False)


def build(app: Flask) -> World:
    """Build the programmes, initiatives, scorecards, measurements and evaluations."""
    world = World(app)
    mara, ed = world.api("mara"), world.api("ed")
    mara.ok("POST", "/api/programmes", 201, json={"name": "2027 contest round", "slug": PROGRAMME,
                                                  "agency": "Ministry of Industry"})
    ed.ok("POST", "/api/programmes", 201, json={"name": "Another round", "slug": OTHER_PROGRAMME})
    ed.ok("POST", f"/api/programmes/{OTHER_PROGRAMME}/initiatives", 201, json={"name": "Delta", "slug": "delta"})
    world.definition_id = mara.ok("POST", f"/api/programmes/{PROGRAMME}/definitions", 201, json={
        "key": "firms-in-projects", "name": "Firms in joint projects", "unit": "firms"})["id"]
    for slug, sharing in SHARING.items():
        mara.ok("POST", f"/api/programmes/{PROGRAMME}/initiatives", 201, json={
            "name": NAMES[slug], "slug": slug, "place": PLACES[slug], "country": "Brazil", "sectors": ["footwear"],
            "status": "running", "sharing": sharing, "start_date": "2026-06-01"})
        if slug in MEMBERS:
            user, role = MEMBERS[slug]
            mara.ok("POST", f"/api/initiatives/{slug}/members", json={"user": user, "role": role})
        recorder = world.api(MEMBERS[slug][0]) if slug in MEMBERS else mara
        world.indicators[slug] = recorder.ok("POST", f"/api/initiatives/{slug}/indicators", 201, json={
            "perspective": "Customers", "factor": "Cooperation", "name": "Firms in joint projects",
            "unit": "firms", "baseline_value": 10, "baseline_date": "2026-06-01", "target_value": 40,
            "target_date": "2028-06-01", "defined_by": "local firms", "definition_id": world.definition_id})["id"]
        for period, value in zip(PERIODS, VALUES[slug]):
            measured = recorder.ok("POST", f"/api/indicators/{world.indicators[slug]}/measurements", 201, json={
                "period": period, "value": value, "measured_on": f"2027-0{3 * PERIODS.index(period) + 3}-28",
                "evidence": f"count of {slug}'s project lists"})
            world.measurements.setdefault(slug, measured["id"])
        evaluation = recorder.ok("POST", f"/api/initiatives/{slug}/evaluations", 201, json={
            "held_on": "2027-07-01", "participants": ["firms", "facilitator"],
            "indicator_ids": [world.indicators[slug]], "findings": f"{NAMES[slug]} needs more buyers",
            "actions": [{"text": "Invite two buyers", "owner": "facilitator", "due": "2027-09-30"}]})
        world.evaluations[slug] = evaluation["id"]
        world.actions[slug] = evaluation["actions"][0]["id"]
    return world
