"""Cluster Casebase web front end: Flask app factory, pages and JSON API.

The web layer only parses requests, calls the one `Casebase` service object that
`create_app` opens for the process, and renders; all logic lives in `indexer`.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Mapping

from flask import Flask

from indexer.compat import serialise_ast
from indexer.settings import Settings

from .config import DefaultConfig


def create_app(test_config: Mapping[str, Any] | None = None, settings: Settings | None = None) -> Flask:
    """Create the app: config object, then instance/config.py, then CASEBASE_*
    environment variables, then `test_config` (which may inject a ready Casebase as
    CASEBASE). `settings` says where content and index live (`casebase serve` passes
    its own); without them they come from CONTENT/INDEX in `test_config` or CASEBASE_*
    variables."""
    given = dict(test_config or {})
    if given.get("CASEBASE") is not None:
        settings = given["CASEBASE"].settings
    from_config = settings is None
    if from_config:
        settings = Settings.from_env(content_dir=given.get("CONTENT"), index_dir=given.get("INDEX"))
    instance = settings.instance_dir
    # The instance folder is the one the CLI uses too (accounts, drafts, secret key).
    app = Flask(__name__, instance_path=str(instance), instance_relative_config=True)
    app.json.sort_keys = False  # keep the documented field order of the JSON answers
    app.config.from_object(DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("CASEBASE")
    else:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if from_config:  # instance/config.py may name CONTENT and INDEX too
        settings = Settings.from_env(content_dir=app.config.get("CONTENT"), index_dir=app.config.get("INDEX"))

    from . import (api, auth, caching, documents_api, documents_pages, editor, errors, observatory_api,
                   observatory_pages, pages, section_editing, security, services)

    # Routes first: werkzeug compiles each with the ast module, and CPython 3.11's ast
    # state is shared between threads (gh-106905), so that must be done before the
    # Casebase starts loading in the background; other threads of this process (an
    # earlier Casebase's) take turns with it.
    serialise_ast()
    editor.init_app(app)  # the row_id converter the routes use
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(editor.bp)
    app.register_blueprint(section_editing.bp)
    app.register_blueprint(observatory_pages.bp)
    app.register_blueprint(observatory_api.bp)
    app.register_blueprint(documents_pages.bp)
    app.register_blueprint(documents_api.bp)
    services.init_app(app, settings)
    security.init_app(app)
    errors.init_app(app)
    auth.init_app(app)
    caching.init_app(app)  # after auth: it must know whether someone is signed in
    app.jinja_env.filters["timestamp"] = _timestamp
    return app


def _timestamp(seconds: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(seconds))

