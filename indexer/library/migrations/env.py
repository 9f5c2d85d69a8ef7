"""Alembic environment: migrations run on the connection the library layer hands over
(config.attributes["connection"]), inside its transaction; never from a URL of its own."""

from __future__ import annotations

from alembic import context


def run_migrations() -> None:
    """Apply the migrations Alembic selected on the handed-over connection."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("run migrations through 'casebase db upgrade' (indexer.library.migrating)")
    # Batch mode lets SQLite change a table by copying it (it has no ALTER for most changes).
    context.configure(connection=connection, target_metadata=None, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


# Alembic gives the module its `config` while it runs this file; other imports (the
# doctest collector's) only define the function.
if hasattr(context, "config"):
    run_migrations()
