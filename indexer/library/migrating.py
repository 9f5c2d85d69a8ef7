"""Schema migrations of the instance database, with Alembic (migrations/ beside this file).

`casebase db upgrade` applies them; a server refuses a database that is behind
(database.Database.ensure_current). Revision 0001 is the schema the library wrote
before migrations existed, created table by table only where missing: a file made by
that version (which may hold only the account tables, if no draft was ever saved)
upgrades from "no revision" without losing a row.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, inspect

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "alembic_version"


def config(connection: Connection | None = None) -> Config:
    """Alembic's configuration for the bundled migrations, bound to `connection`."""
    settings = Config()
    settings.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        settings.attributes["connection"] = connection
    return settings


def head_revision() -> str | None:
    """The newest revision this code knows."""
    return ScriptDirectory.from_config(config()).get_current_head()


def is_known(revision: str) -> bool:
    """True when `revision` is one of the bundled migrations."""
    return revision in {script.revision for script in ScriptDirectory.from_config(config()).walk_revisions()}


def current_revision(connection: Connection) -> str | None:
    """The revision recorded in the database (None: none recorded)."""
    return MigrationContext.configure(connection).get_current_revision()


def is_empty(connection: Connection) -> bool:
    """True when the database holds no table at all."""
    return not inspect(connection).get_table_names()


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Apply the migrations up to `revision` inside the caller's transaction."""
    command.upgrade(config(connection), revision)
