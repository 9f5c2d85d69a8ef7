"""Review in headless Chromium: an editor changes one lesson sentence, the reviewer finds
it in the review queue and reads a word-level diff whose raw file diff is one line; a
reviewer cannot publish a draft they changed; restore asks for a reason first; every
action says it succeeded.

The review diff's screenshot is saved to test-output/screenshots/ and, with
CASEBASE_UPDATE_SCREENSHOTS=1, to docs/review-diff.png (the README shows it).
"""

from __future__ import annotations

import os
import re
import shutil

import pytest

from tests.web.support import (DESKTOP, NEEDS_CHROMIUM, PASSWORD, REPO_ROOT, close_app, copy_content,
                               import_playwright, indexed_app, new_context, serve_in_thread, watch_page)

pytestmark = [NEEDS_CHROMIUM, pytest.mark.browser]
sync_api = import_playwright()
expect = sync_api.expect

SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
DOC_SCREENSHOT = REPO_ROOT / "docs" / "review-diff.png"
EDITOR, REVIEWER, SECOND = "erin", "rita", "tom"
CASE = "criciuma"
OLD_WORDS, NEW_WORDS = "collective action quickly", "collective action within weeks"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A live app over a private copy of the content; yields (app, base URL)."""
    content = copy_content(tmp_path_factory.mktemp("browser-review") / "content")
    app = indexed_app(content, users=((EDITOR, "editor"), (REVIEWER, "reviewer"), (SECOND, "reviewer")))
    with serve_in_thread(app, name="live-review-server") as base_url:
        yield app, base_url
    close_app(app)


@pytest.fixture
def person(browser, site):
    """Opens a signed-in page per person; fails the test on any console error or failed sub-request."""
    contexts, problems = [], []

    def signed_in(name: str):
        context = new_context(browser, site[1], DESKTOP)
        contexts.append(context)
        page = context.new_page()
        watch_page(page, problems)
        page.goto("/login")
        page.get_by_label("Name").fill(name)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("main").get_by_role("button", name="Sign in").click()
        expect(page.locator("header .account")).to_contain_text(name)
        return page

    yield signed_in
    for context in contexts:
        context.close()
    assert not problems, problems


def flash(page):
    return page.locator(".flashes [role=status]")


def screenshot_review(page) -> None:
    """The draft page from its title to the end of the word-level changes."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)
    top = page.get_by_role("heading", level=1).evaluate("el => el.getBoundingClientRect().top + window.scrollY") - 16
    bottom = page.locator("details.raw-diff").evaluate("el => el.getBoundingClientRect().bottom + window.scrollY") + 16
    shot = SCREENSHOTS / "review-diff.png"
    page.screenshot(path=str(shot), full_page=True,
                    clip={"x": 0, "y": top, "width": DESKTOP["width"], "height": bottom - top})
    assert shot.stat().st_size > 10_000  # a real picture, not an empty page
    if os.environ.get("CASEBASE_UPDATE_SCREENSHOTS"):
        shutil.copyfile(shot, DOC_SCREENSHOT)


def test_one_changed_sentence_reads_as_a_word_diff_in_the_review_queue(person, site):
    editor = person(EDITOR)
    editor.goto(f"/edit/cases/{CASE}")
    statement = editor.locator("fieldset.lesson-group").first.get_by_label("Statement (one line)")
    statement.fill(statement.input_value().replace(OLD_WORDS, NEW_WORDS))
    editor.get_by_label("What changed (for the history)").fill("Lesson 1: make the statement actionable")
    editor.get_by_role("button", name="Save draft").click()
    editor.wait_for_url(re.compile(r"/drafts/\d+$"))
    expect(flash(editor)).to_contain_text("It waits for a reviewer")
    draft_path = editor.url.split("127.0.0.1", 1)[1].split("/", 1)[1]

    reviewer = person(REVIEWER)
    reviewer.goto("/review")
    row = reviewer.locator("table.review-queue tbody tr", has_text=CASE)
    expect(row).to_have_count(1)
    expect(row).to_contain_text(EDITOR)
    expect(row).to_contain_text("Lesson 1: make the statement actionable")
    row.get_by_role("link", name="See the changes").click()
    reviewer.wait_for_url(re.compile(rf"/{draft_path}#changes$"))

    # Exactly the changed words are marked, under the lesson's label; the raw diff is one click away.
    changes = reviewer.locator("section.word-change")
    expect(changes).to_have_count(1)
    expect(changes.get_by_role("heading", level=3)).to_contain_text("Statement")
    expect(changes.locator("del")).to_have_text(["quickly"])
    expect(changes.locator("ins")).to_have_text(["within weeks"])
    raw = reviewer.locator("details.raw-diff pre.diff")
    expect(raw).to_be_hidden()
    reviewer.locator("details.raw-diff summary").click()
    expect(raw).to_be_visible()
    changed = [line for line in raw.inner_text().splitlines()
               if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert len(changed) == 2 and NEW_WORDS in changed[1] and OLD_WORDS in changed[0], changed
    screenshot_review(reviewer)

    reviewer.get_by_role("button", name="Publish").click()
    reviewer.wait_for_url(f"**/cases/{CASE}")
    expect(flash(reviewer)).to_contain_text(f"Published case {CASE} as revision #")


def test_a_reviewer_cannot_publish_a_draft_they_changed_and_restore_asks_first(person, site):
    rita = person(REVIEWER)
    rita.goto("/edit/cases/dortmund")
    rita.get_by_label("Title", exact=True).fill("Dortmund, by Rita")
    rita.get_by_role("button", name="Save draft").click()
    rita.wait_for_url(re.compile(r"/drafts/\d+$"))
    expect(rita.get_by_role("button", name="Publish")).to_have_count(0)
    expect(rita.locator(".four-eyes")).to_contain_text("another reviewer must publish it")
    rita.goto("/review")
    expect(rita.locator("#yours + p + table tbody tr", has_text="dortmund")).to_have_count(1)

    tom = person(SECOND)
    tom.goto("/review")
    tom.locator("table.review-queue tbody tr", has_text="dortmund").get_by_role("link", name="See the changes").click()
    tom.get_by_role("button", name="Publish").click()
    tom.wait_for_url("**/cases/dortmund")

    # Restore: a confirmation page, a reason the browser will not let go empty, then the credit.
    tom.goto("/history/cases/dortmund")
    rows = tom.locator("table.history tbody tr")
    expect(rows.first.locator("td.editor")).to_have_text(REVIEWER)
    expect(rows.first.locator("td.reviewer")).to_have_text(SECOND)
    rows.nth(1).get_by_role("link", name="Restore…").click()
    expect(tom.get_by_role("heading", level=1)).to_contain_text("Restore revision")
    tom.get_by_role("button", name=re.compile("^Restore revision")).click()
    expect(tom.get_by_role("heading", level=1)).to_contain_text("Restore revision")  # still asking: required
    assert tom.get_by_label(re.compile("Why restore it")).evaluate("el => el.validity.valueMissing")
    tom.get_by_label(re.compile("Why restore it")).fill("The sources call it Dortmund")
    tom.get_by_role("button", name=re.compile("^Restore revision")).click()
    tom.wait_for_url("**/history/cases/dortmund")
    expect(flash(tom)).to_contain_text("Restored revision #")
    expect(rows.first.locator("td.messages")).to_contain_text("The sources call it Dortmund")
    expect(rows.first.locator("td.messages")).to_contain_text("Restore of revision")
