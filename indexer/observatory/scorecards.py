"""Participatory scorecards: perspectives, critical success factors and 1-3 indicators
per factor (the paper's balanced scorecards), started empty or from a template."""

from __future__ import annotations

from typing import Any, Mapping

from sqlalchemy import Connection, delete, func, insert, select, update

from indexer.errors import InvalidInput, StateConflict
from indexer.observatory import access, rows
from indexer.observatory import tables as t
from indexer.observatory.models import (
    DIRECTIONS, MAX_INDICATORS_PER_FACTOR, Factor, Indicator, Initiative, Perspective, Scorecard,
    ScorecardTemplate, Viewer,
)
from indexer.observatory.validation import (
    check_choice, check_keys, check_number, check_row_id, check_text, iso, parse_date,
)

INDICATOR_FIELDS = ("perspective", "factor", "name", "unit", "direction", "baseline_value", "baseline_date",
                    "target_value", "target_date", "defined_by", "definition_id")
FIGURES = ("baseline_value", "target_value")


def assemble(initiative_id: int, indicators: list[Indicator], template: str | None,
             figures: bool = True) -> Scorecard:
    """A Scorecard from an initiative's indicators: perspectives and factors in the order
    their first indicator was added, indicators by position; without baseline and target
    values when `figures` is False.

    >>> one = Indicator(id=1, initiative_id=7, perspective="Customers", factor="Quality", name="Returns")
    >>> card = assemble(7, [one], None, figures=True)
    >>> [(p.name, [f.name for f in p.factors]) for p in card.perspectives]
    [('Customers', ['Quality'])]
    """
    perspectives: dict[str, dict[str, list[Indicator]]] = {}
    for indicator in indicators:
        if not figures:
            indicator = indicator.model_copy(update={name: None for name in FIGURES})
        perspectives.setdefault(indicator.perspective, {}).setdefault(indicator.factor, []).append(indicator)
    return Scorecard(initiative_id=initiative_id, template=template, perspectives=[
        Perspective(name=name, factors=[Factor(name=factor, indicators=sorted(found, key=lambda i: (i.position, i.id)))
                                        for factor, found in factors.items()])
        for name, factors in perspectives.items()])


def load(db: Connection, initiative: Initiative, figures: bool) -> Scorecard:
    """The initiative's scorecard (baseline and target values only when `figures`)."""
    indicators = rows.load_indicators(db, t.indicators.c.initiative_id == initiative.id)
    return assemble(initiative.id, indicators, rows.template_of(db, initiative.id), figures)


def _count_in_factor(db: Connection, initiative_id: int, perspective: str, factor: str,
                     leaving_out: int | None = None) -> int:
    query = select(func.count()).select_from(t.indicators).where(
        t.indicators.c.initiative_id == initiative_id, t.indicators.c.perspective == perspective,
        t.indicators.c.factor == factor)
    if leaving_out is not None:
        query = query.where(t.indicators.c.id != leaving_out)
    return db.execute(query).scalar_one()


def _checked(db: Connection, initiative: Initiative, data: Mapping, current: Indicator | None) -> dict[str, Any]:
    """Column values of an indicator from `data` over `current` (None: a new one)."""
    check_keys(data, INDICATOR_FIELDS, "an indicator")
    merged = current.model_dump(include=set(INDICATOR_FIELDS)) if current is not None else {}
    merged.update(data)
    values: dict[str, Any] = {
        "perspective": check_text("perspective", merged.get("perspective"), required=True),
        "factor": check_text("factor", merged.get("factor"), required=True),
        "name": check_text("name", merged.get("name"), required=True),
        "unit": check_text("unit", merged.get("unit")),
        "defined_by": check_text("defined_by", merged.get("defined_by")),
        "baseline_value": check_number("baseline_value", merged.get("baseline_value"), required=False),
        "target_value": check_number("target_value", merged.get("target_value"), required=False),
    }
    baseline = parse_date("baseline_date", merged.get("baseline_date"), required=False)
    target = parse_date("target_date", merged.get("target_date"), required=False)
    if baseline and target and target < baseline:
        raise InvalidInput("target_date", f"{target} is before the baseline date {baseline}")
    values["baseline_date"], values["target_date"] = iso(baseline), iso(target)
    direction = merged.get("direction")
    definition_id = merged.get("definition_id")
    if definition_id in ("", None):
        values["definition_id"] = None
    else:
        try:
            definition_id = check_row_id("definition_id", int(definition_id))  # a huge one overflowed: 500
        except (TypeError, ValueError):
            raise InvalidInput("definition_id", f"'{definition_id}' is not an id") from None
        found = rows.load_definitions(db, t.indicator_definitions.c.id == definition_id)
        if not found or found[0].programme_id != initiative.programme_id:
            raise InvalidInput("definition_id", f"the programme has no indicator definition {definition_id}")
        definition = found[0]
        if direction and direction != definition.direction:
            raise InvalidInput("direction", f"'{definition.name}' is better when {definition.direction}; an "
                                            "indicator linked to it must agree, or benchmarks would mislead")
        direction = definition.direction
        values["unit"] = values["unit"] or definition.unit
        values["definition_id"] = definition.id
    values["direction"] = check_choice("direction", direction or "higher", DIRECTIONS)
    return values


