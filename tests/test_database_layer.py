"""The instance database layer on both backends (SQLite file, private PostgreSQL):
serialised writers, shared state between two library objects ("two servers"), the
throttle across them, advisory locks, schema checks and an outage with reconnection."""

from __future__ import annotations

import threading

import pytest
from tests.conftest import render, valid_case

from indexer.errors import Unavailable
from indexer.library import migrating
from indexer.library.accounts import MAX_FAILURES, Accounts, TooManyAttempts, User
from indexer.library.database import Database, DatabaseUnavailable, SchemaBehind
from indexer.library.editing import NEW, Conflict, InvalidEdit, Library
from indexer.library.tables import login_failures, metadata

PASSWORD = "a long enough secret"


def _count(database: Database, table) -> int:
    from sqlalchemy import func, select

    with database.reading() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_a_new_database_is_created_at_the_newest_revision_with_every_table(database_target):
    from sqlalchemy import inspect

    if not isinstance(database_target, str):
        database = Database.open(database_target)  # SQLite: a new file needs no set-up
    else:
        with pytest.raises(SchemaBehind, match="casebase db upgrade"):
            Database.open(database_target)  # PostgreSQL: an explicit upgrade, once
        Database(database_target).upgrade()
        database = Database.open(database_target)
    assert database.revision() == migrating.head_revision()
    with database.reading() as connection:
        inspector = inspect(connection)
        for table in metadata.sorted_tables:
            assert {column["name"] for column in inspector.get_columns(table.name)} == set(table.columns.keys())
    assert database.describe() == {"backend": database.backend, "reachable": True,
                                   "revision": migrating.head_revision(), "expected": migrating.head_revision(),
                                   "current": True}


@pytest.fixture
def shared(database_target):
    """One instance database, migrated; returns what Database.open takes."""
    Database(database_target).upgrade()
    return database_target


def test_accounts_sign_in_and_sessions_work_on_both_backends(shared):
    accounts = Accounts(shared)
    accounts.add_user("rita", "reviewer", PASSWORD)
    accounts.add_user("rita", "editor", PASSWORD + "!")  # replaced, not duplicated
    assert accounts.users() == [User("rita", "editor")]
    assert accounts.authenticate("rita", PASSWORD, "10.0.0.1") is None
    user = accounts.authenticate("rita", PASSWORD + "!", "10.0.0.1")
    assert user == User("rita", "editor")
    # The wrong attempt stays counted; the right one took its own attempt back (by id).
    assert _count(accounts.database, login_failures) == 1
    token = accounts.start_session(user)
    assert Accounts(shared).session_user(token) == user  # another server sees the session
    accounts.end_session(token)
    assert Accounts(shared).session_user(token) is None
    actions = [entry["action"] for entry in accounts.audit()]
    assert actions[:2] == ["login", "login.failed"]


def test_the_throttle_counts_across_two_servers_racing(shared):
    servers = [Accounts(shared), Accounts(shared)]
    servers[0].add_user("rita", "reviewer", PASSWORD)
    attempts = 12
    outcomes: list[str] = []
    start = threading.Barrier(attempts)

    def attempt(number: int):
        start.wait()
        try:
            servers[number % 2].authenticate("rita", "wrong", f"10.1.1.{number}")
            outcomes.append("tried")
        except TooManyAttempts:
            outcomes.append("throttled")

    threads = [threading.Thread(target=attempt, args=(number,)) for number in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("tried") == MAX_FAILURES
    assert outcomes.count("throttled") == attempts - MAX_FAILURES
    with pytest.raises(TooManyAttempts):
        servers[1].authenticate("rita", PASSWORD, "10.2.2.2")  # the name is throttled everywhere


def test_drafts_and_conflicts_are_shared_by_two_servers(shared, tree):
    tree.case("alpha-town")
    server_a, server_b = Library(tree.root, shared), Library(tree.root, shared)
    revision, _ = server_a.published("case", "alpha-town")
    draft = server_a.save_draft("case", "alpha-town", render(valid_case("alpha-town", title="From A")), revision,
                                "erin")
    assert server_b.open_draft("case", "alpha-town") == draft
    with pytest.raises(Conflict) as conflict:
        server_b.save_draft("case", "alpha-town", render(valid_case("alpha-town", title="From B")), revision,
                            "ed")
    assert server_a.draft(conflict.value.kept_draft).status == "conflict"
    record = server_b.publish(draft.id, "rita")
    assert [r.id for r in server_a.history("case", "alpha-town")][0] == record.id
    assert "From A" in (tree.root / "cases" / "alpha-town.md").read_text()


def test_two_servers_racing_to_one_new_id_save_one_draft(shared, tree):
    servers = [Library(tree.root, shared) for _ in range(2)]
    racers = 6
    outcomes: list[str] = []
    start = threading.Barrier(racers)

    def create(number: int):
        start.wait()
        try:
            servers[number % 2].create_draft("case", "new-town", render(valid_case("new-town")), f"user{number}")
            outcomes.append("saved")
        except InvalidEdit:
            outcomes.append("refused")

    threads = [threading.Thread(target=create, args=(number,)) for number in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("saved") == 1 and outcomes.count("refused") == racers - 1
    assert [d.doc_id for d in servers[1].drafts()] == ["new-town"]


def test_an_advisory_lock_is_held_by_one_holder_at_a_time(shared):
    first, second = Database.open(shared), Database.open(shared)
    with first.advisory_lock("index.build", wait=False) as held:
        assert held
        with second.advisory_lock("index.build", wait=False) as also:
            # PostgreSQL decides across servers; beside a SQLite file the file lock does.
            assert also is (first.backend == "sqlite")
    with second.advisory_lock("index.build", wait=False) as held_after:
        assert held_after


def test_a_schema_behind_is_refused_with_the_command_that_fixes_it(shared):
    from alembic import command

    database = Database(shared)

    with database.transaction() as connection:
        command.downgrade(migrating.config(connection), "0001")
    with pytest.raises(SchemaBehind) as behind:
        Accounts(shared)
    assert "revision 0001" in str(behind.value) and "casebase db upgrade" in str(behind.value)
    assert database.describe()["current"] is False


def test_an_outage_refuses_writes_with_unavailable_and_the_pool_reconnects(private_postgres, tree):
    url = private_postgres.create_database()
    Database(url).upgrade()
    tree.case("alpha-town")
    database = Database.open(url)
    accounts, library = Accounts(database), Library(tree.root, database)
    accounts.add_user("rita", "reviewer", PASSWORD)
    token = accounts.start_session(User("rita", "reviewer"))
    private_postgres.stop()
    try:
        with pytest.raises(DatabaseUnavailable) as down:
            library.create_draft("case", "new-town", render(valid_case("new-town")), "erin")
        assert isinstance(down.value, Unavailable) and "cannot be saved right now" in str(down.value)
        with pytest.raises(DatabaseUnavailable):
            accounts.session_user(token)
        assert library.published("case", "alpha-town")[0] != NEW  # content reads need no database
        assert database.describe()["reachable"] is False
    finally:
        private_postgres.start()
    assert accounts.session_user(token) == User("rita", "reviewer")  # the same pool, reconnected
    assert library.create_draft("case", "new-town", render(valid_case("new-town")), "erin").doc_id == "new-town"
