"""Set-up shared by the web tests (a helper module, not a test file).

Content and apps: `copy_content` copies the bundled content into a private folder,
`open_indexed` indexes a content folder with the deterministic hashing encoder (so no
model is needed), `make_app` and `indexed_app` create the app under test, `close_app`
shuts one down.

Browsers: `NEEDS_CHROMIUM` and `import_playwright` skip the browser tests where Debian's
Chromium or playwright is missing, `serve_in_thread` serves an app on a free local port,
`launch_chromium` starts headless Chromium (never a downloaded one), `new_context` opens a
browser context on the live server, and `watch_page` collects what goes wrong in a page.

Nothing here imports playwright at import time: conftest.py and the non-browser tests
import this module too.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from indexer.search.encoder import HashingEncoder
from indexer.service import Casebase
from indexer.settings import Settings
from webui import create_app

REPO_ROOT = Path(__file__).resolve().parents[2]
CONTENT_FOLDERS = ("cases", "kb")
PASSWORD = "a long enough secret"  # every test user's password
UPDATE_WAIT_S = 30  # how long `close_app` waits for a background index update

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000

# The `pytestmark` of a browser test module: skip it where Chromium is not installed.
NEEDS_CHROMIUM = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason=f"browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium); CI installs it",
)


# ------------------------------------------------------------------------ content and apps

def copy_content(target_dir: Path) -> Path:
    """Copy the bundled content (cases/ and kb/) into `target_dir`, which must not exist
    yet, so that edits and publishing never touch the checkout; returns `target_dir`."""
    target_dir = Path(target_dir)
    for folder in CONTENT_FOLDERS:
        shutil.copytree(REPO_ROOT / folder, target_dir / folder)
    return target_dir


def open_indexed(content_dir: Path, index_dir: Path | None = None) -> Casebase:
    """A Casebase over `content_dir` whose index is built with the hashing encoder.

    The index goes to `index_dir`, by default content_dir/instance/index (pass a
    temporary folder when the content is the checkout). The caller closes it."""
    content_dir = Path(content_dir)
    if index_dir is None:
        index_dir = content_dir / "instance" / "index"
    settings = Settings.from_env(content_dir=content_dir, index_dir=index_dir, environ={})
    casebase = Casebase.open(settings, encoder=HashingEncoder())
    casebase.build_index()
    return casebase


def make_app(casebase: Casebase, users: Iterable[tuple[str, str]] = (), **config: Any) -> Flask:
    """The app in testing mode over `casebase`, with extra `config` keys (e.g.
    SESSION_COOKIE_SECURE=False), and the given (name, role) users, each with PASSWORD."""
    app = create_app({"TESTING": True, "CASEBASE": casebase, **config})
    accounts = app.extensions["accounts"]
    for name, role in users:
        accounts.add_user(name, role, PASSWORD)
    return app


def indexed_app(content_dir: Path, users: Iterable[tuple[str, str]] = (), **config: Any) -> Flask:
    """An app over `content_dir`, indexed with the hashing encoder (see `open_indexed`),
    with the given (name, role) users. Session cookies are not marked Secure, so that a
    test client or a browser on plain http keeps them, unless `config` says otherwise.
    Shut it down with `close_app`."""
    config.setdefault("SESSION_COOKIE_SECURE", False)
    return make_app(open_indexed(content_dir), users, **config)


def close_app(app: Flask) -> None:
    """Wait for the app's background index update, if any, then close its Casebase."""
    app.extensions["updater"].wait(UPDATE_WAIT_S)
    app.extensions["casebase"].close()


# ------------------------------------------------------------------------ browsers

def import_playwright():
    """playwright.sync_api; called at a browser test module's top level, it skips the
    module where playwright is not installed."""
    return pytest.importorskip("playwright.sync_api", reason="browser tests need the playwright package")


@contextmanager
def serve_in_thread(app: Flask, name: str = "live-server") -> Iterator[str]:
    """Serve `app` on 127.0.0.1 on a free port from a background thread; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name=name, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.server_close()


@contextmanager
def launch_chromium():
    """Headless Debian Chromium (CHROMIUM) driven by playwright; yields the browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def new_context(browser, base_url: str, viewport: dict[str, int] = DESKTOP):
    """A fresh browser context (empty storage) on `base_url` whose waits time out after TIMEOUT_MS."""
    context = browser.new_context(base_url=base_url, viewport=viewport)
    context.set_default_timeout(TIMEOUT_MS)
    return context


def watch_page(page, problems: list[str] | None = None) -> list[str]:
    """Record what goes wrong in `page` into `problems` (a new list unless one is given,
    so several pages can share one) and return it; a test asserts it stays empty.

    A CSP violation or a script error shows in the console, a missing stylesheet, script
    or icon as a failed sub-request; the app should have none. (A 404 *page* is fine.)"""
    if problems is None:
        problems = []
    page.on("console", lambda message: problems.append(f"console {message.type}: {message.text}")
            if message.type == "error" and not message.text.startswith("Failed to load resource") else None)
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("response", lambda response: problems.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400 and response.request.resource_type != "document" else None)
    return problems


def watched_page(browser, base_url: str, viewport: dict[str, int] = DESKTOP):
    """A page in a fresh context (a generator for fixtures); after the test the context
    closes and the test fails on any console error, script error or failed sub-request."""
    context = new_context(browser, base_url, viewport)
    page = context.new_page()
    problems = watch_page(page)
    yield page
    context.close()
    assert not problems, problems


def serious_violations(page, axe_script) -> list[str]:
    """axe-core's serious and critical violations on the page as it is (the script is
    injected from the installed copy), each as 'rule: first nodes'."""
    page.add_script_tag(path=str(axe_script))
    return page.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
        .violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
        .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '))""")
