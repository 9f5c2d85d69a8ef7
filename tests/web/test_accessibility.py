"""Accessibility in a real browser (issue 13): axe-core finds no serious or critical
violation on any main page; the keyboard reaches the results first; focus moves to the
results after a search and to the advisor's suggestions after submitting; tap targets
of the search page's controls are at least 24 px on a phone.

axe-core is installed from the npm registry into test-output/axe during set-up (the
test is skipped where npm or the registry is unavailable). The app's CSP forbids
injected scripts, so only the axe run's browser context bypasses it.
"""

from __future__ import annotations

import pytest

from tests.web.support import (DESKTOP, NEEDS_CHROMIUM, PHONE, import_playwright,
                               make_app, new_context, serve_in_thread, watch_page, serious_violations)

pytestmark = [NEEDS_CHROMIUM, pytest.mark.browser]

sync_api = import_playwright()
expect = sync_api.expect

MAIN_PAGES = ["/", "/search?q=cooperation", "/search?country=Brazil", "/search?q=zzzqqxx&mode=keyword",
              "/cases", "/notes", "/glossary", "/learn", "/cases/sinos-valley", "/notes/identifying-clusters",
              "/advisor", "/advisor?description=shoe+makers+distrust+each+other&sectors=footwear"]
MIN_TARGET_PX = 24


@pytest.fixture(scope="module")
def live_server(bundled_casebase):
    with serve_in_thread(make_app(bundled_casebase)) as base_url:
        yield base_url


@pytest.fixture
def page(browser, live_server):
    context = new_context(browser, live_server, DESKTOP)
    page = context.new_page()
    problems = watch_page(page)
    yield page
    context.close()
    assert not problems, problems


def test_no_serious_or_critical_axe_violation_on_any_main_page(browser, live_server, axe_script):
    context = browser.new_context(base_url=live_server, viewport=DESKTOP, bypass_csp=True)
    try:
        page = context.new_page()
        found = {}
        for url in MAIN_PAGES:
            page.goto(url)
            violations = serious_violations(page, axe_script)
            if violations:
                found[url] = violations
        assert not found, found
    finally:
        context.close()


def test_keyboard_skips_to_results_and_focus_lands_on_them(page):
    page.goto("/search?q=cooperation")
    expect(page.locator("#results")).to_be_focused()  # after a search, not the top of the page
    page.locator("a.skip").first.focus()  # the first Tab stop of every page: "Skip to content"
    page.keyboard.press("Tab")
    skip = page.locator("a.skip", has_text="Skip to results")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    first_stop = page.evaluate("document.activeElement.closest('#results') !== null")
    assert first_stop, "Tab after 'skip to results' leaves the results"
    # A facet click loads the page anew with the focus on the results, whose count is announced.
    page.locator("section.facet a").first.click()
    page.wait_for_load_state()
    expect(page.locator("#results")).to_be_focused()
    expect(page.locator("[aria-live]").first).to_be_attached()


def test_advisor_moves_focus_to_its_suggestions(page):
    page.goto("/advisor")
    page.get_by_label("Description").fill("shoe makers who distrust each other")
    page.get_by_role("button", name="Find similar cases and lessons").click()
    page.wait_for_url("**/advisor?**")
    expect(page.locator("#advice")).to_be_focused()


def test_one_labelled_search_landmark_per_page(page):
    for url in MAIN_PAGES:
        page.goto(url)
        expect(page.get_by_role("search")).to_have_count(1)


def test_search_page_tap_targets_are_at_least_24_px_on_a_phone(browser, live_server):
    context = new_context(browser, live_server, PHONE)
    try:
        page = context.new_page()
        page.goto("/search?q=cooperation&country=Brazil")
        page.locator(".facets summary").click()
        small = page.evaluate("""min => Array.from(document.querySelectorAll(
                '.facets a, .chips a, header a, header button, .search-form button, .search-form select,'
                + ' .search-form input:not([type=hidden]), .pagination a, .skip'))
            .filter(el => { const r = el.getBoundingClientRect(); return r.width > 1 && r.height < min; })
            .map(el => el.textContent.trim().slice(0, 30) + ' ' + Math.round(el.getBoundingClientRect().height))""",
                              MIN_TARGET_PX)
        assert not small, small
    finally:
        context.close()
