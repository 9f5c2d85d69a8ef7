"""One SQLite connection per thread for the instance database (WAL, waits on locks)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class InstanceDatabase:
    """Thread-local connections to one SQLite file, created with `schema` on first use."""

    def __init__(self, path: Path, schema: str):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self.connection().executescript(schema)

    def connection(self) -> sqlite3.Connection:
        """This thread's connection, in autocommit mode."""
        connection = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA busy_timeout=30000")
            self._local.connection = connection
        return connection
