"""Cluster Casebase web front end: Flask app factory, pages and JSON API.

The web layer only parses requests, calls the one `Casebase` service object that
`create_app` opens for the process, and renders; all logic lives in `indexer`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from flask import Flask

from .config import DefaultConfig


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create the app: config object, then instance/config.py, then CASEBASE_*
    environment variables, then `test_config` (which may inject a ready Casebase)."""
    app = Flask(__name__, instance_relative_config=True)
    app.json.sort_keys = False  # keep the documented field order of the JSON answers
    app.config.from_object(DefaultConfig)
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("CASEBASE")
    else:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)

    from . import api, errors, pages, security, services

    services.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(pages.bp)
    app.register_blueprint(api.bp)
    return app

