"""The programme dashboard (the paper's meta-monitoring), computed from records.

Pure functions over the observatory's models: the facade loads what the viewer may
see and calls `summarise`. Progress is measured from an indicator's baseline toward
its target, so "on track" means the latest value has covered at least the share of
the way that the time elapsed between baseline date and target date calls for.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Iterable, Mapping

from pydantic import BaseModel, ConfigDict

from .models import STATUSES, Evaluation, Indicator, Initiative, Measurement, Programme, Scorecard

_PERIOD = re.compile(r"^(\d{4})(?:-Q([1-4])|-(0[1-9]|1[0-2]))?$")


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class StatusCount(_Row):
    """One stage of the pipeline: how many initiatives are at `status`, and which."""

    status: str
    count: int
    initiatives: list[str] = []        # slugs


class OpenAction(_Row):
    """A corrective action still open, with the initiative it belongs to."""

    initiative: str                    # slug
    action_id: int
    text: str
    owner: str = ""
    due: date | None = None
    overdue: bool = False


class InitiativeSummary(_Row):
    """One initiative's line on the dashboard."""

    id: int
    slug: str
    name: str
    status: str
    indicators: int                    # defined on its scorecard
    measured: int                      # of those, with at least one current value
    assessable: int                    # with baseline, target and a value: progress can be judged
    on_track: int
    share_on_track: float | None = None  # on_track / assessable
    # Mean share of the way from baseline to target over the assessable indicators, each
    # counted between 0 (at or behind its baseline) and 1 (target reached).
    mean_progress: float | None = None
    last_self_evaluation: date | None = None
    evaluation_overdue: bool = False
    open_actions: int = 0
    overdue_actions: int = 0
    warnings: list[str] = []           # titles of the advisor's warnings firing


class Dashboard(_Row):
    """What a programme manager sees first: pipeline, indicators, progress, what is late."""

    programme: str                     # slug
    today: date
    evaluation_interval_days: int
    pipeline: list[StatusCount]
    initiatives: int
    with_indicators: int
    summaries: list[InitiativeSummary]
    overdue_evaluations: list[str]     # slugs, in dashboard order
    open_actions: list[OpenAction]
    overdue_actions: int
    warnings_firing: int               # initiatives with at least one warning


def period_end(period: str) -> tuple[int, int]:
    """(year, last month) of a period "YYYY", "YYYY-Qn" or "YYYY-MM", for ordering.

    >>> period_end("2027"), period_end("2027-Q2"), period_end("2027-05")
    ((2027, 12), (2027, 6), (2027, 5))
    """
    match = _PERIOD.match(period)
    if not match:
        raise ValueError(f"period '{period}' is not YYYY, YYYY-Qn or YYYY-MM")
    year, quarter, month = match.groups()
    if quarter:
        return int(year), int(quarter) * 3
    return int(year), int(month) if month else 12


def in_order(measurements: Iterable[Measurement]) -> list[Measurement]:
    """Current measurements from the earliest period to the latest."""
    current = [m for m in measurements if m.current]
    return sorted(current, key=lambda m: (period_end(m.period), m.measured_on, m.id))


def latest(measurements: Iterable[Measurement]) -> Measurement | None:
    """The current measurement of the latest period (ties: the later measured), or None."""
    current = [m for m in measurements if m.current]
    return max(current, key=lambda m: (period_end(m.period), m.measured_on, m.id), default=None)


def progress(indicator: Indicator, value: float) -> float | None:
    """Share of the way from baseline to target that `value` has covered (0 = at
    baseline, 1 = target reached; negative when it moved the wrong way), or None when
    baseline or target is missing. When target equals baseline, 1 if the value is at
    least as good (by the indicator's direction), else 0.

    >>> ind = Indicator(id=1, initiative_id=1, perspective="p", factor="f", name="n",
    ...                 baseline_value=10, target_value=20)
    >>> progress(ind, 15), progress(ind, 5)
    (0.5, -0.5)
    >>> progress(ind.model_copy(update={"direction": "lower", "target_value": 4}), 7)
    0.5
    """
    base, target = indicator.baseline_value, indicator.target_value
    if base is None or target is None:
        return None
    if target == base:
        better = value >= base if indicator.direction == "higher" else value <= base
        return 1.0 if better else 0.0
    return (value - base) / (target - base)


def expected_progress(indicator: Indicator, on: date) -> float | None:
    """Share of the way the time elapsed by `on` calls for (between baseline and target
    dates, 0..1), or None when either date is missing.

    >>> ind = Indicator(id=1, initiative_id=1, perspective="p", factor="f", name="n",
    ...                 baseline_date=date(2027, 1, 1), target_date=date(2027, 12, 31))
    >>> round(expected_progress(ind, date(2027, 7, 2)), 2), expected_progress(ind, date(2029, 1, 1))
    (0.5, 1.0)
    """
    start, end = indicator.baseline_date, indicator.target_date
    if start is None or end is None or end <= start:
        return None
    return min(1.0, max(0.0, (on - start).days / (end - start).days))


