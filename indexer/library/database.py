"""The instance database: one layer over SQLite (the default) or PostgreSQL.

Every piece of instance state that is not content (accounts, sessions, the login
throttle, the audit log, drafts, revisions, publish intents) goes through a `Database`:
SQLAlchemy Core queries over the tables of `tables.py`, pooled connections
(`pool_pre_ping`, so a restarted server is reconnected to), rows read by name.

One operation, one transaction. `transaction()` serialises writers the same way on
both backends, so a read-then-write sequence (count failures then insert one, check
an id is free then take it) cannot interleave with another process or server:
SQLite starts it with BEGIN IMMEDIATE (the file's write lock), PostgreSQL takes one
transaction-scoped advisory lock first. Helpers called inside a transaction join it.

A database that cannot be reached raises `DatabaseUnavailable` (an `Unavailable`: the
web layer answers 503); reads of content and index do not need the database at all.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Connection, create_engine, event, func, make_url, select
from sqlalchemy.engine import URL
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError

from indexer.errors import Unavailable
from indexer.library import migrating

log = logging.getLogger(__name__)

# The largest 64-bit signed integer: a row id outside it cannot name a row (and would overflow).
MAX_ROW_ID = 2 ** 63 - 1
SQLITE_BUSY_SECONDS = 30
CONNECT_TIMEOUT_SECONDS = 5  # an unreachable PostgreSQL answers 503 quickly rather than hanging
UPGRADE_COMMAND = "casebase db upgrade"
SQLITE_UNAVAILABLE = ("database is locked", "unable to open", "disk I/O error", "readonly database")


def valid_row_id(value: object) -> bool:
    """True for an int that can be a row id.

    >>> valid_row_id(1), valid_row_id(0), valid_row_id(2 ** 63), valid_row_id(True)
    (True, False, False, False)
    """
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ROW_ID


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for a PostgreSQL advisory lock named `name`.

    >>> lock_key("index.build") == lock_key("index.build") != lock_key("content.write")
    True
    """
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "big", signed=True)


WRITE_LOCK = lock_key("casebase.instance.write")
# The advisory lock that lets one server at a time build the index (with index/build.py's
# file lock, which decides among the processes of one machine).
INDEX_BUILD_LOCK = "index.build"


def database_url(target: str | Path) -> URL:
    """The SQLAlchemy URL for a file path or a configured URL; postgresql:// and
    postgres:// use the psycopg (3) driver.

    >>> database_url("postgresql://app@db.example/casebase").drivername
    'postgresql+psycopg'
    >>> str(database_url(Path("/srv/instance/casebase.sqlite3")))
    'sqlite:////srv/instance/casebase.sqlite3'
    """
    if isinstance(target, Path):
        return URL.create("sqlite", database=str(target))
    url = make_url(target)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url


class DatabaseUnavailable(Unavailable):
    """The database cannot be reached (or stays busy); writes are refused until it is back."""


class SchemaBehind(Unavailable):
    """The database's schema is not the one this version needs; names the command that fixes it."""


