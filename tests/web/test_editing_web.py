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
    for tag in re.findall(r"<input\b[^>]*>", page):
        name, value = re.search(r'\sname="([^"]+)"', tag), re.search(r'\svalue="([^"]*)"', tag)
        if name is None or value is None:
            continue
        if re.search(r'type="(checkbox|radio)"', tag) and not re.search(r"\schecked\b", tag):
            continue  # a browser posts only the chosen boxes
        data.setdefault(name.group(1), []).append(unescape(value.group(1)))
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
    # Restore asks first: a confirmation page with the changes and a required reason.
    confirm = reviewer.get(f"/history/cases/dortmund/restore/{ids[1]}").get_data(as_text=True)
    assert 'name="reason"' in confirm and "Dortmund, retitled" in confirm and path.read_text() != original
    refused = reviewer.post(f"/history/cases/dortmund/restore/{ids[1]}", data={"csrf_token": token, "reason": " "})
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.get_data(as_text=True)
    assert path.read_text() != original
    restored = reviewer.post(f"/history/cases/dortmund/restore/{ids[1]}",
                             data={"csrf_token": token, "reason": "The old title is the one the sources use"})
    assert restored.status_code == 302 and path.read_text() == original
    page = reviewer.get(restored.location).get_data(as_text=True)
    assert f"Restored revision #{ids[1]} of case dortmund as revision #" in page  # the success message
    assert f"Restore of revision" in page and "The old title is the one the sources use" in page


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


# -- the engine's states and limits, through the routes --------------------------------------

