"""Accounts, roles, sessions, login throttling and the audit log, in the instance
database (SQLite by default, PostgreSQL when configured; see database.py).

The Markdown files stay the source of truth for content. Every server sharing the
database shares users, sessions and the throttle. Passwords are stored as scrypt hashes with a per-user salt.
Sessions are rows (the browser holds a random token, the table its hash), so signing
out, a password change or the lifetime ending revokes a session on the server.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, func, insert, or_, select, update

from indexer.errors import InvalidInput, Refused
from indexer.library.database import Database
from indexer.library.tables import audit, login_failures, sessions, users

ROLES = ("reader", "editor", "reviewer")
ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}
USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
MIN_PASSWORD = 10
MAX_FAILURES = 5
FAILURE_WINDOW = 15 * 60
SESSION_LIFETIME = 12 * 60 * 60  # a session ends 12 hours after sign-in at the latest
SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
# Verified for unknown names so that they cost one scrypt, like a wrong password for a
# known name (the digest matches no password: it is not the hash of anything).
UNKNOWN_USER_HASH = f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${'5e' * 16}${'00' * 32}"

class AccountError(InvalidInput):
    """A refused account change; `field` names the value at fault (name, role, password)."""


class TooManyAttempts(Refused):
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
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time check of a password against a stored hash (one scrypt)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                               p=int(p), dklen=len(digest) // 2)
    return hmac.compare_digest(candidate.hex(), digest)


def _token_hash(token: str) -> str:
    # The table keeps only a hash: a copy of the database opens no session.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Accounts:
    """Users, sessions, login throttling and the audit log in the instance database
    (`database`: a shared Database, a SQLite file path or a database URL)."""

    def __init__(self, database: "Database | Path | str"):
        self._database = Database.open(database)
        self.path = Path(self._database.url.database) if self._database.backend == "sqlite" else None

    @property
    def database(self) -> Database:
        """The instance database these accounts live in."""
        return self._database

    def _connect(self):
        """A plain connection to the SQLite file (for tests that inspect it)."""
        return self._database.connection()

    def add_user(self, name: str, role: str, password: str) -> User:
        """Create a user, or replace the password and role of an existing one (which
        ends every session the user had)."""
        if not USERNAME_PATTERN.match(name):
            raise AccountError("name", "user names are 2-32 lower-case letters, digits, dots, dashes or "
                                       "underscores")
        if role not in ROLES:
            raise AccountError("role", f"role must be one of {', '.join(ROLES)}")
        if len(password) < MIN_PASSWORD:
            raise AccountError("password", f"passwords need at least {MIN_PASSWORD} characters")
        stored = hash_password(password)
        with self._database.transaction() as db:
            # Writers are serialised (database.transaction), so look-then-write is safe.
            if db.execute(select(users.c.name).where(users.c.name == name)).first() is None:
                db.execute(insert(users).values(name=name, role=role, password=stored, created=time.time()))
            else:
                db.execute(update(users).where(users.c.name == name).values(role=role, password=stored))
            db.execute(delete(sessions).where(sessions.c.name == name))
            self.record(None, "user.add", name, {"role": role})
        return User(name, role)

    def users(self) -> list[User]:
        """Every user, by name."""
        with self._database.reading() as db:
            rows = db.execute(select(users.c.name, users.c.role).order_by(users.c.name)).mappings().all()
        return [User(row["name"], row["role"]) for row in rows]

    def get(self, name: str) -> User | None:
        """A user by name, or None."""
        with self._database.reading() as db:
            row = db.execute(select(users.c.name, users.c.role).where(users.c.name == name)).mappings().first()
        return User(row["name"], row["role"]) if row else None

    def authenticate(self, name: str, password: str, address: str) -> User | None:
        """The user when name and password match; TooManyAttempts after MAX_FAILURES
        failures within FAILURE_WINDOW for the name or the address.

        The attempt is counted before the password is checked, in the same transaction
        as the count, so parallel attempts (on any server sharing the database) cannot
        all pass the limit; a correct password takes its attempt back. Known and
        unknown names cost one scrypt each."""
        now = time.time()
        with self._database.transaction() as db:
            failures = db.execute(
                select(func.count().label("count"), func.min(login_failures.c.time).label("oldest"))
                .where(or_(login_failures.c.name == name, login_failures.c.address == address),
                       login_failures.c.time > now - FAILURE_WINDOW)).mappings().one()
            if failures["count"] >= MAX_FAILURES:
                raise TooManyAttempts(int(failures["oldest"] + FAILURE_WINDOW - now))
            attempt = db.execute(insert(login_failures).values(name=name, address=address, time=now)
                                 ).inserted_primary_key[0]
            row = db.execute(select(users.c.name, users.c.role, users.c.password)
                             .where(users.c.name == name)).mappings().first()
        stored = row["password"] if row is not None else UNKNOWN_USER_HASH
        if verify_password(password, stored) and row is not None:
            with self._database.transaction() as db:
                db.execute(delete(login_failures).where(login_failures.c.id == attempt))
                self.record(name, "login", name, {"address": address})
            return User(row["name"], row["role"])
        self.record(None, "login.failed", name, {"address": address})
        return None

    # -- sessions --------------------------------------------------------------

    def start_session(self, user: User, lifetime: float = SESSION_LIFETIME) -> str:
        """A new session for `user`; the returned token is what the browser keeps."""
        token = secrets.token_urlsafe(32)
        now = time.time()
        with self._database.transaction() as db:
            db.execute(delete(sessions).where(sessions.c.expires <= now))
            db.execute(insert(sessions).values(token_hash=_token_hash(token), name=user.name, created=now,
                                               expires=now + lifetime))
        return token

    def session_user(self, token: str | None) -> User | None:
        """The user of a live session, or None (unknown, ended or expired token)."""
        if not token or not isinstance(token, str):
            return None
        query = (select(users.c.name, users.c.role).join(sessions, users.c.name == sessions.c.name)
                 .where(sessions.c.token_hash == _token_hash(token), sessions.c.expires > time.time()))
        with self._database.reading() as db:
            row = db.execute(query).mappings().first()
        return User(row["name"], row["role"]) if row else None

    def end_session(self, token: str | None) -> None:
        """Sign a session out (nothing happens for an unknown token)."""
        if token and isinstance(token, str):
            with self._database.transaction() as db:
                db.execute(delete(sessions).where(sessions.c.token_hash == _token_hash(token)))

    def end_sessions(self, name: str) -> None:
        """Sign a user out everywhere."""
        with self._database.transaction() as db:
            db.execute(delete(sessions).where(sessions.c.name == name))

    # -- audit -----------------------------------------------------------------

    def record(self, actor: str | None, action: str, target: str | None, detail: dict | None = None) -> None:
        """Append to the audit log."""
        with self._database.transaction() as db:
            db.execute(insert(audit).values(time=time.time(), actor=actor, action=action, target=target,
                                            detail=json.dumps(detail or {})))

    def audit(self, limit: int = 100) -> list[dict]:
        """The newest audit entries first."""
        query = select(audit.c.time, audit.c.actor, audit.c.action, audit.c.target, audit.c.detail)
        with self._database.reading() as db:
            rows = db.execute(query.order_by(audit.c.id.desc()).limit(limit)).mappings().all()
        return [{"time": row["time"], "actor": row["actor"], "action": row["action"], "target": row["target"],
                 "detail": json.loads(row["detail"])} for row in rows]
