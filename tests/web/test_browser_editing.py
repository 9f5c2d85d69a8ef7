"""End-to-end editing in a real browser: sign in, edit, preview, review, publish, search.

Headless Debian Chromium (never downloaded) drives the app on a live server that serves
a private copy of the content, so publishing never touches the checkout. An editor
changes a lesson, a reviewer publishes it, and search finds the new words once the
background index update has run; readers never see the draft before that.
"""

from __future__ import annotations

import re
import time

import pytest

from indexer.content.frontmatter import parse_text
from tests.web.support import (DESKTOP, NEEDS_CHROMIUM, PHONE, PASSWORD, close_app, copy_content, import_playwright,
                               indexed_app, new_context, serve_in_thread, watch_page, serious_violations)

SEARCH_DEADLINE_S = 30
EDITOR, REVIEWER = "erin", "rita"
CASE_URL = "/cases/zamora-frogs"
NEW_STATEMENT = "Pool a shared tadpole-monitoring rota so that every producer sees the same early warnings."
WORD = "tadpole"

pytestmark = NEEDS_CHROMIUM

sync_api = import_playwright()
expect = sync_api.expect


# ------------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An app over a private copy of the content, with an editor and a reviewer."""
    content = copy_content(tmp_path_factory.mktemp("browser-editing") / "content")
    app = indexed_app(content, users=((EDITOR, "editor"), (REVIEWER, "reviewer")))
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def live_server(site):
    """The app served on 127.0.0.1 on a free port from a background thread; yields its base URL."""
    with serve_in_thread(site, name="live-editing-server") as base_url:
        yield base_url


@pytest.fixture
def open_page(browser, live_server):
    """Opens fresh browser contexts (one per person); the test fails on any console error,
    script error or failed sub-request in any of them (a CSP violation shows in the console)."""
    contexts = []
    problems: list[str] = []

    def new_page():
        context = new_context(browser, live_server, DESKTOP)
        contexts.append(context)
        page = context.new_page()
        watch_page(page, problems)
        return page

    yield new_page
    for context in contexts:
        context.close()
    assert not problems, problems


# ------------------------------------------------------------------------ steps

def sign_in(page, name: str) -> None:
    """Follow "Sign in" in the header from the current page and come back to it."""
    here = page.url
    page.get_by_role("link", name="Sign in").click()
    page.wait_for_url(re.compile(r"/login\?next="))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    page.wait_for_url(here)
    expect(page.locator("header .account")).to_contain_text(name)


def sign_out(page) -> None:
    page.locator("header .account").get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/$"))
    expect(page.locator("header .account").get_by_role("link", name="Sign in")).to_be_visible()


def search_hits(page, word: str):
    page.goto(f"/search?q={word}&mode=keyword")
    expect(page.locator(".results .total")).to_contain_text(f"for {word}")
    return page.locator("li.hit")


# ------------------------------------------------------------------------ scenarios

@pytest.mark.browser
def test_typing_in_the_body_updates_the_sanitised_preview(open_page):
    page = open_page()
    page.goto("/notes/identifying-clusters")
    sign_in(page, EDITOR)
    page.get_by_role("link", name="Edit", exact=True).click()
    page.wait_for_url("**/edit/notes/identifying-clusters")

    body = page.get_by_label(re.compile(r"^Text \(Markdown"))
    preview = page.locator("#preview")
    # The preview is filled as soon as the form opens, from the saved text.
    expect(preview.locator("p").first).to_be_visible()
    expect(preview.locator("strong", has_text="frogspawn")).to_have_count(0)

    body.click()
    page.keyboard.press("Control+End")
    page.keyboard.type('\n\nWatch the **frogspawn** <script>document.title="owned"</script>'
                      '<a href="javascript:alert(1)" onclick="alert(2)">trap</a> and [[case:zamora-frogs]].')
    expect(preview.locator("strong", has_text="frogspawn")).to_be_visible()
    # Sanitised by the server: no script, no event handler, no javascript: link; casebase links resolved.
    assert preview.locator("script").count() == 0
    trap = preview.locator("a", has_text="trap")
    expect(trap).to_be_visible()
    assert trap.get_attribute("onclick") is None
    assert not (trap.get_attribute("href") or "").startswith("javascript:")
    # (the note already links to the case once; the typed link is the last one)
    expect(preview.get_by_role("link", name="Zamora frog producers (Ecuador)").last).to_have_attribute(
        "href", CASE_URL)
    assert "owned" not in page.title()

    # Typing more updates it again (debounced); nothing was saved.
    page.keyboard.type(" Then *hatch*.")
    expect(preview.locator("em", has_text="hatch")).to_be_visible()
    page.goto("/drafts")
    expect(page.get_by_role("main")).to_contain_text("No open drafts.")