def _room_in_factor(db: Connection, initiative_id: int, values: dict, leaving_out: int | None) -> int:
    """The next position in the factor; InvalidInput when it already has the maximum."""
    count = _count_in_factor(db, initiative_id, values["perspective"], values["factor"], leaving_out)
    if count >= MAX_INDICATORS_PER_FACTOR:
        raise InvalidInput("factor", f"'{values['factor']}' already has {MAX_INDICATORS_PER_FACTOR} indicators "
                                     f"(the scorecard keeps 1-{MAX_INDICATORS_PER_FACTOR} per factor)")
    return count


def add_indicator(db: Connection, viewer: Viewer, slug: str, data: Mapping) -> Indicator:
    """A new indicator on the initiative's scorecard (its members and managers may)."""
    initiative = rows.initiative_by_slug(db, slug)
    access.require_insider(db, viewer, initiative, "change its scorecard")
    values = _checked(db, initiative, data, None)
    values["position"] = _room_in_factor(db, initiative.id, values, None)
    indicator_id = db.execute(insert(t.indicators).values(initiative_id=initiative.id, **values)
                              ).inserted_primary_key[0]
    rows.record_audit(db, viewer.user, "observatory.indicator.add", slug, {"indicator": indicator_id})
    return rows.indicator_by_id(db, indicator_id)


def update_indicator(db: Connection, viewer: Viewer, indicator_id: int, data: Mapping) -> Indicator:
    """Change an indicator (its initiative's members and managers may); its measurements stay."""
    current = rows.indicator_by_id(db, indicator_id)
    initiative = rows.initiative_by_id(db, current.initiative_id)
    access.require_insider(db, viewer, initiative, "change its scorecard")
    values = _checked(db, initiative, data, current)
    if (values["perspective"], values["factor"]) != (current.perspective, current.factor):
        values["position"] = _room_in_factor(db, initiative.id, values, current.id)
    db.execute(update(t.indicators).where(t.indicators.c.id == current.id).values(**values))
    rows.record_audit(db, viewer.user, "observatory.indicator.update", initiative.slug,
                      {"indicator": current.id, "fields": sorted(data)})
    return rows.indicator_by_id(db, current.id)


def remove_indicator(db: Connection, viewer: Viewer, indicator_id: int) -> None:
    """Take an indicator off the scorecard (its initiative's members and managers may);
    StateConflict when it has measurements or was reviewed in an evaluation, which
    would otherwise be lost."""
    current = rows.indicator_by_id(db, indicator_id)
    initiative = rows.initiative_by_id(db, current.initiative_id)
    access.require_insider(db, viewer, initiative, "change its scorecard")
    measured = db.execute(select(func.count()).select_from(t.measurements)
                          .where(t.measurements.c.indicator_id == current.id)).scalar_one()
    reviewed = db.execute(select(func.count()).select_from(t.evaluation_indicators)
                          .where(t.evaluation_indicators.c.indicator_id == current.id)).scalar_one()
    if measured or reviewed:
        raise StateConflict(f"'{current.name}' has {measured} measurement(s) and was reviewed in {reviewed} "
                            "evaluation(s); it stays so that their history is kept (rename it instead)")
    db.execute(delete(t.indicators).where(t.indicators.c.id == current.id))
    rows.record_audit(db, viewer.user, "observatory.indicator.remove", initiative.slug,
                      {"indicator": current.id, "name": current.name})


def start_from_template(db: Connection, viewer: Viewer, slug: str, template: ScorecardTemplate,
                        defined_by: str) -> Scorecard:
    """Copy a template's perspectives, factors and indicators into an empty scorecard
    (its members and managers may); StateConflict when it already has indicators."""
    initiative = rows.initiative_by_slug(db, slug)
    access.require_insider(db, viewer, initiative, "change its scorecard")
    defined_by = check_text("defined_by", defined_by)
    existing = db.execute(select(func.count()).select_from(t.indicators)
                          .where(t.indicators.c.initiative_id == initiative.id)).scalar_one()
    if existing:
        raise StateConflict(f"'{slug}' already has {existing} indicator(s); a template only starts an empty "
                            "scorecard (adapt the indicators instead)")
    for perspective in template.perspectives:
        for factor in perspective.factors:
            for position, indicator in enumerate(factor.indicators):
                db.execute(insert(t.indicators).values(
                    initiative_id=initiative.id, perspective=perspective.name, factor=factor.name,
                    name=indicator.name, unit=indicator.unit, direction=indicator.direction, defined_by=defined_by,
                    position=position))
    db.execute(update(t.initiatives).where(t.initiatives.c.id == initiative.id).values(template=template.id))
    rows.record_audit(db, viewer.user, "observatory.scorecard.template", slug, {"template": template.id})
    return load(db, initiative, figures=True)
