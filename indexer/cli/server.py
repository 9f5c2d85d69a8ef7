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
    from indexer.library.accounts import AccountError, Accounts

    try:
        # Changing a password or role also ends the user's sessions.
        Accounts(settings.database_path).add_user(name, role, password)
    except AccountError as exc:
        fail(str(exc))
    click.echo(f"User {name} is a {role}.")


@user.command("list")
@click.pass_obj
def user_list(settings: Settings) -> None:
    """List users and their roles."""
    from indexer.library.accounts import Accounts

    for account in Accounts(settings.database_path).users():
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


def _ensure_secret_key(settings: Settings) -> None:
    """Sessions need a secret key; create instance/secret_key (mode 600) on first start."""
    import secrets

    if os.environ.get("CASEBASE_SECRET_KEY"):
        return
    key_file = settings.instance_dir / "secret_key"
    if not key_file.exists():
        settings.instance_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as stream:
            stream.write(secrets.token_hex(32))
        click.echo(f"Created a secret key for sessions in {key_file}", err=True)
