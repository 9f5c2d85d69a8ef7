"""Revision 0004 (the observatory's tables): databases at 0002 and 0003 with data
upgrade to it without losing a row, the new tables work at once, the partial unique
index keeps one current measurement per indicator and period, and a downgrade to
0003 removes exactly the observatory's tables (on SQLite and PostgreSQL)."""

from __future__ import annotations

import time

import pytest
from alembic import command
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from indexer.library import migrating
from indexer.library.accounts import Accounts, User
from indexer.library.database import Database
from indexer.observatory import tables as t
from indexer.observatory.service import Observatory

OBSERVATORY_TABLES = {"programmes", "programme_managers", "initiatives", "initiative_members",
                      "indicator_definitions", "indicators", "measurements", "evaluations",
                      "evaluation_indicators", "actions", "observatory_settings"}


def _seed(database: Database) -> None:
    """A user and a draft written by an older revision, in its own columns."""
    now = time.time()
    with database.transaction() as db:
        db.execute(text("INSERT INTO users(name, role, password, created) VALUES ('mona', 'editor', 'x', :now)"),
                   {"now": now})
        db.execute(text("INSERT INTO drafts(kind, doc_id, text, published_base, author, message, status, created, "
                        "updated) VALUES ('case', 'alpha', 'body', 'new', 'mona', '', 'open', :now, :now)"),
                   {"now": now})


def _tables(database: Database) -> set[str]:
    with database.reading() as db:
        return set(inspect(db).get_table_names())


def _downgrade(database: Database, revision: str) -> None:
    with database.transaction() as db:
        command.downgrade(migrating.config(db), revision)


@pytest.mark.parametrize("start", ["0002", "0003"])
def test_a_database_with_data_upgrades_to_the_observatory_and_keeps_every_row(database_target, start):
    Database(database_target).upgrade(start)
    database = Database(database_target)
    _seed(database)
    assert OBSERVATORY_TABLES.isdisjoint(_tables(database))
    before, after = database.upgrade()
    assert (before, after) == (start, migrating.head_revision())
    assert OBSERVATORY_TABLES <= _tables(database)
    with database.reading() as db:
        assert db.execute(text("SELECT doc_id, author FROM drafts")).all() == [("alpha", "mona")]
    accounts = Accounts(database)
    assert accounts.users() == [User("mona", "editor")]
    observatory = Observatory(database)
    mona = observatory.viewer(accounts.get("mona"))
    programme = observatory.create_programme(mona, "Round")
    initiative = observatory.create_initiative(mona, programme.slug, {"name": "Shoes"})
    indicator = observatory.add_indicator(mona, initiative.slug, {"perspective": "P", "factor": "F", "name": "N"})
    observatory.record_measurement(mona, indicator.id, "2027", 1, "2027-12-31")
    observatory.record_measurement(mona, indicator.id, "2027", 2, "2027-12-31")
    assert [m.current for m in observatory.measurements(mona, indicator.id, history=True)] == [False, True]
    database.dispose()


def test_the_database_allows_one_current_measurement_per_indicator_and_period(tmp_path):
    database = Database.open(tmp_path / "casebase.sqlite3")
    now = time.time()
    with database.transaction() as db:
        db.execute(t.programmes.insert().values(id=1, slug="p", name="P", created=now))
        db.execute(t.initiatives.insert().values(id=1, programme_id=1, slug="i", name="I", created=now, updated=now))
        db.execute(t.indicators.insert().values(id=1, initiative_id=1, perspective="P", factor="F", name="N"))
    row = {"indicator_id": 1, "period": "2027", "value": 1.0, "measured_on": "2027-12-31", "recorded_by": "x",
           "recorded_at": now}
    with database.transaction() as db:
        db.execute(t.measurements.insert().values(is_current=True, **row))
        db.execute(t.measurements.insert().values(is_current=False, **row))  # history rows are many
    with pytest.raises(IntegrityError):
        with database.transaction() as db:
            db.execute(t.measurements.insert().values(is_current=True, **row))


def test_a_downgrade_to_0003_removes_only_the_observatory_and_upgrades_again(database_target):
    Database(database_target).upgrade("0003")
    database = Database(database_target)
    _seed(database)
    older = _tables(database)
    database.upgrade()
    _downgrade(database, "0003")
    assert database.revision() == "0003" and _tables(database) == older
    with database.reading() as db:
        assert db.execute(text("SELECT name FROM users")).scalars().all() == ["mona"]
    database.upgrade()
    assert database.revision() == migrating.head_revision() and OBSERVATORY_TABLES <= _tables(database)
    database.dispose()
