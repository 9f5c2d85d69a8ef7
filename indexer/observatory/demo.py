"""A clearly labelled, fictional example programme, so a new user sees the observatory working.

`create_demo` builds it through the facade only (the same checks and access rules as
any user's work), in the instance database only: content files are never touched, and
every name says "demo" or "fictional", so nobody mistakes it for a real programme. It
refuses to run twice. The figures come from a seeded generator: the same demo every
time for the same `today`.
"""

from __future__ import annotations

import csv
import io
import random
from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Mapping

from indexer.errors import InvalidInput, NotFound, StateConflict

from .models import Indicator, Viewer

DEMO_SLUG = "demo-fictional-example-programme"
DEMO_NAME = "Demo - fictional example programme"
DEMO_AGENCY = "Fictional Cluster Agency (demo data)"
DEMO_DESCRIPTION = ("A FICTIONAL programme created by `casebase observatory demo` to show the observatory: "
                    "its initiatives, figures and evaluations are invented and describe no real cluster.")
MONTHS = 12
SEED = 8


@dataclass(frozen=True)
class DemoInitiative:
    """What one fictional initiative looks like before it is created."""

    slug: str
    name: str
    place: str
    country: str
    sectors: tuple[str, ...]
    status: str
    sharing: str
    profile: Mapping
    description: str
    pace: float                      # share of the way to the target reached after a year
    template: str | None = None      # a paper template to start from, else hand-made indicators


INITIATIVES = (
    DemoInitiative(
        "demo-lakeside-food", "Demo: Lakeside food processors (fictional)", "Lakeside (fictional)", "Thailand",
        ("food-processing",), "running", "named",
        MappingProxyType({"driver": "mixed", "approach": "bottom-up", "stage": "growth",
                          "cooperative_culture": "mixed", "firm_structure": "mostly-sme",
                          "monitoring_style": "participatory",
                          "activities": ("joint-purchasing", "training", "market-intelligence")}),
        "Fictional food processors who buy packaging together and train staff on food safety.",
        pace=0.8, template="thai-food-cluster"),
    DemoInitiative(
        "demo-hillside-furniture", "Demo: Hillside furniture makers (fictional)", "Hillside (fictional)", "Brazil",
        ("furniture",), "running", "anonymous",
        MappingProxyType({"driver": "private", "approach": "bottom-up", "stage": "emergence",
                          "cooperative_culture": "non-cooperative", "firm_structure": "micro-and-small",
                          "monitoring_style": "participatory", "activities": ("trade-fairs", "joint-marketing")}),
        "Fictional small furniture workshops that go to a trade fair together for the first time.",
        pace=0.45),
    DemoInitiative(
        "demo-riverside-garments", "Demo: Riverside garment workshops (fictional)", "Riverside (fictional)", "Kenya",
        ("garments",), "launched", "hidden",
        MappingProxyType({"driver": "public", "approach": "top-down", "stage": "emergence",
                          "monitoring_style": "external-inspection", "activities": ("training",)}),
        "Fictional garment workshops in a ministry programme, checked by visiting inspectors.",
        pace=0.2),
    DemoInitiative(
        "demo-coastal-tourism", "Demo: Coastal tourism proposal (fictional)", "Coastal town (fictional)", "Chile",
        ("tourism",), "proposal", "named", MappingProxyType({"driver": "public", "approach": "bottom-up"}),
        "A fictional proposal that has not defined its indicators yet.", pace=0.0),
)

# Hand-made scorecards: (perspective, factor, name, unit, direction, baseline, target, shared definition key).
OWN_INDICATORS = (
    ("Cluster process", "Cooperation", "Number of member firms", "firms", "higher", 8, 20, "member-firms"),
    ("Cluster process", "Cooperation", "Joint activities held", "activities", "higher", 0, 6, None),
    ("Customer", "Market access", "Firms exhibiting at trade fairs", "firms", "higher", 1, 10, None),
    ("Financial", "Cost control", "Average cost of raw material per unit", "%", "lower", 100, 90, None),
)
# The Thai template's indicator that the programme's shared definition stands for.
THAI_MEMBER_INDICATOR = "Number of members recruited into the cluster"
DEFINITION = MappingProxyType({
    "key": "member-firms", "name": "Member firms (demo)", "unit": "firms", "direction": "higher",
    "description": "Firms taking part in the initiative's activities (shared by the demo's initiatives)."})


