"""Settings shared by the CLI, the web app and tests: where content and index live.

Read once from arguments and CASEBASE_* environment variables and then passed down
explicitly; nothing in the engine reads the environment on its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "all-MiniLM-L6-v2"


def find_content_root(start: Path | None = None) -> Path:
    """The folder holding cases/ and kb/: `start` or the working directory when it
    has them, else the checkout this package was installed from."""
    for candidate in (start, Path.cwd(), PACKAGE_ROOT):
        if candidate is not None and (candidate / "kb").is_dir() and (candidate / "cases").is_dir():
            return candidate.resolve()
    return (start or Path.cwd()).resolve()


@dataclass(frozen=True)
class Settings:
    """Where things are and how the engine behaves."""

    content_dir: Path
    index_dir: Path
    model_name: str = DEFAULT_MODEL
    query_threads: int = 1
    # None: the SQLite file in the instance folder; else e.g. postgresql://app@db/casebase.
    database_url: str | None = None
    # Four eyes by default: nobody publishes a draft they last changed, unless the instance
    # has a single maintainer (CASEBASE_SINGLE_MAINTAINER=true), who then reviews their own work.
    single_maintainer: bool = False

    @classmethod
    def from_env(cls, content_dir: Path | str | None = None, index_dir: Path | str | None = None,
                 environ: dict[str, str] | None = None) -> "Settings":
        """Settings from explicit values, then CASEBASE_CONTENT / CASEBASE_INDEX /
        CASEBASE_MODEL / CASEBASE_THREADS / CASEBASE_DATABASE_URL / CASEBASE_SINGLE_MAINTAINER,
        then defaults."""
        env = os.environ if environ is None else environ
        content = Path(content_dir or env.get("CASEBASE_CONTENT") or find_content_root())
        index = Path(index_dir or env.get("CASEBASE_INDEX") or content / "instance" / "index")
        return cls(
            content_dir=content.resolve(),
            index_dir=index.resolve(),
            model_name=env.get("CASEBASE_MODEL", DEFAULT_MODEL),
            query_threads=int(env.get("CASEBASE_THREADS", "1")),
            database_url=env.get("CASEBASE_DATABASE_URL") or None,
            single_maintainer=env.get("CASEBASE_SINGLE_MAINTAINER", "").strip().lower() in ("1", "true", "yes"),
        )

    @property
    def instance_dir(self) -> Path:
        """The instance folder: accounts, drafts, history and the secret key live here."""
        return self.index_dir.parent

    @property
    def database_path(self) -> Path:
        """The default (SQLite) instance database: accounts, sessions, drafts, revisions,
        the audit log."""
        return self.instance_dir / "casebase.sqlite3"

    @property
    def database(self) -> str | Path:
        """Where the instance database is, as `indexer.library.database.Database` takes
        it: the configured URL, else the SQLite file `database_path`."""
        return self.database_url or self.database_path

    def with_changes(self, **changes) -> "Settings":
        """A copy with some values replaced."""
        return replace(self, **changes)
