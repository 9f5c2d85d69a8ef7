"""The `casebase` command group and what every command shares."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from indexer.settings import Settings

@click.group()
@click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="CASEBASE_CONTENT", help="Folder holding cases/ and kb/ (default: this checkout).")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="CASEBASE_INDEX", help="Index folder (default: <content>/instance/index).")
@click.version_option(package_name="cluster-casebase")
@click.pass_context
def main(ctx: click.Context, content_dir: Path | None, index_dir: Path | None) -> None:
    """Cluster Casebase: cases, lessons and methods of cluster development."""
    ctx.obj = Settings.from_env(content_dir=content_dir, index_dir=index_dir)


def fail(message: str) -> None:
    """Print an error the user can act on and exit with status 2."""
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


def open_casebase(settings: Settings, semantic: bool = True):
    """The service object for a command (imported late so `casebase --help` stays fast)."""
    from indexer.service import Casebase

    return Casebase.open(settings, semantic=semantic)


def acting_viewer(casebase, name: str | None):
    """The observatory viewer of account `name` (None: anonymous), as commands that act
    for an account (`--as NAME`) decide access; exits naming a missing account."""
    if name is None:
        return casebase.observatory.viewer(None)
    user = casebase.accounts.get(name)
    if user is None:
        fail(f"there is no account '{name}' (create it with: casebase user add {name} --role editor)")
    return casebase.observatory.viewer(user)
