"""`casebase serve` starts a real server (gunicorn, or Flask's reloader with --dev) that
answers health checks, searches and pages, and stops cleanly with its process group.

A keyword-only index of the bundled content is built once into a temporary folder with
the installed `casebase` command; servers run with CASEBASE_SEMANTIC=false (Flask's
from_prefixed_env json-loads it to False) so no model is loaded.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CASEBASE = Path(sys.executable).with_name("casebase")
START_TIMEOUT = 60.0
STOP_TIMEOUT = 20.0


def _environment(**extra: str) -> dict[str, str]:
    """This process's environment without CASEBASE_* settings, plus `extra`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("CASEBASE_")}
    env.update(PYTHONUNBUFFERED="1", **extra)
    return env


def bundled_content():
    """The bundled content as the server loads it (expected counts come from here)."""
    from indexer.checking import load_library

    return load_library(REPO_ROOT)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float = 5.0) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture(scope="module")
def keyword_index(tmp_path_factory) -> Path:
    """A keyword-only index of the bundled content, built by the real command."""
    assert CASEBASE.exists(), f"{CASEBASE} not installed"
    index = tmp_path_factory.mktemp("serve") / "index"
    result = subprocess.run([str(CASEBASE), "--content", str(REPO_ROOT), "--index", str(index), "index",
                             "--no-semantic"], env=_environment(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (index / "CURRENT").exists()
    return index


@contextmanager
def running_server(index: Path, log: Path, *extra: str, content: Path = REPO_ROOT, **env: str):
    """Start `casebase serve` in its own process group; yield (process, base URL, log);
    always terminate the whole group (gunicorn workers, the reloader's child) afterwards."""
    port = _free_port()
    command = [str(CASEBASE), "--content", str(content), "--index", str(index), "serve",
               "--host", "127.0.0.1", "--port", str(port), *extra]
    with open(log, "wb") as output:
        process = subprocess.Popen(command, env=_environment(CASEBASE_SEMANTIC="false", **env), stdout=output,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
                                   cwd=log.parent)
    try:
        yield process, f"http://127.0.0.1:{port}", port
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=STOP_TIMEOUT)
    # Children (workers, the reloader's child) may outlive the leader briefly: make sure the
    # group is gone, with SIGKILL as the last resort.
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _wait_for_health(process: subprocess.Popen, base: str, log: Path) -> dict:
    deadline = time.monotonic() + START_TIMEOUT
    last_error = None
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode} before answering:\n{log.read_text()}")
        try:
            status, _, body = _get(f"{base}/api/health", timeout=2.0)
            if status == 200:
                return json.loads(body)
            last_error = f"status {status}"
        except (urllib.error.URLError, ConnectionError, TimeoutError, socket.timeout) as exc:
            last_error = exc
        time.sleep(0.25)
    pytest.fail(f"no answer from {base}/api/health within {START_TIMEOUT}s ({last_error}):\n{log.read_text()}")


def _check_answers(base: str) -> None:
    """Health is ok, keyword search finds the frog case, pages carry the hardening headers."""
    status, headers, body = _get(f"{base}/api/search?q=frog+exporters&mode=keyword&kind=case")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    data = json.loads(body)
    assert data["total"] >= 1 and data["results"][0]["id"] == "zamora-frogs"
    # The default (hybrid) mode degrades to keyword on a keyword-only index instead of failing.
    status, _, body = _get(f"{base}/api/search?q=footwear")
    assert status == 200 and json.loads(body)["results"]
    status, headers, body = _get(f"{base}/search?q=footwear")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "script-src 'self'" in headers["Content-Security-Policy"] and headers["X-Frame-Options"] == "DENY"
    assert b"Sinos" in body or b"footwear" in body
    status, _, _ = _get(f"{base}/cases/sinos-valley")
    assert status == 200
    status, _, body = _get(f"{base}/cases/..%2F..%2Fetc%2Fpasswd")
    assert status == 404 and b"root:" not in body
    status, _, _ = _get(f"{base}/static/app.js")
    assert status == 200


@pytest.mark.parametrize("mode", [["--workers", "1"], ["--dev"]], ids=["gunicorn", "dev"])
def test_serve_starts_answers_and_stops(keyword_index, tmp_path, mode):
    log = tmp_path / "server.log"
    with running_server(keyword_index, log, *mode) as (process, base, port):
        health = _wait_for_health(process, base, log)
        assert health["status"] == "ok", health
        assert health["index"]["generation"] == (keyword_index / "CURRENT").read_text().strip()
        assert health["index"]["semantic"] is False
        assert health["content"]["cases"] == len(bundled_content().cases) and health["content"]["errors"] == 0
        _check_answers(base)
        assert process.poll() is None, "the server stopped while answering"
    assert process.returncode is not None
    assert not _port_open(port), "the port still accepts connections after the group was terminated"
    text = log.read_text(errors="replace")
    assert "Traceback" not in text, text
    if mode == ["--dev"]:
        assert "reloader" in text.lower() or "Debugger is active" in text, text
    else:
        assert "Serving Cluster Casebase on http://127.0.0.1:" in text, text


