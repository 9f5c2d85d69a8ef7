"""The instance database's tables, declared once (SQLAlchemy Core).

Every query of the library layer is built from these objects; the migrations in
migrations/versions/ create and change them (each revision spells out its own DDL, so
an old revision keeps meaning what it meant when this file changes).

Row ids are 64-bit on PostgreSQL (BIGINT) and SQLite's INTEGER PRIMARY KEY
AUTOINCREMENT there, so an id is never reused after a delete on either.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Float, Integer, MetaData, Table, Text

metadata = MetaData()
RowId = BigInteger().with_variant(Integer(), "sqlite")  # SQLite's rowid alias must be INTEGER

users = Table(
    "users", metadata,
    Column("name", Text, primary_key=True),
    Column("role", Text, nullable=False),
    Column("password", Text, nullable=False),
    Column("created", Float, nullable=False),
)

audit = Table(
    "audit", metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("time", Float, nullable=False),
    Column("actor", Text),
    Column("action", Text, nullable=False),
    Column("target", Text),
    Column("detail", Text),
    sqlite_autoincrement=True,
)

login_failures = Table(
    "login_failures", metadata,
    # Added by revision 0002: a failed attempt is taken back by its key on every backend
    # (SQLite's hidden rowid does not exist on PostgreSQL).
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("name", Text, nullable=False),
    Column("address", Text, nullable=False),
    Column("time", Float, nullable=False),
    sqlite_autoincrement=True,
)

sessions = Table(
    "sessions", metadata,
    Column("token_hash", Text, primary_key=True),
    Column("name", Text, nullable=False),
    Column("created", Float, nullable=False),
    Column("expires", Float, nullable=False),
)

drafts = Table(
    "drafts", metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("kind", Text, nullable=False),
    Column("doc_id", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("published_base", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("message", Text, nullable=False, server_default=""),
    Column("status", Text, nullable=False),
    Column("created", Float, nullable=False),
    Column("updated", Float, nullable=False),
    # Added by revision 0003: JSON list of everyone who saved the draft (four eyes refuses them all).
    Column("contributors", Text, nullable=False, server_default="[]"),
    # Also 0003: a reviewer sent the draft back (NULL: it waits for review); a save clears it.
    Column("sent_back_by", Text, nullable=True),
    Column("sent_back_note", Text, nullable=False, server_default=""),
    Column("sent_back_at", Float, nullable=True),
    sqlite_autoincrement=True,
)

revisions = Table(
    "revisions", metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("kind", Text, nullable=False),
    Column("doc_id", Text, nullable=False),
    Column("revision", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("author", Text, nullable=False),
    Column("message", Text, nullable=False),
    Column("time", Float, nullable=False),
    # Added by revision 0003: credits. `author` is the reviewer who published; `editor`
    # wrote the text; a restore names the revision it published again and why.
    Column("editor", Text, nullable=False, server_default=""),
    Column("editor_message", Text, nullable=False, server_default=""),
    Column("reviewer_message", Text, nullable=False, server_default=""),
    Column("restored_from", RowId, nullable=True),
    Column("restore_reason", Text, nullable=False, server_default=""),
    sqlite_autoincrement=True,
)

# A publish recorded but not yet known to be on disk (see editing.Library.recover).
publish_intents = Table(
    "publish_intents", metadata,
    Column("revision_id", RowId, primary_key=True, autoincrement=False),
    Column("previous_revision", Text, nullable=False),
)
