"""Hardening headers on every response, the id pattern checked before look-ups, and
the body limit for chunked requests."""

from __future__ import annotations

import io
import re

from flask import Flask, Response, request
from werkzeug.exceptions import RequestEntityTooLarge

from indexer.content.schema import MAX_ID_LENGTH

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+){0,20}$")

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
])


def valid_id(value: str) -> bool:
    """Ids are slugs of at most MAX_ID_LENGTH characters; anything else is refused
    before any file or index look-up.

    >>> valid_id("sinos-valley"), valid_id("../etc/passwd"), valid_id("A"), valid_id("sinos-valley\\n")
    (True, False, False, False)
    >>> valid_id("a" * MAX_ID_LENGTH), valid_id("a" * (MAX_ID_LENGTH + 1))
    (True, False)
    """
    return len(value) <= MAX_ID_LENGTH and bool(ID_PATTERN.fullmatch(value))


def hardening_headers(html: bool) -> list[tuple[str, str]]:
    """The headers every response carries (the CSP on HTML only); gunicorn's own error
    pages get them too (webui/server.py)."""
    headers = [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
    ]
    if html:
        headers.append(("Content-Security-Policy", CONTENT_SECURITY_POLICY))
    return headers


CHUNKED_BODY_CUT = "casebase.chunked_body_cut"


class ChunkedBodyLimit:
    """WSGI middleware: a body without Content-Length (Transfer-Encoding: chunked) is
    read here, at most `limit` + 1 bytes, and handed on with its Content-Length, so
    the app's per-route limit answers 413 instead of a view reading a cut-off body.

    A body over `limit` is not read further: the app sees a Content-Length past every
    limit and an empty stream, and answers 413 through its own error handlers."""

    def __init__(self, app, limit: int):
        self.app = app
        self.limit = limit

    def __call__(self, environ, start_response):
        # Transfer-Encoding wins over any Content-Length sent beside it (RFC 9112 6.3).
        if _is_chunked(environ):
            body = _read_at_most(environ["wsgi.input"], self.limit + 1)
            # Now a plain body of known length; Werkzeug ignores Content-Length while
            # Transfer-Encoding says chunked.
            del environ["HTTP_TRANSFER_ENCODING"]
            environ["CONTENT_LENGTH"] = str(len(body))
            environ["wsgi.input"] = io.BytesIO(b"" if len(body) > self.limit else body)
            if len(body) > self.limit:
                # A route with a larger limit (uploads) would otherwise see an empty body.
                environ[CHUNKED_BODY_CUT] = self.limit
        return self.app(environ, start_response)


def _is_chunked(environ) -> bool:
    return "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()


def _read_at_most(stream, size: int) -> bytes:
    chunks, remaining = [], size
    while remaining > 0:
        chunk = stream.read(min(remaining, 1 << 16))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def init_app(app: Flask) -> None:
    """Register the header hook and the chunked-body limit."""
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, app.config["MAX_BUFFERED_BODY"])

    @app.before_request
    def refuse_cut_bodies():
        limit = request.environ.get(CHUNKED_BODY_CUT)
        if limit is not None:
            raise RequestEntityTooLarge(
                f"a body sent without its length (chunked) may be at most {limit // 1024} KiB; "
                "send it with a Content-Length header (browsers and curl -F do)")

    @app.after_request
    def harden(response: Response) -> Response:
        for name, value in hardening_headers(response.mimetype == "text/html"):
            response.headers.setdefault(name, value)
        return response
