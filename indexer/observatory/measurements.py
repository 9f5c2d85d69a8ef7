"""Measurements: one current value per indicator and period; a correction is a new row
that supersedes the earlier one, which stays in the history."""

from __future__ import annotations

import time
from typing import Any, Iterable

from sqlalchemy import Connection, Integer, and_, case, cast, func, insert, select, update

from indexer.observatory import access, rows
from indexer.observatory import tables as t
from indexer.observatory.models import Measurement, Viewer
from indexer.observatory.validation import (
    MAX_TEXT, check_number, check_period, check_text, iso, parse_date,
)


def record(db: Connection, viewer: Viewer, indicator_id: int, period: Any, value: Any, measured_on: Any,
           evidence: Any = "") -> Measurement:
    """Record a value (the indicator's initiative's members and managers may). A value for
    a period that has one already is a correction: the earlier row stays, not current; the
    same value, date and evidence again is the same record (nothing new is written)."""
    indicator = rows.indicator_by_id(db, indicator_id)
    initiative = rows.initiative_by_id(db, indicator.initiative_id)
    access.require_insider(db, viewer, initiative, "record its measurements")
    return write(db, viewer, indicator.id, initiative.slug, period, value, measured_on, evidence)[0]


def write(db: Connection, viewer: Viewer, indicator_id: int, slug: str, period: Any, value: Any, measured_on: Any,
          evidence: Any) -> tuple[Measurement, bool]:
    """Check and write one value for an indicator whose access the caller has checked;
    returns the measurement and whether a row was written."""
    period = check_period("period", period)
    value = check_number("value", value)
    measured_on = iso(parse_date("measured_on", measured_on))
    evidence = check_text("evidence", evidence, limit=MAX_TEXT)
    earlier = db.execute(select(t.measurements).where(
        t.measurements.c.indicator_id == indicator_id, t.measurements.c.period == period,
        t.measurements.c.is_current.is_(True))).mappings().first()
    if earlier is not None and (earlier["value"], earlier["measured_on"], earlier["evidence"]) == (
            value, measured_on, evidence):
        return rows.measurement_record(earlier), False
    if earlier is not None:
        # Cleared first: the partial unique index allows one current row per period.
        db.execute(update(t.measurements).where(t.measurements.c.id == earlier["id"]).values(is_current=False))
    new_id = db.execute(insert(t.measurements).values(
        indicator_id=indicator_id, period=period, value=value, measured_on=measured_on, evidence=evidence,
        recorded_by=viewer.user, recorded_at=time.time(), supersedes=earlier["id"] if earlier else None,
        is_current=True)).inserted_primary_key[0]
    rows.record_audit(db, viewer.user, "observatory.measurement.correct" if earlier else "observatory.measurement.add",
                      slug, {"indicator": indicator_id, "period": period, "value": value,
                             "supersedes": earlier["id"] if earlier else None})
    return rows.load_measurements(db, t.measurements.c.id == new_id)[0], True


def of_indicator(db: Connection, indicator_id: int, history: bool) -> list[Measurement]:
    """An indicator's measurements by period (current only unless `history`, which adds
    the superseded rows, oldest first within a period)."""
    where = t.measurements.c.indicator_id == indicator_id
    if not history:
        where = and_(where, t.measurements.c.is_current.is_(True))
    return rows.load_measurements(db, where)


def current_by_indicator(db: Connection, indicator_ids: Iterable[int]) -> dict[int, list[Measurement]]:
    """The current measurements of many indicators, by indicator id, each list by period."""
    ids = list(indicator_ids)
    found: dict[int, list[Measurement]] = {indicator_id: [] for indicator_id in ids}
    for start in range(0, len(ids), 500):  # bounded IN lists (SQLite's variable limit)
        chunk = ids[start:start + 500]
        for measurement in rows.load_measurements(db, and_(t.measurements.c.indicator_id.in_(chunk),
                                                           t.measurements.c.is_current.is_(True))):
            found[measurement.indicator_id].append(measurement)
    return found


def period_order():
    """A SQL expression that orders periods by their last month, like validation.period_end
    ("2027" = 202712, "2027-Q1" = 202703, "2027-03" = 202703), on SQLite and PostgreSQL."""
    period = t.measurements.c.period
    year = cast(func.substr(period, 1, 4), Integer) * 100
    return case((func.length(period) == 4, year + 12),
                (func.substr(period, 6, 1) == "Q", year + cast(func.substr(period, 7, 1), Integer) * 3),
                else_=year + cast(func.substr(period, 6, 2), Integer))


def latest_by_indicator(db: Connection, indicator_ids: Iterable[int]) -> dict[int, list[Measurement]]:
    """The current measurement of the latest period of each indicator (ties: the later
    measured, then the later recorded), as one-item lists by indicator id: what the
    dashboard reads. The database finds each indicator's latest period (an aggregate,
    no sort), so only those rows are read."""
    ids = list(indicator_ids)
    best: dict[int, Measurement] = {}
    order = period_order()
    for start in range(0, len(ids), 500):
        chosen = and_(t.measurements.c.indicator_id.in_(ids[start:start + 500]), t.measurements.c.is_current.is_(True))
        last = (select(t.measurements.c.indicator_id.label("indicator_id"), func.max(order).label("last"))
                .where(chosen).group_by(t.measurements.c.indicator_id).subquery())
        query = select(t.measurements).join(last, and_(last.c.indicator_id == t.measurements.c.indicator_id,
                                                       last.c.last == order)).where(chosen)
        for row in db.execute(query).mappings():
            measurement = rows.measurement_record(row)
            known = best.get(measurement.indicator_id)
            if known is None or (measurement.measured_on, measurement.id) > (known.measured_on, known.id):
                best[measurement.indicator_id] = measurement
    return {indicator_id: [best[indicator_id]] if indicator_id in best else [] for indicator_id in ids}
