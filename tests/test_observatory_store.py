"""The observatory's store through its facade: programmes, initiatives with checked
profiles, scorecards (by hand and from the paper's templates), measurements whose
corrections keep the history, evaluations with actions; on SQLite, and one core flow
on the private PostgreSQL server."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.observatory_store_fixtures import casebase, people, world  # noqa: F401

from indexer.errors import InvalidInput, NotFound, Refused, StateConflict
from indexer.library import migrating
from indexer.library.database import Database
from indexer.library.tables import audit
from indexer.observatory import tables as t
from indexer.observatory.models import MAX_INDICATORS_PER_FACTOR
from indexer.observatory.service import Observatory
from indexer.observatory.templates import load_templates


def _count(database, table, *where) -> int:
    with database.reading() as db:
        return db.execute(select(func.count()).select_from(table).where(*where)).scalar_one()


def test_a_programme_gets_a_slug_from_its_name_and_its_creator_as_manager(casebase, people):
    observatory = casebase.observatory
    first = observatory.create_programme(people.mona, "2027 Contest Round", agency="Agency")
    second = observatory.create_programme(people.mona, "2027 contest round!")
    assert (first.slug, second.slug) == ("2027-contest-round", "2027-contest-round-2")
    assert first.managers == ["mona"] and first.evaluation_interval_days == 180
    assert [p.slug for p in observatory.programmes(people.rita)] == [first.slug, second.slug]
    with pytest.raises(InvalidInput) as taken:
        observatory.create_programme(people.mona, "Other", slug=first.slug)
    assert taken.value.field == "slug"
    with pytest.raises(NotFound):
        observatory.programme(people.rita, "no-such-programme")


def test_an_initiative_profile_is_checked_as_the_advisor_reads_it(casebase, people):
    observatory = casebase.observatory
    programme = observatory.create_programme(people.mona, "Round")
    with pytest.raises(InvalidInput) as wrong:
        observatory.create_initiative(people.mona, programme.slug, {"name": "X", "profile": {"driver": "privat"}})
    assert wrong.value.field == "profile.driver" and "private" in wrong.value.message
    with pytest.raises(InvalidInput) as unknown:
        observatory.create_initiative(people.mona, programme.slug, {"name": "X", "budget": 3})
    assert unknown.value.field == "budget"
    with pytest.raises(InvalidInput) as sector:
        observatory.create_initiative(people.mona, programme.slug, {"name": "X", "sectors": ["furnitur"]})
    assert sector.value.field == "sectors"
    with pytest.raises(InvalidInput) as text:
        observatory.create_initiative(people.mona, programme.slug, {"name": "X", "profile": {"description": "Text"}})
    assert text.value.field == "profile.description"
    with pytest.raises(InvalidInput) as day:
        observatory.create_initiative(people.mona, programme.slug, {"name": "X", "start_date": "2027-02-30"})
    assert day.value.field == "start_date"
    assert _count(casebase.database, t.initiatives) == 0  # nothing half-written
    made = observatory.create_initiative(people.mona, programme.slug, {
        "name": "Móveis de São Bento", "country": "brazil", "start_date": "2027-03-01",
        "profile": {"driver": "private", "approach": "bottom-up", "activities": ["training", "training"]}})
    assert made.slug == "moveis-de-sao-bento" and made.country == "Brazil"
    assert made.start_date == date(2027, 3, 1) and made.status == "proposal"
    assert made.profile == {"driver": "private", "approach": "bottom-up", "activities": ["training"]}
    changed = observatory.update_initiative(people.mona, made.slug, {"description": "Furniture makers",
                                                                     "sharing": "anonymous"})
    assert (changed.description, changed.sharing, changed.profile) == ("Furniture makers", "anonymous", made.profile)
    assert changed.updated >= made.updated


def test_advice_follows_the_profile_and_warns_about_external_inspection(casebase, people, world):
    observatory = casebase.observatory
    slug = world["a"][0].slug
    before = observatory.advice(people.lina, slug)
    assert before.cases and not [w for w in before.warnings if w["rule"] == "inspection-kills-learning"]
    observatory.update_initiative(people.lina, slug, {"profile": {"monitoring_style": "external-inspection"}})
    after = observatory.advice(people.lina, slug)
    assert [w["rule"] for w in after.warnings] == ["inspection-kills-learning"]


def test_a_scorecard_keeps_perspectives_and_factors_in_order_and_three_indicators_a_factor(casebase, people, world):
    observatory = casebase.observatory
    slug = world["a"][0].slug
    for number in range(2, MAX_INDICATORS_PER_FACTOR + 1):
        observatory.add_indicator(people.lina, slug, {"perspective": "Customers", "factor": "Cooperation",
                                                      "name": f"Joint projects {number}"})
    with pytest.raises(InvalidInput) as full:
        observatory.add_indicator(people.lina, slug, {"perspective": "Customers", "factor": "Cooperation",
                                                      "name": "One too many"})
    assert full.value.field == "factor"
    observatory.add_indicator(people.lina, slug, {"perspective": "Learning", "factor": "Skills",
                                                  "name": "People trained", "direction": "higher"})
    card = observatory.scorecard(people.lina, slug)
    assert [(p.name, [f.name for f in p.factors]) for p in card.perspectives] == [
        ("Customers", ["Cooperation"]), ("Learning", ["Skills"])]
    assert [i.position for i in card.perspectives[0].factors[0].indicators] == list(range(MAX_INDICATORS_PER_FACTOR))
    with pytest.raises(InvalidInput) as backwards:
        observatory.add_indicator(people.lina, slug, {"perspective": "Learning", "factor": "Skills", "name": "X",
                                                      "baseline_date": "2027-06-01", "target_date": "2027-01-01"})
    assert backwards.value.field == "target_date"
    with pytest.raises(InvalidInput) as against:
        observatory.add_indicator(people.lina, slug, {"perspective": "Learning", "factor": "Skills", "name": "X",
                                                      "definition_id": world["definition"].id, "direction": "lower"})
    assert against.value.field == "direction"


def test_a_template_starts_an_empty_scorecard_only(casebase, people, world):
    observatory = casebase.observatory
    thai = load_templates()["thai-food-cluster"]
    assert [template.id for template in observatory.templates()] == list(load_templates())
    fresh = observatory.create_initiative(people.mona, world["programme"].slug, {"name": "Food cluster"})
    card = observatory.start_from_template(people.mona, fresh.slug, thai.id, defined_by="local actors")
    assert card.template == thai.id
    assert [(p.name, [(f.name, [i.name for i in f.indicators]) for f in p.factors]) for p in card.perspectives] == [
        (p.name, [(f.name, [i.name for i in f.indicators]) for f in p.factors]) for p in thai.perspectives]
    assert {i.defined_by for p in card.perspectives for f in p.factors for i in f.indicators} == {"local actors"}
    with pytest.raises(StateConflict):
        observatory.start_from_template(people.mona, fresh.slug, thai.id, defined_by="again")
    with pytest.raises(InvalidInput) as unknown:
        observatory.start_from_template(people.mona, world["a"][0].slug, "no-such-template", defined_by="x")
    assert unknown.value.field == "template_id"


def test_a_correction_supersedes_the_value_and_keeps_the_history(casebase, people, world):
    observatory = casebase.observatory
    indicator = world["a"][1]
    first = observatory.record_measurement(people.lina, indicator.id, "2027-Q1", 12, "2027-03-31", "member list")
    again = observatory.record_measurement(people.lina, indicator.id, "2027-Q1", 12, "2027-03-31", "member list")
    assert again.id == first.id  # the same record twice writes nothing new
    corrected = observatory.record_measurement(people.mona, indicator.id, "2027-Q1", 14, date(2027, 4, 2),
                                               "recount")
    observatory.record_measurement(people.lina, indicator.id, "2027-Q2", 17, "2027-06-30")
    assert (corrected.supersedes, corrected.current, corrected.recorded_by) == (first.id, True, "mona")
    current = observatory.measurements(people.lina, indicator.id)
    assert [(m.period, m.value) for m in current] == [("2027-Q1", 14.0), ("2027-Q2", 17.0)]
    history = observatory.measurements(people.lina, indicator.id, history=True)
    assert [(m.period, m.value, m.current) for m in history] == [
        ("2027-Q1", 12.0, False), ("2027-Q1", 14.0, True), ("2027-Q2", 17.0, True)]
    assert _count(casebase.database, audit, audit.c.action == "observatory.measurement.correct") == 1


@pytest.mark.parametrize("field, arguments, message", [
    ("period", ("2027-Q5", 1, "2027-01-01"), "quarter"),
    ("period", ("27-03", 1, "2027-01-01"), "year"),
    ("value", ("2027", float("nan"), "2027-01-01"), "finite"),
    ("value", ("2027", "1,000", "2027-01-01"), "not a number"),
    ("value", ("2027", True, "2027-01-01"), "number"),
    ("measured_on", ("2027", 1, "31/03/2027"), "YYYY-MM-DD"),
    ("measured_on", ("2027", 1, None), "required"),
])
def test_a_bad_measurement_names_its_field_and_writes_nothing(casebase, people, world, field, arguments, message):
    with pytest.raises(InvalidInput) as bad:
        casebase.observatory.record_measurement(people.lina, world["a"][1].id, *arguments)
    assert bad.value.field == field and message in bad.value.message
    assert _count(casebase.database, t.measurements) == 0


def test_an_evaluation_keeps_its_indicators_and_actions_and_actions_change_status(casebase, people, world):
    observatory = casebase.observatory
    slug, indicator = world["a"][0].slug, world["a"][1]
    with pytest.raises(InvalidInput) as foreign:
        observatory.record_evaluation(people.lina, slug, {"held_on": "2027-06-30",
                                                          "indicator_ids": [world["b"][1].id]})
    assert foreign.value.field == "indicator_ids[0]"
    with pytest.raises(InvalidInput) as due:
        observatory.record_evaluation(people.lina, slug, {"held_on": "2027-06-30",
                                                          "actions": [{"text": "Call firms", "due": "soon"}]})
    assert due.value.field == "actions[0].due"
    assert _count(casebase.database, t.evaluations) == 0
    evaluation = observatory.record_evaluation(people.lina, slug, {
        "held_on": "2027-06-30", "kind": "self-evaluation", "participants": ["firms", "facilitator"],
        "indicator_ids": [indicator.id], "findings": "Fewer firms than hoped joined.",
        "actions": [{"text": "Visit ten firms", "owner": "lina", "due": "2027-08-31"}]})
    assert evaluation.indicator_ids == [indicator.id] and evaluation.participants == ["firms", "facilitator"]
    [action] = evaluation.actions
    assert (action.status, action.due) == ("open", date(2027, 8, 31))
    assert observatory.update_action(people.lina, action.id, "done").status == "done"
    [listed] = observatory.evaluations(people.mona, slug)
    assert listed.actions[0].status == "done" and listed.findings == "Fewer firms than hoped joined."
    with pytest.raises(StateConflict):
        observatory.remove_indicator(people.lina, indicator.id)  # reviewed: its history stays


def test_an_unmeasured_indicator_can_be_removed(casebase, people, world):
    observatory = casebase.observatory
    extra = observatory.add_indicator(people.lina, world["a"][0].slug, {"perspective": "P", "factor": "F",
                                                                        "name": "Spare"})
    observatory.remove_indicator(people.lina, extra.id)
    with pytest.raises(NotFound):
        observatory.update_indicator(people.lina, extra.id, {"name": "Back"})


def test_the_core_flow_works_on_postgresql(postgres_url, tree):
    from indexer.library.accounts import Accounts
    from indexer.content.vocabulary import Vocabulary

    Database(postgres_url).upgrade()
    database = Database.open(postgres_url)
    assert database.revision() == migrating.head_revision()
    accounts = Accounts(database)
    accounts.add_user("mona", "editor", "a long enough secret")
    vocabulary = Vocabulary.load(tree.root / "kb" / "vocabulary.yaml")
    observatory = Observatory(database, vocabulary=lambda: vocabulary)
    mona = observatory.viewer(accounts.get("mona"))
    programme = observatory.create_programme(mona, "Round")
    initiative = observatory.create_initiative(mona, programme.slug, {"name": "Shoes", "sectors": ["footwear"],
                                                                      "profile": {"driver": "private"}})
    indicator = observatory.add_indicator(mona, initiative.slug, {"perspective": "P", "factor": "F", "name": "N"})
    first = observatory.record_measurement(mona, indicator.id, "2027-01", 1.5, "2027-01-31")
    second = observatory.record_measurement(mona, indicator.id, "2027-01", 2.5, "2027-02-01")
    assert [(m.value, m.current) for m in observatory.measurements(mona, indicator.id, history=True)] == [
        (1.5, False), (2.5, True)]
    assert second.supersedes == first.id
    assert observatory.initiative(mona, initiative.slug).sectors == ["footwear"]
    evaluation = observatory.record_evaluation(mona, initiative.slug, {"held_on": "2027-02-15",
                                                                       "actions": [{"text": "Act"}]})
    assert observatory.update_action(mona, evaluation.actions[0].id, "dropped").status == "dropped"
    observatory.record_measurement(mona, indicator.id, "2027-Q1", 3.5, "2027-03-31")  # ends after 2027-01
    [line] = observatory.dashboard(mona, programme.slug, today=date(2027, 4, 1)).summaries
    assert line.measured == 1 and line.last_self_evaluation == date(2027, 2, 15)
    assert latest_by_indicator_on(database, indicator.id).period == "2027-Q1"
    database.dispose()


def latest_by_indicator_on(database, indicator_id):
    from indexer.observatory.measurements import latest_by_indicator

    with database.reading() as db:
        [found] = latest_by_indicator(db, [indicator_id])[indicator_id]
    return found


def test_the_dashboard_reads_the_latest_period_as_the_analysis_orders_them(casebase, people, world):
    from indexer.observatory.dashboard import latest

    observatory = casebase.observatory
    indicator = world["a"][1]
    for period, value, day in (("2027-12", 1, "2027-12-31"), ("2027", 2, "2027-12-30"), ("2027-Q4", 3, "2027-12-31"),
                               ("2027-11", 4, "2028-01-05"), ("2026", 5, "2026-12-31")):
        observatory.record_measurement(people.lina, indicator.id, period, value, day)
    expected = latest(observatory.measurements(people.lina, indicator.id))
    assert latest_by_indicator_on(casebase.database, indicator.id) == expected
    assert (expected.period, expected.value) == ("2027-Q4", 3.0)  # Dec 31 ties with 2027-12: the later recorded


def test_a_csv_import_with_bad_rows_writes_nothing_and_names_each_row(casebase, people, world):
    observatory = casebase.observatory
    slug, indicator = world["a"][0].slug, world["a"][1]
    bad = ("indicator,period,value,measured_on,evidence\n"
           f"{indicator.id},2027-Q1,12,2027-03-31,list\n"
           f"{indicator.id},2027-Q5,13,2027-06-30,\n"
           f"{world['b'][1].id},2027-Q2,abc,2027-06-31,\n")
    report = observatory.import_measurements(people.lina, slug, bad, dry_run=False)
    assert report.written == 0 and {(p.line, p.column) for p in report.problems} >= {
        (3, "period"), (4, "indicator"), (4, "value"), (4, "measured_on")}
    assert _count(casebase.database, t.measurements) == 0
    good = ("indicator,period,value,measured_on,evidence\n"
            f"{indicator.id},2027-Q1,12,2027-03-31,list\n{indicator.id},2027-Q2,15,2027-06-30,\n")
    dry = observatory.import_measurements(people.lina, slug, good)
    assert (dry.dry_run, len(dry.rows), dry.written) == (True, 2, 0)
    assert _count(casebase.database, t.measurements) == 0
    assert observatory.import_measurements(people.lina, slug, good, dry_run=False).written == 2
    assert observatory.import_measurements(people.lina, slug, good, dry_run=False).written == 0  # same again
    exported = observatory.export_measurements(people.lina, slug)
    assert observatory.import_measurements(people.lina, slug, exported, dry_run=False).written == 0
    observatory.record_measurement(people.lina, indicator.id, "2027-Q2", 16, "2027-07-01")
    as_json = json.loads(observatory.export_measurements(people.lina, slug, format="json"))
    [entry] = as_json["indicators"]
    assert [(m["period"], m["value"], m["current"]) for m in entry["measurements"]] == [
        ("2027-Q1", 12.0, True), ("2027-Q2", 15.0, False), ("2027-Q2", 16.0, True)]
    with pytest.raises(InvalidInput) as unknown:
        observatory.export_measurements(people.lina, slug, format="xlsx")
    assert unknown.value.field == "format"


def test_the_dashboard_counts_indicators_evaluations_and_warnings_of_the_programme(casebase, people, world):
    observatory = casebase.observatory
    programme = world["programme"].slug
    observatory.create_initiative(people.mona, programme, {"name": "Newcomer", "profile": {
        "monitoring_style": "external-inspection"}})
    observatory.update_initiative(people.mona, world["a"][0].slug, {"start_date": "2027-01-01"})
    observatory.record_measurement(people.lina, world["a"][1].id, "2027-Q1", 20, "2027-03-31")
    observatory.record_evaluation(people.omar, world["b"][0].slug, {
        "held_on": "2027-05-01", "actions": [{"text": "Meet banks", "due": "2027-06-01"}]})
    board = observatory.dashboard(people.mona, programme, today=date(2027, 9, 1))
    assert board.initiatives == 3 and board.with_indicators == 2
    assert {s.status: s.count for s in board.pipeline}["running"] == 2
    lines = {summary.slug: summary for summary in board.summaries}
    assert lines["init-a"].measured == 1 and lines["init-a"].evaluation_overdue  # started Jan, never evaluated
    assert board.overdue_evaluations == ["init-a"]
    assert [(a.initiative, a.text, a.overdue) for a in board.open_actions] == [("init-b", "Meet banks", True)]
    assert lines["newcomer"].warnings == ["External inspection instead of self-evaluation"]
    assert board.warnings_firing == 1


def test_the_iati_export_holds_each_initiatives_indicators_and_actuals(casebase, people, world):
    import xml.etree.ElementTree as ET

    observatory = casebase.observatory
    observatory.record_measurement(people.lina, world["a"][1].id, "2027-Q1", 20, "2027-03-31")
    document = ET.fromstring(observatory.export_iati(people.mona, world["programme"].slug))
    activities = document.findall("iati-activity")
    assert len(activities) == 2
    actuals = [element.get("value") for element in document.iter("actual")]
    assert actuals == ["20"]


def test_closing_an_initiative_leaves_a_draft_case_that_links_back(casebase, people, world):
    observatory = casebase.observatory
    slug = world["a"][0].slug
    observatory.update_initiative(people.lina, slug, {"profile": {"driver": "private", "approach": "bottom-up"},
                                                      "description": "Furniture makers of Alpha."})
    observatory.record_measurement(people.lina, world["a"][1].id, "2027-Q1", 20, "2027-03-31")
    observatory.record_evaluation(people.lina, slug, {"held_on": "2027-06-30",
                                                      "findings": "Banks came late. They wanted plans."})
    with pytest.raises(Refused):
        observatory.close(people.lina, slug, author="Lina Alves")  # members do not close
    closed, draft = observatory.close(people.mona, slug, author="Mona Silva", record_url="/observatory/i/init-a")
    assert closed.status == "closed" and closed.case_draft_id == draft.id
    assert (draft.kind, draft.doc_id, draft.author) == ("case", slug, "mona")
    assert "Banks came late." in draft.text and "/observatory/i/init-a" in draft.text
    assert casebase.library.open_draft("case", slug).id == draft.id
    with pytest.raises(StateConflict):
        observatory.close(people.mona, slug, author="Mona Silva")
    _, second = observatory.close(people.mona, world["b"][0].slug, author="Mona Silva")
    assert second.doc_id == world["b"][0].slug


def test_a_profile_the_vocabulary_no_longer_accepts_is_named_on_the_dashboard(casebase, people, world):
    from sqlalchemy import update

    observatory = casebase.observatory
    with casebase.database.transaction() as db:  # saved before the vocabulary renamed the value
        db.execute(update(t.initiatives).where(t.initiatives.c.slug == "init-b").values(profile='{"driver": "gone"}'))
    with pytest.raises(InvalidInput) as refused:
        observatory.advice(people.omar, "init-b")
    assert refused.value.field == "driver"
    lines = {s.slug: s for s in observatory.dashboard(people.mona, world["programme"].slug).summaries}
    assert lines["init-b"].warnings == ["The profile needs updating (driver: 'gone' is not a value of Driver; valid values, "
                                        "closest first: " + refused.value.message.split("closest first: ")[1] + ")"]
    assert lines["init-a"].warnings == []


def test_members_and_managers_are_existing_accounts_and_a_member_changes_role_in_place(casebase, people, world):
    observatory = casebase.observatory
    slug, programme = world["a"][0].slug, world["programme"].slug
    for call, field in ((lambda: observatory.add_member(people.mona, slug, "nobody", "facilitator"), "user_name"),
                        (lambda: observatory.add_member(people.mona, slug, "rita", "boss"), "role"),
                        (lambda: observatory.add_manager(people.mona, programme, "nobody"), "user_name")):
        with pytest.raises(InvalidInput) as wrong:
            call()
        assert wrong.value.field == field
    observatory.add_member(people.mona, slug, "rita", "local-actor")
    changed = observatory.add_member(people.mona, slug, "rita", "facilitator")
    assert [(m.user, m.role) for m in changed.members] == [("lina", "facilitator"), ("rita", "facilitator")]
    assert observatory.viewer(casebase.accounts.get("rita")).member_of == frozenset({world["a"][0].id})
    assert observatory.add_manager(people.mona, programme, "ed").managers == ["ed", "mona"]
    assert observatory.viewer(casebase.accounts.get("ed")).managed_programmes == frozenset({world["programme"].id})
    assert [m.user for m in observatory.remove_member(people.ed, slug, "rita").members] == ["lina"]
    with pytest.raises(NotFound):
        observatory.remove_member(people.ed, slug, "rita")


def test_two_servers_correcting_one_period_at_once_keep_both_values_in_the_history(casebase, people, world):
    import threading

    indicator = world["a"][1]
    servers = [Observatory(Database(Path(casebase.database.url.database))) for _ in range(2)]  # separate pools
    start = threading.Barrier(2)
    errors = []

    def correct(server, value):
        start.wait()
        try:
            for round_ in range(5):
                server.record_measurement(people.lina, indicator.id, "2027-Q1", value + round_ / 10, "2027-03-31")
        except Exception as exc:  # collected: an assertion below names it
            errors.append(exc)

    threads = [threading.Thread(target=correct, args=(server, value)) for server, value in zip(servers, (1, 2))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    history = casebase.observatory.measurements(people.lina, indicator.id, history=True)
    assert len(history) == 10 and [m.current for m in history].count(True) == 1
    superseded = {m.supersedes for m in history} - {None}
    assert superseded == {m.id for m in history if not m.current}  # one unbroken chain of corrections
    for server in servers:
        server.database.dispose()
