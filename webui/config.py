"""Default settings of the web app; override in instance/config.py or CASEBASE_* env."""

from __future__ import annotations

from datetime import timedelta

from indexer.library.accounts import SESSION_LIFETIME


class DefaultConfig:
    """Defaults for a local, read-only installation."""

    # Folder with cases/ and kb/ (None: the working directory or this checkout).
    CONTENT = None
    # Index folder (None: <content>/instance/index).
    INDEX = None
    # Load the embedding model for semantic and hybrid search.
    SEMANTIC = True
    # Results per page on the search page.
    PAGE_SIZE = 10
    # Session cookies only over HTTPS (browsers treat http://127.0.0.1 as secure too);
    # set CASEBASE_SESSION_COOKIE_SECURE=false for a plain-HTTP intranet server.
    SESSION_COOKIE_SECURE = True
    # May people read without signing in?
    ANONYMOUS_READERS = True
    # How long the session cookie lasts; the server ends the session at the same time
    # (and at sign-out, or when the user's password changes).
    PERMANENT_SESSION_LIFETIME = timedelta(seconds=SESSION_LIFETIME)
    # Largest request body accepted (bytes); the editing routes accept up to 1 MiB
    # (webui/editor.py). Beyond it: 413.
    MAX_CONTENT_LENGTH = 64 * 1024
    # Largest chunked body (no Content-Length) read before the route's own limit is
    # applied: the largest limit of any route, the editor's. Beyond it: 413 unread.
    MAX_BUFFERED_BODY = 1024 * 1024