def test_gunicorn_with_two_workers_serves_the_same_index(keyword_index, tmp_path):
    log = tmp_path / "server.log"
    with running_server(keyword_index, log, "--workers", "2") as (process, base, _):
        _wait_for_health(process, base, log)
        generations = set()
        for _ in range(6):
            status, _, body = _get(f"{base}/api/health")
            assert status == 200
            generations.add(json.loads(body)["index"]["generation"])
        assert len(generations) == 1
        workers = subprocess.run(["ps", "-o", "pid=", "--ppid", str(process.pid)], capture_output=True,
                                 text=True).stdout.split()
        assert len(workers) == 2, workers


def test_serve_without_an_index_exits_2_with_a_clear_message(tmp_path):
    missing = tmp_path / "no-index"
    result = subprocess.run([str(CASEBASE), "--content", str(REPO_ROOT), "--index", str(missing), "serve",
                             "--port", str(_free_port())], env=_environment(CASEBASE_SEMANTIC="false"),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert f"no index in {missing}" in result.stderr and "casebase index" in result.stderr
    assert "Traceback" not in result.stderr
    assert not missing.exists() or not (missing / "CURRENT").exists()


def test_semantic_setting_from_the_environment_is_parsed_as_json(keyword_index, monkeypatch):
    """CASEBASE_SEMANTIC=false reaches the app as False (not the truthy string 'false'),
    so the served app opens the Casebase without a model."""
    from webui import create_app

    for key in [k for k in os.environ if k.startswith("CASEBASE_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("CASEBASE_SEMANTIC", "false")
    monkeypatch.setenv("CASEBASE_CONTENT", str(REPO_ROOT))
    monkeypatch.setenv("CASEBASE_INDEX", str(keyword_index))
    app = create_app()
    assert app.config["SEMANTIC"] is False
    casebase = app.extensions["casebase"]
    try:
        assert casebase.encoder is None
        assert casebase.settings.index_dir == keyword_index.resolve()
    finally:
        casebase.close()


def test_create_app_takes_settings_directly_not_from_the_environment(keyword_index, monkeypatch, tmp_path):
    """`casebase serve` passes its Settings; stray CASEBASE_* variables do not redirect it."""
    from indexer.settings import Settings
    from webui import create_app

    monkeypatch.setenv("CASEBASE_CONTENT", str(tmp_path / "elsewhere"))
    monkeypatch.setenv("CASEBASE_INDEX", str(tmp_path / "elsewhere" / "index"))
    monkeypatch.setenv("CASEBASE_SEMANTIC", "false")
    monkeypatch.setenv("CASEBASE_SECRET_KEY", "k" * 64)
    settings = Settings.from_env(content_dir=REPO_ROOT, index_dir=keyword_index, environ={})
    app = create_app(settings=settings)
    casebase = app.extensions["casebase"]
    try:
        assert casebase.settings == settings and app.instance_path == str(settings.instance_dir)
        assert len(casebase.content.cases) == len(bundled_content().cases)
    finally:
        casebase.close()


class _Browser:
    """Just enough of a browser for a sign-in and a form post: cookies, no redirects."""

    def __init__(self, base: str):
        import http.cookiejar

        class Stay(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.base = base
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                                  Stay())

    def open(self, path: str, data: dict | None = None) -> tuple[int, str, str]:
        """(status, body, Location) of a GET, or of a POST when `data` is given."""
        from urllib.parse import urlencode

        body = urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as response:
                return response.status, response.read().decode(), response.headers.get("Location", "")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), error.headers.get("Location", "")


def test_after_a_publish_every_worker_serves_the_new_page_at_once(tmp_path):
    """Two gunicorn workers with warm caches: the first read after a publish, whichever
    worker answers it, shows the new text (each worker stats the content stamp)."""
    from tests.web.support import PASSWORD, copy_content
    from tests.web.test_editing_web import form_of, token_of

    content = copy_content(tmp_path / "content")
    index = content / "instance" / "index"
    for command in (["index", "--no-semantic"], ["user", "add", "rita", "--role", "reviewer", "--password", PASSWORD]):
        result = subprocess.run([str(CASEBASE), "--content", str(content), "--index", str(index), *command],
                                env=_environment(), capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
    note_id = sorted(path.stem for path in (content / "kb").glob("*.md")
                     if not path.stem.startswith("_") and path.stem.lower() != "readme")[0]
    log = tmp_path / "server.log"
    # One reviewer edits and publishes here, so the instance runs as a single maintainer.
    with running_server(index, log, "--workers", "2", content=content, CASEBASE_SESSION_COOKIE_SECURE="false",
                        CASEBASE_SINGLE_MAINTAINER="true") as (process, base, _):
        _wait_for_health(process, base, log)
        for _ in range(20):  # both workers cache the old page
            status, _, body = _get(f"{base}/notes/{note_id}")
            assert status == 200 and b"Retitled while cached" not in body
        browser = _Browser(base)
        token = token_of(browser.open("/login")[1])
        assert browser.open("/login", {"name": "rita", "password": PASSWORD, "csrf_token": token})[0] == 302
        form = form_of(browser.open(f"/edit/notes/{note_id}")[1])
        form["title"] = ["Retitled while cached"]
        status, page, draft_url = browser.open(f"/edit/notes/{note_id}", form)
        assert status == 302, page
        status, page, _ = browser.open(draft_url + "/publish", {"csrf_token": token_of(browser.open(draft_url)[1])})
        assert status == 302, page
        stale = [n for n in range(40) if b"Retitled while cached" not in _get(f"{base}/notes/{note_id}")[2]]
        assert stale == [], f"{len(stale)} of 40 reads after the publish were stale"
