"""A private PostgreSQL server for the tests: started once per session in a temporary
folder on a free loopback port (initdb, pg_ctl), stopped at the end.

It never touches a system-wide server: its data folder, socket folder and port are its
own. PostgreSQL refuses to run as root, so when the tests run as root (CI, this
machine) the binaries run as the `postgres` system user, who then owns the folder.
Without Debian's postgresql package the PostgreSQL tests skip and say why.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path

import pytest

# Stops the cluster and deletes its folder once the test process is gone, even when it was
# killed (a timeout's SIGKILL skips every fixture's teardown): no server outlives its tests.
GUARD = """
import os, shutil, subprocess, sys, time
parent, folder, command = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
while True:
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        break
    time.sleep(1)
subprocess.run(command, capture_output=True)
shutil.rmtree(folder, ignore_errors=True)
"""
SYSTEM_USER = "postgres"
SUPERUSER = "casebase"
START_TIMEOUT = 60


def find_binaries() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin holding initdb and pg_ctl, or None."""
    folders = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name)
                     if Path(p).parent.name.isdigit() else 0)
    for folder in reversed(folders):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivatePostgres:
    """One private cluster: `start()`, `stop()`, `url(database)`, `create_database()`."""

    def __init__(self, binaries: Path):
        self.binaries = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="casebase-pg-"))  # in /tmp: the postgres user can enter it
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = _free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            account = pwd.getpwnam(SYSTEM_USER)
            os.chown(self.folder, account.pw_uid, account.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8", "--locale=C",
                  "--no-sync")
        self._guard = subprocess.Popen(
            [sys.executable, "-c", GUARD, str(os.getpid()), str(self.folder),
             *self._command("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")],
            start_new_session=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def _command(self, program: str, *arguments: str) -> list[str]:
        command = [str(self.binaries / program), *arguments]
        return ["runuser", "-u", SYSTEM_USER, "--", *command] if self._as_postgres else command

    def _run(self, program: str, *arguments: str) -> subprocess.CompletedProcess:
        result = subprocess.run(self._command(program, *arguments), capture_output=True, text=True, timeout=START_TIMEOUT, cwd=self.folder)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace") if self.log.exists() else ""
            raise RuntimeError(f"{program} failed: {result.stderr or result.stdout}\n{log}")
        return result

    def start(self) -> None:
        """Start (or restart) the server on its port, waiting until it accepts connections."""
        options = f"-k {self.folder} -h 127.0.0.1 -p {self.port} -c fsync=off -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "-t",
                  str(START_TIMEOUT), "start")

    def stop(self) -> None:
        """Stop the server at once (connections are cut, as in an outage)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str = "postgres") -> str:
        """The URL of one database of this server."""
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def create_database(self) -> str:
        """A new, empty database; returns its URL."""
        import psycopg

        name = f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres",
                             autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def remove(self) -> None:
        """Stop the server if it runs and delete its folder."""
        try:
            self.stop()
        except RuntimeError:
            pass  # not running (a test stopped it, or start failed): nothing to stop
        shutil.rmtree(self.folder, ignore_errors=True)
        self._guard.terminate()  # its work is done
        self._guard.wait(timeout=10)


@pytest.fixture(scope="session")
def private_postgres():
    """The session's private PostgreSQL server (skips when PostgreSQL is not installed)."""
    binaries = find_binaries()
    if binaries is None:
        pytest.skip("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb); "
                    ".ci/run installs Debian's postgresql package")
    server = PrivatePostgres(binaries)
    try:
        server.start()
        yield server
    finally:
        server.remove()


@pytest.fixture
def postgres_url(private_postgres) -> str:
    """The URL of a new, empty database on the private server (one per test)."""
    return private_postgres.create_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_target(request, tmp_path):
    """Each backend in turn: a SQLite file path, then a PostgreSQL database URL."""
    if request.param == "sqlite":
        return tmp_path / "instance" / "casebase.sqlite3"
    return request.getfixturevalue("postgres_url")
