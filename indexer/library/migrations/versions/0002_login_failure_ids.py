"""Failed logins get an id, so a correct password takes its attempt back by key.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

Before, the attempt was deleted by SQLite's hidden rowid, which PostgreSQL does not
have. SQLite cannot add a primary key to a table, so the table is copied (rows in
their order, so the ids follow the old rowids' order); PostgreSQL adds the column.
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TABLE login_failures_new (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, "
                   "address TEXT NOT NULL, time REAL NOT NULL)")
        op.execute("INSERT INTO login_failures_new(name, address, time) "
                   "SELECT name, address, time FROM login_failures ORDER BY rowid")
        op.execute("DROP TABLE login_failures")
        op.execute("ALTER TABLE login_failures_new RENAME TO login_failures")
    else:
        op.execute("ALTER TABLE login_failures ADD COLUMN id BIGSERIAL PRIMARY KEY")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("CREATE TABLE login_failures_old (name TEXT NOT NULL, address TEXT NOT NULL, time REAL NOT NULL)")
        op.execute("INSERT INTO login_failures_old(name, address, time) "
                   "SELECT name, address, time FROM login_failures ORDER BY id")
        op.execute("DROP TABLE login_failures")
        op.execute("ALTER TABLE login_failures_old RENAME TO login_failures")
    else:
        op.drop_column("login_failures", "id")