@pytest.mark.browser
def test_editor_changes_a_lesson_reviewer_publishes_and_search_finds_it(open_page, site):
    editor = open_page()
    editor.goto(CASE_URL)
    expect(editor.get_by_role("link", name="Edit", exact=True)).to_have_count(0)  # not for anonymous readers
    sign_in(editor, EDITOR)

    # The editor follows "Edit" and rewrites the first lesson's statement.
    editor.get_by_role("link", name="Edit", exact=True).click()
    editor.wait_for_url("**/edit/cases/zamora-frogs")
    expect(editor.get_by_role("heading", level=1)).to_contain_text("Zamora frog producers")
    lesson = editor.locator("fieldset.lesson-group").first
    expect(lesson.get_by_label("Lesson id")).to_have_value("look-for-small-self-organised-groups")
    statement = lesson.get_by_label("Statement (one line)")
    expect(statement).to_have_value(re.compile(r"^Search actively for small groups"))
    statement.fill(NEW_STATEMENT)
    editor.get_by_label("What changed (for the history)").fill("Lesson on shared monitoring")
    editor.get_by_role("button", name="Save draft").click()

    # The draft page shows the change against the published version.
    editor.wait_for_url(re.compile(r"/drafts/\d+$"))
    draft_url = editor.url
    expect(editor.get_by_role("heading", level=1)).to_contain_text("zamora-frogs")
    expect(editor.get_by_role("heading", level=1)).to_contain_text("draft")
    diff = editor.locator("pre.diff")
    expect(diff).to_contain_text(f"+    statement: {NEW_STATEMENT}")
    expect(diff).to_contain_text("-    statement: Search actively for small groups")
    expect(editor.get_by_role("button", name="Publish")).to_have_count(0)  # editors cannot publish
    sign_out(editor)

    # Readers and search never see a draft.
    reader = open_page()
    assert search_hits(reader, WORD).count() == 0
    expect(reader.locator(".results .total")).to_contain_text("0 results")
    reader.goto(CASE_URL)
    expect(reader.get_by_role("main")).not_to_contain_text(WORD)

    # The reviewer finds the draft on /drafts and publishes it.
    reviewer = open_page()
    reviewer.goto("/")
    sign_in(reviewer, REVIEWER)
    reviewer.get_by_role("navigation", name="Main").get_by_role("link", name="Drafts").click()
    reviewer.wait_for_url("**/drafts")
    row = reviewer.locator("tbody tr", has_text="zamora-frogs")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(EDITOR)
    expect(row).to_contain_text("Lesson on shared monitoring")
    row.get_by_role("link", name="case zamora-frogs").click()
    reviewer.wait_for_url(draft_url)
    expect(reviewer.locator("pre.diff")).to_contain_text(NEW_STATEMENT)
    expect(reviewer.get_by_label("Message for the history")).to_have_value("Lesson on shared monitoring")
    reviewer.get_by_role("button", name="Publish").click()

    # Publishing leads to the published case, which shows the new statement at once.
    reviewer.wait_for_url(f"**{CASE_URL}")
    expect(reviewer.locator("section.lesson h3", has_text=NEW_STATEMENT)).to_be_visible()

    # Search answers from the previous index generation until the background update is done.
    deadline = time.monotonic() + SEARCH_DEADLINE_S
    while True:
        hits = search_hits(reader, WORD)
        if hits.count() or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    lesson_hit = hits.filter(has=reader.locator(".kind-lesson")).filter(has_text=NEW_STATEMENT)
    expect(lesson_hit).to_have_count(1)
    # A lesson hit is titled by its statement (the snippet comes from its explanation).
    expect(lesson_hit.get_by_role("link", name=NEW_STATEMENT)).to_be_visible()
    expect(lesson_hit.get_by_role("link", name=NEW_STATEMENT)).to_have_attribute(
        "href", f"{CASE_URL}#lesson-look-for-small-self-organised-groups")
    assert site.extensions["updater"].wait(SEARCH_DEADLINE_S)
    assert site.extensions["updater"].last_error is None

    # The reader follows the hit to the lesson on the case page.
    lesson_hit.locator("a.hit-title").click()
    reader.wait_for_url(re.compile(re.escape(CASE_URL)))
    expect(reader.locator("section.lesson h3", has_text=NEW_STATEMENT)).to_be_visible()


