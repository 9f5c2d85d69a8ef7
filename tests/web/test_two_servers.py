"""Two `casebase serve` processes on loopback sharing one private PostgreSQL database,
one content folder (a copy in tmp) and one index folder: what one server does, the
other sees - a publish becomes searchable, a draft visible, an edit conflict detected,
the login throttle counted, a session accepted - and a database outage leaves reads
working, refuses writes with 503, and heals when the database is back."""

from __future__ import annotations

import http.cookiejar
import json
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from html import unescape

import pytest

from indexer.library.accounts import MAX_FAILURES
from tests.web.support import PASSWORD, copy_content
from tests.web.test_serve import CASEBASE, _environment, _wait_for_health, running_server
from tests.web.test_editing_web import form_of, token_of

PUBLISH_VISIBLE_WITHIN = 60.0  # seconds for a publish on A to be searchable on B


class Browser:
    """One person's cookie jar, usable against both servers (cookies ignore the port)."""

    def __init__(self):
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)

    def request(self, url: str, form: dict | None = None) -> tuple[int, str, dict]:
        data = urllib.parse.urlencode(form, doseq=True).encode() if form is not None else None
        try:
            with self.opener.open(url, data=data, timeout=30) as response:
                return response.status, response.read().decode(), dict(response.headers)
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(), dict(error.headers)

    def sign_in(self, base: str, name: str, password: str = PASSWORD) -> int:
        status, page, _ = self.request(f"{base}/login")
        assert status == 200, page
        status, _, _ = self.request(f"{base}/login", {"name": name, "password": password,
                                                      "csrf_token": token_of(page)})
        return status


