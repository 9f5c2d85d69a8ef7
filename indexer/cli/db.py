"""`casebase db`: the instance database's schema (upgrade, current)."""

from __future__ import annotations

import click

from .app import fail, main
from indexer.settings import Settings


@main.group()
def db() -> None:
    """The instance database (SQLite file, or CASEBASE_DATABASE_URL)."""


@db.command("upgrade")
@click.option("--revision", default="head", show_default=True, help="Revision to upgrade to.")
@click.pass_obj
def db_upgrade(settings: Settings, revision: str) -> None:
    """Apply the schema migrations (safe to repeat; every server needs the newest)."""
    from indexer.errors import Unavailable
    from indexer.library.database import Database

    database = Database(settings.database)
    try:
        before, after = database.upgrade(revision)
    except Unavailable as exc:
        fail(str(exc))
    finally:
        database.dispose()
    if before == after:
        click.echo(f"{database.display_url} ({database.backend}) is at revision {after}; nothing to do.")
    else:
        click.echo(f"Upgraded {database.display_url} ({database.backend}) from revision {before or 'none'} "
                   f"to {after}.")


@db.command("current")
@click.pass_obj
def db_current(settings: Settings) -> None:
    """Show the schema revision; exit 1 when it is behind this version's."""
    from indexer.library.database import UPGRADE_COMMAND, Database

    database = Database(settings.database)
    try:
        state = database.describe()
    finally:
        database.dispose()
    if not state["reachable"]:
        fail(f"cannot reach the database {database.display_url}")
    click.echo(f"{database.display_url}\t{state['backend']}\trevision {state['revision'] or 'none'}\t"
               f"(this version needs {state['expected']})")
    if not state["current"]:
        click.echo(f"The schema is behind: run '{UPGRADE_COMMAND}'.", err=True)
        raise SystemExit(1)