# ------------------------------------------------------------------------ the form itself (issue 14)

def open_form(page, path: str) -> None:
    """Sign in as the editor from the document's page and open its edit form."""
    page.goto(path)
    sign_in(page, EDITOR)
    page.goto(path.replace("/cases/", "/edit/cases/").replace("/notes/", "/edit/notes/"))
    expect(page.locator("#edit-form")).to_be_visible()


@pytest.mark.browser
def test_a_click_on_a_checkbox_adds_a_choice_and_keeps_the_others(open_page, site):
    page = open_page()
    open_form(page, "/cases/criciuma")
    before = site.extensions["library"].published("case", "criciuma")[1]
    chosen = parse_text(before).data["related_notes"]
    notes = page.locator("#f-related_notes")
    notes.locator("summary").click()  # the long list is folded under what is chosen
    extra = notes.locator("input[type=checkbox]:not(:checked)").first
    extra_value = extra.get_attribute("value")
    extra.check()
    expect(notes.locator("input[type=checkbox]:checked")).to_have_count(len(chosen) + 1)
    expect(notes.locator(".chosen-count")).to_have_text(f"({len(chosen) + 1} chosen)")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/drafts/\d+$"))
    draft = site.extensions["library"].open_draft("case", "criciuma")
    assert parse_text(draft.text).data["related_notes"] == chosen + [extra_value]


@pytest.mark.browser
def test_lessons_are_moved_and_added_in_place_and_saved_in_their_new_order(open_page, site):
    page = open_page()
    open_form(page, "/cases/dortmund")
    lessons = parse_text(site.extensions["library"].published("case", "dortmund")[1]).data["lessons"]
    posted: list[str] = []
    page.on("request", lambda request: posted.append(request.url) if "rearrange" in request.url else None)
    groups = page.locator("fieldset.lesson-group")
    page.get_by_role("button", name="Move down lesson 1").click()
    expect(groups.nth(0).get_by_label("Lesson id")).to_have_value(lessons[1]["id"])
    expect(groups.nth(1).get_by_label("Lesson id")).to_have_value(lessons[0]["id"])
    expect(groups.nth(0).get_by_role("button", name="Move up lesson 1")).to_be_disabled()

    page.get_by_role("button", name="Add a lesson").click()
    expect(groups).to_have_count(len(lessons) + 1)
    new = groups.last
    expect(new.get_by_label("Lesson id")).to_be_focused()
    new.get_by_label("Lesson id").fill("pilot-one-network-first")
    new.get_by_label("Statement (one line)").fill("Pilot one network before opening the programme to all.")
    new.get_by_label("Explanation, with citations").fill("A first network shows others what works (Mesopartner WP08).")
    new.get_by_label("Sources (one citation per line)").fill(lessons[0]["sources"][0])
    assert posted == []  # script did it in place
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url(re.compile(r"/drafts/\d+$"))
    saved = parse_text(site.extensions["library"].open_draft("case", "dortmund").text).data["lessons"]
    assert [lesson["id"] for lesson in saved] == [lessons[1]["id"], lessons[0]["id"],
                                                  *(lesson["id"] for lesson in lessons[2:]), "pilot-one-network-first"]
    assert saved[0] == lessons[1] and saved[1] == lessons[0]


