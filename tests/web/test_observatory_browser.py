"""The observatory's journey in headless Chromium: a programme manager creates a
programme and an initiative, a member defines the scorecard from the Thai template and
records measurements and a self-evaluation from a phone-sized window, the benchmark and
the dashboard show them, and closing the initiative yields a draft case.

The dashboard's screenshot is saved to test-output/screenshots/ and, with
CASEBASE_UPDATE_SCREENSHOTS=1, to docs/observatory-dashboard.png (the README shows it).
"""

from __future__ import annotations

import os
import re
import shutil

import pytest

from tests.web.support import (DESKTOP, NEEDS_CHROMIUM, PASSWORD, PHONE, REPO_ROOT, close_app, copy_content,
                               import_playwright, indexed_app, new_context, serve_in_thread, watch_page, serious_violations)

pytestmark = [NEEDS_CHROMIUM, pytest.mark.browser]
sync_api = import_playwright()
expect = sync_api.expect

SCREENSHOTS = REPO_ROOT / "test-output" / "screenshots"
DOC_SCREENSHOT = REPO_ROOT / "docs" / "observatory-dashboard.png"
USERS = (("maria", "editor"), ("lek", "reader"))
PROGRAMME = "2027 contest round"
INITIATIVE = "Chiang Mai food processors"
KPI = "Number of members recruited into the cluster"
MIN_TAP_PX = 24  # WCAG 2.5.8 target size (minimum)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    app = indexed_app(copy_content(tmp_path_factory.mktemp("observatory-journey") / "content"), users=USERS)
    with serve_in_thread(app, "observatory-live-server") as base_url:
        yield app, base_url
    close_app(app)


