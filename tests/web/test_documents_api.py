"""The documents' JSON API: list, upload (several files, duplicates, bad files named),
one document with its passages, PATCH corrections, DELETE, the original, a draft case;
every answer matches the OpenAPI document, every write needs a session and its CSRF
token, and the document's examples are valid bodies."""

from __future__ import annotations

import io

import pytest

from indexer.documents.models import PDF, DocumentChanges
from tests import documents_fixtures as files
from tests.web.documents_world import MARKERS, TITLES, build_documents
from tests.web.support import close_app
from tests.web.test_api import problems, schema_for
from webui.documents_openapi import CHANGES_EXAMPLE


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    built = build_documents(tmp_path_factory.mktemp("documents-api"))
    yield built
    close_app(built.app)


@pytest.fixture(scope="module")
def document(world):
    return world.app.test_client().get("/api/openapi.json").get_json()


def conforms(document: dict, response, path: str, method: str = "get") -> dict:
    """The answer's status is documented for the path and its JSON matches the schema."""
    assert response.mimetype == "application/json", (response.status_code, response.get_data(as_text=True)[:300])
    body = response.get_json()
    assert problems(document, schema_for(document, path, method, response.status_code), body) == []
    return body


def post_files(api, parts: list[tuple[bytes, str]], csrf: bool = True, **fields):
    return api.open("POST", "/api/documents", csrf=csrf, content_type="multipart/form-data",
                    data={**fields, "file": [(io.BytesIO(body), name) for body, name in parts]})


def test_the_list_and_one_document_match_the_schema(world, document):
    api = world.api("mara")
    listed = conforms(document, api.get("/api/documents?initiative=gamma"), "/api/documents")
    assert [item["title"] for item in listed["documents"]] == [TITLES["gamma"]] and listed["total"] == 1
    detail = conforms(document, api.get(f"/api/documents/{world.ids['gamma']}"), "/api/documents/{document_id}")
    assert detail["may_change"] is True and [p["anchor"] for p in detail["passages"]] == ["page-1", "page-2"]
    assert MARKERS["gamma"] in detail["passages"][1]["text"] and detail["passages"][1]["label"] == "Page 2"
    bad = api.get("/api/documents?kind=essay")
    assert bad.status_code == 400 and conforms(document, bad, "/api/documents")["error"]["parameter"] == "kind"


def test_uploading_several_files_answers_each_one(world, document, tmp_path):
    api = world.api("ed")
    pdf = files.text_pdf(tmp_path / "api.pdf", 2, title="API proposal").read_bytes()
    docx = files.docx_file(tmp_path / "api.docx", title="API report").read_bytes()
    answer = post_files(api, [(pdf, "api.pdf"), (docx, "api.docx")], kind="evaluation", initiative="delta",
                        date="2027-05-01", author="Evaluators Ltd")
    assert answer.status_code == 201
    report = conforms(document, answer, "/api/documents", "post")
    assert (report["stored"], report["duplicates"], report["failed"]) == (2, 0, 0)
    stored = {result["filename"]: result["document"] for result in report["results"]}
    assert stored["api.pdf"]["media_type"] == PDF and stored["api.pdf"]["pages"] == 2
    assert {item["kind"] for item in stored.values()} == {"evaluation"}
    assert {item["initiative"]["slug"] for item in stored.values()} == {"delta"}
    assert {item["date"] for item in stored.values()} == {"2027-05-01"}
    again = post_files(api, [(pdf, "renamed.pdf")], initiative="delta")
    assert again.status_code == 200
    repeat = conforms(document, again, "/api/documents", "post")
    assert repeat["duplicates"] == 1 and repeat["results"][0]["document"]["id"] == stored["api.pdf"]["id"]


def test_a_bad_file_is_named_with_its_own_status(world, document, tmp_path):
    api = world.api("ed")
    encrypted = files.encrypted_pdf(tmp_path / "locked.pdf").read_bytes()
    answer = post_files(api, [(encrypted, "locked.pdf"), (b"fine text", "fine.txt")])
    assert answer.status_code == 400
    report = conforms(document, answer, "/api/documents", "post")
    failed, stored = report["results"]
    assert failed["status"] == 400 and failed["error"]["message"].startswith("locked.pdf: ")
    assert stored["status"] == 201 and report["failed"] == 1 and report["stored"] == 1
    none = api.open("POST", "/api/documents", content_type="multipart/form-data", data={"kind": "other"})
    assert none.status_code == 400 and none.get_json()["error"]["parameter"] == "file"