@dataclass(frozen=True)
class DemoSummary:
    """What the demo created."""

    programme: str
    initiatives: list[str]
    indicators: int
    measurements: int
    evaluations: int


def month_periods(today: date, months: int = MONTHS) -> list[tuple[str, date]]:
    """(period, last day) of the `months` whole months before `today`, oldest first.

    >>> [period for period, _ in month_periods(date(2027, 2, 10), 3)], month_periods(date(2027, 2, 10), 3)[0][1]
    (['2026-11', '2026-12', '2027-01'], datetime.date(2026, 11, 30))
    """
    periods = []
    year, month = today.year, today.month
    for _ in range(months):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        periods.append((f"{year}-{month:02d}", date(year, month, monthrange(year, month)[1])))
    return list(reversed(periods))


def _plain(profile: Mapping) -> dict:
    """A profile as the facade takes it (lists, not the constant's tuples)."""
    return {key: list(value) if isinstance(value, tuple) else value for key, value in profile.items()}


def _refuse_twice(observatory, manager: Viewer) -> None:
    try:
        existing = observatory.programme(manager, DEMO_SLUG)
    except NotFound:
        return
    raise StateConflict(f"the demo programme '{existing.slug}' exists already; the demo is created once per "
                        "instance (it is fictional data, kept apart from real programmes)")


def create_demo(observatory, manager: Viewer, today: date | None = None) -> DemoSummary:
    """Create the fictional demo programme as `manager` (an editor or reviewer account,
    who becomes its manager). StateConflict when it exists already."""
    today = today or date.today()
    _refuse_twice(observatory, manager)
    try:
        programme = observatory.create_programme(manager, DEMO_NAME, slug=DEMO_SLUG, agency=DEMO_AGENCY,
                                                 description=DEMO_DESCRIPTION, evaluation_interval_days=120)
    except InvalidInput as error:
        if error.field == "slug":  # another run created it between the check and now
            raise StateConflict(f"the demo programme '{DEMO_SLUG}' exists already") from None
        raise
    definition = observatory.define_indicator(manager, programme.slug, dict(DEFINITION))
    periods = month_periods(today)
    rng = random.Random(SEED)
    counts = {"indicators": 0, "measurements": 0, "evaluations": 0}
    start = periods[0][1].replace(day=1)
    for plan in INITIATIVES:
        record = {"slug": plan.slug, "name": plan.name, "place": plan.place, "country": plan.country,
                  "sectors": list(plan.sectors), "status": plan.status, "sharing": plan.sharing,
                  "profile": _plain(plan.profile), "description": plan.description,
                  "facilitators": ["Demo facilitator (fictional)"]}
        if plan.status == "proposal":
            observatory.create_initiative(manager, programme.slug, record)
            continue
        observatory.create_initiative(manager, programme.slug, {**record, "start_date": start.isoformat()})
        indicators = _scorecard(observatory, manager, plan, definition.id, start, rng)
        counts["indicators"] += len(indicators)
        counts["measurements"] += _measure(observatory, manager, plan, indicators, periods, rng)
        counts["evaluations"] += _evaluate(observatory, manager, plan, indicators, periods)
    return DemoSummary(programme=programme.slug, initiatives=[plan.slug for plan in INITIATIVES], **counts)