def sign_in(page, name: str) -> None:
    page.goto("/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    expect(page.locator("header .account")).to_contain_text(name)


def add_named_peer(app, programme_slug: str, definition_id: int) -> None:
    """Another initiative of the programme with figures on the shared indicator, so the
    benchmark compares the journey's initiative with a peer (set up directly: not the journey)."""
    observatory = app.extensions["casebase"].observatory
    manager = observatory.viewer(app.extensions["accounts"].get("maria"))
    observatory.create_initiative(manager, programme_slug, {"slug": "peer-wine", "name": "Peer wine makers",
                                                            "status": "running"})
    peer = observatory.add_indicator(manager, "peer-wine", {
        "perspective": "Customer", "factor": "Membership", "name": "Member firms", "unit": "firms",
        "baseline_value": 10, "target_value": 30, "definition_id": definition_id})
    for period, value in (("2027-Q1", 11), ("2027-Q2", 13)):
        observatory.record_measurement(manager, peer.id, period, value, f"{period[:4]}-0{int(period[-1]) * 3}-28")


def assert_fits_a_phone(page) -> None:
    """No sideways scrolling, and every visible control at least MIN_TAP_PX high and wide."""
    assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    controls = page.locator("main form:not(.quick) :is(input:not([type=hidden]), select, textarea, button)")
    for index in range(controls.count()):
        box = controls.nth(index).bounding_box()
        if box is not None:
            assert box["height"] >= MIN_TAP_PX and box["width"] >= MIN_TAP_PX, (index, box)


def screenshot_dashboard(page) -> None:
    """The dashboard from its overview to the first benchmark, one desktop wide."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.mouse.move(0, 0)
    top = page.locator("#overview-heading").evaluate("el => el.getBoundingClientRect().top + window.scrollY") - 16
    bottom = page.locator("#benchmarks figure").first.evaluate(
        "el => el.getBoundingClientRect().bottom + window.scrollY") + 16
    full = SCREENSHOTS / "observatory-dashboard.png"
    page.screenshot(path=str(full), full_page=True,
                    clip={"x": 0, "y": top, "width": DESKTOP["width"], "height": bottom - top})
    if os.environ.get("CASEBASE_UPDATE_SCREENSHOTS"):
        shutil.copyfile(full, DOC_SCREENSHOT)


def test_the_observatory_journey(browser, site):
    app, base_url = site
    problems: list[str] = []

    # The programme manager creates a programme, a programme-wide indicator and an initiative.
    desk = new_context(browser, base_url, DESKTOP)
    manager = desk.new_page()
    watch_page(manager, problems)
    sign_in(manager, "maria")
    manager.goto("/observatory")
    form = manager.locator("form", has=manager.get_by_role("button", name="Create programme"))
    form.get_by_label(re.compile("^Name")).fill(PROGRAMME)
    form.get_by_label("Agency").fill("Provincial agency")
    form.get_by_role("button", name="Create programme").click()
    expect(manager.get_by_role("heading", level=1)).to_have_text(PROGRAMME)
    expect(manager.locator(".notice.done")).to_contain_text("you manage it")
    programme_url = manager.url.split("?")[0]
    programme_slug = programme_url.rsplit("/", 1)[1]

    define = manager.locator("form", has=manager.get_by_role("button", name="Define indicator"))
    define.get_by_label(re.compile("^Key")).fill("member-firms")
    define.get_by_label(re.compile("^Name")).fill("Member firms")
    define.get_by_label("Unit").fill("firms")
    define.get_by_role("button", name="Define indicator").click()
    expect(manager.locator(".notice.done")).to_contain_text("programme-wide indicator")
    observatory = app.extensions["casebase"].observatory
    maria = observatory.viewer(app.extensions["accounts"].get("maria"))
    definition = observatory.definitions(maria, programme_slug)[0]
    add_named_peer(app, programme_slug, definition.id)

    manager.get_by_role("link", name="New initiative").click()
    manager.get_by_label(re.compile("^Name")).fill(INITIATIVE)
    manager.get_by_label("Place").fill("Chiang Mai")
    manager.locator("#f-country").select_option("Thailand")
    manager.locator("#f-sectors").select_option(["food-processing"])
    manager.locator("#f-status").select_option("running")
    manager.get_by_label("Description").fill("Small food processors around Chiang Mai want to reach export buyers.")
    manager.get_by_role("button", name="Create initiative").click()
    expect(manager.get_by_role("heading", level=1)).to_contain_text(INITIATIVE)
    initiative_url = manager.url.split("?")[0]
    members = manager.locator("#members")
    members.get_by_label("Account name").fill("lek")
    members.get_by_label("Role").select_option("local-actor")
    members.get_by_role("button", name="Add member").click()
    expect(manager.locator("#members")).to_contain_text("lek")

    # A member, on a phone, starts the scorecard from the Thai template ...
    phone_context = new_context(browser, base_url, PHONE)
    phone = phone_context.new_page()
    watch_page(phone, problems)
    sign_in(phone, "lek")
    phone.goto(initiative_url)
    phone.get_by_role("link", name="Edit the scorecard").click()
    phone.get_by_label(re.compile("Thai food cluster")).check()
    phone.get_by_label("Defined by").fill("Chiang Mai steering group")
    phone.get_by_role("button", name="Start from this template").click()
    expect(phone.locator(".notice.done")).to_contain_text("adapt it")
    expect(phone.get_by_role("link", name=KPI)).to_be_visible()

    # ... links one indicator to the programme's, with a baseline and a target ...
    phone.get_by_role("link", name=KPI).click()
    edit = phone.locator("form", has=phone.get_by_role("button", name="Save indicator"))
    edit.get_by_label("Baseline value").fill("10")
    edit.get_by_label("Target value").fill("40")
    edit.get_by_label("Programme-wide indicator it reports").select_option(label="Member firms")
    edit.get_by_role("button", name="Save indicator").click()
    expect(phone.locator(".notice.done")).to_contain_text("indicator was saved")

    # ... records two quarters (the second twice: a correction) ...
    phone.get_by_role("link", name="Record or correct a value").click()
    assert phone.get_by_label("Value").get_attribute("inputmode") == "decimal"
    assert_fits_a_phone(phone)
    for period, value in (("2027-Q1", "14"), ("2027-Q2", "18"), ("2027-Q2", "19,5")):
        phone.get_by_label("Period").fill(period)
        phone.get_by_label("Value").fill(value)
        phone.get_by_label("Measured on").fill(f"{period[:4]}-0{int(period[-1]) * 3}-30")
        phone.get_by_label("Source or evidence").fill("Membership list of the association")
        phone.get_by_role("button", name="Record").click()
        expect(phone.locator(".notice.done")).to_have_text("The measurement was recorded.")
        expect(phone.get_by_label("Indicator")).to_have_value(re.compile(r"\d+"))  # stays chosen for the next

    # ... and a self-evaluation with an action.
    phone.goto(initiative_url)
    phone.get_by_role("link", name="Evaluations").click()
    assert_fits_a_phone(phone)
    phone.get_by_label("Held on").fill("2027-07-02")
    phone.get_by_label("firms", exact=True).check()
    phone.get_by_label("facilitator", exact=True).check()
    phone.get_by_label(KPI, exact=True).check()
    phone.get_by_label("Findings").fill("Recruiting is slower than hoped; the banks are not yet on board.")
    phone.get_by_label("Action 1").fill("Invite the banks to the next meeting")
    phone.get_by_label("Owner").first.fill("lek")
    phone.get_by_label("Due").first.fill("2027-09-30")
    phone.get_by_role("button", name="Record evaluation").click()
    expect(phone.locator(".notice.done")).to_contain_text("evaluation was recorded")
    phone.goto(initiative_url)
    expect(phone.locator("#actions")).to_contain_text("Last self-evaluation: 2027-07-02")
    expect(phone.locator("#actions")).to_contain_text("Invite the banks to the next meeting")
    chart = phone.locator(f"#scorecard figure", has_text=KPI)
    expect(chart.locator("svg")).to_be_visible()
    expect(chart.locator("figcaption")).to_contain_text("2 values")
    assert phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]

    # The benchmark and the dashboard show them.
    manager.goto(programme_url)
    summary = manager.locator(".obs-summaries tr", has_text=INITIATIVE)
    expect(summary).to_contain_text("running")
    expect(summary).to_contain_text("2027-07-02")
    expect(summary.locator("td").nth(2)).to_have_text(re.compile(r"^\s*2\d \(1\)\s*$"))  # the template's KPIs, one measured
    expect(manager.locator("#actions-heading ~ ul")).to_contain_text("Invite the banks")
    benchmark = manager.locator("#benchmarks figure", has_text="Member firms")
    expect(benchmark.locator("svg")).to_be_visible()
    ours = benchmark.locator("tr", has_text=INITIATIVE)
    expect(ours).to_contain_text("19.5 firms")
    expect(ours.locator("td").first).to_have_text("1")  # ahead of the peer's 13
    expect(benchmark.locator("tr", has_text="Peer wine makers")).to_contain_text("13 firms")
    screenshot_dashboard(manager)

    # Closing the initiative yields a draft case, in the drafts list.
    manager.goto(initiative_url)
    manager.get_by_role("button", name="Close the initiative and draft its case").click()
    expect(manager.locator(".notice.done")).to_contain_text("draft case")
    expect(manager.locator("h1 .status")).to_have_text("closed")
    manager.get_by_role("link", name="draft case").click()
    expect(manager).to_have_url(re.compile(r"/drafts/\d+$"))
    draft_url = manager.url
    manager.goto("/drafts")
    expect(manager.locator(f"a[href='{draft_url.replace(base_url, '')}']")).to_be_visible()

    desk.close()
    phone_context.close()
    assert not problems, problems


def test_no_serious_or_critical_axe_violation_on_the_observatory_pages(browser, site, axe_script):
    """axe-core over every observatory page of the fictional demo programme (only this
    context bypasses the CSP, to inject axe)."""
    from indexer.observatory.demo import DEMO_SLUG, create_demo

    app, base_url = site
    observatory = app.extensions["casebase"].observatory
    manager = observatory.viewer(app.extensions["accounts"].get("maria"))
    if not any(p.slug == DEMO_SLUG for p in observatory.programmes(manager)):
        create_demo(observatory, manager)
    slugs = [i.slug for i in observatory.initiatives(manager, DEMO_SLUG)]
    measured = next(slug for slug in slugs if observatory.scorecard(manager, slug).perspectives)
    indicator = observatory.scorecard(manager, measured).perspectives[0].factors[0].indicators[0]
    definition = observatory.definitions(manager, DEMO_SLUG)[0]
    pages = ["/observatory", f"/observatory/{DEMO_SLUG}", f"/observatory/{DEMO_SLUG}/new",
             f"/observatory/{DEMO_SLUG}/benchmarks/{definition.id}", f"/observatory/initiatives/{measured}",
             f"/observatory/initiatives/{measured}/edit", f"/observatory/initiatives/{measured}/scorecard",
             f"/observatory/initiatives/{measured}/indicators/{indicator.id}",
             f"/observatory/initiatives/{measured}/measure", f"/observatory/initiatives/{measured}/evaluations",
             f"/observatory/initiatives/{measured}/import", f"/observatory/initiatives/{slugs[0]}/scorecard"]
    context = browser.new_context(base_url=base_url, viewport=DESKTOP, bypass_csp=True)
    try:
        page = context.new_page()
        sign_in(page, "maria")
        found = {}
        for url in pages:
            assert page.goto(url).status == 200, url
            violations = serious_violations(page, axe_script)
            if violations:
                found[url] = violations
        assert not found, found
    finally:
        context.close()
