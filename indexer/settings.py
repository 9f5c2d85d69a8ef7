"""Settings shared by the CLI, the web app and tests: where content and index live.

Read once from arguments and CASEBASE_* environment variables and then passed down
explicitly; nothing in the engine reads the environment on its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from indexer.errors import InvalidInput

PACKAGE_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_MODEL = "all-MiniLM-L6-v2"
# How the model runs: "onnx-int8" (ONNX Runtime with int8 weights, exported once from the
# bundled model into index_dir/models; no torch in a serving process) or "torch"
# (sentence-transformers). SciFact nDCG@10 0.6439 against torch's 0.6450 at less than
# half the CPU per query (README, Performance).
ENCODER_BACKENDS = ("torch", "onnx-int8")
DEFAULT_ENCODER = "onnx-int8"
TRUE_WORDS = ("1", "true", "yes")


def _number(env, name: str, default: int | float) -> int | float:
    """A number from the environment, of `default`'s type; InvalidInput naming the variable.

    >>> _number({"X": "2525"}, "X", 25), _number({}, "X", 1.5)
    (2525, 1.5)
    """
    value = (env.get(name) or "").strip()
    if not value:
        return default
    try:
        number = type(default)(value)
    except ValueError:
        raise InvalidInput(name, f"must be a number, not {value!r}") from None
    if number <= 0:
        raise InvalidInput(name, f"must be positive, not {value!r}")
    return number


def _choice(env, name: str, choices: tuple[str, ...], default: str) -> str:
    """One of `choices` from the environment; InvalidInput naming the variable.

    >>> _choice({"X": " Torch "}, "X", ("torch", "onnx-int8"), "onnx-int8"), _choice({}, "X", ("a",), "a")
    ('torch', 'a')
    """
    value = (env.get(name) or "").strip().lower() or default
    if value not in choices:
        raise InvalidInput(name, f"must be one of {', '.join(choices)}, not {value!r}")
    return value


@dataclass(frozen=True)
class MailSettings:
    """Where review notifications go out (CASEBASE_SMTP_*); absent: none are sent.

    Accounts hold no e-mail addresses, so a user's address is looked up in
    `addresses` (CASEBASE_MAIL_ADDRESSES="erin=erin@agency.org,rita=r.s@agency.org"),
    else is name@`domain` (CASEBASE_MAIL_DOMAIN); a user with neither gets no mail.
    """

    host: str
    port: int = 25
    sender: str = "casebase@localhost"
    user: str | None = None
    password: str | None = None
    starttls: bool = False
    timeout: float = 10.0
    domain: str | None = None
    addresses: tuple[tuple[str, str], ...] = ()

    @classmethod
    def from_env(cls, env: "os._Environ[str] | dict[str, str]") -> "MailSettings | None":
        """Mail settings from CASEBASE_SMTP_HOST, _PORT, _FROM, _USER, _PASSWORD,
        _STARTTLS, _TIMEOUT and CASEBASE_MAIL_DOMAIN / _ADDRESSES; None without a host.

        >>> MailSettings.from_env({}) is None
        True
        >>> mail = MailSettings.from_env({"CASEBASE_SMTP_HOST": "mail", "CASEBASE_SMTP_STARTTLS": "true",
        ...                               "CASEBASE_MAIL_ADDRESSES": "erin=erin@a.org, rita = r@b.org"})
        >>> mail.port, mail.starttls, mail.address_of("rita"), mail.address_of("tom")
        (587, True, 'r@b.org', None)
        """
        host = env.get("CASEBASE_SMTP_HOST", "").strip()
        if not host:
            return None
        starttls = env.get("CASEBASE_SMTP_STARTTLS", "").strip().lower() in TRUE_WORDS
        pairs = []
        for entry in env.get("CASEBASE_MAIL_ADDRESSES", "").split(","):
            name, _, address = entry.partition("=")
            if name.strip() and address.strip():
                pairs.append((name.strip(), address.strip()))
        return cls(host=host, port=_number(env, "CASEBASE_SMTP_PORT", 587 if starttls else 25),
                   sender=env.get("CASEBASE_SMTP_FROM") or f"casebase@{host}",
                   user=env.get("CASEBASE_SMTP_USER") or None, password=env.get("CASEBASE_SMTP_PASSWORD") or None,
                   starttls=starttls, timeout=_number(env, "CASEBASE_SMTP_TIMEOUT", 10.0),
                   domain=env.get("CASEBASE_MAIL_DOMAIN") or None, addresses=tuple(pairs))

    def address_of(self, name: str) -> str | None:
        """The e-mail address of user `name`, or None when none is configured."""
        for known, address in self.addresses:
            if known == name:
                return address
        return f"{name}@{self.domain}" if self.domain else None


def find_content_root(start: Path | None = None) -> Path:
    """The folder holding cases/ and kb/: `start` or the working directory when it
    has them, else the checkout this package was installed from."""
    for candidate in (start, Path.cwd(), PACKAGE_ROOT):
        if candidate is not None and (candidate / "kb").is_dir() and (candidate / "cases").is_dir():
            return candidate.resolve()
    return (start or Path.cwd()).resolve()


@dataclass(frozen=True)
class DocumentLimits:
    """What an upload may cost (CASEBASE_DOCUMENT_*): bytes per file and per request,
    pages, extraction time and memory, and what an archive (DOCX, ODT) may unpack to.

    >>> DocumentLimits.from_env({"CASEBASE_DOCUMENT_MAX_MB": "5"}).file_bytes
    5000000
    """

    file_bytes: int = 25_000_000
    request_bytes: int = 100_000_000
    pages: int = 2_000
    seconds: float = 60.0
    memory_bytes: int = 1_000_000_000
    unpacked_bytes: int = 200_000_000
    unpack_ratio: float = 100.0

    @classmethod
    def from_env(cls, env: "os._Environ[str] | dict[str, str]") -> "DocumentLimits":
        """Limits from CASEBASE_DOCUMENT_MAX_MB, _REQUEST_MAX_MB, _MAX_PAGES, _SECONDS,
        _MEMORY_MB, _UNPACKED_MB and _UNPACK_RATIO, else the defaults."""
        default = cls()
        mb = 1_000_000
        return cls(
            file_bytes=int(_number(env, "CASEBASE_DOCUMENT_MAX_MB", default.file_bytes / mb) * mb),
            request_bytes=int(_number(env, "CASEBASE_DOCUMENT_REQUEST_MAX_MB", default.request_bytes / mb) * mb),
            pages=_number(env, "CASEBASE_DOCUMENT_MAX_PAGES", default.pages),
            seconds=_number(env, "CASEBASE_DOCUMENT_SECONDS", default.seconds),
            memory_bytes=int(_number(env, "CASEBASE_DOCUMENT_MEMORY_MB", default.memory_bytes / mb) * mb),
            unpacked_bytes=int(_number(env, "CASEBASE_DOCUMENT_UNPACKED_MB", default.unpacked_bytes / mb) * mb),
            unpack_ratio=_number(env, "CASEBASE_DOCUMENT_UNPACK_RATIO", default.unpack_ratio),
        )


@dataclass(frozen=True)
class Settings:
    """Where things are and how the engine behaves."""

    content_dir: Path
    index_dir: Path
    model_name: str = DEFAULT_MODEL
    query_threads: int = 1
    # "onnx-int8" or "torch" (ENCODER_BACKENDS); an index records which one built it.
    encoder_backend: str = DEFAULT_ENCODER
    # Where the ONNX export of the model is kept (CASEBASE_MODEL_CACHE); None: index_dir/models.
    # Several indexes (tests, benchmarks, servers on one machine) may share one.
    model_cache: Path | None = None
    # None: the SQLite file in the instance folder; else e.g. postgresql://app@db/casebase.
    database_url: str | None = None
    # Four eyes by default: nobody publishes a draft they last changed, unless the instance
    # has a single maintainer (CASEBASE_SINGLE_MAINTAINER=true), who then reviews their own work.
    single_maintainer: bool = False
    # Review notifications by e-mail (None: not configured, nothing is sent).
    mail: MailSettings | None = None
    # Uploaded documents: what one may cost (see DocumentLimits).
    document_limits: DocumentLimits = DocumentLimits()

    @classmethod
    def from_env(cls, content_dir: Path | str | None = None, index_dir: Path | str | None = None,
                 environ: dict[str, str] | None = None) -> "Settings":
        """Settings from explicit values, then CASEBASE_CONTENT / CASEBASE_INDEX /
        CASEBASE_MODEL / CASEBASE_THREADS / CASEBASE_ENCODER / CASEBASE_MODEL_CACHE / CASEBASE_DATABASE_URL / CASEBASE_SINGLE_MAINTAINER /
        CASEBASE_SMTP_* (MailSettings), then defaults."""
        env = os.environ if environ is None else environ
        content = Path(content_dir or env.get("CASEBASE_CONTENT") or find_content_root())
        index = Path(index_dir or env.get("CASEBASE_INDEX") or content / "instance" / "index")
        return cls(
            content_dir=content.resolve(),
            index_dir=index.resolve(),
            model_name=env.get("CASEBASE_MODEL", DEFAULT_MODEL),
            query_threads=int(env.get("CASEBASE_THREADS", "1")),
            encoder_backend=_choice(env, "CASEBASE_ENCODER", ENCODER_BACKENDS, DEFAULT_ENCODER),
            model_cache=Path(env["CASEBASE_MODEL_CACHE"]).resolve() if env.get("CASEBASE_MODEL_CACHE") else None,
            database_url=env.get("CASEBASE_DATABASE_URL") or None,
            single_maintainer=env.get("CASEBASE_SINGLE_MAINTAINER", "").strip().lower() in TRUE_WORDS,
            mail=MailSettings.from_env(env),
            document_limits=DocumentLimits.from_env(env),
        )

    @property
    def instance_dir(self) -> Path:
        """The instance folder: accounts, drafts, history and the secret key live here."""
        return self.index_dir.parent

    @property
    def model_cache_dir(self) -> Path:
        """Where the ONNX export of the model lives (built once, on first use)."""
        return self.model_cache or self.index_dir / "models"

    @property
    def documents_dir(self) -> Path:
        """Where uploaded documents are kept, each under its content hash (never the
        user's file name), with the text extracted from it."""
        return self.instance_dir / "documents"

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
