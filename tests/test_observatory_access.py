"""The observatory's access rules, engine-side (so pages, API and exports cannot
differ): a member of one initiative can never change another, by any mutating method;
anonymous visitors and plain readers change nothing; readers and peers see an
initiative's figures only as its sharing allows, in scorecards, measurements,
evaluations, exports, benchmarks, the IATI export and the dashboard."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date

import pytest
from sqlalchemy import func, select
from tests.observatory_store_fixtures import casebase, people, world  # noqa: F401

from indexer.errors import Refused
from indexer.library.tables import audit
from indexer.observatory import tables as t

CSV = "indicator,period,value,measured_on\n{indicator},2027-Q3,99,2027-09-30\n"


def _b_evaluation(observatory, people, world):
    return observatory.record_evaluation(people.omar, world["b"][0].slug, {
        "held_on": "2027-05-01", "actions": [{"text": "Meet banks"}]})


# Every mutating method of the facade, aimed at initiative B or the programme.
MUTATIONS = {
    "add_manager": lambda o, v, w, e: o.add_manager(v, w["programme"].slug, v.user or "lina"),
    "define_indicator": lambda o, v, w, e: o.define_indicator(v, w["programme"].slug, {"name": "Exports"}),
    "create_initiative": lambda o, v, w, e: o.create_initiative(v, w["programme"].slug, {"name": "Mine"}),
    "update_initiative": lambda o, v, w, e: o.update_initiative(v, w["b"][0].slug, {"description": "taken over"}),
    "update_initiative sharing": lambda o, v, w, e: o.update_initiative(v, w["b"][0].slug, {"sharing": "named"}),
    "set_status": lambda o, v, w, e: o.set_status(v, w["b"][0].slug, "closed"),
    "add_member": lambda o, v, w, e: o.add_member(v, w["b"][0].slug, "rita", "local-actor"),
    "remove_member": lambda o, v, w, e: o.remove_member(v, w["b"][0].slug, "omar"),
    "start_from_template": lambda o, v, w, e: o.start_from_template(v, w["b"][0].slug, "dti-framework", "me"),
    "add_indicator": lambda o, v, w, e: o.add_indicator(v, w["b"][0].slug, {"perspective": "P", "factor": "F",
                                                                            "name": "N"}),
    "update_indicator": lambda o, v, w, e: o.update_indicator(v, w["b"][1].id, {"name": "Renamed"}),
    "remove_indicator": lambda o, v, w, e: o.remove_indicator(v, w["b"][1].id),
    "record_measurement": lambda o, v, w, e: o.record_measurement(v, w["b"][1].id, "2027-Q1", 1, "2027-03-31"),
    "record_evaluation": lambda o, v, w, e: o.record_evaluation(v, w["b"][0].slug, {"held_on": "2027-06-01"}),
    "update_action": lambda o, v, w, e: o.update_action(v, e.actions[0].id, "dropped"),
    "import_measurements": lambda o, v, w, e: o.import_measurements(v, w["b"][0].slug,
                                                                    CSV.format(indicator=w["b"][1].id), dry_run=False),
    "import_measurements dry run": lambda o, v, w, e: o.import_measurements(v, w["b"][0].slug,
                                                                            CSV.format(indicator=w["b"][1].id)),
    "close": lambda o, v, w, e: o.close(v, w["b"][0].slug, author="Someone"),
}


def _state(database) -> dict:
    """Row counts of every observatory table and the audit log, and B's record."""
    with database.reading() as db:
        counts = {table.name: db.execute(select(func.count()).select_from(table)).scalar_one()
                  for table in (audit, t.programmes, t.programme_managers, t.initiatives, t.initiative_members,
                                t.indicator_definitions, t.indicators, t.measurements, t.evaluations, t.actions)}
        counts["initiatives rows"] = [tuple(row) for row in db.execute(select(t.initiatives).order_by(t.initiatives.c.id))]
        counts["indicator rows"] = [tuple(row) for row in db.execute(select(t.indicators).order_by(t.indicators.c.id))]
        counts["action rows"] = [tuple(row) for row in db.execute(select(t.actions).order_by(t.actions.c.id))]
    return counts


