"""Only webui/urls.py builds URLs, from the engine's kind, doc_id and anchor.

If any template, presenter or API answer wrote a URL by hand (or passed on the
engine's), it would not follow the app when it is served under a path prefix: so the
pages are fetched under one, and every link must carry it.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from webui import presenters, urls

PREFIX = "/casebase"
PROFILE = {"description": "shoe workshops losing market share", "country": "Mexico", "sectors": ["footwear"]}


def test_documents_lessons_and_searches(app):
    with app.test_request_context():
        assert urls.document("case", "sinos-valley") == "/cases/sinos-valley"
        assert urls.document("note", "financing", "what-to-fund") == "/notes/financing#what-to-fund"
        assert urls.document("lesson", "zamora-frogs", "lesson-x") == "/cases/zamora-frogs#lesson-x"
        assert urls.lesson("zamora-frogs", "x") == "/cases/zamora-frogs#lesson-x"
        assert urls.linked({"kind": "note", "doc_id": "monitoring", "anchor": None}) == "/notes/monitoring"
        assert urls.facet("country", "Brazil") == "/search?country=Brazil"
        assert urls.search([("q", "a&b"), ("country", "Brazil"), ("q", "c")]) == "/search?q=a%26b&q=c&country=Brazil"
        assert urls.search({"sector": ["footwear", "textiles"]}) == "/search?sector=footwear&sector=textiles"


def test_answers_link_from_kind_doc_id_and_anchor_not_the_engines_url(app):
    engine_answer = {"results": [{"kind": "lesson", "doc_id": "criciuma", "anchor": "lesson-y", "url": "/stale",
                                  "other_matches": [{"kind": "case", "doc_id": "criciuma", "anchor": "context",
                                                     "url": "/stale"}]}]}
    with app.test_request_context():
        answer = presenters.search_answer(SimpleNamespace(to_dict=lambda: engine_answer))
    hit = answer["results"][0]
    assert hit["url"] == "/cases/criciuma#lesson-y" and hit["other_matches"][0]["url"] == "/cases/criciuma#context"


def test_every_linked_item_of_the_api_points_at_a_page_that_exists(client):
    search = client.get("/api/search?q=cooperation+monitoring&limit=20").get_json()
    suggestion = client.post("/api/suggest", json=PROFILE).get_json()
    items = [*search["results"], *(other for hit in search["results"] for other in hit["other_matches"]),
             *suggestion["cases"], *suggestion["lessons"], *suggestion["notes"]]
    assert {item["kind"] for item in items} == {"case", "note", "lesson"}
    for item in items:
        page = "/cases/" if item["kind"] in ("case", "lesson") else "/notes/"
        assert item["url"] == page + item["doc_id"] + (f"#{item['anchor']}" if item["anchor"] else "")
        response = client.get(item["url"].partition("#")[0])
        assert response.status_code == 200, item["url"]
        if item["anchor"]:
            assert f'id="{item["anchor"]}"' in response.get_data(as_text=True), item["url"]


def _links(page: str) -> list[str]:
    return re.findall(r'(?:href|action|src|data-preview-url)="([^"]*)"', page)


@pytest.mark.parametrize("path", [
    "/", "/search?q=cluster", "/search?q=cooperation&country=Brazil", "/search?q=footwaer", "/cases/sinos-valley",
    "/notes/financing", "/learn", "/advisor", "/advisor?description=footwear+makers&country=Mexico&sectors=footwear",
    "/nowhere",
])
def test_pages_under_a_path_prefix_link_under_it(client, path):
    response = client.get(path, base_url=f"http://localhost{PREFIX}")
    links = _links(response.get_data(as_text=True))
    assert links
    outside = [link for link in links if not link.startswith((f"{PREFIX}/", "#", "https://", "http://"))]
    assert outside == [], path


def test_json_answers_under_a_path_prefix_link_under_it(client):
    base = f"http://localhost{PREFIX}"
    search = client.get("/api/search?q=cooperation", base_url=base).get_json()
    case = client.get("/api/cases/sinos-valley", base_url=base).get_json()
    cases = client.get("/api/cases", base_url=base).get_json()["cases"]
    suggestion = client.post("/api/suggest", json=PROFILE, base_url=base).get_json()
    found = [hit["url"] for hit in search["results"]] + [case["url"]] + [row["url"] for row in cases]
    found += [other["url"] for other in case["similar"] + case["related_notes"]]
    found += [value["link"] for row in case["fact_sheet"] for value in row["values"] if value["link"]]
    found += [item["url"] for name in ("cases", "lessons", "notes") for item in suggestion[name]]
    assert found and all(url.startswith(f"{PREFIX}/") for url in found)


def test_editing_and_account_links_match_their_routes(app):
    adapter = app.url_map.bind("localhost")
    with app.test_request_context():
        expected = {
            urls.edit("case", "sinos-valley"): ("editor.edit", "GET"),
            urls.save("note", "financing"): ("editor.save", "POST"),
            urls.new_document("case"): ("editor.new", "GET"),
            urls.history("note", "financing"): ("editor.history", "GET"),
            urls.drafts(): ("editor.drafts", "GET"),
            urls.draft(7): ("editor.draft", "GET"),
            urls.preview(): ("editor.preview", "POST"),
            urls.retain(): ("editor.retain", "POST"),
            urls.login("/cases/sinos-valley"): ("auth.login", "GET"),
            urls.logout(): ("auth.logout", "POST"),
            urls.home(): ("pages.home", "GET"), urls.advisor({"country": "Mexico"}): ("pages.advisor", "GET"),
            urls.learn(): ("pages.learn", "GET"), urls.api_document(): ("api.openapi", "GET"),
        }
    for url, (endpoint, method) in expected.items():
        assert adapter.match(url.partition("?")[0], method=method)[0] == endpoint, url
    assert {url for url in expected if "?" in url} == {"/login?next=/cases/sinos-valley", "/advisor?country=Mexico"}
