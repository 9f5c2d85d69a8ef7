"""One SQLite connection per thread for the instance database (WAL, waits on locks).

Rows come back as `sqlite3.Row`, read by column name. Every operation that writes
runs in one `transaction()`: BEGIN IMMEDIATE takes the write lock up front, so a
read-then-write sequence (count failures then insert one, check a draft's state then
change it) cannot interleave with another process or thread.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

# SQLite's INTEGER range: a row id outside it cannot name a row (and would overflow).
MAX_ROW_ID = 2 ** 63 - 1


def valid_row_id(value: object) -> bool:
    """True for an int that can be a SQLite row id.

    >>> valid_row_id(1), valid_row_id(0), valid_row_id(2 ** 63), valid_row_id(True)
    (True, False, False, False)
    """
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ROW_ID


class InstanceDatabase:
    """Thread-local connections to one SQLite file, created with `schema` on first use."""

    def __init__(self, path: Path, schema: str):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self.connection().executescript(schema)

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, in autocommit mode outside `transaction()`."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA busy_timeout=30000")
            self._local.connection = connection
            self._local.depth = 0
        return connection

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT (ROLLBACK on an exception); nested calls join the
        outer transaction, so a helper that writes can be used inside another operation."""
        connection = self.connection()
        if self._local.depth:
            self._local.depth += 1
            try:
                yield connection
            finally:
                self._local.depth -= 1
            return
        connection.execute("BEGIN IMMEDIATE")
        self._local.depth = 1
        try:
            yield connection
        except BaseException:
            self._local.depth = 0
            connection.execute("ROLLBACK")
            raise
        self._local.depth = 0
        connection.execute("COMMIT")
