"""Sign-in, roles and CSRF protection for the editing part of the app.

The session cookie carries a session token; the engine's accounts decide on every
request whether it is still live (signed out, password changed, lifetime over).
"""

from __future__ import annotations

import functools
import hmac
import secrets
import unicodedata
from pathlib import Path
from urllib.parse import urlsplit

from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, request, session, url_for

from indexer.errors import Unavailable
from indexer.library.accounts import Accounts, TooManyAttempts, User

bp = Blueprint("auth", __name__)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
SESSION_TOKEN = "session"  # the key of the session token in Flask's signed cookie


def load_secret_key(app: Flask) -> None:
    """Use the configured key, else instance/secret_key; refuse to run production without one."""
    if app.config.get("SECRET_KEY"):
        return
    key_file = Path(app.instance_path) / "secret_key"
    if key_file.exists():
        app.config["SECRET_KEY"] = key_file.read_text(encoding="utf-8").strip()
    elif app.config.get("TESTING") or app.debug:
        app.config["SECRET_KEY"] = secrets.token_hex(32)
    else:
        raise RuntimeError(
            "no secret key: set CASEBASE_SECRET_KEY, or create instance/secret_key "
            "('casebase serve' creates one on first start)")


def init_app(app: Flask) -> None:
    """Session cookie policy, the current user and CSRF checks."""
    load_secret_key(app)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"

    @app.before_request
    def load_user() -> None:
        token = session.get(SESSION_TOKEN)
        g.database_unavailable = None
        try:
            g.user = accounts().session_user(token) if token else None
        except Unavailable as outage:
            if request.method not in SAFE_METHODS:
                raise  # a write cannot be done without the database: 503 with the reason
            # Reads need only content and index: answer as to a reader, keep the cookie
            # for when the database is back, and let editing pages say why (503).
            g.user, g.database_unavailable = None, outage
        else:
            if token and g.user is None:
                session.clear()  # ended on the server: the cookie goes too
        if not app.config.get("ANONYMOUS_READERS", True) and g.user is None and request.endpoint not in (
                "auth.login", "static", "api.health"):
            if g.database_unavailable is not None:
                raise g.database_unavailable  # who is signed in cannot be known now
            abort(401, description="Sign in to read the casebase.")

    @app.context_processor
    def inject() -> dict:
        return {"current_user": g.get("user"), "csrf_token": csrf_token}


def accounts() -> Accounts:
    """The current app's accounts (the engine's, through the Casebase)."""
    return current_app.extensions["casebase"].accounts


def safe_next(value: str | None) -> str:
    r"""A same-site path to go to after signing in, else '/'.

    Browsers drop tabs and newlines inside URLs and read a backslash as a slash, so
    those are removed or refused before deciding; only a path on this site remains.

    >>> safe_next("/cases/x?q=1"), safe_next("/%09/evil.invalid/"), safe_next("/\t/evil.invalid/")
    ('/cases/x?q=1', '/%09/evil.invalid/', '/')
    >>> safe_next("//evil.invalid"), safe_next("/\\evil.invalid"), safe_next("https://evil.invalid")
    ('/', '/', '/')
    >>> safe_next("/a\nb"), safe_next("/drafts\u200b"), safe_next(None)
    ('/ab', '/drafts', '/')
    """
    if not value:
        return "/"
    # Control and format characters, and every kind of space, are never part of a path.
    cleaned = "".join(ch for ch in value if not ch.isspace() and unicodedata.category(ch)[0] not in "CZ")
    if not cleaned.startswith("/") or cleaned.startswith("//") or "\\" in cleaned:
        return "/"
    parts = urlsplit(cleaned)
    if parts.scheme or parts.netloc:
        return "/"
    return cleaned


def csrf_token() -> str:
    """The session's CSRF token (created on first use)."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def check_csrf() -> None:
    """Refuse a state-changing request without the session's token (form field or header)."""
    if request.method in SAFE_METHODS:
        return
    sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token") or ""
    expected = session.get("csrf") or ""
    if not expected or not hmac.compare_digest(sent, expected):
        abort(400, description="missing or invalid CSRF token; reload the page and try again")


def require(role: str):
    """Decorator: 401 when signed out, 403 when the role is too low, CSRF on writes."""
    def decorate(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            user: User | None = g.get("user")
            if g.get("database_unavailable") is not None:
                raise g.database_unavailable
            if user is None:
                abort(401, description="Sign in to edit the library.")
            if not user.can(role):
                abort(403, description=f"This needs the {role} role; you are a {user.role}.")
            check_csrf()
            return view(*args, **kwargs)
        wrapped.required_role = role  # type: ignore[attr-defined]
        return wrapped
    return decorate


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in."""
    error = None
    status = 200
    next_url = safe_next(request.values.get("next"))
    if request.method == "POST":
        check_csrf()
        name = request.form.get("name", "").strip()
        try:
            user = accounts().authenticate(name, request.form.get("password", ""), request.remote_addr or "")
        except TooManyAttempts as exc:
            error, status = str(exc), 429
        else:
            if user is None:
                error, status = "Wrong name or password.", 401
            else:
                accounts().end_session(session.get(SESSION_TOKEN))  # a fresh session on every sign-in
                session.clear()
                session[SESSION_TOKEN] = accounts().start_session(user)
                session.permanent = True  # the cookie lasts as long as the server-side session
                csrf_token()
                return redirect(next_url)
    return render_template("login.html", error=error, next_url=next_url), status


@bp.post("/logout")
def logout():
    """Sign out."""
    check_csrf()
    accounts().end_session(session.get(SESSION_TOKEN))
    session.clear()
    return redirect(url_for("pages.home"))
