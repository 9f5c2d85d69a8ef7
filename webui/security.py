"""Hardening headers on every response, and the id pattern checked before look-ups."""

from __future__ import annotations

import re

from flask import Flask, Response

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


def init_app(app: Flask) -> None:
    """Register the header hook."""

    @app.after_request
    def harden(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if response.mimetype == "text/html":
            headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
