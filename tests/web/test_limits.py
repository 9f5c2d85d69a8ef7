"""Limits at the edges of the web layer (issue 17): Unicode digits in editor fields are
a located 422, and a real `casebase serve` (gunicorn) answers over-long request lines
with its own 414 carrying the same security headers as the app's pages, while the
advisor's GET form still holds a long description."""

from __future__ import annotations

import re
import socket
import urllib.parse

import pytest

from webui.security import CONTENT_SECURITY_POLICY, hardening_headers
from webui.server import LIMIT_REQUEST_LINE

from tests.web.support import PASSWORD, close_app, copy_content, indexed_app
from tests.web.test_serve import _get, _wait_for_health, keyword_index, running_server  # noqa: F401 (fixture)
from tests.web.test_editing_web import form_of

NOTE = "balanced-scorecard"


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture(scope="module")
def editor(tmp_path_factory):
    """A signed-in editor's client over a private copy of the content."""
    app = indexed_app(copy_content(tmp_path_factory.mktemp("limits") / "content"), users=(("erin", "editor"),))
    client = app.test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"name": "erin", "password": PASSWORD, "csrf_token": token}).status_code == 302
    yield client
    close_app(app)


def _save_with(client, **changes: str):
    form = form_of(client.get(f"/edit/notes/{NOTE}").get_data(as_text=True))
    assert set(changes) <= set(form), sorted(form)
    form.update({name: [value] for name, value in changes.items()})
    return client.post(f"/edit/notes/{NOTE}", data=form)


@pytest.mark.parametrize("digit", ["²", "①", "٣", "１"])
def test_unicode_digits_in_an_integer_field_are_a_422_naming_it(editor, digit):
    response = _save_with(editor, learn_order=digit)
    assert response.status_code == 422, response.status_code
    assert "learn_order" in response.get_data(as_text=True)


@pytest.mark.parametrize("digit", ["①", "²⁰⁰¹"])
def test_unicode_digits_in_a_source_year_are_a_422_naming_that_year(editor, digit):
    response = _save_with(editor, **{"source-0-year": digit})
    assert response.status_code == 422, response.status_code
    assert 'href="#f-source-0-year"' in response.get_data(as_text=True)


def test_an_ascii_number_still_saves(editor):
    assert _save_with(editor, learn_order="7").status_code in (302, 303)


# -- the production server ------------------------------------------------------------------

def _raw_request(port: int, request: bytes) -> tuple[int, dict[str, str]]:
    """Send raw bytes, read the answer's status line and headers (gunicorn's own errors
    come before any WSGI app, so only a raw socket can produce them)."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = int(head[0].split()[1])
    headers = {}
    for line in head[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers


def _assert_hardened(headers: dict[str, str]) -> None:
    for name, value in hardening_headers(html=True):
        assert headers.get(name.lower()) == value, (name, headers)


def test_gunicorn_errors_carry_the_security_headers_and_the_advisor_takes_a_long_description(
        keyword_index, tmp_path):  # noqa: F811 (fixture)
    log = tmp_path / "server.log"
    with running_server(keyword_index, log) as (process, base, port):
        _wait_for_health(process, base, log)
        # Longer than gunicorn's limit: its own 414, hardened.
        status, headers = _raw_request(port, b"GET /search?q=" + b"a" * (LIMIT_REQUEST_LINE + 10)
                                       + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert status == 414
        _assert_hardened(headers)
        assert headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        # A malformed request line: its own 400, hardened.
        status, headers = _raw_request(port, b"BROKEN\r\n\r\n")
        assert status == 400
        _assert_hardened(headers)
        # An app page keeps its headers (set by the app, not doubled by the worker).
        status, headers = _raw_request(port, b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        assert status == 200 and headers["x-frame-options"] == "DENY"
        # The advisor's GET form with a long plain-English description (the line limit's purpose).
        sentence = "A footwear cluster of many small family firms that compete on price and rarely cooperate. "
        description = (sentence * (5000 // len(sentence)))[:4900]
        query = urllib.parse.urlencode({"description": description})
        assert len(query) > 4094  # gunicorn's default limit answered 414 here
        status, _, body = _get(f"{base}/advisor?{query}", timeout=30)
        assert status == 200, body[:500]