class Database:
    """Pooled connections to one instance database (`target`: a SQLite file path or a URL)."""

    def __init__(self, target: str | Path):
        self.url = database_url(target)
        self.backend = self.url.get_backend_name()
        if self.backend == "sqlite" and self.url.database:
            Path(self.url.database).parent.mkdir(parents=True, exist_ok=True)
        arguments = {"connect_args": {"timeout": SQLITE_BUSY_SECONDS}} if self.backend == "sqlite" else {
            "connect_args": {"connect_timeout": CONNECT_TIMEOUT_SECONDS}, "pool_size": 5, "max_overflow": 10,
            "pool_recycle": 1800}
        self.engine = create_engine(self.url, pool_pre_ping=True, **arguments)
        if self.backend == "sqlite":
            _use_sqlite_transactions(self.engine)
        self._writer = self.engine.execution_options(casebase_write=True)
        self._local = threading.local()

    @classmethod
    def open(cls, target: "str | Path | Database") -> "Database":
        """A database whose schema is current: `target` as it is when it is a Database,
        else opened and checked (a new, empty SQLite file is created at the current
        schema; anything else behind raises SchemaBehind naming `casebase db upgrade`)."""
        if isinstance(target, Database):
            return target
        database = cls(target)
        database.ensure_current()
        return database

    @property
    def display_url(self) -> str:
        """The URL without its password (for messages and logs)."""
        return self.url.render_as_string(hide_password=True)

    # -- transactions --------------------------------------------------------

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One write transaction (COMMIT at the end, ROLLBACK on an exception), serialised
        against every other writer of this database; nested calls join the outer one."""
        current = getattr(self._local, "connection", None)
        if current is not None:
            yield current
            return
        with self._translated(), self._writer.begin() as connection:
            if self.backend == "postgresql":
                connection.execute(select(func.pg_advisory_xact_lock(WRITE_LOCK)))
            self._local.connection = connection
            try:
                yield connection
            finally:
                self._local.connection = None

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads (the current transaction's, inside one)."""
        current = getattr(self._local, "connection", None)
        if current is not None:
            yield current
            return
        with self._translated(), self.engine.connect() as connection:
            yield connection

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except (OperationalError, InterfaceError, DisconnectionError) as exc:
            # PostgreSQL's "operational" class is refused or dropped connections and a
            # server shutting down; SQLite's also holds mistakes (no such table), which
            # stay errors: only a file locked too long or unreadable is "unavailable".
            if self.backend == "sqlite" and not any(sign in str(exc) for sign in SQLITE_UNAVAILABLE):
                raise
            log.warning("database %s unavailable: %s", self.display_url, exc)
            raise DatabaseUnavailable(
                "the instance database is unavailable, so changes cannot be saved right now (reading and "
                "searching still work); try again in a moment") from exc

    # -- locks across servers -------------------------------------------------

    @contextmanager
    def advisory_lock(self, name: str, wait: bool = True) -> Iterator[bool]:
        """Hold the cross-server lock `name` for the block; yields whether it is held.

        PostgreSQL: a session advisory lock on a connection of its own (`pg_advisory_lock`,
        or `pg_try_advisory_lock` with wait=False, which yields False when another server
        holds it); released at the end or when the holder dies. SQLite: yields True at
        once, because every process sharing a SQLite file is on one machine, where the
        callers' file locks already decide."""
        if self.backend != "postgresql":
            yield True
            return
        key = lock_key(name)
        with self._translated(), self.engine.connect() as connection:
            connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            if wait:
                connection.execute(select(func.pg_advisory_lock(key)))
                held = True
            else:
                held = bool(connection.execute(select(func.pg_try_advisory_lock(key))).scalar())
            try:
                yield held
            finally:
                if held:
                    connection.execute(select(func.pg_advisory_unlock(key)))

    # -- schema ----------------------------------------------------------------

    def revision(self) -> str | None:
        """The schema revision the database is at (None: made before migrations, or empty)."""
        with self.reading() as connection:
            return migrating.current_revision(connection)

    def upgrade(self, revision: str = "head") -> tuple[str | None, str | None]:
        """Apply the migrations up to `revision`; returns (before, after)."""
        with self.transaction() as connection:
            before = migrating.current_revision(connection)
            migrating.upgrade(connection, revision)
            return before, migrating.current_revision(connection)

    def ensure_current(self) -> None:
        """Return when the schema is the one this code needs; create it in a new, empty
        SQLite file (zero set-up); else raise SchemaBehind naming the command."""
        with self.transaction() as connection:
            current = migrating.current_revision(connection)
            head = migrating.head_revision()
            if current == head:
                return
            if current is None and self.backend == "sqlite" and migrating.is_empty(connection):
                migrating.upgrade(connection, "head")
                return
        if current is not None and not migrating.is_known(current):
            raise SchemaBehind(f"the database {self.display_url} is at schema revision {current}, which this "
                               f"version does not know (a newer version upgraded it); run that version")
        at = f"revision {current}" if current else "no revision (made before schema migrations)"
        raise SchemaBehind(f"the database {self.display_url} is at {at}; this version needs revision {head}: "
                           f"run '{UPGRADE_COMMAND}'")

    def describe(self) -> dict:
        """What /api/health reports: the backend, the schema revision (None when
        unreachable), the revision this code needs, and whether they agree."""
        head = migrating.head_revision()
        try:
            current = self.revision()
        except Unavailable:
            return {"backend": self.backend, "reachable": False, "revision": None, "expected": head,
                    "current": False}
        return {"backend": self.backend, "reachable": True, "revision": current, "expected": head,
                "current": current == head}

    # -- inspection --------------------------------------------------------------

    def connection(self) -> sqlite3.Connection:
        """A plain sqlite3 connection to the SQLite file (rows by name), for tests and
        diagnostics that inspect the file; the layer itself never uses it."""
        if self.backend != "sqlite":
            raise TypeError("plain connections are for SQLite files; use reading() for PostgreSQL")
        connection = getattr(self._local, "plain", None)
        if connection is None:
            connection = sqlite3.connect(self.url.database, timeout=SQLITE_BUSY_SECONDS, isolation_level=None)
            connection.row_factory = sqlite3.Row
            self._local.plain = connection
        return connection

    def dispose(self) -> None:
        """Close every pooled connection (a process that forked, or one shutting down)."""
        self.engine.dispose()


def _use_sqlite_transactions(engine) -> None:
    """Let SQLAlchemy, not the sqlite3 module, begin transactions: BEGIN IMMEDIATE for
    writers (the write lock up front), a deferred BEGIN for readers; WAL so readers
    never wait for a writer."""

    @event.listens_for(engine, "connect")
    def configure(dbapi_connection, record) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection) -> None:
        write = connection.get_execution_options().get("casebase_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