def test_patch_corrects_and_names_a_bad_field(world, document):
    api = world.api("ed")
    created = post_files(api, [(b"Text to correct later.", "patch-me.txt")]).get_json()["results"][0]["document"]
    url = f"/api/documents/{created['id']}"
    fixed = api.open("PATCH", url, json={"title": "Patched title", "kind": "minutes", "initiative": "delta"})
    body = conforms(document, fixed, "/api/documents/{document_id}", "patch")
    assert (body["title"], body["kind"], body["initiative"]["slug"], body["programme"]["slug"]) == (
        "Patched title", "minutes", "delta", "other-round")
    for wrong, field in (({"kind": "poem"}, "kind"), ({"title": "x" * 301}, "title"), ({"colour": "red"}, "colour"),
                         ({"date": "soon"}, "date")):
        refused = api.open("PATCH", url, json=wrong)
        assert refused.status_code == 400, wrong
        assert conforms(document, refused, "/api/documents/{document_id}", "patch")["error"]["parameter"] == field
    assert api.get(url).get_json()["document"]["title"] == "Patched title"


def test_delete_then_it_is_gone(world, document):
    api = world.api("ed")
    created = post_files(api, [(b"Short-lived text.", "gone.txt")]).get_json()["results"][0]["document"]
    url = f"/api/documents/{created['id']}"
    assert api.open("DELETE", url).status_code == 204
    assert api.get(url).status_code == 404
    assert api.open("DELETE", url).status_code == 404


def test_the_original_comes_back_byte_for_byte_as_an_attachment(world):
    answer = world.api("fay").get(f"/api/documents/{world.ids['alpha']}/original")
    assert answer.status_code == 200 and answer.data == world.data["alpha"]
    assert answer.mimetype == PDF and answer.headers["Content-Disposition"] == "attachment; filename=alpha.pdf"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_a_case_is_started_by_editors_only(world, document):
    started = world.api("mara").open("POST", f"/api/documents/{world.ids['alpha']}/case")
    assert started.status_code == 201
    body = conforms(document, started, "/api/documents/{document_id}/case", "post")
    assert body["edit_url"] == f"/edit/cases/{body['case_id']}" and body["author"] == "mara"
    assert world.app.extensions["library"].draft(body["draft_id"]).doc_id == body["case_id"]
    refused = world.api("fay").open("POST", f"/api/documents/{world.ids['alpha']}/case")
    assert refused.status_code == 403
    assert "editor or reviewer" in conforms(document, refused, "/api/documents/{document_id}/case",
                                            "post")["error"]["message"]


@pytest.mark.parametrize("method, path", [("POST", "/api/documents"), ("PATCH", "/api/documents/{id}"),
                                          ("DELETE", "/api/documents/{id}"), ("POST", "/api/documents/{id}/case")])
def test_writes_need_a_session_and_the_csrf_token(world, method, path):
    url = path.format(id=world.ids["public"])

    def body() -> dict:
        if path == "/api/documents":
            return {"data": {"file": (io.BytesIO(b"text"), "x.txt")}, "content_type": "multipart/form-data"}
        return {"json": {"title": "Hijacked"}} if method == "PATCH" else {}

    assert world.api(None).open(method, url, **body()).status_code == 401
    without = world.api("ed").open(method, url, csrf=False, **body())
    assert without.status_code == 400 and "CSRF" in without.get_json()["error"]["message"]
    assert world.api("ed").get(f"/api/documents/{world.ids['public']}").get_json()["document"]["title"] == \
        TITLES["public"]


def test_the_documents_paths_are_documented_with_examples(document):
    paths = document["paths"]
    assert {"/api/documents", "/api/documents/{document_id}", "/api/documents/{document_id}/original",
            "/api/documents/{document_id}/case"} <= set(paths)
    patch = paths["/api/documents/{document_id}"]["patch"]["requestBody"]["content"]["application/json"]
    example = patch["examples"]["correction"]["value"]
    assert example == CHANGES_EXAMPLE and DocumentChanges(**example).kind == "fact-finding"
    assert problems(document, patch["schema"], example) == []
    upload = paths["/api/documents"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload["required"] == ["file"] and set(upload["properties"]["kind"]["enum"]) >= {"proposal", "minutes"}
