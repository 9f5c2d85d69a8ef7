"""End-to-end tests: headless Chromium drives the app on a live server.

The browser is Debian's /usr/bin/chromium (CI installs it; playwright never downloads
one). Without it these tests are skipped. Each test looks at what a user sees, and the
main pages are saved as screenshots to test-output/screenshots/ (for review) and, with
CASEBASE_UPDATE_SCREENSHOTS=1, to docs/screenshots/ (committed, used by the README).
"""

from __future__ import annotations

import os
import re
import shutil
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.web.support import (DESKTOP, NEEDS_CHROMIUM, PHONE, REPO_ROOT, import_playwright,
                               make_app, serve_in_thread, watched_page)

SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
DOC_SCREENSHOTS = REPO_ROOT / "docs" / "screenshots"

pytestmark = NEEDS_CHROMIUM

sync_api = import_playwright()
expect = sync_api.expect


# ------------------------------------------------------------------------ fixtures

@pytest.fixture(scope="module")
def live_app(bundled_casebase):
    """One app for the whole module (the `app` fixture in conftest.py is per test)."""
    return make_app(bundled_casebase)


@pytest.fixture(scope="module")
def live_server(live_app):
    """The app served on 127.0.0.1 on a free port from a background thread; yields its base URL."""
    with serve_in_thread(live_app) as base_url:
        yield base_url


@pytest.fixture
def page(browser, live_server):
    """A fresh desktop browser context (empty localStorage) and page; fails on console errors."""
    yield from watched_page(browser, live_server, DESKTOP)


@pytest.fixture
def phone_page(browser, live_server):
    """A fresh context with a phone-sized viewport."""
    yield from watched_page(browser, live_server, PHONE)