@pytest.mark.parametrize("who", ["lina", "rita", "anonymous"])
@pytest.mark.parametrize("method", sorted(MUTATIONS))
def test_nobody_outside_an_initiative_changes_it(casebase, people, world, who, method):
    observatory = casebase.observatory
    evaluation = _b_evaluation(observatory, people, world)
    viewer = people.anonymous if who == "anonymous" else getattr(people, who)
    before = _state(casebase.database)
    with pytest.raises(Refused):
        MUTATIONS[method](observatory, viewer, world, evaluation)
    assert _state(casebase.database) == before


@pytest.mark.parametrize("method", ["set_status", "add_member", "remove_member", "close", "define_indicator",
                                    "add_manager", "create_initiative"])
def test_a_member_does_not_manage_even_their_own_initiative(casebase, people, world, method):
    """The manager-only methods, aimed by omar (member of B) at B and its programme."""
    observatory = casebase.observatory
    evaluation = _b_evaluation(observatory, people, world)
    before = _state(casebase.database)
    with pytest.raises(Refused):
        MUTATIONS[method](observatory, people.omar, world, evaluation)
    assert _state(casebase.database) == before


@pytest.mark.parametrize("method", ["update_initiative", "update_initiative sharing", "add_indicator",
                                    "update_indicator", "record_measurement", "record_evaluation", "update_action",
                                    "import_measurements", "import_measurements dry run", "start_from_template"])
def test_a_member_changes_their_own_initiative(casebase, people, world, method):
    observatory = casebase.observatory
    evaluation = _b_evaluation(observatory, people, world)
    if method == "start_from_template":
        observatory.create_initiative(people.mona, world["programme"].slug, {"name": "Empty", "slug": "empty"})
        observatory.add_member(people.mona, "empty", "omar", "local-actor")
        observatory.start_from_template(people.omar, "empty", "dti-framework", "local actors")
        return
    MUTATIONS[method](observatory, people.omar, world, evaluation)


def test_only_editors_and_reviewers_create_programmes_and_managers_may_do_everything(casebase, people, world):
    observatory = casebase.observatory
    for viewer in (people.anonymous, people.rita, people.lina):
        with pytest.raises(Refused):
            observatory.create_programme(viewer, "Mine")
    assert observatory.create_programme(people.ed, "Ed's round").managers == ["ed"]
    evaluation = _b_evaluation(observatory, people, world)
    with pytest.raises(Refused):  # ed manages his own programme, not mona's
        MUTATIONS["record_measurement"](observatory, people.ed, world, evaluation)
    for method in ("record_measurement", "update_action", "add_indicator", "set_status"):
        MUTATIONS[method](observatory, people.mona, world, evaluation)


def test_access_follows_the_database_not_an_old_viewer(casebase, people, world):
    observatory = casebase.observatory
    omar = people.omar  # built while omar is a member of B
    observatory.remove_member(people.mona, world["b"][0].slug, "omar")
    with pytest.raises(Refused):
        observatory.record_measurement(omar, world["b"][1].id, "2027-Q1", 1, "2027-03-31")


def _measure_both(observatory, people, world):
    observatory.record_measurement(people.lina, world["a"][1].id, "2027-Q1", 20, "2027-03-31")
    observatory.record_measurement(people.omar, world["b"][1].id, "2027-Q1", 25, "2027-03-31")
    observatory.record_evaluation(people.omar, world["b"][0].slug, {"held_on": "2027-04-01", "findings": "secret"})


@pytest.mark.parametrize("sharing", ["anonymous", "hidden"])
def test_a_peer_sees_no_figure_of_an_initiative_that_is_not_named(casebase, people, world, sharing):
    observatory = casebase.observatory
    _measure_both(observatory, people, world)
    b_slug, b_indicator = world["b"][0].slug, world["b"][1]
    observatory.update_initiative(people.omar, b_slug, {"sharing": sharing})
    for viewer in (people.lina, people.rita, people.anonymous):
        card = observatory.scorecard(viewer, b_slug)
        [indicator] = [i for p in card.perspectives for f in p.factors for i in f.indicators]
        assert indicator.name == b_indicator.name and indicator.baseline_value is None and indicator.target_value is None
        for read in (lambda: observatory.measurements(viewer, b_indicator.id),
                     lambda: observatory.measurements(viewer, b_indicator.id, history=True),
                     lambda: observatory.evaluations(viewer, b_slug),
                     lambda: observatory.export_measurements(viewer, b_slug),
                     lambda: observatory.export_measurements(viewer, b_slug, format="json")):
            with pytest.raises(Refused):
                read()
        line = {s.slug: s for s in observatory.dashboard(viewer, world["programme"].slug, date(2027, 9, 1)).summaries}
        assert (line[b_slug].indicators, line[b_slug].measured, line[b_slug].last_self_evaluation) == (0, 0, None)
        assert observatory.initiative(viewer, b_slug).members == []
    # Insiders still see everything of B.
    for viewer in (people.omar, people.mona):
        assert [m.value for m in observatory.measurements(viewer, b_indicator.id)] == [25.0]
        assert observatory.scorecard(viewer, b_slug).perspectives[0].factors[0].indicators[0].baseline_value == 10.0
        assert observatory.initiative(viewer, b_slug).members[0].user == "omar"


