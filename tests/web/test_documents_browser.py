"""Documents in headless Chromium: a programme manager uploads a PDF and a DOCX to an
initiative from its page (drag-and-drop form with a progress bar per file), finds a
phrase from each in search with the page (or section) named, follows the hit to the
passage, and starts a case from the PDF. The upload form also works without script, the
new pages pass axe-core, and the phone header keeps its links on one row."""

from __future__ import annotations

import re

import pytest

from tests import documents_fixtures as files
from tests.web.observatory_world import build, open_app
from tests.web.support import (DESKTOP, NEEDS_CHROMIUM, PASSWORD, PHONE, close_app, import_playwright, new_context,
                               serious_violations, serve_in_thread, watch_page)

pytestmark = [NEEDS_CHROMIUM, pytest.mark.browser]
sync_api = import_playwright()
expect = sync_api.expect

PDF_TITLE, DOCX_TITLE = "Alpha export proposal", "Alpha fact-finding report"
PDF_PHRASE = files.page_phrase(2)  # on page 2 of the PDF
DOCX_HEADING, DOCX_PHRASE = files.SECTIONS[1][0], "shortage of skilled carpenters"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    app = open_app(tmp_path_factory.mktemp("documents-journey"))
    build(app)
    with serve_in_thread(app, "documents-live-server") as base_url:
        yield app, base_url
    close_app(app)


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    folder = tmp_path_factory.mktemp("documents-files")
    return {"pdf": files.text_pdf(folder / "alpha-proposal.pdf", 3, title=PDF_TITLE),
            "docx": files.docx_file(folder / "alpha-fact-finding.docx", title=DOCX_TITLE),
            "plain": files.markdown_file(folder / "no-script.md", [("Steering group minutes", ("Met in May.",))])}


def sign_in(page, name: str) -> None:
    page.goto("/login")
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Sign in").click()
    expect(page.locator("header .account")).to_contain_text(name)


def first_hit(page, query: str):
    page.goto(f"/search?q={query}&mode=keyword")
    return page.locator("li.hit").first


def test_upload_to_an_initiative_find_each_in_search_and_start_a_case(browser, site, samples, axe_script):
    app, base_url = site
    context = new_context(browser, base_url, DESKTOP)
    page = context.new_page()
    problems = watch_page(page)
    sign_in(page, "mara")

    page.goto("/observatory/initiatives/alpha")
    documents = page.locator("#documents")
    documents.get_by_text("Upload documents to this initiative").click()
    form = documents.locator("form.doc-upload")
    expect(form.locator(".doc-drop-hint")).to_be_visible()  # the script offers dropping files
    form.get_by_label("Kind of document").select_option("proposal")
    form.get_by_label(re.compile("^Files")).set_input_files([str(samples["pdf"]), str(samples["docx"])])
    form.get_by_role("button", name="Upload").click()
    progress = form.locator(".doc-progress")
    expect(progress.locator(".doc-outcome.stored")).to_have_count(2, timeout=60_000)
    expect(progress).to_contain_text(PDF_TITLE)
    expect(progress).to_contain_text(DOCX_TITLE)
    bars = progress.locator("progress")
    assert [bars.nth(i).get_attribute("value") for i in range(bars.count())] == ["100", "100"]
    assert app.extensions["casebase"].updater.wait(60)

    page.get_by_role("link", name="Show the list with the new documents").click()
    expect(page.locator("#documents .doc-list")).to_contain_text(PDF_TITLE)

    # A phrase from page 2 of the PDF: the hit names the page and leads to it.
    hit = first_hit(page, f'"{PDF_PHRASE}"')
    expect(hit.locator(".hit-title")).to_have_text(PDF_TITLE)
    expect(hit.locator(".doc-page")).to_have_text("Page 2")
    expect(hit.locator(".snippet mark").first).to_be_visible()
    hit.locator(".hit-title").click()
    page.wait_for_url(re.compile(r"/documents/\d+#page-2$"))
    expect(page.locator("#page-2")).to_be_in_viewport()
    expect(page.locator("#page-2")).to_contain_text(PDF_PHRASE)
    pdf_page = page.url.split("#", 1)[0]

    # A phrase from the DOCX: the hit names its section.
    hit = first_hit(page, f'"{DOCX_PHRASE}"')
    expect(hit.locator(".hit-title")).to_have_text(DOCX_TITLE)
    expect(hit.locator(".doc-page")).to_contain_text(DOCX_HEADING)

    # A case starts from the document.
    page.goto(pdf_page)
    page.get_by_role("button", name="Start a case from this document").click()
    page.wait_for_url(re.compile(r"/edit/cases/[a-z0-9-]+$"))
    expect(page.locator(".flash-success")).to_contain_text("Started the draft case")
    expect(page.get_by_label("Title", exact=True)).to_have_value(PDF_TITLE)
    context.close()
    assert problems == []

    # The new pages pass axe-core (injected, so this context lets scripts in past the CSP).
    checking = browser.new_context(base_url=base_url, viewport=DESKTOP, bypass_csp=True)
    page = checking.new_page()
    sign_in(page, "mara")
    for url in (pdf_page, pdf_page + "/delete", "/documents", "/observatory/initiatives/alpha",
                f'/search?q="{PDF_PHRASE}"'):
        page.goto(url)
        page.locator("details").evaluate_all("all => all.forEach(d => d.open = true)")
        assert serious_violations(page, axe_script) == [], url
    checking.close()


def test_the_upload_form_works_without_script(browser, site, samples):
    _, base_url = site
    context = browser.new_context(base_url=base_url, viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, "fay")
    page.goto("/documents")
    form = page.locator("form.doc-upload")
    expect(form.locator(".doc-drop-hint")).to_be_hidden()
    form.get_by_label(re.compile("^Files")).set_input_files(str(samples["plain"]))
    form.get_by_label("Kind of document").select_option("minutes")
    form.get_by_label("Initiative").select_option("alpha")
    form.get_by_role("button", name="Upload").click()
    expect(page.locator(".flash-success")).to_contain_text("Uploaded 1 file")
    expect(page.locator(".doc-list")).to_contain_text("Steering group minutes")
    context.close()


def test_the_phone_header_keeps_its_links_on_one_row_with_documents(browser, site):
    _, base_url = site
    context = new_context(browser, base_url, PHONE)
    page = context.new_page()
    for url in ("/documents", "/"):
        page.goto(url)
        links = page.locator("header nav a")
        rows = {round(links.nth(i).bounding_box()["y"]) for i in range(links.count())}
        assert len(rows) == 1, (url, rows)
        expect(page.locator("header nav").get_by_role("link", name="Documents")).to_be_visible()
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    context.close()
