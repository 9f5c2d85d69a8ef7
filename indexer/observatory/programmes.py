"""Programmes, their managers and their programme-wide indicator definitions."""

from __future__ import annotations

import time
from typing import Any, Mapping

from sqlalchemy import Connection, insert, select

from indexer.errors import InvalidInput, NotFound
from indexer.observatory import access, rows
from indexer.observatory import tables as t
from indexer.observatory.models import DIRECTIONS, IndicatorDefinition, Programme, Viewer
from indexer.observatory.validation import (
    MAX_TEXT, check_choice, check_keys, check_slug, check_text, suggest_slug,
)

MAX_INTERVAL_DAYS = 3650
DEFINITION_FIELDS = ("key", "name", "unit", "direction", "description")


def free_slug(db: Connection, table, wanted: str | None, name: str) -> str:
    """`wanted` when free (InvalidInput on `slug` when taken), else a free slug made from `name`."""
    if wanted:
        check_slug("slug", wanted)
        if db.execute(select(table.c.id).where(table.c.slug == wanted)).first() is not None:
            raise InvalidInput("slug", f"'{wanted}' is already taken; choose another")
        return wanted
    base = suggest_slug(name)
    candidate, number = base, 1
    while db.execute(select(table.c.id).where(table.c.slug == candidate)).first() is not None:
        number += 1
        candidate = f"{base}-{number}"
    return candidate


def create(db: Connection, viewer: Viewer, name: str, slug: str | None, agency: str, description: str,
           evaluation_interval_days: Any) -> Programme:
    """A new programme whose creator is its first manager."""
    access.require_programme_creator(viewer)
    name = check_text("name", name, required=True)
    agency = check_text("agency", agency)
    description = check_text("description", description, limit=MAX_TEXT)
    if (isinstance(evaluation_interval_days, bool) or not isinstance(evaluation_interval_days, int)
            or not 1 <= evaluation_interval_days <= MAX_INTERVAL_DAYS):
        raise InvalidInput("evaluation_interval_days", f"must be a whole number of days from 1 to {MAX_INTERVAL_DAYS}")
    slug = free_slug(db, t.programmes, slug, name)
    programme_id = db.execute(insert(t.programmes).values(
        slug=slug, name=name, agency=agency, description=description,
        evaluation_interval_days=evaluation_interval_days, created=time.time())).inserted_primary_key[0]
    db.execute(insert(t.programme_managers).values(programme_id=programme_id, user_name=viewer.user))
    rows.record_audit(db, viewer.user, "observatory.programme.create", slug)
    return rows.programme_by_id(db, programme_id)


def add_manager(db: Connection, viewer: Viewer, programme_slug: str, user_name: str) -> Programme:
    """Make an account a manager of the programme (its managers may)."""
    programme = rows.programme_by_slug(db, programme_slug)
    access.require_manager(db, viewer, programme.id, "add managers")
    if not rows.user_exists(db, user_name):
        raise InvalidInput("user_name", f"there is no account '{user_name}'")
    if user_name not in programme.managers:
        db.execute(insert(t.programme_managers).values(programme_id=programme.id, user_name=user_name))
        rows.record_audit(db, viewer.user, "observatory.programme.manager", programme.slug, {"user": user_name})
    return rows.programme_by_id(db, programme.id)


def define_indicator(db: Connection, viewer: Viewer, programme_slug: str, data: Mapping) -> IndicatorDefinition:
    """A programme-wide indicator definition (its managers may), so that initiatives'
    indicators linked to it are benchmarked together."""
    programme = rows.programme_by_slug(db, programme_slug)
    access.require_manager(db, viewer, programme.id, "define programme-wide indicators")
    check_keys(data, DEFINITION_FIELDS, "an indicator definition")
    name = check_text("name", data.get("name"), required=True)
    key = check_slug("key", data.get("key") or suggest_slug(name))
    taken = select(t.indicator_definitions.c.id).where(t.indicator_definitions.c.programme_id == programme.id,
                                                       t.indicator_definitions.c.key == key)
    if db.execute(taken).first() is not None:
        raise InvalidInput("key", f"the programme already defines '{key}'")
    values = {"programme_id": programme.id, "key": key, "name": name, "unit": check_text("unit", data.get("unit")),
              "direction": check_choice("direction", data.get("direction") or "higher", DIRECTIONS),
              "description": check_text("description", data.get("description"), limit=MAX_TEXT)}
    definition_id = db.execute(insert(t.indicator_definitions).values(**values)).inserted_primary_key[0]
    rows.record_audit(db, viewer.user, "observatory.definition.create", f"{programme.slug}/{key}")
    return rows.load_definitions(db, t.indicator_definitions.c.id == definition_id)[0]


def definition(db: Connection, definition_id: int) -> IndicatorDefinition:
    """One definition by id (NotFound otherwise)."""
    found = rows.load_definitions(db, t.indicator_definitions.c.id == definition_id)
    if not found:
        raise NotFound(f"no indicator definition {definition_id}")
    return found[0]
