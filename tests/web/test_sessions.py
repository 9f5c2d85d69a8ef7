"""Sessions end on the server (sign-out, password change), sign-in redirects stay on
the site, and a second worker serves a publish on its next request."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from indexer.cli import main as casebase_cli
from indexer.service import Casebase
from tests.web.support import PASSWORD, close_app, copy_content, indexed_app, make_app
from tests.web.test_editing_web import form_of, signed_in, token_of

USERS = (("erin", "editor"), ("rita", "reviewer"))


@pytest.fixture
def site(tmp_path):
    app = indexed_app(copy_content(tmp_path / "content"), users=USERS)
    yield app
    close_app(app)


def cookie_of(client) -> str:
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """A new client that sends only an old session cookie, as a thief would."""
    client = app.test_client()
    client.set_cookie("session", cookie)
    return client


def test_signing_out_ends_the_session_on_the_server(site):
    editor = signed_in(site, "erin")
    token = token_of(editor.get("/drafts").get_data(as_text=True))
    stolen = cookie_of(editor)
    assert replay(site, stolen).get("/drafts").status_code == 200
    assert editor.post("/logout", data={"csrf_token": token}).status_code == 302
    old = replay(site, stolen)
    assert old.get("/drafts").status_code == 401
    assert old.post("/preview", data={"csrf_token": token, "body": "x"}).status_code == 401


def test_a_password_change_from_the_command_line_ends_old_sessions(site):
    editor = signed_in(site, "erin")
    stolen = cookie_of(editor)
    settings = site.extensions["casebase"].settings
    result = CliRunner().invoke(casebase_cli, ["--content", str(settings.content_dir), "--index",
                                               str(settings.index_dir), "user", "add", "erin", "--role", "editor",
                                               "--password", "a brand new secret"])
    assert result.exit_code == 0, result.output
    assert replay(site, stolen).get("/drafts").status_code == 401
    assert editor.get("/drafts").status_code == 401
    client = site.test_client()
    token = token_of(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"name": "erin", "password": PASSWORD, "csrf_token": token}).status_code == 401
    assert client.post("/login", data={"name": "erin", "password": "a brand new secret",
                                       "csrf_token": token}).status_code == 302


@pytest.mark.parametrize("next_value, expected", [
    ("/\t/evil.invalid/", "/"),  # what `next=/%09/evil.invalid/` in a URL decodes to
    ("/%09/evil.invalid/", "/%09/evil.invalid/"),  # still encoded: a path on this site
    ("/\n/evil.invalid/", "/"),
    ("//evil.invalid/", "/"),
    ("/\\evil.invalid/", "/"),
    ("https://evil.invalid/", "/"),
    (" //evil.invalid", "/"),
    ("/cases/sinos-valley\r\nSet-Cookie: x=1", "/cases/sinos-valleySet-Cookie:x=1"),
    ("/drafts?x=1", "/drafts?x=1"),
])
def test_sign_in_redirects_only_to_paths_on_this_site(site, next_value, expected):
    from urllib.parse import quote

    client = site.test_client()
    token = token_of(client.get("/login?next=" + quote(next_value, safe="")).get_data(as_text=True))
    response = client.post("/login", data={"name": "erin", "password": PASSWORD, "csrf_token": token,
                                           "next": next_value})
    assert response.status_code == 302
    assert response.location == expected


def test_the_login_page_with_a_newline_in_next_answers_200(site):
    response = site.test_client().get("/login?next=%2Fa%0Ab")
    assert response.status_code == 200 and 'value="/ab"' in response.get_data(as_text=True)


def test_the_login_page_keeps_an_off_site_next_out_of_its_form(site):
    page = site.test_client().get("/login?next=/%09/evil.invalid/").get_data(as_text=True)
    assert 'name="next" value="/"' in page and "evil.invalid" not in page


def test_a_second_worker_serves_a_publish_on_its_next_request(site):
    """Two workers: two Casebase objects over the same folders, in one process here."""
    first = site.extensions["casebase"]
    other_casebase = Casebase.open(first.settings, encoder=first.encoder)
    # Let its background load finish before the app compiles its routes: CPython 3.11
    # shares the ast module's state between threads (gh-106905), and a clean-clone run
    # failed here once with "AST constructor recursion depth mismatch".
    assert other_casebase.content.notes
    other = make_app(other_casebase, SESSION_COOKIE_SECURE=False)
    try:
        reader = other.test_client()
        note = first.content.notes[0]
        assert reader.get(f"/notes/{note.id}").status_code == 200  # cached in the other worker now
        editor, reviewer = signed_in(site, "erin"), signed_in(site, "rita")
        form = form_of(editor.get(f"/edit/notes/{note.id}").get_data(as_text=True))
        form["title"] = ["Retitled in the first worker"]
        draft_url = editor.post(f"/edit/notes/{note.id}", data=form).location
        token = token_of(reviewer.get(draft_url).get_data(as_text=True))
        version = first.content_version
        assert reviewer.post(draft_url + "/publish", data={"csrf_token": token}).status_code == 302
        assert first.content_version > version  # the publishing worker reloaded at once
        assert "Retitled in the first worker" in reader.get(f"/notes/{note.id}").get_data(as_text=True)
        assert other_casebase.content.documents[note.id].title == "Retitled in the first worker"
    finally:
        other_casebase.close()
