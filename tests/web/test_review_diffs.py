"""Reviewers read word-level differences on draft, conflict and history pages."""

from __future__ import annotations

import re

import pytest

from tests.web.support import close_app, copy_content, indexed_app
from tests.web.test_editing_web import USERS, form_of, signed_in, token_of


@pytest.fixture
def site(tmp_path):
    app = indexed_app(copy_content(tmp_path / "content"), users=USERS)
    yield app
    close_app(app)


def _draft_page(client, doc_id, **changes):
    form = form_of(client.get(f"/edit/cases/{doc_id}").get_data(as_text=True))
    for name, change in changes.items():
        form[name.replace("_", "-")] = [change(form[name.replace("_", "-")][0])]
    response = client.post(f"/edit/cases/{doc_id}", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location, client.get(response.location).get_data(as_text=True)


def test_a_changed_lesson_sentence_shows_exactly_the_changed_words_and_the_raw_diff(site):
    editor = signed_in(site, "erin")
    _, page = _draft_page(editor, "criciuma",
                          lesson_0_statement=lambda text: text.replace("collective action quickly", "collective action at once"))
    assert re.findall(r"<del>(.*?)</del>", page) == ["quickly"]
    assert re.findall(r"<ins>(.*?)</ins>", page) == ["at once"]
    assert "<h3>Lesson use-the-crisis-window: Statement</h3>" in page
    raw = re.search(r'<details class="raw-diff"[^>]*><summary>[^<]+</summary><pre class="diff">(.*?)</pre></details>',
                    page, re.S)
    assert raw and "launch collective action at once." in raw.group(1)


def test_user_text_in_word_diffs_is_escaped(site):
    editor = signed_in(site, "erin")
    _, page = _draft_page(editor, "dortmund", title=lambda text: text + " <script>alert(1)</script>")
    assert "<script>alert" not in page
    inserted = "".join(re.findall(r"<ins>(.*?)</ins>", page))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in inserted


def test_history_and_conflict_pages_show_word_diffs(site):
    erin, ed, rita = signed_in(site, "erin"), signed_in(site, "ed"), signed_in(site, "rita")
    stale = form_of(ed.get("/edit/cases/dortmund").get_data(as_text=True))
    draft_url, _ = _draft_page(erin, "dortmund", title=lambda text: "Dortmund, retitled")
    token = token_of(rita.get(draft_url).get_data(as_text=True))
    assert rita.post(draft_url + "/publish", data={"csrf_token": token}).status_code == 302
    ids = re.findall(r'name="a" value="(\d+)"', rita.get("/history/cases/dortmund").get_data(as_text=True))
    history = rita.get(f"/history/cases/dortmund?a={ids[1]}&b={ids[0]}").get_data(as_text=True)
    assert "<h3>Title</h3>" in history and "<ins>retitled</ins>" in history
    assert '<details class="raw-diff"' in history

    stale["title"] = ["Dortmund by Ed"]
    conflict = ed.post("/edit/cases/dortmund", data=stale)
    page = conflict.get_data(as_text=True)
    assert conflict.status_code == 409
    assert "<h3>Title</h3>" in page and "<del>retitled</del>" in page and "<ins>by Ed</ins>" in page
