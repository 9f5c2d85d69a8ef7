"""The programme dashboard: pipeline, indicators defined, progress, late evaluations and actions, warnings."""

from __future__ import annotations

from datetime import date

from indexer.observatory.dashboard import on_track, progress, summarise
from indexer.observatory.models import STATUSES
from tests.observatory_records import Records, scorecard

TODAY = date(2027, 12, 1)


def _programme():
    """Three initiatives: one measured and evaluated, one measured but behind, one proposal."""
    make = Records()
    programme = make.programme(evaluation_interval_days=90)
    ahead = make.initiative("rayong-food", start_date=date(2027, 1, 1))
    behind = make.initiative("chiang-mai-silk", start_date=date(2027, 1, 1), status="launched")
    proposal = make.initiative("korat-ceramics", status="proposal")
    sat, waste = make.indicator(ahead), make.indicator(ahead, name="Waste", direction="lower",
                                                       baseline_value=20.0, target_value=10.0)
    slow = make.indicator(behind)
    current = {
        sat.id: [make.measurement(sat, "2027-06", 58.0), make.measurement(sat, "2027-11", 69.0)],
        waste.id: [make.measurement(waste, "2027-11", 11.0)],
        slow.id: [make.measurement(slow, "2027-11", 52.0)],
    }
    evaluations = {
        ahead.id: [make.evaluation(ahead, date(2027, 10, 15), actions=[
            {"text": "Visit the bank together", "owner": "lina", "due": date(2027, 11, 1)},
            {"text": "Write the plan", "due": date(2028, 1, 15)},
            {"text": "Done already", "status": "done", "due": date(2027, 1, 1)}])],
        behind.id: [make.evaluation(behind, date(2027, 3, 1)),
                    make.evaluation(behind, date(2027, 11, 20), kind="external-evaluation")],
    }
    warnings = {behind.id: [{"rule": "external-inspection", "title": "External inspection erodes ownership"}]}
    cards = {ahead.id: scorecard(ahead, sat, waste), behind.id: scorecard(behind, slow)}
    return programme, [ahead, behind, proposal], cards, current, evaluations, warnings


def test_the_pipeline_counts_every_status_in_order_and_names_the_initiatives():
    programme, initiatives, *rest = _programme()
    board = summarise(programme, initiatives, *rest, today=TODAY)
    assert [stage.status for stage in board.pipeline] == list(STATUSES)
    by_status = {stage.status: stage for stage in board.pipeline}
    assert by_status["running"].initiatives == ["rayong-food"]
    assert by_status["proposal"].count == 1 and by_status["closed"].count == 0
    assert sum(stage.count for stage in board.pipeline) == board.initiatives == len(initiatives)
    assert board.with_indicators == 2


def test_progress_is_judged_against_the_time_elapsed_and_the_direction():
    programme, initiatives, *rest = _programme()
    board = summarise(programme, initiatives, *rest, today=TODAY)
    rows = {row.slug: row for row in board.summaries}
    # By 28 November 91% of the way is due: satisfaction 69 of 50->70 is 95% (on track),
    # waste 11 of 20->10 (lower is better) is 90% (just behind).
    assert rows["rayong-food"].assessable == 2 and rows["rayong-food"].on_track == 1
    assert rows["rayong-food"].share_on_track == 0.5
    assert rows["rayong-food"].mean_progress == (0.95 + 0.9) / 2
    assert rows["chiang-mai-silk"].on_track == 0 and rows["chiang-mai-silk"].share_on_track == 0.0
    assert rows["chiang-mai-silk"].mean_progress == (52 - 50) / (70 - 50)
    assert rows["korat-ceramics"].indicators == 0 and rows["korat-ceramics"].share_on_track is None
    assert rows["korat-ceramics"].mean_progress is None


