"""Database rows to the observatory's typed records (models.py), and the queries that
load them. Every function takes an open connection, so a facade method reads and
writes in one transaction."""

from __future__ import annotations

import json
from datetime import date
from typing import Iterable

from sqlalchemy import Connection, select

from indexer.errors import NotFound
from indexer.observatory import tables as t
from indexer.observatory.models import (
    Action, Evaluation, Indicator, IndicatorDefinition, Initiative, Measurement, Member, Programme,
)


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def programme_record(row, managers: list[str]) -> Programme:
    """A Programme from its row and its managers' names."""
    return Programme(id=row["id"], slug=row["slug"], name=row["name"], agency=row["agency"],
                     description=row["description"], managers=sorted(managers),
                     evaluation_interval_days=row["evaluation_interval_days"], created=row["created"])


def managers_of(db: Connection, programme_ids: Iterable[int]) -> dict[int, list[str]]:
    """Manager names by programme id."""
    found: dict[int, list[str]] = {}
    ids = list(programme_ids)
    if ids:
        query = select(t.programme_managers).where(t.programme_managers.c.programme_id.in_(ids))
        for row in db.execute(query).mappings():
            found.setdefault(row["programme_id"], []).append(row["user_name"])
    return found


def load_programmes(db: Connection, where=None) -> list[Programme]:
    """Programmes (all, or those matching `where`), by name."""
    query = select(t.programmes).order_by(t.programmes.c.name, t.programmes.c.id)
    if where is not None:
        query = query.where(where)
    rows = db.execute(query).mappings().all()
    managers = managers_of(db, [row["id"] for row in rows])
    return [programme_record(row, managers.get(row["id"], [])) for row in rows]


def programme_by_slug(db: Connection, slug: str) -> Programme:
    """The programme with `slug` (NotFound otherwise)."""
    found = load_programmes(db, t.programmes.c.slug == slug) if isinstance(slug, str) else []
    if not found:
        raise NotFound(f"no programme '{slug}'")
    return found[0]


def programme_by_id(db: Connection, programme_id: int) -> Programme:
    """The programme with this id (NotFound otherwise)."""
    found = load_programmes(db, t.programmes.c.id == programme_id)
    if not found:
        raise NotFound(f"no programme {programme_id}")
    return found[0]


def initiative_record(row, members: list[Member]) -> Initiative:
    """An Initiative from its row and its members."""
    return Initiative(
        id=row["id"], programme_id=row["programme_id"], slug=row["slug"], name=row["name"], place=row["place"],
        country=row["country"], sectors=json.loads(row["sectors"]), status=row["status"],
        start_date=_date(row["start_date"]), facilitators=json.loads(row["facilitators"]),
        members=members, profile=json.loads(row["profile"]), description=row["description"],
        sharing=row["sharing"], case_draft_id=row["case_draft_id"], created=row["created"],
        updated=row["updated"])


def load_initiatives(db: Connection, where=None) -> list[Initiative]:
    """Initiatives (all, or those matching `where`), by name."""
    query = select(t.initiatives).order_by(t.initiatives.c.name, t.initiatives.c.id)
    if where is not None:
        query = query.where(where)
    rows = db.execute(query).mappings().all()
    members: dict[int, list[Member]] = {}
    ids = [row["id"] for row in rows]
    if ids:
        member_query = (select(t.initiative_members).where(t.initiative_members.c.initiative_id.in_(ids))
                        .order_by(t.initiative_members.c.user_name))
        for row in db.execute(member_query).mappings():
            members.setdefault(row["initiative_id"], []).append(Member(user=row["user_name"], role=row["role"]))
    return [initiative_record(row, members.get(row["id"], [])) for row in rows]


def initiative_by_slug(db: Connection, slug: str) -> Initiative:
    """The initiative with `slug` (NotFound otherwise)."""
    found = load_initiatives(db, t.initiatives.c.slug == slug) if isinstance(slug, str) else []
    if not found:
        raise NotFound(f"no initiative '{slug}'")
    return found[0]


def initiative_by_id(db: Connection, initiative_id: int) -> Initiative:
    """The initiative with this id (NotFound otherwise)."""
    found = load_initiatives(db, t.initiatives.c.id == initiative_id)
    if not found:
        raise NotFound(f"no initiative {initiative_id}")
    return found[0]


def template_of(db: Connection, initiative_id: int) -> str | None:
    """The template an initiative's scorecard was started from."""
    return db.execute(select(t.initiatives.c.template).where(t.initiatives.c.id == initiative_id)).scalar()


def definition_record(row) -> IndicatorDefinition:
    """An IndicatorDefinition from its row."""
    return IndicatorDefinition(id=row["id"], programme_id=row["programme_id"], key=row["key"], name=row["name"],
                               unit=row["unit"], direction=row["direction"], description=row["description"])


