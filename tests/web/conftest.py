"""Fixtures for web tests, after Flask's tutorial: app, client, runner.

The app serves the bundled content from an index built once per session with the
deterministic hashing encoder, so web tests need no model.
"""

from __future__ import annotations

import pytest

from tests.web.support import REPO_ROOT, launch_chromium, make_app, open_indexed


@pytest.fixture(scope="session")
def bundled_casebase(tmp_path_factory):
    """The bundled content, indexed with the fake encoder."""
    casebase = open_indexed(REPO_ROOT, index_dir=tmp_path_factory.mktemp("web-index"))
    yield casebase
    casebase.close()


@pytest.fixture
def app(bundled_casebase):
    """The app under test."""
    return make_app(bundled_casebase)


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner for app commands."""
    return app.test_cli_runner()


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's), launched once per browser-test module."""
    with launch_chromium() as chromium:
        yield chromium