def test_on_track_follows_the_latest_value_not_the_first():
    make = Records()
    initiative = make.initiative("x")
    indicator = make.indicator(initiative)
    assert on_track(indicator, make.measurement(indicator, "2027-06", 62.0)) is True    # 60% by mid-year
    assert on_track(indicator, make.measurement(indicator, "2027-06", 54.0)) is False
    assert on_track(make.indicator(initiative, target_value=None), make.measurement(indicator, "2027-06", 99)) is None
    assert progress(make.indicator(initiative, direction="lower", baseline_value=20, target_value=10), 25) == -0.5


def test_overdue_evaluations_count_only_self_evaluations_within_the_interval():
    programme, initiatives, *rest = _programme()
    board = summarise(programme, initiatives, *rest, today=TODAY)
    rows = {row.slug: row for row in board.summaries}
    # The silk initiative's last SELF-evaluation was in March; the external one in November does not count.
    assert rows["chiang-mai-silk"].last_self_evaluation == date(2027, 3, 1)
    assert board.overdue_evaluations == ["chiang-mai-silk"]
    later = summarise(programme, initiatives, *rest, today=date(2028, 2, 1))
    assert later.overdue_evaluations == ["rayong-food", "chiang-mai-silk"]   # proposals are never late


def test_open_and_overdue_actions_and_warnings_firing():
    programme, initiatives, *rest = _programme()
    board = summarise(programme, initiatives, *rest, today=TODAY)
    assert [action.text for action in board.open_actions] == ["Visit the bank together", "Write the plan"]
    assert [action.overdue for action in board.open_actions] == [True, False]
    assert board.overdue_actions == 1
    rows = {row.slug: row for row in board.summaries}
    assert rows["rayong-food"].open_actions == 2 and rows["rayong-food"].overdue_actions == 1
    assert rows["chiang-mai-silk"].warnings == ["External inspection erodes ownership"]
    assert board.warnings_firing == 1


def test_a_corrected_value_is_not_counted_and_an_empty_programme_has_an_empty_board():
    make = Records()
    programme = make.programme()
    initiative = make.initiative("x", start_date=date(2027, 1, 1))
    indicator = make.indicator(initiative)
    old = make.measurement(indicator, "2027-11", 69.0, current=False)
    new = make.measurement(indicator, "2027-11", 51.0, supersedes=old.id)
    board = summarise(programme, [initiative], {initiative.id: scorecard(initiative, indicator)},
                      {indicator.id: [old, new]}, {}, {}, today=TODAY)
    assert board.summaries[0].on_track == 0 and board.summaries[0].measured == 1
    empty = summarise(programme, [], {}, {}, {}, {}, today=TODAY)
    assert empty.initiatives == 0 and empty.open_actions == [] and all(s.count == 0 for s in empty.pipeline)


def test_the_latest_period_counts_whatever_order_the_store_returns():
    make = Records()
    programme = make.programme()
    initiative = make.initiative("x", start_date=date(2027, 1, 1))
    indicator = make.indicator(initiative)
    values = [make.measurement(indicator, "2027-11", 69.0), make.measurement(indicator, "2027-Q1", 40.0),
              make.measurement(indicator, "2027-06", 45.0)]
    for order in (values, list(reversed(values))):
        board = summarise(programme, [initiative], {initiative.id: scorecard(initiative, indicator)},
                          {indicator.id: order}, {}, {}, today=TODAY)
        assert board.summaries[0].on_track == 1


def test_mean_progress_counts_each_indicator_between_baseline_and_target():
    make = Records()
    programme = make.programme()
    initiative = make.initiative("x", start_date=date(2027, 1, 1))
    beyond, behind = make.indicator(initiative), make.indicator(initiative, name="Other")
    current = {beyond.id: [make.measurement(beyond, "2027-11", 90.0)],      # twice the way: counts as 1
               behind.id: [make.measurement(behind, "2027-11", 40.0)]}      # behind the baseline: counts as 0
    board = summarise(programme, [initiative], {initiative.id: scorecard(initiative, beyond, behind)},
                      current, {}, {}, today=TODAY)
    assert board.summaries[0].mean_progress == 0.5 and board.summaries[0].on_track == 1
