"""Fixtures for web tests, after Flask's tutorial: app, client, runner.

The app serves the bundled content from an index built once per session with the
deterministic hashing encoder, so web tests need no model.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from indexer.encoder import HashingEncoder
from indexer.service import Casebase
from indexer.settings import Settings
from webui import create_app

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def bundled_casebase(tmp_path_factory):
    """The bundled content, indexed with the fake encoder."""
    settings = Settings.from_env(content_dir=REPO_ROOT, index_dir=tmp_path_factory.mktemp("web-index"),
                                 environ={})
    casebase = Casebase.open(settings, encoder=HashingEncoder())
    casebase.build_index()
    yield casebase
    casebase.close()


@pytest.fixture
def app(bundled_casebase):
    """The app under test."""
    return create_app({"TESTING": True, "CASEBASE": bundled_casebase})


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for app commands."""
    return app.test_cli_runner()