@pytest.mark.browser
def test_the_save_bar_stays_at_the_bottom_of_a_phone_screen(browser, live_server):
    context = new_context(browser, live_server, PHONE)
    try:
        page = context.new_page()
        problems = watch_page(page)
        open_form(page, "/cases/third-italy")
        bar = page.locator(".save-bar")
        for scroll in (0, 3000, 6000):
            page.evaluate(f"window.scrollTo(0, {scroll})")
            box = bar.bounding_box()
            assert abs(box["y"] + box["height"] - PHONE["height"]) <= 2, (scroll, box)
            expect(bar.get_by_role("button", name="Save draft")).to_be_in_viewport()
            expect(bar.get_by_role("link", name="Cancel")).to_be_in_viewport()
        bar.get_by_role("link", name="Cancel").click()
        page.wait_for_url("**/cases/third-italy")
        assert not problems, problems
    finally:
        context.close()


@pytest.mark.browser
def test_every_error_is_listed_in_a_focused_summary_whose_links_reach_the_fields(open_page, site):
    page = open_page()
    open_form(page, "/cases/sinos-valley")
    page.get_by_label("Summary", exact=True).fill("")
    page.locator("fieldset.lesson-group").nth(1).get_by_label("Explanation, with citations").fill("")
    page.get_by_label("Title", exact=True).fill("unknown")
    page.get_by_role("button", name="Save draft").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("heading")).to_have_text("Nothing was saved: 3 things to fix")
    summary.get_by_role("link", name="Lesson 2: explanation: Write an explanation").click()
    expect(page.locator("#f-lesson-1-explanation")).to_be_focused()
    summary.get_by_role("link", name="Summary: Write a summary").click()
    expect(page.locator("#f-summary")).to_be_focused()
    expect(page.locator("#f-summary")).to_have_attribute("aria-invalid", "true")
    assert site.extensions["library"].open_draft("case", "sinos-valley") is None


@pytest.mark.browser
def test_the_id_follows_the_title_until_the_editor_writes_one(open_page):
    page = open_page()
    page.goto("/")
    sign_in(page, EDITOR)
    page.goto("/edit/new/notes")
    page.get_by_label("Title", exact=True).fill("Cooperação em Ubá")
    expect(page.get_by_label(re.compile(r"^Id"))).to_have_value("cooperacao-em-uba")
    page.get_by_label(re.compile(r"^Id")).fill("uba-notes")
    page.get_by_label("Title", exact=True).fill("Something else")
    expect(page.get_by_label(re.compile(r"^Id"))).to_have_value("uba-notes")


@pytest.mark.browser
def test_the_edit_forms_have_no_serious_axe_violation(browser, live_server, axe_script):
    context = browser.new_context(base_url=live_server, viewport=DESKTOP, bypass_csp=True)
    try:
        page = context.new_page()
        open_form(page, "/notes/monitoring")
        page.get_by_label("Summary", exact=True).fill("")
        page.get_by_role("button", name="Save draft").click()
        expect(page.locator("#error-summary")).to_be_visible()
        found = {}
        for url in (None, "/edit/cases/criciuma", "/edit/new/cases", "/edit/cases/criciuma/section/section-1"):
            if url:
                page.goto(url)
            violations = serious_violations(page, axe_script)
            if violations:
                found[url or "errors"] = violations
        assert not found, found
    finally:
        context.close()