def on_track(indicator: Indicator, latest: Measurement) -> bool | None:
    """Whether the latest value keeps pace toward the target (None: cannot be judged).
    Without dates, any step from the baseline in the right direction counts."""
    share = progress(indicator, latest.value)
    if share is None:
        return None
    expected = expected_progress(indicator, latest.measured_on)
    return share >= expected if expected is not None else share > 0


def scorecard_indicators(scorecard: Scorecard | None) -> list[Indicator]:
    """Every indicator of a scorecard, in scorecard order."""
    if scorecard is None:
        return []
    return [indicator for perspective in scorecard.perspectives
            for factor in perspective.factors for indicator in factor.indicators]


def last_self_evaluation(evaluations: Iterable[Evaluation]) -> date | None:
    """The date of the latest self-evaluation (the paper's frequent, small ones)."""
    dates = [evaluation.held_on for evaluation in evaluations if evaluation.kind == "self-evaluation"]
    return max(dates, default=None)


def evaluation_overdue(initiative: Initiative, last: date | None, interval_days: int, today: date) -> bool:
    """No self-evaluation within the interval: counted from the last one, or from the
    start date when there is none yet. Proposals and closed initiatives are never late."""
    if initiative.status in ("proposal", "closed"):
        return False
    since = last or initiative.start_date
    if since is None:  # running with no start date and never evaluated: ask for one
        return initiative.status in ("launched", "running")
    return (today - since).days > interval_days


def summarise(programme: Programme, initiatives: list[Initiative], scorecards: Mapping[int, Scorecard],
              current: Mapping[int, list[Measurement]], evaluations: Mapping[int, list[Evaluation]],
              warnings: Mapping[int, list[dict]], today: date | None = None) -> Dashboard:
    """The dashboard of `programme` from the records the viewer may see: scorecards
    and evaluations by initiative id, current measurements by indicator id, the
    advisor's warnings (dicts with a 'title') by initiative id."""
    today = today or date.today()
    interval = programme.evaluation_interval_days
    summaries: list[InitiativeSummary] = []
    actions: list[OpenAction] = []
    for initiative in initiatives:
        summary, open_actions = _summary(initiative, scorecards.get(initiative.id), current,
                                         evaluations.get(initiative.id, []), warnings.get(initiative.id, []),
                                         interval, today)
        summaries.append(summary)
        actions.extend(open_actions)
    pipeline = [StatusCount(status=status, count=len(slugs), initiatives=slugs)
                for status in STATUSES
                for slugs in [[s.slug for s in summaries if s.status == status]]]
    actions.sort(key=lambda a: (not a.overdue, a.due or date.max, a.initiative, a.action_id))
    return Dashboard(
        programme=programme.slug, today=today, evaluation_interval_days=interval, pipeline=pipeline,
        initiatives=len(summaries), with_indicators=sum(1 for s in summaries if s.indicators),
        summaries=summaries, overdue_evaluations=[s.slug for s in summaries if s.evaluation_overdue],
        open_actions=actions, overdue_actions=sum(1 for a in actions if a.overdue),
        warnings_firing=sum(1 for s in summaries if s.warnings))


def _summary(initiative: Initiative, scorecard: Scorecard | None, current: Mapping[int, list[Measurement]],
             evaluations: list[Evaluation], warnings: list[dict], interval: int,
             today: date) -> tuple[InitiativeSummary, list[OpenAction]]:
    indicators = scorecard_indicators(scorecard)
    measured = assessable = ahead = 0
    shares: list[float] = []
    for indicator in indicators:
        last = latest(current.get(indicator.id, []))
        if last is None:
            continue
        measured += 1
        judged = on_track(indicator, last)
        if judged is not None:
            assessable += 1
            ahead += judged
            shares.append(min(1.0, max(0.0, progress(indicator, last.value))))
    open_actions = [OpenAction(initiative=initiative.slug, action_id=action.id, text=action.text,
                               owner=action.owner, due=action.due,
                               overdue=action.due is not None and action.due < today)
                    for evaluation in evaluations for action in evaluation.actions if action.status == "open"]
    last = last_self_evaluation(evaluations)
    summary = InitiativeSummary(
        id=initiative.id, slug=initiative.slug, name=initiative.name, status=initiative.status,
        indicators=len(indicators), measured=measured, assessable=assessable, on_track=ahead,
        share_on_track=ahead / assessable if assessable else None,
        mean_progress=sum(shares) / len(shares) if shares else None, last_self_evaluation=last,
        evaluation_overdue=evaluation_overdue(initiative, last, interval, today),
        open_actions=len(open_actions), overdue_actions=sum(1 for a in open_actions if a.overdue),
        warnings=[str(w.get("title") or w.get("rule") or "") for w in warnings])
    return summary, open_actions
