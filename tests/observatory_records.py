"""Builders of observatory records for the analytics tests (no database needed)."""

from __future__ import annotations

from datetime import date
from itertools import count

from indexer.observatory.dashboard import period_end
from indexer.observatory.models import (Action, Evaluation, Factor, Indicator, Initiative, Measurement,
                                        Perspective, Programme, Scorecard)


class Records:
    """Makes valid records with fresh ids; keyword arguments override any field."""

    def __init__(self):
        self._ids = count(1)

    def programme(self, **fields) -> Programme:
        data = {"id": next(self._ids), "slug": "round-2027", "name": "2027 contest round", "created": 0.0}
        return Programme(**{**data, **fields})

    def initiative(self, slug: str, **fields) -> Initiative:
        data = {"id": next(self._ids), "programme_id": 1, "slug": slug, "name": slug.replace("-", " ").title(),
                "status": "running", "created": 0.0, "updated": 0.0}
        return Initiative(**{**data, **fields})

    def indicator(self, initiative: Initiative, **fields) -> Indicator:
        data = {"id": next(self._ids), "initiative_id": initiative.id, "perspective": "Customer",
                "factor": "Quality", "name": "Customer satisfaction", "unit": "%",
                "baseline_value": 50.0, "baseline_date": date(2027, 1, 1),
                "target_value": 70.0, "target_date": date(2027, 12, 31)}
        return Indicator(**{**data, **fields})

    def measurement(self, indicator: Indicator, period: str, value: float, **fields) -> Measurement:
        year, month = period_end(period)
        data = {"id": next(self._ids), "indicator_id": indicator.id, "period": period, "value": value,
                "measured_on": date(year, month, 28), "recorded_by": "lina", "recorded_at": 0.0}
        return Measurement(**{**data, **fields})

    def evaluation(self, initiative: Initiative, held_on: date, actions=(), **fields) -> Evaluation:
        evaluation_id = next(self._ids)
        made = [Action(id=next(self._ids), evaluation_id=evaluation_id, **action) for action in actions]
        data = {"id": evaluation_id, "initiative_id": initiative.id, "held_on": held_on,
                "recorded_by": "lina", "recorded_at": 0.0, "actions": made}
        return Evaluation(**{**data, **fields})


def scorecard(initiative: Initiative, *indicators: Indicator) -> Scorecard:
    """A scorecard holding `indicators`, grouped by perspective and factor in order."""
    perspectives: dict[str, dict[str, list[Indicator]]] = {}
    for indicator in indicators:
        perspectives.setdefault(indicator.perspective, {}).setdefault(indicator.factor, []).append(indicator)
    return Scorecard(initiative_id=initiative.id, perspectives=[
        Perspective(name=name, factors=[Factor(name=f, indicators=inds) for f, inds in factors.items()])
        for name, factors in perspectives.items()])