def _cli(*arguments: str, **env: str) -> subprocess.CompletedProcess:
    result = subprocess.run([str(CASEBASE), *arguments], env=_environment(**env), capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def cluster(private_postgres, tmp_path_factory):
    """Servers A and B over one database, content copy and index; yields their URLs."""
    root = tmp_path_factory.mktemp("two-servers")
    content = copy_content(root / "content")
    index = root / "instance" / "index"
    url = private_postgres.create_database()
    env = {"CASEBASE_DATABASE_URL": url, "CASEBASE_SESSION_COOKIE_SECURE": "false"}
    where = ["--content", str(content), "--index", str(index)]
    _cli(*where, "index", "--no-semantic")
    _cli(*where, "db", "upgrade", **env)
    for name, role in (("erin", "editor"), ("ed", "editor"), ("rita", "reviewer"), ("tom", "editor")):
        _cli(*where, "user", "add", name, "--role", role, "--password", PASSWORD, **env)
    # No CASEBASE_SECRET_KEY: A creates instance/secret_key, B (same instance folder) reads it.
    with running_server(index, root / "a.log", "--workers", "1", content=content, **env) as (process_a, a, _):
        _wait_for_health(process_a, a, root / "a.log")
        with running_server(index, root / "b.log", "--workers", "1", content=content, **env) as (process_b, b, _):
            _wait_for_health(process_b, b, root / "b.log")
            yield {"a": a, "b": b, "content": content, "postgres": private_postgres, "logs": root}


def _search(base: str, query: str) -> list[str]:
    status, body, _ = Browser().request(f"{base}/api/search?q={urllib.parse.quote(query)}&mode=keyword")
    assert status == 200, body
    return [hit["id"] for hit in json.loads(body)["results"]]


def _edit_form(browser: Browser, base: str, case_id: str) -> dict:
    status, page, _ = browser.request(f"{base}/edit/cases/{case_id}")
    assert status == 200, page
    return form_of(page)


def test_a_session_signed_by_one_server_is_accepted_by_the_other(cluster):
    browser = Browser()
    assert browser.sign_in(cluster["a"], "erin") == 302
    status, page, _ = browser.request(f"{cluster['b']}/drafts")
    assert status == 200 and "erin" in page
    assert browser.request(f"{cluster['b']}/drafts")[0] == 200
    # Signing out on B ends the session on A too (it is a row in the shared database).
    token = token_of(browser.request(f"{cluster['b']}/drafts")[1])
    assert browser.request(f"{cluster['b']}/logout", {"csrf_token": token})[0] == 302
    assert browser.request(f"{cluster['a']}/drafts")[0] == 401


def test_a_publish_on_one_server_is_searchable_on_the_other(cluster):
    editor, reviewer = Browser(), Browser()
    editor.sign_in(cluster["a"], "erin")
    reviewer.sign_in(cluster["b"], "rita")
    assert _search(cluster["b"], "marimbaphonists") == []
    form = _edit_form(editor, cluster["a"], "criciuma")
    form["body"] = [form["body"][0] + "\n\nMarimbaphonists joined the consortium (Field notes 2026).\n"]
    status, _, headers = editor.request(f"{cluster['a']}/edit/cases/criciuma", form)
    assert status == 302, headers
    draft_path = headers["Location"]
    # The draft saved on A is visible on B, and B's reviewer publishes it.
    status, page, _ = reviewer.request(f"{cluster['b']}{draft_path}")
    assert status == 200 and "Marimbaphonists" in unescape(page)
    status, _, _ = reviewer.request(f"{cluster['b']}{draft_path}/publish", {"csrf_token": token_of(page)})
    assert status == 302
    deadline = time.monotonic() + PUBLISH_VISIBLE_WITHIN
    while time.monotonic() < deadline and "criciuma" not in _search(cluster["a"], "marimbaphonists"):
        time.sleep(0.5)
    assert "criciuma" in _search(cluster["a"], "marimbaphonists")
    assert "criciuma" in _search(cluster["b"], "marimbaphonists")
    status, page, _ = Browser().request(f"{cluster['a']}/cases/criciuma")
    assert status == 200 and "Marimbaphonists" in page


def test_conflicting_saves_on_both_servers_are_detected(cluster):
    first, second = Browser(), Browser()
    first.sign_in(cluster["a"], "erin")
    second.sign_in(cluster["b"], "ed")
    form_a = _edit_form(first, cluster["a"], "zamora-frogs")
    form_b = _edit_form(second, cluster["b"], "zamora-frogs")
    form_a["title"], form_b["title"] = ["Zamora frogs, edited on A"], ["Zamora frogs, edited on B"]
    assert first.request(f"{cluster['a']}/edit/cases/zamora-frogs", form_a)[0] == 302
    status, page, _ = second.request(f"{cluster['b']}/edit/cases/zamora-frogs", form_b)
    assert status == 409 and "edited on A" in unescape(page) and "edited on B" in unescape(page)


def test_an_outage_keeps_reads_refuses_writes_and_heals(cluster):
    editor = Browser()
    editor.sign_in(cluster["a"], "erin")
    form = _edit_form(editor, cluster["a"], "dortmund")
    cluster["postgres"].stop()
    try:
        for base in (cluster["a"], cluster["b"]):
            assert _search(base, "footwear")  # search needs only the index
            assert Browser().request(f"{base}/cases/sinos-valley")[0] == 200
            assert editor.request(f"{base}/cases/sinos-valley")[0] == 200  # signed in, read as a reader
            status, body, _ = editor.request(f"{base}/edit/cases/dortmund", form)
            assert status == 503 and "cannot be saved right now" in body
            assert editor.request(f"{base}/drafts")[0] == 503
    finally:
        cluster["postgres"].start()
    form["title"] = ["Dortmund, saved after the outage"]
    assert editor.request(f"{cluster['b']}/edit/cases/dortmund", form)[0] == 302
    assert "Traceback" not in (cluster["logs"] / "a.log").read_text(errors="replace")


def test_the_login_throttle_counts_attempts_on_both_servers(cluster):
    """Last: the throttle counts by address too, and every attempt here comes from 127.0.0.1."""
    browser = Browser()
    statuses = [browser.sign_in(cluster["a" if attempt % 2 else "b"], "tom", "wrong password")
                for attempt in range(MAX_FAILURES)]
    assert statuses == [401] * MAX_FAILURES
    assert browser.sign_in(cluster["a"], "tom") == 429
    assert browser.sign_in(cluster["b"], "tom") == 429
