"""Accounts: equal login cost for known and unknown names, an atomic throttle,
server-side sessions that sign-out and password changes end."""

from __future__ import annotations

import hashlib
import threading
import time

import pytest

import indexer.library.accounts as accounts_module
from indexer.errors import InvalidInput, Refused
from indexer.library.accounts import MAX_FAILURES, AccountError, Accounts, TooManyAttempts, User

PASSWORD = "a long enough secret"


@pytest.fixture
def accounts(tmp_path):
    accounts = Accounts(tmp_path / "casebase.sqlite3")
    accounts.add_user("rita", "reviewer", PASSWORD)
    return accounts


@pytest.fixture
def scrypt_calls(monkeypatch):
    calls: list[int] = []
    real = hashlib.scrypt

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(accounts_module.hashlib, "scrypt", counting)
    return calls


def test_unknown_names_and_wrong_passwords_cost_one_scrypt_each(accounts, scrypt_calls):
    assert accounts.authenticate("rita", "wrong password", "10.0.0.1") is None
    known = len(scrypt_calls)
    assert accounts.authenticate("nobody-here", "wrong password", "10.0.0.2") is None
    unknown = len(scrypt_calls) - known
    assert known == unknown == 1
    scrypt_calls.clear()
    assert accounts.authenticate("rita", PASSWORD, "10.0.0.3") == User("rita", "reviewer")
    assert len(scrypt_calls) == 1


def test_parallel_wrong_passwords_never_pass_the_failure_limit(accounts):
    threads_count = 16
    outcomes: list[str] = []
    start = threading.Barrier(threads_count)

    def attempt():
        start.wait()
        try:
            outcomes.append("tried" if accounts.authenticate("rita", "wrong", "10.9.9.9") is None else "in")
        except TooManyAttempts:
            outcomes.append("throttled")

    threads = [threading.Thread(target=attempt) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert outcomes.count("tried") == MAX_FAILURES
    assert outcomes.count("throttled") == threads_count - MAX_FAILURES


def test_a_correct_password_does_not_count_as_a_failure(accounts):
    for _ in range(MAX_FAILURES - 1):
        accounts.authenticate("rita", "wrong", "10.0.0.1")
    for _ in range(3):
        assert accounts.authenticate("rita", PASSWORD, "10.0.0.1") is not None


def test_account_errors_belong_to_the_hierarchy_and_name_the_field(accounts):
    with pytest.raises(InvalidInput) as error:
        accounts.add_user("rita", "admin", PASSWORD)
    assert isinstance(error.value, AccountError) and error.value.field == "role"
    with pytest.raises(AccountError) as error:
        accounts.add_user("rita", "editor", "short")
    assert error.value.field == "password"
    assert issubclass(TooManyAttempts, Refused)


def test_a_session_lives_until_it_is_ended(accounts):
    user = accounts.get("rita")
    token = accounts.start_session(user)
    assert accounts.session_user(token) == user
    assert accounts.session_user(token + "x") is None and accounts.session_user(None) is None
    accounts.end_session(token)
    assert accounts.session_user(token) is None


def test_changing_a_password_ends_every_session_of_that_user(accounts):
    accounts.add_user("erin", "editor", PASSWORD)
    rita = [accounts.start_session(accounts.get("rita")) for _ in range(2)]
    erin = accounts.start_session(accounts.get("erin"))
    accounts.add_user("rita", "reviewer", "another long secret")
    assert [accounts.session_user(token) for token in rita] == [None, None]
    assert accounts.session_user(erin) == User("erin", "editor")


def test_sessions_expire_and_the_table_keeps_only_hashes(accounts):
    token = accounts.start_session(accounts.get("rita"), lifetime=0.05)
    time.sleep(0.1)
    assert accounts.session_user(token) is None
    live = accounts.start_session(accounts.get("rita"))
    stored = [row["token_hash"] for row in accounts._connect().execute("SELECT token_hash FROM sessions")]
    assert live not in stored and hashlib.sha256(live.encode()).hexdigest() in stored
