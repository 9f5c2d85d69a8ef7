"""Accounts, roles, login throttling and the audit log, in an embedded SQLite database.

The database lives in the instance folder; the Markdown files stay the source of
truth for content. Passwords are stored as scrypt hashes with a per-user salt.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from indexer.library.database import InstanceDatabase

ROLES = ("reader", "editor", "reviewer")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,31}$"
MIN_PASSWORD = 10
MAX_FAILURES = 5
FAILURE_WINDOW = 15 * 60

SCHEMA = """
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
"""


class AccountError(ValueError):
    """A refused account operation; the message says why."""


class TooManyAttempts(AccountError):
    """Login is throttled for this name or address."""

    def __init__(self, retry_after: int):
        super().__init__(f"too many failed logins; try again in {max(1, retry_after // 60)} minute(s)")
        self.retry_after = retry_after


@dataclass(frozen=True)
class User:
    """A signed-in person."""

    name: str
    role: str

    def can(self, role: str) -> bool:
        """True when this user's role is `role` or above (reviewer > editor > reader)."""
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


def hash_password(password: str, salt: bytes | None = None) -> str:
    """An scrypt hash in the form scrypt$n$r$p$salt$hash.

    >>> stored = hash_password("correct horse battery")
    >>> verify_password("correct horse battery", stored), verify_password("wrong", stored)
    (True, False)
    """
    salt = salt or secrets.token_bytes(16)
    n, r, p = 2 ** 14, 8, 1
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)
    return f"scrypt${n}${r}${p}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of a password against a stored hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                               p=int(p), dklen=len(digest) // 2)
    return hmac.compare_digest(candidate.hex(), digest)


class Accounts:
    """Users, login throttling and the audit log in one SQLite file."""

    def __init__(self, path: Path):
        self.path = path
        self._database = InstanceDatabase(path, SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return self._database.connection()

    def add_user(self, name: str, role: str, password: str) -> User:
        """Create a user (or replace the password and role of an existing one)."""
        import re

        if not re.match(USERNAME_PATTERN, name):
            raise AccountError("user names are 2-32 lower-case letters, digits, dots, dashes or underscores")
        if role not in ROLES:
            raise AccountError(f"role must be one of {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"passwords need at least {MIN_PASSWORD} characters")
        db = self._connect()
        db.execute("INSERT INTO users(name, role, password, created) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT(name) DO UPDATE SET role = excluded.role, password = excluded.password",
                   (name, role, hash_password(password), time.time()))
        self.record(None, "user.add", name, {"role": role})
        return User(name, role)

    def users(self) -> list[User]:
        """Every user, by name."""
        rows = self._connect().execute("SELECT name, role FROM users ORDER BY name").fetchall()
        return [User(name, role) for name, role in rows]

    def get(self, name: str) -> User | None:
        """A user by name, or None."""
        row = self._connect().execute("SELECT name, role FROM users WHERE name = ?", (name,)).fetchone()
        return User(*row) if row else None

    def authenticate(self, name: str, password: str, address: str) -> User | None:
        """The user when name and password match; throttled after repeated failures."""
        db = self._connect()
        since = time.time() - FAILURE_WINDOW
        failures = db.execute(
            "SELECT COUNT(*), MIN(time) FROM login_failures WHERE (name = ? OR address = ?) AND time > ?",
            (name, address, since)).fetchone()
        if failures[0] >= MAX_FAILURES:
            raise TooManyAttempts(int(failures[1] + FAILURE_WINDOW - time.time()))
        row = db.execute("SELECT name, role, password FROM users WHERE name = ?", (name,)).fetchone()
        # Hash even for unknown names, so timing does not tell which names exist.
        stored = row[2] if row else hash_password("not a real password", b"0" * 16)
        if row is not None and verify_password(password, stored):
            self.record(name, "login", name, {"address": address})
            return User(row[0], row[1])
        if row is None:
            verify_password(password, stored)
        db.execute("INSERT INTO login_failures(name, address, time) VALUES (?, ?, ?)", (name, address, time.time()))
        self.record(None, "login.failed", name, {"address": address})
        return None

    def record(self, actor: str | None, action: str, target: str | None, detail: dict | None = None) -> None:
        """Append to the audit log."""
        self._connect().execute("INSERT INTO audit(time, actor, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                                (time.time(), actor, action, target, json.dumps(detail or {})))

    def audit(self, limit: int = 100) -> list[dict]:
        """The newest audit entries first."""
        rows = self._connect().execute(
            "SELECT time, actor, action, target, detail FROM audit ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [{"time": t, "actor": a, "action": act, "target": tg, "detail": json.loads(d)}
                for t, a, act, tg, d in rows]
