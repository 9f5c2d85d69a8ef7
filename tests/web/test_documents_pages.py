"""The documents' pages: the list and its filters, uploads through the plain form
(several files, each file's outcome), a document's page (escaped passages with page
anchors, metadata corrections), the download, replace, delete, "Start a case from this
document", the initiative's documents, search hits naming the page, the size limits
(413) and CSRF on every write. Access is tested in tests/web/test_documents_access.py."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest

from indexer.settings import DocumentLimits
from tests import documents_fixtures as files
from tests.web.documents_world import MARKER_PAGE, MARKERS, TITLES, build_documents, csrf_of
from tests.web.support import close_app


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    built = build_documents(tmp_path_factory.mktemp("documents-pages"))
    yield built
    close_app(built.app)


def signed_in(world, user: str):
    """A test client signed in as `user`, and its CSRF token."""
    api = world.api(user)
    return api.client, api.token()


def upload(client, token: str, parts: list[tuple[bytes, str]], **fields):
    data = {"csrf_token": token, **fields, "file": [(io.BytesIO(body), name) for body, name in parts]}
    return client.post("/documents", data=data, content_type="multipart/form-data")


def test_the_list_shows_the_visible_documents_and_filters_them(world):
    client, _ = signed_in(world, "mara")
    page = client.get("/documents").get_data(as_text=True)
    for name, title in TITLES.items():
        assert title in page, name
    only_alpha = client.get("/documents?initiative=alpha&format=json").get_json()
    assert [item["id"] for item in only_alpha["documents"]] == [world.ids["alpha"]]
    assert only_alpha["documents"][0]["initiative"]["name"] == "Alpha Furniture Network"
    by_programme = client.get("/documents?programme=contest-2027", headers={"Accept": "application/json"}).get_json()
    assert {item["id"] for item in by_programme["documents"]} == {world.ids[n] for n in ("alpha", "beta", "gamma")}
    assert client.get("/documents?kind=minutes&format=json").get_json()["total"] == 0
    wrong = client.get("/documents?kind=poem&format=json")
    assert wrong.status_code == 400 and wrong.get_json()["error"]["parameter"] == "kind"


def test_several_files_upload_at_once_without_script(world, tmp_path):
    client, token = signed_in(world, "ed")
    pdf = files.text_pdf(tmp_path / "plan.pdf", 2, title="Two-page plan").read_bytes()
    docx = files.docx_file(tmp_path / "report.docx", title="Word fact-finding").read_bytes()
    answer = upload(client, token, [(pdf, "plan.pdf"), (docx, "report.docx")], kind="fact-finding",
                    initiative="delta")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/documents")
    listed = client.get("/documents?initiative=delta&format=json").get_json()["documents"]
    assert {(item["title"], item["kind"], item["media_type"]) for item in listed} == {
        ("Two-page plan", "fact-finding", "application/pdf"),
        ("Word fact-finding", "fact-finding", files_docx_type())}
    assert "Uploaded 2 files" in client.get("/documents").get_data(as_text=True)


def files_docx_type() -> str:
    from indexer.documents.models import DOCX

    return DOCX


def test_a_bad_file_is_named_and_the_good_one_is_still_stored(world, tmp_path):
    client, token = signed_in(world, "ed")
    good = files.markdown_file(tmp_path / "good.md", [("Vintners meeting", ("They met twice.",))]).read_bytes()
    bad = files.broken_pdf(tmp_path / "broken.pdf").read_bytes()
    answer = upload(client, token, [(good, "good-notes.md"), (bad, "broken.pdf")], kind="minutes")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert re.search(r"Not stored:</strong> broken\.pdf: ", page)
    assert re.search(r"Stored: <a href=\"/documents/\d+\">Vintners meeting</a> \(good-notes\.md\)", page)
    names = [item["filename"] for item in client.get("/documents?kind=minutes&format=json").get_json()["documents"]]
    assert "good-notes.md" in names and "broken.pdf" not in names


def test_no_file_chosen_is_a_clear_message(world):
    client, token = signed_in(world, "ed")
    answer = client.post("/documents", data={"csrf_token": token, "kind": "other"}, content_type="multipart/form-data")
    assert answer.status_code == 422
    assert "choose at least one file" in answer.get_data(as_text=True)


def test_the_document_page_shows_passages_as_escaped_text_with_page_anchors(world, tmp_path):
    client, token = signed_in(world, "ed")
    page = client.get(f"/documents/{world.ids['alpha']}").get_data(as_text=True)
    assert re.findall(r'<section class="doc-passage" id="(page-\d+)"', page) == ["page-1", "page-2", "page-3"]
    assert MARKERS["alpha"] in page.split('id="page-2"', 1)[1].split("</section>", 1)[0]
    hostile = "<script>alert('x')</script> and <b>bold</b> [[case:sinos-valley]]"
    upload(client, token, [(hostile.encode(), "hostile.txt")], title="Hostile text")
    found = next(item for item in client.get("/documents?format=json").get_json()["documents"]
                 if item["title"] == "Hostile text")
    shown = client.get(found["url"]).get_data(as_text=True)
    assert "<script>alert" not in shown and "<b>bold</b>" not in shown
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in shown and 'id="passage-0"' in shown


def test_the_download_is_an_attachment_with_a_safe_name_never_sniffed(world):
    client, token = signed_in(world, "ed")
    body = b"Plain text that looks like <html><script>alert(1)</script></html>\n"
    upload(client, token, [(body, 'rep"ort\r\n;<x>.txt')], title="Oddly named")
    found = next(item for item in client.get("/documents?format=json").get_json()["documents"]
                 if item["title"] == "Oddly named")
    answer = client.get(found["original_url"])
    assert answer.status_code == 200 and answer.data == body
    disposition = answer.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and '"' not in disposition.split("filename=", 1)[1].strip('"')
    assert "\r" not in disposition and "\n" not in disposition and "<" not in disposition
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.mimetype == "text/plain" and "sandbox" in answer.headers["Content-Security-Policy"]


def test_the_uploader_corrects_the_metadata_and_a_bad_value_names_its_field(world, tmp_path):
    client, token = signed_in(world, "ed")
    upload(client, token, [(b"Some minutes of a meeting.", "meeting.txt")], title="To be corrected")
    found = next(item for item in client.get("/documents?format=json").get_json()["documents"]
                 if item["title"] == "To be corrected")
    form = {"csrf_token": token, "title": "Corrected minutes", "kind": "minutes", "date": "2027-04-30",
            "author": "Cluster secretariat", "language": "en", "programme": "", "initiative": ""}
    saved = client.post(found["url"], data=form)
    assert saved.status_code == 302
    record = client.get(found["url"] + "?format=json").get_json()["document"]
    assert (record["title"], record["kind"], record["date"], record["author"], record["language"]) == (
        "Corrected minutes", "minutes", "2027-04-30", "Cluster secretariat", "en")
    refused = client.post(found["url"], data={**form, "date": "30.4.2027"})
    assert refused.status_code == 422 and "is not a date" in refused.get_data(as_text=True)
    too_long = client.post(found["url"], data={**form, "title": "x" * 301})
    assert too_long.status_code == 422 and 'aria-invalid="true" aria-describedby="title-error"' in \
        too_long.get_data(as_text=True)


def test_a_reader_who_may_see_may_not_change(world):
    client, token = signed_in(world, "rob")
    alpha = f"/documents/{world.ids['alpha']}"
    page = client.get(alpha).get_data(as_text=True)
    assert "Correct the details" not in page and "Delete…" not in page
    refused = client.post(alpha, data={"csrf_token": token, "title": "Taken over"})
    assert refused.status_code == 403
    assert client.get(alpha + "?format=json").get_json()["document"]["title"] == TITLES["alpha"]


def test_replacing_the_file_reads_it_anew_and_search_follows(world, tmp_path):
    client, token = signed_in(world, "ed")
    first = files.text_pdf(tmp_path / "v1.pdf", ["Version one mentions glorbix."], title="Versioned").read_bytes()
    upload(client, token, [(first, "v1.pdf")])
    found = next(item for item in client.get("/documents?format=json").get_json()["documents"]
                 if item["title"] == "Versioned")
    second = files.text_pdf(tmp_path / "v2.pdf", ["Version two mentions sprindle.", "And a second page."]).read_bytes()
    replaced = client.post(f"/documents/{found['id']}/replace", content_type="multipart/form-data",
                           data={"csrf_token": token, "file": (io.BytesIO(second), "v2.pdf")})
    assert replaced.status_code == 302
    detail = client.get(found["url"] + "?format=json").get_json()
    assert detail["document"]["title"] == "Versioned" and detail["document"]["pages"] == 2
    assert "sprindle" in detail["passages"][0]["text"]
    world.wait_for_index()
    assert client.get("/search?q=glorbix&mode=keyword&format=json").get_json()["total"] == 0
    hits = client.get("/search?q=sprindle&mode=keyword&format=json").get_json()["results"]
    assert [hit["url"] for hit in hits] == [f"/documents/{found['id']}#page-1"]


def test_deleting_asks_first_then_removes_the_document_and_its_passages(world):
    client, token = signed_in(world, "ed")
    upload(client, token, [(b"A short note on wombleton tanning.", "delete-me.txt")], title="Delete me")
    found = next(item for item in client.get("/documents?format=json").get_json()["documents"]
                 if item["title"] == "Delete me")
    world.wait_for_index()
    assert client.get("/search?q=wombleton&mode=keyword&format=json").get_json()["total"] == 1
    confirm = client.get(f"/documents/{found['id']}/delete").get_data(as_text=True)
    assert "Delete “Delete me”?" in confirm and "Delete the document" in confirm
    assert client.post(f"/documents/{found['id']}/delete", data={"csrf_token": token}).status_code == 302
    assert client.get(found["url"]).status_code == 404
    world.wait_for_index()
    assert client.get("/search?q=wombleton&mode=keyword&format=json").get_json()["total"] == 0


def test_starting_a_case_opens_the_draft_in_the_edit_form_with_a_message(world):
    client, token = signed_in(world, "mara")
    answer = client.post(f"/documents/{world.ids['gamma']}/case", data={"csrf_token": token})
    assert answer.status_code == 302
    target = answer.headers["Location"]
    assert re.fullmatch(r"/edit/cases/[a-z0-9-]+", target)
    form = client.get(target).get_data(as_text=True)
    assert "Started the draft case" in form and "Gamma cellar report" in form
    drafts = world.app.extensions["library"].drafts()
    assert any(draft.doc_id == target.rsplit("/", 1)[1] for draft in drafts)


def test_the_initiative_page_lists_its_documents_and_uploads_to_it(world, tmp_path):
    client, token = signed_in(world, "fay")
    page = client.get("/observatory/initiatives/alpha").get_data(as_text=True)
    section = page.split('id="documents"', 1)[1].split("</section>", 1)[0]
    assert TITLES["alpha"] in section and TITLES["gamma"] not in section
    assert '<input type="hidden" name="initiative" value="alpha">' in section
    body = files.markdown_file(tmp_path / "alpha-minutes.md", [("Alpha steering minutes", ("Fay took the minutes.",))]).read_bytes()
    answer = upload(client, token, [(body, "alpha-minutes.md")], kind="minutes", initiative="alpha",
                    return_to="/observatory/initiatives/alpha#documents")
    assert answer.status_code == 302 and answer.headers["Location"] == "/observatory/initiatives/alpha#documents"
    assert "Alpha steering minutes" in client.get("/observatory/initiatives/alpha").get_data(as_text=True)
    outsider, _ = signed_in(world, "rob")
    rob_page = outsider.get("/observatory/initiatives/alpha").get_data(as_text=True)
    assert TITLES["alpha"] in rob_page and "Upload documents to this initiative" not in rob_page


def test_search_hits_of_a_pdf_name_the_page_and_link_to_its_anchor(world):
    client, _ = signed_in(world, "fay")
    page = client.get(f"/search?q={MARKERS['alpha']}&mode=keyword").get_data(as_text=True)
    hit = page.split('<li class="hit">', 1)[1].split("</li>", 1)[0]
    assert f'href="/documents/{world.ids["alpha"]}#page-{MARKER_PAGE["alpha"]}"' in hit
    assert f"Page {MARKER_PAGE['alpha']}" in hit and 'class="kind kind-document"' in hit
    assert "<mark>" in hit
    facets = page.split('aria-label="Filters"', 1)[1]
    assert "Kind of document" in facets and "Proposal" in facets
    filtered = client.get(f"/search?q={MARKERS['alpha']}&document_kind=minutes&mode=keyword&format=json").get_json()
    assert filtered["total"] == 0


def test_the_navigation_links_the_documents(world):
    page = world.app.test_client().get("/").get_data(as_text=True)
    nav = page.split('<nav aria-label="Main">', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/documents">Documents</a>' in nav


# -- limits ---------------------------------------------------------------------

@pytest.fixture
def small_limits(world, monkeypatch):
    """Limits of 2 kB per file and 6 kB per request for one test (the instance's
    settings and the facade's copy of them)."""
    limits = DocumentLimits(file_bytes=2_000, request_bytes=6_000)
    casebase = world.casebase
    monkeypatch.setattr(casebase, "settings", dataclasses.replace(casebase.settings, document_limits=limits))
    monkeypatch.setattr(casebase.documents, "limits", limits)
    return limits


def test_a_request_over_the_limit_is_413_with_a_clear_message(world, small_limits):
    client, token = signed_in(world, "ed")
    answer = upload(client, token, [(b"a" * 7_000, "big.txt")])
    assert answer.status_code == 413
    text = answer.get_data(as_text=True)
    assert "over the 0.006 MB limit per request" in text and "0.002 MB per file" in text
    api = client.post("/api/documents", data={"file": (io.BytesIO(b"a" * 7_000), "big.txt")},
                      headers={"X-CSRF-Token": token}, content_type="multipart/form-data")
    assert api.status_code == 413 and api.get_json()["error"]["parameter"] == "request"


def test_a_file_over_the_limit_is_413_naming_it_and_the_others_are_stored(world, small_limits):
    client, token = signed_in(world, "ed")
    answer = upload(client, token, [(b"b" * 3_000, "too-big.txt"), (b"small enough text", "fine.txt")],
                    title="Limit survivor")
    assert answer.status_code == 413
    assert re.search(r"too-big\.txt: 0\.003 MB is over the 0\.002 MB limit per file", answer.get_data(as_text=True))
    titles = [item["title"] for item in client.get("/documents?format=json").get_json()["documents"]]
    assert "Limit survivor" in titles


def test_other_routes_keep_their_small_body_limit(world):
    client, token = signed_in(world, "ed")
    answer = client.post("/api/suggest", data=b"{" + b" " * 70_000 + b"}", content_type="application/json",
                         headers={"X-CSRF-Token": token})
    assert answer.status_code == 413


# -- CSRF -----------------------------------------------------------------------

@pytest.mark.parametrize("path, multipart", [
    ("/documents", True), ("/documents/{id}", False), ("/documents/{id}/replace", True),
    ("/documents/{id}/delete", False), ("/documents/{id}/case", False)])
def test_every_write_needs_the_csrf_token(world, path, multipart):
    client, _ = signed_in(world, "mara")
    url = path.format(id=world.ids["gamma"])
    data = {"title": "Hijacked", "file": (io.BytesIO(b"some text"), "x.txt")} if multipart else {"title": "Hijacked"}
    before = client.get(f"/documents/{world.ids['gamma']}?format=json").get_json()
    answer = client.post(url, data=data, **({"content_type": "multipart/form-data"} if multipart else {}))
    assert answer.status_code == 400 and "CSRF" in answer.get_data(as_text=True)
    assert client.get(f"/documents/{world.ids['gamma']}?format=json").get_json() == before


def test_browsing_documents_without_words_points_to_their_list(world):
    answer = world.app.test_client().get("/search?kind=document&format=json").get_json()
    assert answer["total"] == 0 and "listed on the Documents page" in answer["notices"][0]
    assert world.app.test_client().get("/search?kind=case&format=json").get_json()["notices"] == []
