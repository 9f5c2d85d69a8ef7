"""Schema migrations: a SQLite file made by the version before migrations (its schema
is copied below, verbatim, from that version's accounts.py and drafts.py) upgrades
with `casebase db upgrade` without losing a row, and what was in it still works."""

from __future__ import annotations

import sqlite3
import time

import pytest
from click.testing import CliRunner
from tests.conftest import render, valid_case

from indexer.cli import main
from indexer.library import migrating
from indexer.library.accounts import Accounts, User, hash_password
from indexer.library.database import Database, SchemaBehind
from indexer.library.editing import NEW, Library

# indexer/library/accounts.py SCHEMA at commit 3f3506f (before SQLAlchemy and Alembic).
ACCOUNTS_SCHEMA_BEFORE = """
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    password TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time REAL NOT NULL,
    actor TEXT,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT
);
CREATE TABLE IF NOT EXISTS login_failures (
    name TEXT NOT NULL,
    address TEXT NOT NULL,
    time REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created REAL NOT NULL,
    expires REAL NOT NULL
);
"""
# indexer/library/drafts.py SCHEMA at the same commit.
LIBRARY_SCHEMA_BEFORE = """
CREATE TABLE IF NOT EXISTS drafts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL, doc_id TEXT NOT NULL, text TEXT NOT NULL,
    published_base TEXT NOT NULL, author TEXT NOT NULL, message TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL, created REAL NOT NULL, updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL, doc_id TEXT NOT NULL, revision TEXT NOT NULL, text TEXT NOT NULL,
    author TEXT NOT NULL, message TEXT NOT NULL, time REAL NOT NULL
);
-- A publish recorded but not yet known to be on disk (see editing.Library.recover).
CREATE TABLE IF NOT EXISTS publish_intents (
    revision_id INTEGER PRIMARY KEY,
    previous_revision TEXT NOT NULL
);
-- Databases written before the state machine called open drafts 'draft'.
UPDATE drafts SET status = 'open' WHERE status = 'draft';
"""
PASSWORD = "a long enough secret"
TOKEN = "a-session-token-from-before"


def _old_file(path, library_tables: bool = True) -> dict[str, list[tuple]]:
    """A database as the old version wrote it, with rows in every table; returns them."""
    import hashlib

    now = time.time()
    case = render(valid_case("alpha-town", title="Old draft"))
    rows = {
        "users": [("rita", "reviewer", hash_password(PASSWORD), now), ("erin", "editor", hash_password(PASSWORD), now)],
        "audit": [(1, now, None, "user.add", "rita", '{"role": "reviewer"}'), (2, now, "rita", "login", "rita", "{}")],
        "login_failures": [("erin", "10.0.0.1", now - 60), ("erin", "10.0.0.2", now - 30)],
        "sessions": [(hashlib.sha256(TOKEN.encode()).hexdigest(), "rita", now, now + 3600)],
    }
    if library_tables:
        rows.update({
            "drafts": [(1, "case", "alpha-town", case, NEW, "erin", "", "open", now, now),
                       (2, "case", "beta-city", case, NEW, "erin", "", "draft", now, now)],
            "revisions": [(1, "case", "alpha-town", "abc", case, "rita", "Publish", now)],
            "publish_intents": [],
        })
    connection = sqlite3.connect(path)
    connection.executescript(ACCOUNTS_SCHEMA_BEFORE + (LIBRARY_SCHEMA_BEFORE if library_tables else ""))
    for table, values in rows.items():
        for row in values:
            connection.execute(f"INSERT INTO {table} VALUES ({', '.join('?' * len(row))})", row)
    connection.commit()
    connection.close()
    return rows


def _rows(path, table: str, columns: str) -> list[tuple]:
    connection = sqlite3.connect(path)
    try:
        return [tuple(row) for row in connection.execute(f"SELECT {columns} FROM {table} ORDER BY rowid")]
    finally:
        connection.close()


def _cli(tmp_path, *arguments: str):
    return CliRunner().invoke(main, ["--content", str(tmp_path), "--index", str(tmp_path / "instance" / "index"),
                                     *arguments])


