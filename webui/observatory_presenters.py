"""The observatory's records shaped for pages and their JSON: a scorecard with each
indicator's latest figure and progress, charts beside their tables, benchmark filters
as removable chips. Pure functions over the engine's models (no request, no database)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Callable

from indexer.observatory.dashboard import in_order, progress, scorecard_indicators
from indexer.observatory.models import Evaluation, Indicator, Initiative, Measurement, Scorecard

from . import charts

# The benchmark filters, in the order the page shows them, with their titles.
FILTERS = {"sector": "Sector", "country": "Country", "status": "Status", "stage": "Stage"}


def percent(fraction: float | None) -> str:
    """A progress fraction as a percentage, '–' when unknown.

    >>> percent(0.456), percent(None), percent(1.5)
    ('46 %', '–', '150 %')
    """
    return "–" if fraction is None else f"{round(fraction * 100)} %"


def indicator_points(measurements: Sequence[Measurement]) -> list[tuple[str, float]]:
    """(period, value) of the current measurements, earliest period first."""
    return [(m.period, m.value) for m in in_order(measurements)]


def indicator_row(indicator: Indicator, measurements: Sequence[Measurement] | None) -> dict[str, Any]:
    """One indicator with its latest figure and progress; `measurements` None when the
    viewer may not see its figures."""
    points = indicator_points(measurements or [])
    latest = points[-1] if points else None
    return {
        "indicator": indicator,
        "figures_shared": measurements is not None,
        "points": points,
        "latest_period": latest[0] if latest else None,
        "latest_value": latest[1] if latest else None,
        "progress": progress(indicator, latest[1]) if latest else None,
    }


def indicator_chart(row: Mapping[str, Any]):
    """The SVG of an indicator row (empty without figures)."""
    indicator = row["indicator"]
    return charts.indicator_chart(f"{indicator.name} over time", row["points"], indicator.unit,
                                  indicator.baseline_value, indicator.target_value)


def scorecard_view(scorecard: Scorecard, figures: Mapping[int, Sequence[Measurement] | None]) -> list[dict[str, Any]]:
    """The scorecard as perspectives -> factors -> indicator rows (see `indicator_row`);
    `figures` holds each indicator's measurements, None where the viewer may not see them."""
    return [{"name": perspective.name,
             "factors": [{"name": factor.name,
                          "indicators": [indicator_row(indicator, figures.get(indicator.id)) for indicator in factor.indicators]}
                         for factor in perspective.factors]}
            for perspective in scorecard.perspectives]


def plain_rows(view: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A scorecard view as JSON: each indicator's fields beside its latest figure and progress."""
    return [{"name": perspective["name"],
             "factors": [{"name": factor["name"],
                          "indicators": [{**row["indicator"].model_dump(mode="json"),
                                          **{key: row[key] for key in ("figures_shared", "latest_period",
                                                                       "latest_value", "progress")},
                                          "measurements": [{"period": p, "value": v} for p, v in row["points"]]}
                                         for row in factor["indicators"]]}
                         for factor in perspective["factors"]]}
            for perspective in view]


def open_actions(evaluations: Iterable[Evaluation]) -> list[dict[str, Any]]:
    """The open corrective actions of these evaluations, soonest due first (undated last)."""
    found = [{"action": action, "evaluation": evaluation} for evaluation in evaluations
             for action in evaluation.actions if action.status == "open"]
    return sorted(found, key=lambda item: (item["action"].due is None, item["action"].due or "", item["action"].id))


def last_self_evaluation(evaluations: Iterable[Evaluation]) -> Evaluation | None:
    """The latest evaluation of kind self-evaluation, if any."""
    own = [e for e in evaluations if e.kind == "self-evaluation"]
    return max(own, key=lambda e: (e.held_on, e.id)) if own else None


def filter_options(initiatives: Iterable[Initiative]) -> dict[str, list[str]]:
    """The values each benchmark filter can take among these initiatives, sorted.

    >>> from types import SimpleNamespace as S
    >>> filter_options([S(sectors=["wine", "food"], country="Chile", status="running", profile={"stage": "emerging"}),
    ...                 S(sectors=["food"], country="", status="proposal", profile={})])
    {'sector': ['food', 'wine'], 'country': ['Chile'], 'status': ['proposal', 'running'], 'stage': ['emerging']}
    """
    options: dict[str, set[str]] = {name: set() for name in FILTERS}
    for initiative in initiatives:
        options["sector"].update(initiative.sectors)
        options["country"].update([initiative.country] if initiative.country else [])
        options["status"].add(initiative.status)
        stage = initiative.profile.get("stage")
        options["stage"].update([stage] if isinstance(stage, str) and stage else [])
    return {name: sorted(values) for name, values in options.items()}


def profile_facts(profile: Mapping[str, Any], controls: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """An advisor profile as (label, value text) in the form's order, with the labels
    the advisor's form shows (`controls` as pages.profile_form gives them).

    >>> controls = [{"name": "driver", "label": "Driver", "options": [("private", "Private sector")]},
    ...             {"name": "activities", "label": "Activities", "options": [("training", "Training")]}]
    >>> profile_facts({"activities": ["training", "fairs"], "driver": "private"}, controls)
    [('Driver', 'Private sector'), ('Activities', 'Training, fairs')]
    """
    facts = []
    for control in controls:
        value = profile.get(control["name"])
        if not value:
            continue
        labels = dict(control["options"])
        values = [value] if isinstance(value, str) else list(value)
        facts.append((control["label"], ", ".join(labels.get(item, item) for item in values)))
    return facts


def chosen_filters(args: Mapping[str, str]) -> dict[str, str]:
    """The benchmark filters a query string sets (empty values dropped).

    >>> chosen_filters({"sector": "food", "country": "", "q": "x"})
    {'sector': 'food'}
    """
    return {name: args[name] for name in FILTERS if args.get(name)}


def filter_chips(chosen: Mapping[str, str], url: Callable[..., str]) -> list[dict[str, str]]:
    """The chosen filters as removable chips: title, value and the link without it
    (`url(**filters)` builds a link from the remaining filters).

    >>> filter_chips({"sector": "food", "stage": "emerging"}, lambda **f: "/p?" + "&".join(sorted(f)))
    [{'facet': 'Sector', 'label': 'food', 'url': '/p?stage'}, {'facet': 'Stage', 'label': 'emerging', 'url': '/p?sector'}]
    """
    return [{"facet": FILTERS[name], "label": value,
             "url": url(**{other: chosen[other] for other in chosen if other != name})}
            for name, value in chosen.items()]


__all__ = ["FILTERS", "chosen_filters", "filter_chips", "filter_options", "indicator_chart", "indicator_points",
           "indicator_row", "last_self_evaluation", "open_actions", "percent", "plain_rows", "profile_facts", "scorecard_indicators",
           "scorecard_view"]
