"""Editors and reviewers in the browser's place: roles, CSRF, drafts, review, history."""

from __future__ import annotations

import re

import pytest

from webui import create_app

from tests.web.support import PASSWORD, close_app, copy_content, indexed_app

USERS = (("erin", "editor"), ("ed", "editor"), ("rita", "reviewer"), ("rob", "reader"))


@pytest.fixture
def site(tmp_path):
    """An app over a private copy of the content, with two editors, a reviewer and a reader."""
    app = indexed_app(copy_content(tmp_path / "content"), users=USERS)
    yield app
    close_app(app)


def token_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def signed_in(app, name):
    client = app.test_client()
    token = token_of(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"name": name, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def form_of(page: str) -> dict:
    """The submitted values of the edit form, as a browser would send them."""
    from html import unescape

    data: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input[^>]*\sname="([^"]+)"[^>]*\svalue="([^"]*)"', page):
        data.setdefault(name, []).append(unescape(value))
    for name, text in re.findall(r'<textarea[^>]*\sname="([^"]+)"[^>]*>(.*?)</textarea>', page, re.S):
        data.setdefault(name, []).append(unescape(text))
    for name, options in re.findall(r'<select[^>]*\sname="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.findall(r'<option value="([^"]*)" selected>', options)
        data.setdefault(name, []).extend(unescape(c) for c in chosen)
    return data


def test_editing_routes_refuse_anonymous_users_wrong_roles_and_missing_csrf(site):
    anonymous = site.test_client()
    reader = signed_in(site, "rob")
    editor = signed_in(site, "erin")
    walked = 0
    for rule in site.url_map.iter_rules():
        if not rule.endpoint.startswith("editor."):
            continue
        url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: {"plural": "cases", "doc_id": "sinos-valley"}.get(m.group(1), "1"),
                     rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            walked += 1
            assert anonymous.open(url, method=method).status_code == 401, (method, url)
            assert reader.open(url, method=method).status_code == 403, (method, url)
            if method == "POST":
                assert editor.open(url, method=method, data={}).status_code in (400, 403), (method, url)
    assert walked >= 12


def test_a_new_case_is_searchable_only_after_review(site):
    editor = signed_in(site, "erin")
    form = form_of(editor.get("/edit/new/cases").get_data(as_text=True))
    form.update({"id": ["lima-bakeries"], "title": ["Lima bakery cluster"],
                 "summary": ["Bakeries in Lima pooling flour purchases (Field notes 2026)."],
                 "location_country": ["Peru"], "sources": ["Field notes | 2026"],
                 "body": ["## Context\n\nQuinoabread makers cooperate (Field notes 2026).\n"]})
    saved = editor.post("/edit/new/cases", data=form)
    assert saved.status_code == 302 and saved.location.startswith("/drafts/")
    casebase = site.extensions["casebase"]
    from indexer.search.searcher import SearchRequest

    assert casebase.search(SearchRequest("quinoabread", mode="keyword")).total == 0
    assert signed_in(site, "erin").post(saved.location + "/publish", data={"csrf_token": form["csrf_token"][0]}
                                        ).status_code == 403  # editors cannot publish
    reviewer = signed_in(site, "rita")
    token = token_of(reviewer.get(saved.location).get_data(as_text=True))
    published = reviewer.post(saved.location + "/publish", data={"csrf_token": token, "message": "New case"})
    assert published.status_code == 302 and published.location == "/cases/lima-bakeries"
    assert site.extensions["updater"].wait(30)
    hits = casebase.search(SearchRequest("quinoabread", mode="keyword")).results
    assert hits and hits[0].doc_id == "lima-bakeries"
    assert site.test_client().get("/cases/lima-bakeries").status_code == 200


def test_two_editors_on_the_same_revision_get_a_conflict_view(site):
    first, second = signed_in(site, "erin"), signed_in(site, "ed")
    form_a = form_of(first.get("/edit/cases/zamora-frogs").get_data(as_text=True))
    form_b = form_of(second.get("/edit/cases/zamora-frogs").get_data(as_text=True))
    form_a["title"] = ["Zamora frogs, edited by Erin"]
    form_b["title"] = ["Zamora frogs, edited by Ed"]
    assert first.post("/edit/cases/zamora-frogs", data=form_a).status_code == 302
    conflict = second.post("/edit/cases/zamora-frogs", data=form_b)
    page = conflict.get_data(as_text=True)
    assert conflict.status_code == 409
    assert "edited by Erin" in page and "edited by Ed" in page and "conflict draft #" in page


def test_invalid_values_are_shown_next_to_the_field_and_nothing_changes(site):
    path = site.extensions["casebase"].settings.content_dir / "cases" / "criciuma.md"
    before = path.read_text()
    editor = signed_in(site, "erin")
    form = form_of(editor.get("/edit/cases/criciuma").get_data(as_text=True))
    form["title"] = ["unknown"]
    form["lesson-0-sources"] = ["Nobody 1999"]
    response = editor.post("/edit/cases/criciuma", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="err-title"' in page and "is not allowed here" in page
    assert 'id="err-lesson-0-sources"' in page and "matches none of the case" in page
    assert path.read_text() == before and site.extensions["library"].drafts() == []


def test_history_shows_the_diff_and_restore_works(site):
    path = site.extensions["casebase"].settings.content_dir / "cases" / "dortmund.md"
    original = path.read_text()
    editor, reviewer = signed_in(site, "erin"), signed_in(site, "rita")
    form = form_of(editor.get("/edit/cases/dortmund").get_data(as_text=True))
    form["title"] = ["Dortmund, retitled"]
    draft_url = editor.post("/edit/cases/dortmund", data=form).location
    token = token_of(reviewer.get(draft_url).get_data(as_text=True))
    reviewer.post(draft_url + "/publish", data={"csrf_token": token})
    history = reviewer.get("/history/cases/dortmund").get_data(as_text=True)
    ids = re.findall(r'name="a" value="(\d+)"', history)
    diff = reviewer.get(f"/history/cases/dortmund?a={ids[1]}&b={ids[0]}").get_data(as_text=True)
    assert "+title: Dortmund, retitled" in diff.replace("&#43;", "+")
    restored = reviewer.post(f"/history/cases/dortmund/restore/{ids[1]}", data={"csrf_token": token})
    assert restored.status_code == 302 and path.read_text() == original


def test_the_advisor_profile_can_be_retained_as_a_draft_case(site):
    editor = signed_in(site, "erin")
    page = editor.get("/drafts").get_data(as_text=True)
    response = editor.post("/advisor/retain", data={
        "csrf_token": token_of(page), "id": "nairobi-furniture", "title": "Nairobi furniture initiative",
        "description": "Furniture makers in Gikomba want joint training.", "country": "Kenya",
        "sectors": "furniture", "approach": "bottom-up"})
    assert response.status_code == 302
    draft = site.extensions["library"].open_draft("case", "nairobi-furniture")
    assert draft is not None and "country: Kenya" in draft.text


def test_login_is_throttled_and_cookies_are_hardened(site):
    client = site.test_client()
    token = token_of(client.get("/login").get_data(as_text=True))
    for _ in range(5):
        assert client.post("/login", data={"name": "rita", "password": "nope", "csrf_token": token}
                           ).status_code == 401
    blocked = client.post("/login", data={"name": "rita", "password": PASSWORD, "csrf_token": token})
    assert blocked.status_code == 429
    hardened = create_app({"TESTING": True, "CASEBASE": site.extensions["casebase"]})
    response = hardened.test_client().get("/login")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_production_mode_refuses_to_start_without_a_secret_key(site, tmp_path):
    casebase = site.extensions["casebase"]
    key = casebase.settings.instance_dir / "secret_key"
    assert not key.exists()
    with pytest.raises(RuntimeError, match="no secret key"):
        create_app({"CASEBASE": casebase})
    key.write_text("k" * 64)
    assert create_app({"CASEBASE": casebase}).config["SECRET_KEY"] == "k" * 64


def test_editors_see_edit_history_and_retain_links_readers_do_not(site):
    editor = signed_in(site, "erin")
    anonymous = site.test_client()
    assert '/edit/cases/criciuma"' in editor.get("/cases/criciuma").get_data(as_text=True)
    assert "/edit/cases/" not in anonymous.get("/cases/criciuma").get_data(as_text=True)
    advisor = "/advisor?description=furniture+makers&country=Kenya"
    assert 'action="/advisor/retain"' in editor.get(advisor).get_data(as_text=True)
    assert "/advisor/retain" not in anonymous.get(advisor).get_data(as_text=True)


def test_editors_see_that_a_document_has_an_open_draft(site):
    editor = signed_in(site, "erin")
    form = form_of(editor.get("/edit/notes/financing").get_data(as_text=True))
    form["title"] = ["Financing, being revised"]
    draft_url = editor.post("/edit/notes/financing", data=form).location
    assert f'href="{draft_url}"' in editor.get("/notes/financing").get_data(as_text=True)
    reader_page = site.test_client().get("/notes/financing").get_data(as_text=True)
    assert "unpublished draft" not in reader_page and "being revised" not in reader_page


def test_anonymous_reads_are_cached_until_something_is_published(site):
    cache = site.extensions["response_cache"]
    reader = site.test_client()
    first = reader.get("/cases/zamora-frogs").get_data(as_text=True)
    hits = cache.hits
    assert reader.get("/cases/zamora-frogs").get_data(as_text=True) == first and cache.hits == hits + 1
    editor, reviewer = signed_in(site, "erin"), signed_in(site, "rita")
    editor.get("/cases/zamora-frogs")
    assert cache.hits == hits + 1  # signed-in pages are never served from the cache
    form = form_of(editor.get("/edit/cases/zamora-frogs").get_data(as_text=True))
    form["title"] = ["Zamora frog exporters, revised"]
    draft_url = editor.post("/edit/cases/zamora-frogs", data=form).location
    token = token_of(reviewer.get(draft_url).get_data(as_text=True))
    reviewer.post(draft_url + "/publish", data={"csrf_token": token})
    assert "Zamora frog exporters, revised" in reader.get("/cases/zamora-frogs").get_data(as_text=True)