def test_a_file_from_before_migrations_upgrades_without_losing_a_row(tree, tmp_path):
    path = tmp_path / "instance" / "casebase.sqlite3"
    path.parent.mkdir()
    before = _old_file(path)
    with pytest.raises(SchemaBehind, match="casebase db upgrade"):
        Accounts(path)  # nothing opens it behind
    refused = _cli(tmp_path, "serve")
    assert refused.exit_code == 2 and "casebase db upgrade" in refused.output
    result = _cli(tmp_path, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert f"from revision none to {migrating.head_revision()}" in result.output
    columns = {"users": "name, role, password, created", "audit": "id, time, actor, action, target, detail",
               "login_failures": "name, address, time", "sessions": "token_hash, name, created, expires",
               "drafts": "id, kind, doc_id, text, published_base, author, message, status, created, updated",
               "revisions": "id, kind, doc_id, revision, text, author, message, time",
               "publish_intents": "revision_id, previous_revision"}
    for table, values in before.items():
        expected = [tuple("open" if v == "draft" else v for v in row) for row in values]  # the one rename
        assert _rows(path, table, columns[table]) == expected, table
    # The failures got ids in their old order.
    assert _rows(path, "login_failures", "id, name") == [(i + 1, row[0]) for i, row in
                                                           enumerate(before["login_failures"])]
    current = _cli(tmp_path, "db", "current")
    assert current.exit_code == 0 and f"revision {migrating.head_revision()}" in current.output
    # What was in the file still works: the old password, the old session, the old drafts.
    accounts = Accounts(path)
    assert accounts.authenticate("rita", PASSWORD, "10.0.0.9") == User("rita", "reviewer")
    assert accounts.session_user(TOKEN) == User("rita", "reviewer")
    library = Library(tree.root, path)
    assert sorted(d.doc_id for d in library.drafts("open")) == ["alpha-town", "beta-city"]
    assert [r.id for r in library.history("case", "alpha-town")] == [row[0] for row in before["revisions"]]
    assert _cli(tmp_path, "db", "upgrade").output.endswith("nothing to do.\n")


def test_a_file_with_only_the_account_tables_gets_the_library_tables(tree, tmp_path):
    """The old version created each half on first use: `casebase user add` alone made this."""
    path = tmp_path / "instance" / "casebase.sqlite3"
    path.parent.mkdir()
    before = _old_file(path, library_tables=False)
    Database(path).upgrade()
    assert _rows(path, "users", "name") == [(row[0],) for row in before["users"]]
    library = Library(tree.root, path)
    tree.case("alpha-town")
    revision, _ = library.published("case", "alpha-town")
    assert library.save_draft("case", "alpha-town", render(valid_case("alpha-town", title="New")), revision,
                              "erin").status == "open"


def test_upgrade_and_current_on_postgresql(postgres_url, tmp_path, monkeypatch):
    monkeypatch.setenv("CASEBASE_DATABASE_URL", postgres_url)
    behind = _cli(tmp_path, "db", "current")
    assert behind.exit_code == 1 and "revision none" in behind.output
    upgraded = _cli(tmp_path, "db", "upgrade")
    assert upgraded.exit_code == 0 and "postgresql" in upgraded.output
    assert Database.open(postgres_url).revision() == migrating.head_revision()
    added = _cli(tmp_path, "user", "add", "rita", "--role", "reviewer", "--password", PASSWORD)
    assert added.exit_code == 0, added.output
    assert Accounts(postgres_url).users() == [User("rita", "reviewer")]
    assert not (tmp_path / "instance" / "casebase.sqlite3").exists()  # nothing went to the default file


def test_an_unreachable_database_is_a_message_not_a_traceback(tmp_path, monkeypatch):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("CASEBASE_DATABASE_URL", f"postgresql://nobody@127.0.0.1:{port}/casebase")
    result = _cli(tmp_path, "db", "upgrade")
    assert result.exit_code == 2 and "unavailable" in result.output


def test_0003_credits_old_revisions_to_their_author_and_drafts_to_theirs(database_target):
    """Upgrading from 0002 with rows: every old revision's editor is its author (the only
    name it recorded), every old draft's contributors are [its author]; downgrading
    drops the columns and keeps the rows."""
    import json

    from alembic import command
    from sqlalchemy import text

    database = Database(database_target)
    database.upgrade("0002")
    now = time.time()
    with database.transaction() as connection:
        for doc_id, author in (("alpha-town", "erin"), ("beta-city", "o'brien")):
            connection.execute(text(
                "INSERT INTO drafts(kind, doc_id, text, published_base, author, message, status, created, updated) "
                "VALUES ('case', :doc_id, 'text', 'new', :author, 'my message', 'open', :now, :now)"),
                dict(doc_id=doc_id, author=author, now=now))
        for author in ("rita", "import"):
            connection.execute(text(
                "INSERT INTO revisions(kind, doc_id, revision, text, author, message, time) "
                "VALUES ('case', 'alpha-town', 'abc', 'text', :author, 'Publish', :now)"), dict(author=author, now=now))
    database.upgrade("0003")
    with database.reading() as connection:
        revisions = connection.execute(text(
            "SELECT author, editor, editor_message, reviewer_message, restored_from, restore_reason, message "
            "FROM revisions ORDER BY id")).all()
        contributors = connection.execute(text("SELECT author, contributors FROM drafts ORDER BY id")).all()
        sent_back = connection.execute(text("SELECT sent_back_by, sent_back_note, sent_back_at FROM drafts")).all()
    assert [tuple(row) for row in revisions] == [("rita", "rita", "", "", None, "", "Publish"),
                                                 ("import", "import", "", "", None, "", "Publish")]
    assert [(author, json.loads(listed)) for author, listed in contributors] == [("erin", ["erin"]),
                                                                                 ("o'brien", ["o'brien"])]
    assert [tuple(row) for row in sent_back] == [(None, "", None)] * 2  # both still wait for review
    with database.transaction() as connection:
        command.downgrade(migrating.config(connection), "0002")
    with database.reading() as connection:
        assert connection.execute(text("SELECT count(*) FROM revisions")).scalar() == 2
        assert connection.execute(text("SELECT author FROM drafts ORDER BY id")).scalars().all() == ["erin",
                                                                                                    "o'brien"]
