"""The schema the library wrote before migrations existed (accounts, drafts, history).

Revision ID: 0001
Revises:
Create Date: 2026-12-01

Each table is created only where it is missing: a file made by that version holds the
account tables, the editing tables or both (each half created its own on first use),
and upgrading it from "no revision" keeps every row. Open drafts written before the
state machine were called 'draft'; they become 'open' here.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # INTEGER PRIMARY KEY on SQLite


def _tables() -> dict[str, tuple]:
    return {
        "users": (sa.Column("name", sa.Text, primary_key=True), sa.Column("role", sa.Text, nullable=False),
                  sa.Column("password", sa.Text, nullable=False), sa.Column("created", sa.Float, nullable=False)),
        "audit": (sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
                  sa.Column("time", sa.Float, nullable=False), sa.Column("actor", sa.Text),
                  sa.Column("action", sa.Text, nullable=False), sa.Column("target", sa.Text),
                  sa.Column("detail", sa.Text)),
        "login_failures": (sa.Column("name", sa.Text, nullable=False), sa.Column("address", sa.Text, nullable=False),
                           sa.Column("time", sa.Float, nullable=False)),
        "sessions": (sa.Column("token_hash", sa.Text, primary_key=True), sa.Column("name", sa.Text, nullable=False),
                     sa.Column("created", sa.Float, nullable=False), sa.Column("expires", sa.Float, nullable=False)),
        "drafts": (sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
                   sa.Column("kind", sa.Text, nullable=False), sa.Column("doc_id", sa.Text, nullable=False),
                   sa.Column("text", sa.Text, nullable=False), sa.Column("published_base", sa.Text, nullable=False),
                   sa.Column("author", sa.Text, nullable=False),
                   sa.Column("message", sa.Text, nullable=False, server_default=""),
                   sa.Column("status", sa.Text, nullable=False), sa.Column("created", sa.Float, nullable=False),
                   sa.Column("updated", sa.Float, nullable=False)),
        "revisions": (sa.Column("id", ROW_ID, primary_key=True, autoincrement=True),
                      sa.Column("kind", sa.Text, nullable=False), sa.Column("doc_id", sa.Text, nullable=False),
                      sa.Column("revision", sa.Text, nullable=False), sa.Column("text", sa.Text, nullable=False),
                      sa.Column("author", sa.Text, nullable=False), sa.Column("message", sa.Text, nullable=False),
                      sa.Column("time", sa.Float, nullable=False)),
        "publish_intents": (sa.Column("revision_id", ROW_ID, primary_key=True, autoincrement=False),
                            sa.Column("previous_revision", sa.Text, nullable=False)),
    }


def upgrade() -> None:
    existing = set(sa.inspect(op.get_bind()).get_table_names())
    for name, columns in _tables().items():
        if name not in existing:
            autoincrement = any(column.name == "id" for column in columns)
            op.create_table(name, *columns, **({"sqlite_autoincrement": True} if autoincrement else {}))
    op.execute("UPDATE drafts SET status = 'open' WHERE status = 'draft'")


def downgrade() -> None:
    for name in reversed(list(_tables())):
        op.drop_table(name)
