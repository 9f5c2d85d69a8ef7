"""Fixtures for web tests, after Flask's tutorial: app, client, runner.

The app serves the bundled content from an index built once per session with the
deterministic hashing encoder, so web tests need no model.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from tests.web.support import REPO_ROOT, launch_chromium, make_app, open_indexed

AXE_DIR = REPO_ROOT / "test-output" / "axe"
AXE_SCRIPT = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"


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


@pytest.fixture(scope="session")
def axe_script():
    """axe.min.js from the npm registry, installed once into test-output/axe (every
    accessibility check asks for it, so none depends on another test having run first)."""
    if not AXE_SCRIPT.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.skip("npm is not installed: cannot fetch axe-core")
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--prefix", str(AXE_DIR), "axe-core"],
                              capture_output=True, text=True, timeout=180)
        if done.returncode != 0 or not AXE_SCRIPT.exists():
            pytest.skip(f"npm install axe-core failed: {done.stderr[-300:]}")
    return AXE_SCRIPT