def screenshot(page, name: str, docs: bool = True, docs_from=None, margin: int = 24, hover: bool = False) -> None:
    """Save a full-page screenshot to test-output/ and a README-sized copy to docs/.

    The docs copy is the full page when it is short, else one 1280x900 screen: the top
    of the page, or the screen starting `margin` pixels above the locator `docs_from`."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if not hover:
        page.mouse.move(0, 0)  # no stray hover state in the picture
    full = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(full), full_page=True)
    # The README's copies change only when asked for, so a test run leaves git clean.
    if not docs or not os.environ.get("CASEBASE_UPDATE_SCREENSHOTS"):
        return
    DOC_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    if page.evaluate("document.scrollingElement.scrollHeight") <= 1400:
        shutil.copyfile(full, DOC_SCREENSHOTS / f"{name}.png")
        return
    top = 0
    if docs_from is not None:
        top = max(0, docs_from.evaluate("el => el.getBoundingClientRect().top + window.scrollY") - margin)
    page.evaluate("y => window.scrollTo(0, y)", top)
    page.screenshot(path=str(DOC_SCREENSHOTS / f"{name}.png"), full_page=False)
    page.evaluate("window.scrollTo(0, 0)")


def query_of(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def result_total(page) -> int:
    text = page.locator(".results .total").inner_text()
    return int(re.match(r"\s*(\d+) results?", text).group(1))


# ------------------------------------------------------------------------ scenarios

@pytest.mark.browser
def test_search_from_home_and_open_the_zamora_case(page):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("cluster initiatives")
    screenshot(page, "home")

    page.get_by_label("What are you looking for?").fill("frog exporters")
    page.get_by_label("What are you looking for?").press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=frog\+exporters"))
    expect(page.locator(".results .total")).to_contain_text("for frog exporters")
    zamora = page.locator("li.hit").filter(has=page.locator(".kind-case")).filter(has_text="Zamora frog producers")
    expect(zamora.first).to_be_visible()
    expect(page.locator(".hit .snippet mark").first).to_be_visible()  # matched words highlighted
    screenshot(page, "search")

    zamora.first.locator("a.hit-title").click()
    page.wait_for_url("**/cases/zamora-frogs")
    expect(page.get_by_role("heading", level=1)).to_have_text("Zamora frog producers (Ecuador)")
    fact_sheet = page.locator("section.fact-sheet")
    expect(fact_sheet.get_by_role("heading", name="Fact sheet")).to_be_visible()
    expect(fact_sheet.locator("dt", has_text="Country")).to_be_visible()
    expect(fact_sheet.get_by_role("link", name="Ecuador")).to_be_visible()
    expect(page.get_by_role("heading", name="Lessons", exact=True)).to_be_visible()
    lessons = page.locator("section.lesson h3")
    assert lessons.count() >= 1
    expect(lessons.first).to_be_visible()
    screenshot(page, "case")


@pytest.mark.browser
def test_facet_narrows_results_and_the_url_keeps_the_state(page):
    page.goto("/search?q=cooperation")
    before = result_total(page)
    facets = page.get_by_role("complementary", name="Filters")
    brazil = facets.locator("section.facet", has=page.get_by_role("heading", name="Country")).get_by_role(
        "link", name=re.compile(r"^Brazil \d+$"))
    expected = int(brazil.locator(".count").inner_text())
    brazil.click()

    page.wait_for_url(re.compile(r"country=Brazil"))
    assert query_of(page.url) == {"q": ["cooperation"], "country": ["Brazil"]}
    after = result_total(page)
    assert after == expected and after < before
    active = facets.locator("a.active")
    expect(active).to_have_count(1)
    expect(active).to_have_attribute("aria-current", "true")
    expect(active).to_contain_text("Brazil")
    titles = page.locator("a.hit-title").all_inner_texts()

    page.reload()
    assert result_total(page) == after
    assert page.locator("a.hit-title").all_inner_texts() == titles
    expect(facets.locator("a.active")).to_contain_text("Brazil")

    # A second facet adds to the first; a new query from the form keeps both.
    facets.locator("section.facet", has=page.get_by_role("heading", name="Kind")).get_by_role(
        "link", name=re.compile(r"^Case \d+$")).click()
    page.wait_for_url(re.compile(r"kind=case"))
    expect(facets.locator("a.active")).to_have_count(2)
    assert {kind.text_content() for kind in page.locator("li.hit .kind").all()} == {"case"}
    page.get_by_label("Search cases, lessons and notes").fill("cooperation trust")
    page.get_by_role("main").get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"q=cooperation\+trust"))
    state = query_of(page.url)
    assert state["country"] == ["Brazil"] and state["kind"] == ["case"]

    # Clicking an active facet removes it again.
    facets.locator("a.active", has_text="Brazil").click()
    page.wait_for_url(lambda url: "country=" not in url)
    expect(facets.locator("a.active")).to_have_count(1)


ADVISOR_DESCRIPTION = ("Some 600 leather-goods makers in the Restrepo district of Bogotá. Sales have fallen for "
                       "three years, mainly because of cheap imports from Asia. The large firms and the small "
                       "workshops distrust each other.")


@pytest.mark.browser
def test_advisor_form_gives_similar_cases_a_warning_and_a_shareable_url(page, browser, live_server):
    page.goto("/advisor")
    expect(page.locator("section.advice")).to_have_count(0)
    page.get_by_label("Description").fill(ADVISOR_DESCRIPTION)
    page.get_by_label("Country").select_option(label="Colombia")
    page.get_by_label("Sectors").select_option(["leather-goods", "footwear"])
    page.get_by_label("Initiative driven by").select_option(label="Private sector")
    page.get_by_label("Approach").select_option("bottom-up")
    page.get_by_role("button", name="Find similar cases and lessons").click()

    page.wait_for_url(re.compile(r"/advisor\?"))
    state = query_of(page.url)
    assert state["country"] == ["Colombia"] and state["driver"] == ["private"]
    assert state["approach"] == ["bottom-up"] and sorted(state["sectors"]) == ["footwear", "leather-goods"]
    assert state["description"] == [ADVISOR_DESCRIPTION]

    expect(page.get_by_role("heading", name="What the casebase suggests")).to_be_visible()
    first = page.locator("section.similar-cases > ol > li").first
    expect(first.locator("a").first).to_contain_text("Sinos")
    expect(first.locator(".reason")).not_to_be_empty()
    warning = page.locator("li.warning-warning").first
    expect(warning).to_be_visible()
    expect(warning).to_contain_text("Warning:")
    expect(warning).to_contain_text("unlikely to")
    expect(warning).to_contain_text("distrust")  # the words it was read from (the advisor's wording may change)
    expect(page.locator("section.lessons-apply li").first).to_be_visible()
    # The form shows what was asked.
    expect(page.get_by_label("Country")).to_have_value("Colombia")
    expect(page.get_by_label("Description")).to_have_value(ADVISOR_DESCRIPTION)
    # The score explanation opens.
    first.locator("summary").click()
    expect(first.locator("table.explanation")).to_be_visible()
    first.locator("summary").click()
    screenshot(page, "advisor", docs_from=page.locator("section.advice"), margin=170)

    # The URL alone reproduces the answer in a new browser context.
    url = page.url
    other = browser.new_context(base_url=live_server, viewport=DESKTOP)
    try:
        shared = other.new_page()
        shared.goto(url)
        expect(shared.locator("section.similar-cases > ol > li").first.locator("a").first).to_contain_text("Sinos")
        expect(shared.locator("li.warning-warning").first).to_contain_text("unlikely")
    finally:
        other.close()


@pytest.mark.browser
def test_glossary_tooltip_shows_on_keyboard_focus_and_on_hover(page):
    page.goto("/notes/identifying-clusters")
    terms = page.locator("main .term")
    assert terms.count() >= 2
    expect(terms.first.locator(".tip")).to_be_hidden()

    page.locator("body").click(position={"x": 5, "y": 5})  # focus starts at the top of the page
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('term')"):
            break
    else:
        pytest.fail("Tab never reached a glossary term")
    focused = page.locator("main .term:focus")
    tip = focused.locator(".tip")
    expect(tip).to_be_visible()
    expect(tip).to_contain_text(":")
    assert tip.inner_text().startswith(focused.evaluate("el => el.firstChild.textContent.trim()"))
    # The tooltip sits on top of the text: nothing else covers its centre.
    assert tip.evaluate("""el => { const r = el.getBoundingClientRect();
        return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }""")
    page.keyboard.press("Escape")
    expect(tip).to_be_hidden()

    other = terms.nth(1)
    other.scroll_into_view_if_needed()
    expect(other.locator(".tip")).to_be_hidden()
    other.hover()
    expect(other.locator(".tip")).to_be_visible()
    expect(other.locator(".tip")).not_to_be_empty()
    # The picture shows a tooltip: the first term, focused from the keyboard.
    page.mouse.move(0, 0)
    terms.first.focus()
    expect(terms.first.locator(".tip")).to_be_visible()
    screenshot(page, "note", hover=True)


@pytest.mark.browser
def test_marking_a_note_read_shows_progress_on_the_learn_page(page, bundled_casebase):
    page.goto("/learn")
    steps = page.locator("ol.path li.step")
    total = steps.count()
    assert total == len(bundled_casebase.content.notes)
    progress = page.locator("p.progress")
    expect(progress).to_have_text(f"0 of {total} notes read")

    steps.first.get_by_role("link").click()
    page.wait_for_url("**/notes/what-is-a-cluster")
    button = page.get_by_role("button", name="Mark as read")
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(page.locator("button.mark-read")).to_have_text("Read ✓ (undo)")
    expect(page.locator("button.mark-read")).to_have_attribute("aria-pressed", "true")

    page.goto("/learn")
    expect(progress).to_have_text(f"1 of {total} notes read")
    expect(steps.first).to_have_class(re.compile(r"\bdone\b"))
    expect(page.locator("ol.path li.step.done")).to_have_count(1)
    assert page.evaluate("JSON.parse(localStorage.getItem('casebase-read-notes'))") == ["what-is-a-cluster"]
    screenshot(page, "learn")

    # Undo on the note page takes it back.
    page.goto("/notes/what-is-a-cluster")
    page.locator("button.mark-read").click()
    expect(page.locator("button.mark-read")).to_have_text("Mark as read")
    page.goto("/learn")
    expect(progress).to_have_text(f"0 of {total} notes read")


@pytest.mark.browser
def test_404_page_offers_a_search_box(page):
    response = page.goto("/cases/no-such-case")
    assert response.status == 404
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("no-such-case")
    expect(page.get_by_role("main").get_by_role("link", name="Back to the home page")).to_be_visible()
    box = page.get_by_label("Search instead")
    expect(box).to_be_visible()
    screenshot(page, "not-found", docs=False)
    box.fill("zamora")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=zamora"))
    expect(page.locator("a.hit-title").first).to_be_visible()


@pytest.mark.browser
@pytest.mark.parametrize("name, url", [
    ("search", "/search?q=cooperation"),
    ("home", "/"),
    ("case", "/cases/sinos-valley"),
    ("note", "/notes/identifying-clusters"),
    ("advisor", "/advisor?description=shoe+makers+losing+market+share&country=Mexico&sectors=footwear"
                "&driver=private&approach=bottom-up"),
    ("learn", "/learn"),
])
def test_pages_fit_a_phone_screen(phone_page, name, url):
    phone_page.goto(url)
    expect(phone_page.get_by_role("heading", level=1)).to_be_visible()
    widths = phone_page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1] + 1, f"{url} scrolls sideways on a phone: {widths}"
    # The page's one search box stays usable.
    box = phone_page.get_by_role("search").get_by_role("searchbox")
    assert box.bounding_box()["width"] >= 150
    if name == "search":
        # The filters start folded, so the first result is on the first screen.
        expect(phone_page.locator("a.hit-title").first).to_be_in_viewport()
        filters = phone_page.locator(".facets summary")
        expect(filters).to_have_text("Filters")
        expect(phone_page.locator(".facets .facet").first).to_be_hidden()
        filters.click()
        expect(phone_page.locator(".facets .facet").first).to_be_visible()
    if name == "note":
        # A glossary tooltip opens inside the screen, whatever the term's position.
        terms = phone_page.locator("main .term")
        for index in range(terms.count()):
            terms.nth(index).focus()
            tip = terms.nth(index).locator(".tip")
            expect(tip).to_be_visible()
            expect(tip).to_be_in_viewport(ratio=1)
            widths = phone_page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
            assert widths[0] <= widths[1] + 1, f"tooltip {index} makes the page scroll sideways: {widths}"
        phone_page.locator("main h1").click()  # leave no tooltip open for the screenshot
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone_page.screenshot(path=str(SCREENSHOTS / f"phone-{name}.png"), full_page=True)


# ------------------------------------------------------------------------ finding and reading (issue 13)

@pytest.mark.browser
def test_a_fact_sheet_link_and_the_breadcrumb_land_on_non_empty_lists(page):
    page.goto("/cases/sinos-valley")
    page.locator("section.fact-sheet").get_by_role("link", name="Brazil").click()
    page.wait_for_url(re.compile(r"/search\?country=Brazil$"))
    assert result_total(page) > 0
    expect(page.locator("a.hit-title", has_text="Sinos Valley")).to_be_visible()
    expect(page.locator(".chips .chip").first).to_contain_text("Country: Brazil")
    page.go_back()
    page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Cases").click()
    page.wait_for_url("**/cases")
    rows = page.locator("li.case-row")
    assert rows.count() >= 5
    expect(rows.filter(has_text="Sinos Valley").locator(".facts")).to_contain_text("Brazil")
    screenshot(page, "cases")
    rows.first.get_by_role("heading").get_by_role("link").click()
    expect(page.locator("section.fact-sheet")).to_be_visible()


@pytest.mark.browser
def test_instant_search_updates_results_and_the_permalink(page):
    page.goto("/search?q=cooperation")
    page.evaluate("window.__same_page = true")  # gone if the page navigated
    box = page.get_by_role("search").get_by_role("searchbox")
    box.fill("")
    box.press_sequentially("frog exporters", delay=30)
    expect(page.locator(".results .total")).to_contain_text("for frog exporters")
    expect(page.locator("a.hit-title", has_text="Zamora").first).to_be_visible()
    page.wait_for_url(re.compile(r"q=frog\+exporters"))
    assert page.evaluate("window.__same_page === true")
    expect(box).to_be_focused()  # typing goes on
    expect(page.locator("#announce")).to_contain_text("for frog exporters")
    page.reload()
    expect(page.locator("a.hit-title", has_text="Zamora").first).to_be_visible()


@pytest.mark.browser
def test_chips_remove_filters_and_other_values_stay_for_or(page):
    page.goto("/search?q=cooperation")
    country = page.locator("section.facet", has=page.get_by_role("heading", name="Country"))
    before = country.locator("li").count()
    country.get_by_role("link", name=re.compile(r"^Brazil \d+$")).click()
    page.wait_for_url(re.compile(r"country=Brazil"))
    assert country.locator("li").count() == before  # the other countries stay, for OR
    country.locator("a:not(.active)").first.click()
    page.wait_for_url(lambda url: len(query_of(url).get("country", [])) == 2)
    chips = page.locator(".chips a.chip:not(.clear)")
    expect(chips).to_have_count(2)
    chips.first.click()
    page.wait_for_url(lambda url: len(query_of(url).get("country", [])) == 1)
    expect(page.locator(".chips a.chip:not(.clear)")).to_have_count(1)
    page.get_by_role("link", name="Clear all").click()
    page.wait_for_url(lambda url: query_of(url) == {"q": ["cooperation"]})
    expect(page.locator(".chips")).to_have_count(0)


@pytest.mark.browser
def test_a_portuguese_query_finds_the_footwear_case(page):
    page.goto("/")
    box = page.get_by_label("What are you looking for?")
    box.fill("calçados Vale dos Sinos")
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q="))
    expect(page.locator("p.notice").first).to_contain_text("calçados → footwear")
    titles = page.locator("a.hit-title").all_inner_texts()[:3]
    assert any("Sinos" in title for title in titles), titles
    expect(page.locator(".did-you-mean")).to_have_count(0)


@pytest.mark.browser
def test_a_lesson_hit_names_its_case_and_the_target_lesson_is_highlighted(page):
    page.goto("/search?q=trust&kind=lesson")
    hit = page.locator("li.hit").first
    expect(hit.locator(".context")).to_contain_text("From ")
    hit.locator("a.hit-title").click()
    page.wait_for_url(re.compile(r"#lesson-"))
    target = page.locator(".lesson:target")
    expect(target).to_have_count(1)
    assert target.evaluate("el => getComputedStyle(el).backgroundColor") != "rgb(255, 255, 255)"


@pytest.mark.browser
def test_notes_lead_along_the_path_and_learn_offers_to_continue(page):
    page.goto("/learn")
    expect(page.locator("#continue")).to_be_hidden()
    page.locator("ol.path li.step").first.get_by_role("link").click()
    nav = page.get_by_role("navigation", name="Learning path")
    expect(nav.locator("a[rel=prev]")).to_have_count(0)
    nav.locator("a[rel=next]").click()
    second = page.locator("h1").inner_text()
    expect(page.get_by_role("navigation", name="Learning path").locator("a[rel=prev]")).to_be_visible()
    page.goto("/learn")
    expect(page.locator("#continue-link")).to_contain_text(second)
    page.goto("/glossary")
    page.get_by_label("Filter the terms").fill("quotient")
    expect(page.locator(".entry:visible")).to_have_count(1)
    expect(page.locator(".entry:visible")).to_contain_text("location quotient")
    screenshot(page, "glossary")