def load_definitions(db: Connection, where) -> list[IndicatorDefinition]:
    """Indicator definitions matching `where`, by name."""
    query = select(t.indicator_definitions).where(where).order_by(t.indicator_definitions.c.name,
                                                                  t.indicator_definitions.c.id)
    return [definition_record(row) for row in db.execute(query).mappings()]


def indicator_record(row) -> Indicator:
    """An Indicator from its row."""
    return Indicator(
        id=row["id"], initiative_id=row["initiative_id"], perspective=row["perspective"], factor=row["factor"],
        name=row["name"], unit=row["unit"], direction=row["direction"], baseline_value=row["baseline_value"],
        baseline_date=_date(row["baseline_date"]), target_value=row["target_value"],
        target_date=_date(row["target_date"]), defined_by=row["defined_by"], definition_id=row["definition_id"],
        position=row["position"])


def load_indicators(db: Connection, where) -> list[Indicator]:
    """Indicators matching `where`, in the order they were added."""
    query = select(t.indicators).where(where).order_by(t.indicators.c.id)
    return [indicator_record(row) for row in db.execute(query).mappings()]


def indicator_by_id(db: Connection, indicator_id: int) -> Indicator:
    """The indicator with this id (NotFound otherwise)."""
    found = load_indicators(db, t.indicators.c.id == indicator_id)
    if not found:
        raise NotFound(f"no indicator {indicator_id}")
    return found[0]


def measurement_record(row) -> Measurement:
    """A Measurement from its row (pydantic parses the ISO date; validating is faster
    than model_construct, which matters when a dashboard or an export reads ~100,000)."""
    return Measurement.__pydantic_validator__.validate_python({
        "id": row["id"], "indicator_id": row["indicator_id"], "period": row["period"], "value": row["value"],
        "measured_on": row["measured_on"], "evidence": row["evidence"], "recorded_by": row["recorded_by"],
        "recorded_at": row["recorded_at"], "supersedes": row["supersedes"], "current": bool(row["is_current"])})


def load_measurements(db: Connection, where) -> list[Measurement]:
    """Measurements matching `where`, by period, then oldest record first."""
    query = (select(t.measurements).where(where)
             .order_by(t.measurements.c.indicator_id, t.measurements.c.period, t.measurements.c.id))
    return [measurement_record(row) for row in db.execute(query).mappings()]


def action_record(row) -> Action:
    """An Action from its row."""
    return Action(id=row["id"], evaluation_id=row["evaluation_id"], text=row["text"], owner=row["owner"],
                  due=_date(row["due"]), status=row["status"])


def load_evaluations(db: Connection, where) -> list[Evaluation]:
    """Evaluations matching `where`, newest first, with their indicators and actions."""
    query = select(t.evaluations).where(where).order_by(t.evaluations.c.held_on.desc(), t.evaluations.c.id.desc())
    rows = db.execute(query).mappings().all()
    ids = [row["id"] for row in rows]
    reviewed: dict[int, list[int]] = {}
    agreed: dict[int, list[Action]] = {}
    if ids:
        links = (select(t.evaluation_indicators).where(t.evaluation_indicators.c.evaluation_id.in_(ids))
                 .order_by(t.evaluation_indicators.c.indicator_id))
        for row in db.execute(links).mappings():
            reviewed.setdefault(row["evaluation_id"], []).append(row["indicator_id"])
        action_query = select(t.actions).where(t.actions.c.evaluation_id.in_(ids)).order_by(t.actions.c.id)
        for row in db.execute(action_query).mappings():
            agreed.setdefault(row["evaluation_id"], []).append(action_record(row))
    return [Evaluation(id=row["id"], initiative_id=row["initiative_id"], held_on=_date(row["held_on"]),
                       kind=row["kind"], participants=json.loads(row["participants"]),
                       indicator_ids=reviewed.get(row["id"], []), findings=row["findings"],
                       actions=agreed.get(row["id"], []), recorded_by=row["recorded_by"],
                       recorded_at=row["recorded_at"]) for row in rows]


def record_audit(db: Connection, actor: str | None, action: str, target: str, detail: dict | None = None) -> None:
    """Append to the instance's audit log (accounts' table) inside the caller's transaction."""
    import time

    from sqlalchemy import insert

    from indexer.library.tables import audit

    db.execute(insert(audit).values(time=time.time(), actor=actor, action=action, target=target,
                                    detail=json.dumps(detail or {}, default=str)))


def user_exists(db: Connection, name: str) -> bool:
    """True when an account of this name exists."""
    from indexer.library.tables import users

    return isinstance(name, str) and db.execute(select(users.c.name).where(users.c.name == name)).first() is not None
