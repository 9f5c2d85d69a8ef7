"""The demo: a clearly labelled fictional programme with initiatives of every sharing
choice, a year of figures and evaluations; created once, through the facade, never in
the content files."""

from __future__ import annotations

import hashlib
from datetime import date

import pytest
from tests.observatory_store_fixtures import casebase, people  # noqa: F401

from indexer.errors import Refused, StateConflict
from indexer.observatory.dashboard import summarise
from indexer.observatory.demo import DEMO_SLUG, INITIATIVES, MONTHS, create_demo
from indexer.observatory.templates import counts, load_templates

TODAY = date(2027, 12, 5)


def _files(root) -> dict[str, str]:
    return {str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for folder in ("cases", "kb") for path in sorted((root / folder).rglob("*")) if path.is_file()}


def test_the_demo_is_labelled_fictional_and_shows_a_working_programme(casebase, people):
    observatory = casebase.observatory
    before = _files(casebase.library.content_dir)
    summary = create_demo(observatory, people.mona, today=TODAY)
    assert _files(casebase.library.content_dir) == before          # content files untouched

    programme = observatory.programme(people.mona, DEMO_SLUG)
    assert "fictional" in programme.name.lower() and programme.slug.startswith("demo-")
    assert programme.managers == ["mona"]
    initiatives = observatory.initiatives(people.mona, DEMO_SLUG)
    assert len(initiatives) >= 3 and all("fictional" in i.name for i in initiatives)
    assert {i.sharing for i in initiatives} == {"named", "anonymous", "hidden"}

    thai = observatory.scorecard(people.mona, "demo-lakeside-food")
    assert thai.template == "thai-food-cluster"
    indicators = [ind for p in thai.perspectives for f in p.factors for ind in f.indicators]
    assert len(indicators) == counts(load_templates()["thai-food-cluster"])[1]
    assert all(ind.baseline_value is not None and ind.target_value is not None for ind in indicators)
    values = observatory.measurements(people.mona, indicators[0].id)
    assert len(values) == MONTHS and values[-1].period == "2027-11" and values[0].period == "2026-12"

    # The dashboard computed from what the facade returns: pipeline, late evaluation, open actions.
    cards = {i.id: observatory.scorecard(people.mona, i.slug) for i in initiatives}
    current = {ind.id: observatory.measurements(people.mona, ind.id)
               for card in cards.values() for p in card.perspectives for f in p.factors for ind in f.indicators}
    evaluations = {i.id: observatory.evaluations(people.mona, i.slug) for i in initiatives}
    board = summarise(programme, initiatives, cards, current, evaluations, {}, today=TODAY)
    assert board.with_indicators == sum(1 for plan in INITIATIVES if plan.status != "proposal")
    assert board.overdue_evaluations == ["demo-riverside-garments"]   # inspected, never self-evaluated
    assert board.open_actions and any(a.overdue for a in board.open_actions)
    assert summary.measurements == sum(len(v) for v in current.values())
    assert summary.evaluations == sum(len(v) for v in evaluations.values())


def test_the_demo_refuses_to_run_twice_and_needs_an_account_that_may_create_programmes(casebase, people):
    observatory = casebase.observatory
    with pytest.raises(Refused):
        create_demo(observatory, people.rita, today=TODAY)
    assert observatory.programmes(people.mona) == []
    create_demo(observatory, people.mona, today=TODAY)
    made = len(observatory.initiatives(people.mona, DEMO_SLUG))
    with pytest.raises(StateConflict, match="exists already"):
        create_demo(observatory, people.ed, today=TODAY)
    assert len(observatory.initiatives(people.mona, DEMO_SLUG)) == made
    assert len(observatory.programmes(people.mona)) == 1