def _draft_of(site, editor, doc_id: str, title: str) -> str:
    form = form_of(editor.get(f"/edit/cases/{doc_id}").get_data(as_text=True))
    form["title"] = [title]
    saved = editor.post(f"/edit/cases/{doc_id}", data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    return saved.location


def test_publishing_twice_and_discarding_a_published_draft_answer_409(site):
    editor, reviewer = signed_in(site, "erin"), signed_in(site, "rita")
    draft_url = _draft_of(site, editor, "dortmund", "Dortmund, published once")
    token = token_of(reviewer.get(draft_url).get_data(as_text=True))
    assert reviewer.post(draft_url + "/publish", data={"csrf_token": token}).status_code == 302
    again = reviewer.post(draft_url + "/publish", data={"csrf_token": token})
    assert again.status_code == 409 and "published draft" in again.get_data(as_text=True)
    discarded = reviewer.post(draft_url + "/discard", data={"csrf_token": token})
    assert discarded.status_code == 409 and "cannot be discarded" in discarded.get_data(as_text=True)
    draft_id = int(draft_url.rsplit("/", 1)[1])
    assert site.extensions["library"].draft(draft_id).status == "published"


@pytest.mark.parametrize("method, url", [
    ("GET", "/drafts/99999999999999999999999"),
    ("POST", "/drafts/99999999999999999999999/publish"),
    ("POST", "/drafts/99999999999999999999999/discard"),
    ("POST", "/history/cases/sinos-valley/restore/99999999999999999999999"),
    ("POST", "/drafts/%EF%BC%91/publish"),
    ("GET", "/drafts/%EF%BC%91"),
    ("GET", "/drafts/9223372036854775808"),
    ("GET", "/drafts/0"),
    ("GET", "/history/cases/sinos-valley?a=99999999999999999999999&b=1"),
    ("GET", "/history/cases/sinos-valley?a=%EF%BC%91&b=1"),
])
def test_draft_and_revision_ids_out_of_range_or_not_ascii_are_404(site, method, url):
    reviewer = signed_in(site, "rita")
    token = token_of(reviewer.get("/drafts").get_data(as_text=True))
    response = reviewer.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
    assert response.status_code == 404, response.get_data(as_text=True)


def test_a_missing_related_note_is_refused_on_the_field_and_never_published(site):
    path = site.extensions["casebase"].settings.content_dir / "cases" / "criciuma.md"
    before = path.read_text()
    editor = signed_in(site, "erin")
    form = form_of(editor.get("/edit/cases/criciuma").get_data(as_text=True))
    form["related_notes"] = ["no-such-note"]
    response = editor.post("/edit/cases/criciuma", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="err-related_notes"' in page and "no-such-note" in page
    assert path.read_text() == before and site.extensions["library"].drafts() == []


def test_a_new_case_cannot_take_the_id_of_a_note(site):
    note_id = site.extensions["casebase"].content.notes[0].id
    editor = signed_in(site, "erin")
    form = form_of(editor.get("/edit/new/cases").get_data(as_text=True))
    form.update({"id": [note_id], "title": ["A case under a note's id"],
                 "summary": ["Taken ids stay with their owners (Field notes 2026)."],
                 "location_country": ["Peru"], "sources": ["Field notes | 2026"]})
    response = editor.post("/edit/new/cases", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="err-id"' in page and f"kb/{note_id}.md" in page
    content_dir = site.extensions["casebase"].settings.content_dir
    assert not (content_dir / "cases" / f"{note_id}.md").exists()


def test_over_long_ids_are_refused_without_touching_a_file(site):
    long_id = "a" * 300
    editor = signed_in(site, "erin")
    token = token_of(editor.get("/drafts").get_data(as_text=True))
    assert editor.get(f"/edit/cases/{long_id}").status_code == 404
    assert editor.post(f"/edit/cases/{long_id}", data={"csrf_token": token}).status_code == 404
    assert editor.get(f"/history/cases/{long_id}").status_code == 404
    form = form_of(editor.get("/edit/new/cases").get_data(as_text=True))
    form["id"] = [long_id]
    created = editor.post("/edit/new/cases", data=form)
    assert created.status_code == 422 and 'id="err-id"' in created.get_data(as_text=True)
    retained = editor.post("/advisor/retain", data={"csrf_token": token, "id": long_id, "title": "Long"})
    assert retained.status_code == 400


def test_editors_discard_only_their_own_drafts_reviewers_any(site):
    erin, ed, rita = signed_in(site, "erin"), signed_in(site, "ed"), signed_in(site, "rita")
    erins = _draft_of(site, erin, "zamora-frogs", "Zamora, Erin's draft")
    ed_page = ed.get(erins).get_data(as_text=True)
    assert "/discard" not in ed_page  # the page offers only what the route allows
    assert ed.post(erins + "/discard", data={"csrf_token": token_of(ed_page)}).status_code == 403
    erin_page = erin.get(erins).get_data(as_text=True)
    assert erins + "/discard" in erin_page
    assert erin.post(erins + "/discard", data={"csrf_token": token_of(erin_page)}).status_code == 302
    eds = _draft_of(site, ed, "zamora-frogs", "Zamora, Ed's draft")
    rita_page = rita.get(eds).get_data(as_text=True)
    assert rita.post(eds + "/discard", data={"csrf_token": token_of(rita_page)}).status_code == 302
    library = site.extensions["library"]
    assert [library.draft(int(url.rsplit("/", 1)[1])).status for url in (erins, eds)] == ["discarded"] * 2


def test_a_reload_whose_content_reuses_the_old_id_does_not_serve_old_answers(site, monkeypatch):
    """The cache used id(content) as the key; a new Content object may get the old one's id."""
    import indexer.service

    casebase = site.extensions["casebase"]
    reader = site.test_client()
    path = casebase.settings.content_dir / "cases" / "zamora-frogs.md"
    assert "Reused identity" not in reader.get("/cases/zamora-frogs").get_data(as_text=True)
    path.write_text(path.read_text().replace("\ntitle: ", "\ntitle: Reused identity ", 1))
    real = indexer.service.load_library
    same = casebase.content

    def same_object(root, **options):
        fresh = real(root, **options)
        same.documents.clear()
        same.documents.update(fresh.documents)  # new documents, the old object's id()
        return same

    monkeypatch.setattr(indexer.service, "load_library", same_object)
    casebase.reload_content()
    assert id(casebase.content) == id(same)
    assert "Reused identity" in reader.get("/cases/zamora-frogs").get_data(as_text=True)


def test_editing_one_lesson_sentence_in_the_form_changes_one_line_of_the_draft(site):
    import difflib

    path = site.extensions["casebase"].settings.content_dir / "cases" / "criciuma.md"
    published = path.read_text()
    editor = signed_in(site, "erin")
    form = form_of(editor.get("/edit/cases/criciuma").get_data(as_text=True))
    form["lesson-0-statement"] = [form["lesson-0-statement"][0] + " Start within weeks."]
    assert editor.post("/edit/cases/criciuma", data=form).status_code == 302
    draft = site.extensions["library"].open_draft("case", "criciuma")
    changed = [line for line in difflib.unified_diff(published.splitlines(), draft.text.splitlines(), lineterm="", n=0)
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert len(changed) == 2 and changed[1].endswith("Start within weeks."), changed


def test_a_reviewer_cannot_publish_their_own_draft(site):
    path = site.extensions["casebase"].settings.content_dir / "cases" / "dortmund.md"
    before = path.read_text()
    reviewer = signed_in(site, "rita")
    form = form_of(reviewer.get("/edit/cases/dortmund").get_data(as_text=True))
    form["title"] = ["Dortmund, by Rita"]
    draft_url = reviewer.post("/edit/cases/dortmund", data=form).location
    token = token_of(reviewer.get(draft_url).get_data(as_text=True))
    refused = reviewer.post(draft_url + "/publish", data={"csrf_token": token})
    assert refused.status_code == 403 and "another reviewer" in refused.get_data(as_text=True)
    assert path.read_text() == before


def _saved_draft(client, doc_id: str, title: str, message: str = "") -> str:
    form = form_of(client.get(f"/edit/cases/{doc_id}").get_data(as_text=True))
    form["title"], form["message"] = [title], [message]
    saved = client.post(f"/edit/cases/{doc_id}", data=form)
    assert saved.status_code == 302, saved.get_data(as_text=True)
    return saved.location


def test_history_revision_page_and_json_credit_editor_reviewer_and_both_messages(site):
    editor, reviewer = signed_in(site, "erin"), signed_in(site, "rita")
    draft_url = _saved_draft(editor, "dortmund", "Dortmund, credited", "Lesson 1: make the statement actionable")
    token = token_of(reviewer.get(draft_url).get_data(as_text=True))
    reviewer.post(draft_url + "/publish", data={"csrf_token": token, "message": "Checked against Schmitz"})
    [latest, imported] = reviewer.get("/history/cases/dortmund?format=json").get_json()["revisions"]
    assert (latest["editor"], latest["reviewer"], latest["editor_message"], latest["reviewer_message"]) == (
        "erin", "rita", "Lesson 1: make the statement actionable", "Checked against Schmitz")
    assert (imported["editor"], imported["reviewer"]) == ("import", "import")
    page = reviewer.get("/history/cases/dortmund").get_data(as_text=True)
    for text in ('<td class="editor">erin</td>', '<td class="reviewer">rita</td>',
                 "Lesson 1: make the statement actionable", "Checked against Schmitz"):
        assert text in page, text
    revision_page = reviewer.get(latest["url"]).get_data(as_text=True)
    assert '<dd class="editor">erin</dd>' in revision_page and '<dd class="reviewer">rita</dd>' in revision_page
    assert "<ins>credited</ins>" in revision_page.replace("<ins>, credited</ins>", "<ins>credited</ins>")
    as_json = reviewer.get(latest["url"] + "?format=json").get_json()
    assert as_json["editor"] == "erin" and "Dortmund, credited" in as_json["text"]
    # Restored: the new revision names what it restored and why, on the page and in the JSON.
    confirm = reviewer.get(imported["restore_url"])
    assert confirm.status_code == 200
    reviewer.post(imported["restore_url"], data={"csrf_token": token, "reason": "Wrong town name"})
    restored = reviewer.get("/history/cases/dortmund?format=json").get_json()["revisions"][0]
    assert (restored["restored_from"], restored["restore_reason"], restored["editor"]) == (
        imported["id"], "Wrong town name", "rita")
    assert f"Restore of revision" in reviewer.get(restored["url"]).get_data(as_text=True)


def test_every_action_says_it_succeeded(site):
    editor, reviewer = signed_in(site, "erin"), signed_in(site, "rita")
    form = form_of(editor.get("/edit/cases/dortmund").get_data(as_text=True))
    form["title"] = ["Dortmund, flashed"]
    saved = editor.post("/edit/cases/dortmund", data=form, follow_redirects=True).get_data(as_text=True)
    assert re.search(r'role="status">Saved draft #\d+ of case dortmund\. It waits for a reviewer\.<', saved)
    draft_url = site.extensions["library"].open_draft("case", "dortmund")
    draft_url = f"/drafts/{draft_url.id}"
    assert "Saved draft" not in editor.get(draft_url).get_data(as_text=True)  # shown once
    token = token_of(reviewer.get(draft_url).get_data(as_text=True))
    published = reviewer.post(draft_url + "/publish", data={"csrf_token": token}, follow_redirects=True)
    assert re.search(r"Published case dortmund as revision #\d+\.", published.get_data(as_text=True))
    other = _saved_draft(editor, "criciuma", "Criciuma, to discard")
    token = token_of(editor.get(other).get_data(as_text=True))
    discarded = editor.post(other + "/discard", data={"csrf_token": token}, follow_redirects=True)
    assert f"Discarded draft #{other.rsplit('/', 1)[1]} of case criciuma" in discarded.get_data(as_text=True)


def test_a_reviewer_who_changed_a_draft_earlier_cannot_publish_it(site):
    first, then = signed_in(site, "rita"), signed_in(site, "erin")
    path = site.extensions["casebase"].settings.content_dir / "cases" / "dortmund.md"
    before = path.read_text()
    draft_url = _saved_draft(first, "dortmund", "Dortmund, started by Rita")
    assert _saved_draft(then, "dortmund", "Dortmund, finished by Erin") == draft_url  # the same draft
    page = first.get(draft_url).get_data(as_text=True)
    assert "another reviewer must publish it" in page and "Publish</button>" not in page
    refused = first.post(draft_url + "/publish", data={"csrf_token": token_of(page)})
    assert refused.status_code == 403 and "rita changed this draft" in refused.get_data(as_text=True)
    assert path.read_text() == before


def test_the_review_queue_lists_waiting_drafts_oldest_first_and_the_reviewers_own_apart(site):
    editor, reviewer = signed_in(site, "erin"), signed_in(site, "rita")
    first = _saved_draft(editor, "dortmund", "Dortmund, queued first", "First")
    second = _saved_draft(editor, "criciuma", "Criciuma, queued second")
    own = _saved_draft(reviewer, "sinos-valley", "Sinos, by the reviewer")
    queue = reviewer.get("/review?format=json").get_json()
    assert [item["url"] for item in queue["waiting"]] == [first, second]
    assert [item["url"] for item in queue["yours"]] == [own] and queue["sent_back"] == []
    head = queue["waiting"][0]
    assert (head["title"], head["kind"], head["author"], head["message"], head["diff_url"]) == (
        "Dortmund, queued first", "case", "erin", "First", first + "#changes")
    page = reviewer.get("/review").get_data(as_text=True)
    assert page.index("Dortmund, queued first") < page.index("Criciuma, queued second") < page.index(
        "Yours, needs another reviewer") < page.index("Sinos, by the reviewer")
    assert editor.get("/review").status_code == 403  # editors see their drafts on /drafts
    # Sent back: it leaves the queue, the author sees the note, their next save brings it back.
    token = token_of(reviewer.get(first).get_data(as_text=True))
    sent = reviewer.post(first + "/send-back", data={"csrf_token": token, "note": "Cite the source"},
                         follow_redirects=True)
    assert "Sent draft" in sent.get_data(as_text=True) and "back to erin" in sent.get_data(as_text=True)
    queue = reviewer.get("/review?format=json").get_json()
    assert [item["url"] for item in queue["waiting"]] == [second]
    assert [(item["url"], item["sent_back_note"]) for item in queue["sent_back"]] == [(first, "Cite the source")]
    assert "Sent back by rita" in editor.get(first).get_data(as_text=True)
    _saved_draft(editor, "dortmund", "Dortmund, with the source")
    assert [item["url"] for item in reviewer.get("/review?format=json").get_json()["waiting"]] == [second, first]


def test_review_mails_go_out_after_the_commit_and_a_dead_server_loses_nothing(site, monkeypatch):
    import socket

    from aiosmtpd.controller import Controller

    from indexer.settings import MailSettings

    received = []

    class Handler:
        async def handle_DATA(self, server, session, envelope):
            received.append((sorted(envelope.rcpt_tos), envelope.content.decode()))
            return "250 OK"

    def free_port():
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return probe.getsockname()[1]

    casebase = site.extensions["casebase"]
    controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        monkeypatch.setattr(casebase, "settings", casebase.settings.with_changes(
            mail=MailSettings("127.0.0.1", controller.port, domain="agency.example")))
        editor, reviewer = signed_in(site, "erin"), signed_in(site, "rita")
        draft_url = _saved_draft(editor, "dortmund", "Dortmund, mailed")
        assert received[0][0] == ["rita@agency.example"] and draft_url in received[0][1]
        page = editor.get(draft_url).get_data(as_text=True)
        assert "reviewers were notified by e-mail" in page  # the message says so
    finally:
        controller.stop()
    # The server is gone: the publish still happens, says so, and the audit log names the failure.
    monkeypatch.setattr(casebase, "settings", casebase.settings.with_changes(
        mail=MailSettings("127.0.0.1", free_port(), domain="agency.example", timeout=2)))
    token = token_of(reviewer.get(draft_url).get_data(as_text=True))
    published = reviewer.post(draft_url + "/publish", data={"csrf_token": token}, follow_redirects=True)
    assert published.status_code == 200 and "Published case dortmund" in published.get_data(as_text=True)
    path = casebase.settings.content_dir / "cases" / "dortmund.md"
    assert "Dortmund, mailed" in path.read_text()
    failures = [entry for entry in site.extensions["accounts"].audit(20) if entry["action"] == "notify.failed"]
    assert len(failures) == 1 and failures[0]["target"] == "case:dortmund"