def _scorecard(observatory, manager: Viewer, plan: DemoInitiative, definition_id: int, start: date,
               rng: random.Random) -> list[Indicator]:
    """The initiative's indicators with baselines and targets (a year after the start)."""
    target_date = (start + timedelta(days=365)).isoformat()
    made: list[Indicator] = []
    if plan.template:
        card = observatory.start_from_template(manager, plan.slug, plan.template, "local actors (fictional)")
        for perspective in card.perspectives:
            for factor in perspective.factors:
                for indicator in factor.indicators:
                    base = float(rng.randint(2, 40))
                    data = {"baseline_value": base, "baseline_date": start.isoformat(),
                            "target_value": base + rng.randint(5, 30), "target_date": target_date}
                    if indicator.name == THAI_MEMBER_INDICATOR:
                        data.update(baseline_value=12.0, target_value=30.0, definition_id=definition_id)
                    made.append(observatory.update_indicator(manager, indicator.id, data))
        return made
    for perspective, factor, name, unit, direction, base, target, key in OWN_INDICATORS:
        made.append(observatory.add_indicator(manager, plan.slug, {
            "perspective": perspective, "factor": factor, "name": name, "unit": unit, "direction": direction,
            "baseline_value": base, "baseline_date": start.isoformat(), "target_value": target,
            "target_date": target_date, "defined_by": "local actors (fictional)",
            "definition_id": definition_id if key else None}))
    return made


def _measure(observatory, manager: Viewer, plan: DemoInitiative, indicators: list[Indicator],
             periods: list[tuple[str, date]], rng: random.Random) -> int:
    """A year of monthly values moving from baseline toward target at the plan's pace,
    with noise, recorded as one CSV import (the path a user's spreadsheet takes)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["indicator", "period", "value", "measured_on", "evidence"])
    for indicator in indicators:
        base, target = indicator.baseline_value or 0.0, indicator.target_value or 0.0
        for month, (period, last_day) in enumerate(periods, start=1):
            share = plan.pace * month / len(periods) + rng.uniform(-0.05, 0.05)
            writer.writerow([indicator.id, period, round(base + (target - base) * share, 1), last_day.isoformat(),
                             "fictional demo figure"])
    report = observatory.import_measurements(manager, plan.slug, out.getvalue(), dry_run=False)
    if report.problems:  # the demo's own file: a problem here is a bug, not bad input
        raise RuntimeError(f"the demo's figures for '{plan.slug}' did not import: {report.problems[0]}")
    return report.written


def _evaluate(observatory, manager: Viewer, plan: DemoInitiative, indicators: list[Indicator],
              periods: list[tuple[str, date]]) -> int:
    """Evaluations with agreed actions; the inspected initiative has no self-evaluation,
    so the dashboard flags it."""
    reviewed = [indicator.id for indicator in indicators[:3]]
    if plan.profile.get("monitoring_style") == "external-inspection":
        observatory.record_evaluation(manager, plan.slug, {
            "held_on": periods[2][1].isoformat(), "kind": "external-evaluation", "participants": ["agency"],
            "indicator_ids": reviewed, "findings": "Inspectors counted trainees; workshop owners were not asked.",
            "actions": [{"text": "Hold a first self-evaluation with the workshop owners",
                         "owner": "Demo facilitator", "due": periods[4][1].isoformat()}]})
        return 1
    held = 0
    for index, findings, action in (
            (3, "Firms came to the first joint meeting but few spoke. Trust grows slowly.",
             "Start a small joint purchase the firms choose themselves"),
            (7, "The joint purchase saved money and more firms asked to join.",
             "Invite the suppliers to the next meeting"),
            (10, "Members want to compare their figures with other initiatives.",
             "Share the scorecard with the programme's benchmark")):
        due = periods[min(index + 2, len(periods) - 1)][1]
        evaluation = observatory.record_evaluation(manager, plan.slug, {
            "held_on": periods[index][1].isoformat(), "kind": "self-evaluation",
            "participants": ["firms", "facilitator"], "indicator_ids": reviewed, "findings": findings,
            "actions": [{"text": action, "owner": "Demo facilitator", "due": due.isoformat()}]})
        if index < 7:
            observatory.update_action(manager, evaluation.actions[0].id, "done")
        held += 1
    return held