def test_a_named_initiative_shares_its_figures_with_every_reader(casebase, people, world):
    observatory = casebase.observatory
    _measure_both(observatory, people, world)
    for viewer in (people.lina, people.rita, people.anonymous):
        assert [m.value for m in observatory.measurements(viewer, world["b"][1].id)] == [25.0]
        assert observatory.evaluations(viewer, world["b"][0].slug)[0].findings == "secret"
        assert "25" in observatory.export_measurements(viewer, world["b"][0].slug)


def _third(observatory, people, world, sharing):
    made = observatory.create_initiative(people.mona, world["programme"].slug, {
        "name": "Initiative C", "slug": "init-c", "country": "Peru", "sharing": sharing, "status": "running"})
    indicator = observatory.add_indicator(people.mona, made.slug, {
        "perspective": "Customers", "factor": "Cooperation", "name": "Firms", "definition_id": world["definition"].id})
    observatory.record_measurement(people.mona, indicator.id, "2027-Q1", 30, "2027-03-31")
    return made


def test_benchmarks_and_iati_show_anonymous_peers_only_unnamed_and_never_alone_or_filtered(casebase, people, world):
    observatory = casebase.observatory
    _measure_both(observatory, people, world)
    programme, definition = world["programme"].slug, world["definition"].id
    observatory.update_initiative(people.omar, world["b"][0].slug, {"sharing": "anonymous"})
    alone = observatory.benchmark(people.lina, programme, definition, subject_slug="init-a")
    assert [(p.label, p.value) for p in alone.peers] == [("Initiative A furniture", 20.0)]  # B alone: left out
    _third(observatory, people, world, "anonymous")
    both = observatory.benchmark(people.lina, programme, definition, subject_slug="init-a")
    anonymous = [p for p in both.peers if not p.named]
    assert sorted(p.value for p in anonymous) == [25.0, 30.0]
    assert all(p.slug is None and p.label.startswith("Initiative ") and "furniture" not in p.label for p in anonymous)
    assert [p.subject for p in both.peers if p.named] == [True]
    again = observatory.benchmark(people.rita, programme, definition)
    assert [(p.label, p.value) for p in again.peers] == [(p.label, p.value) for p in both.peers]  # stable labels
    filtered = observatory.benchmark(people.lina, programme, definition, country="Brazil")
    assert [p.label for p in filtered.peers] == ["Initiative A furniture"]
    manager = observatory.benchmark(people.mona, programme, definition, country="Peru")
    assert [(p.label, p.named) for p in manager.peers] == [("Initiative C", True)]
    document = observatory.export_iati(people.rita, programme)
    assert "init-b" not in document and "Initiative B furniture" not in document and "init-c" not in document
    assert sorted(ET.fromstring(document).iter("actual"), key=lambda e: e.get("value")) and sorted(
        element.get("value") for element in ET.fromstring(document).iter("actual")) == ["20", "25", "30"]


def test_hidden_initiatives_are_left_out_of_benchmarks_and_iati(casebase, people, world):
    observatory = casebase.observatory
    _measure_both(observatory, people, world)
    programme, definition = world["programme"].slug, world["definition"].id
    observatory.update_initiative(people.omar, world["b"][0].slug, {"sharing": "hidden"})
    _third(observatory, people, world, "hidden")
    assert [p.value for p in observatory.benchmark(people.rita, programme, definition).peers] == [20.0]
    values = [element.get("value") for element in ET.fromstring(observatory.export_iati(people.lina, programme))
              .iter("actual")]
    assert values == ["20"]
    assert sorted(p.value for p in observatory.benchmark(people.mona, programme, definition).peers) == [20.0, 25.0, 30.0]
