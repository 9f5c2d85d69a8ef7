"""Sign-in, roles and CSRF protection for the editing part of the app."""

from __future__ import annotations

import functools
import hmac
import secrets
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, g, redirect, render_template, request, session, url_for

from indexer.library.accounts import Accounts, TooManyAttempts, User

bp = Blueprint("auth", __name__)
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


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
    """Accounts database, session cookie policy, the current user and CSRF checks."""
    load_secret_key(app)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    database = Path(app.config.get("ACCOUNTS_DATABASE") or Path(app.instance_path) / "casebase.sqlite3")
    app.extensions["accounts"] = Accounts(database)

    @app.before_request
    def load_user() -> None:
        name = session.get("user")
        g.user = accounts().get(name) if name else None
        if not app.config.get("ANONYMOUS_READERS", True) and g.user is None and request.endpoint not in (
                "auth.login", "static", "api.health"):
            abort(401, description="Sign in to read the casebase.")

    @app.context_processor
    def inject() -> dict:
        return {"current_user": g.get("user"), "csrf_token": csrf_token}


def accounts() -> Accounts:
    """The current app's accounts."""
    return current_app.extensions["accounts"]


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
    next_url = request.values.get("next") or "/"
    if not next_url.startswith("/") or next_url.startswith("//"):
        next_url = "/"
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
                session.clear()
                session["user"] = user.name
                csrf_token()
                return redirect(next_url)
    return render_template("login.html", error=error, next_url=next_url), status


@bp.post("/logout")
def logout():
    """Sign out."""
    check_csrf()
    session.clear()
    return redirect(url_for("pages.home"))
