"""`casebase user` and `casebase serve`: the commands of a running installation."""

from __future__ import annotations

import os

import click

from .app import fail, main
from indexer.settings import Settings


@main.group()
def user() -> None:
    """Manage the accounts of editors and reviewers."""


@user.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(["reader", "editor", "reviewer"]), required=True)
@click.password_option(help="Prompted (twice) when not given.")
@click.pass_obj
def user_add(settings: Settings, name: str, role: str, password: str) -> None:
    """Create a user, or change an existing user's role and password."""
    from indexer.errors import Unavailable
    from indexer.library.accounts import AccountError, Accounts

    try:
        # Changing a password or role also ends the user's sessions.
        Accounts(settings.database).add_user(name, role, password)
    except (AccountError, Unavailable) as exc:
        fail(str(exc))
    click.echo(f"User {name} is a {role}.")


@user.command("list")
@click.pass_obj
def user_list(settings: Settings) -> None:
    """List users and their roles."""
    from indexer.errors import Unavailable
    from indexer.library.accounts import Accounts

    try:
        accounts = Accounts(settings.database).users()
    except Unavailable as exc:
        fail(str(exc))
    for account in accounts:
        click.echo(f"{account.name}\t{account.role}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 32),
              help="Worker processes (each loads the model on its first semantic query).")
@click.option("--dev", is_flag=True, help="Flask's development server with the reloader.")
@click.pass_obj
def serve(settings: Settings, host: str, port: int, workers: int, dev: bool) -> None:
    """Serve the web app: gunicorn for production, or --dev for Flask's reloader."""
    from indexer.index.build import current_generation

    _check_database(settings)
    if current_generation(settings.index_dir) is None:
        fail(f"no index in {settings.index_dir}; run 'casebase index' first")
    _ensure_secret_key(settings)
    if dev:
        from webui import create_app

        create_app(settings=settings).run(host=host, port=port, debug=True, use_reloader=True)
        return
    from webui.server import run_gunicorn

    click.echo(f"Serving Cluster Casebase on http://{host}:{port} with {workers} worker(s)", err=True)
    run_gunicorn(settings, host, port, workers)


def _check_database(settings: Settings) -> None:
    """Refuse to start on a database whose schema is behind (naming the command that
    fixes it) or that cannot be reached; a new SQLite file is created current."""
    from indexer.errors import Unavailable
    from indexer.library.database import Database

    try:
        Database.open(settings.database).dispose()
    except Unavailable as exc:
        fail(str(exc))


def _ensure_secret_key(settings: Settings) -> None:
    """Sessions need a secret key; create instance/secret_key (mode 600) on first start.

    Several servers must share one key (CASEBASE_SECRET_KEY, or the shared instance
    folder's file) so that a session cookie signed by one is accepted by the others;
    two servers starting at once agree on the first one's file."""
    import secrets

    if os.environ.get("CASEBASE_SECRET_KEY"):
        return
    key_file = settings.instance_dir / "secret_key"
    if key_file.exists():
        return
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    # Written in full under a temporary name, then linked into place: a server starting
    # at the same moment finds either no key file or a complete one.
    temporary = key_file.with_name(f".secret_key.{os.getpid()}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as stream:
        stream.write(secrets.token_hex(32))
    try:
        os.link(temporary, key_file)
    except FileExistsError:  # another server created it a moment ago: use that one
        return
    finally:
        temporary.unlink()
    click.echo(f"Created a secret key for sessions in {key_file}", err=True)
