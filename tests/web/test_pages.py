"""Pages answer, render what they promise, and serve the same data as JSON; a broken
vocabulary and engine errors are answered, never a crash."""

from __future__ import annotations

import pytest
from flask import request

from indexer.advisor.profile import ProfileError
from indexer.content.validate import Problem
from indexer.errors import CasebaseError, InvalidInput, NotFound, Refused, StateConflict, Unavailable
from indexer.index.build import IndexProblem
from indexer.library.editing import InvalidEdit
from indexer.search.encoder import HashingEncoder
from indexer.search.searcher import SearchError
from indexer.service import Casebase
from indexer.settings import Settings

from tests.web.support import copy_content, make_app, open_indexed
from webui import create_app


def test_home_offers_the_three_ways_in(client, bundled_casebase):
    page = client.get("/").get_data(as_text=True)
    assert all(text in page for text in ("Find past experience", "Plan a new initiative", "Learn the method"))
    data = client.get("/?format=json").get_json()
    content = bundled_casebase.content
    assert data["counts"]["cases"] == len(content.cases) and data["counts"]["lessons"] == len(content.lessons)
    assert len(data["recent"]) == min(6, len(content.documents))


def test_search_page_shows_hits_facets_and_permalink_state(client):
    page = client.get("/search?q=frog+exporters&kind=case").get_data(as_text=True)
    assert "Zamora frog producers" in page and "<mark>frog</mark>" in page
    assert 'aria-current="true"' in page  # the active kind facet
    data = client.get("/search?q=frog+exporters&kind=case&format=json").get_json()
    assert data["results"][0]["id"] == "zamora-frogs"


def test_search_facet_links_combine_with_the_query(client):
    page = client.get("/search?q=cooperation").get_data(as_text=True)
    assert "/search?q=cooperation&amp;country=Brazil" in page


def test_did_you_mean_links_to_the_corrected_query(client):
    page = client.get("/search?q=footwaer").get_data(as_text=True)
    assert "Did you mean" in page and "/search?q=footwear" in page


def test_pagination(client):
    first = client.get("/search?q=cluster&format=json").get_json()
    assert first["total"] > 10
    page = client.get("/search?q=cluster").get_data(as_text=True)
    assert 'rel="next"' in page and "page=2" in page
    second = client.get("/search?q=cluster&page=2").get_data(as_text=True)
    assert 'rel="prev"' in second


def test_case_page_has_fact_sheet_links_lessons_sources_and_similar_cases(client):
    page = client.get("/cases/sinos-valley").get_data(as_text=True)
    assert '<a href="/search?country=Brazil">Brazil</a>' in page
    assert 'id="lesson-' in page and "Schmitz" in page and "Similar cases" in page
    data = client.get("/cases/sinos-valley?format=json").get_json()
    assert data["similar"] and all(other["reason"] for other in data["similar"])


def test_note_page_has_glossary_tooltips_and_backlinks(client):
    page = client.get("/notes/identifying-clusters").get_data(as_text=True)
    assert 'class="term" tabindex="0"' in page and 'role="tooltip"' in page
    data = client.get("/notes/financing?format=json").get_json()
    assert any(case["id"] == "thailand-food-textiles" for case in data["illustrated_by"])


def test_advisor_form_and_shareable_result(client):
    empty = client.get("/advisor").get_data(as_text=True)
    assert '<label for="f-description">' in empty and "Similar cases" not in empty
    url = ("/advisor?description=footwear+makers+losing+market+share&country=Mexico&sectors=footwear"
           "&driver=private&approach=bottom-up")
    page = client.get(url).get_data(as_text=True)
    assert "Similar cases" in page and "/cases/sinos-valley" in page
    bad = client.get("/advisor?approach=sideways")
    assert bad.status_code == 400
    assert 'id="f-approach-error"' in bad.get_data(as_text=True) and "closest first" in bad.get_data(as_text=True)


def test_learn_page_orders_notes_in_modules_and_points_to_the_glossary(client, bundled_casebase):
    data = client.get("/learn?format=json").get_json()
    orders = [note["order"] for note in data["notes"]]
    assert orders == sorted(orders) and data["notes"][0]["id"] == "what-is-a-cluster"
    assert len(data["notes"]) == len(bundled_casebase.content.notes)
    assert all(note["minutes"] >= 1 for note in data["notes"])
    for module in data["modules"]:
        assert module["minutes"] == sum(note["minutes"] for note in module["notes"])
    explained = [term["term"] for module in data["modules"] for term in module["terms"]]
    assert "location quotient" in explained
    glossary = client.get("/glossary?format=json").get_json()
    assert sum(len(group["terms"]) for group in glossary["letters"]) == len(bundled_casebase.content.glossary)


def test_unknown_pages_and_ids_are_404_with_a_way_on(client):
    for url in ("/nowhere", "/cases/no-such-case", "/notes/sinos-valley", "/cases/..%2F..%2Fetc"):
        response = client.get(url)
        assert response.status_code == 404
        assert 'role="search"' in response.get_data(as_text=True)


def test_every_form_control_has_a_label(client):
    import re

    for url in ("/", "/search?q=x", "/advisor"):
        page = client.get(url).get_data(as_text=True)
        ids = re.findall(r'<(?:input|select|textarea)[^>]*\sid="([^"]+)"', page)
        hidden = re.findall(r'<input[^>]*type="hidden"', page)
        controls = re.findall(r"<(?:input|select|textarea)\b", page)
        assert len(ids) == len(controls) - len(hidden), url
        for control_id in ids:
            assert f'for="{control_id}"' in page, (url, control_id)


# -- a broken kb/vocabulary.yaml ----------------------------------------------------------

BROKEN_VOCABULARIES = {
    "yaml-syntax": "driver: [unclosed\n",
    "not-a-mapping": "- driver\n- approach\n",
    "values-as-a-list": "driver:\n  values: [public, private]\n",
}
# Pages and answers that show or compare controlled values: they say what is wrong (503).
NEEDS_VOCABULARY = ["/advisor", "/advisor?country=Mexico", "/cases/sinos-valley", "/notes/financing",
                    "/api/facets", "/api/cases", "/api/cases/sinos-valley", "/api/notes/financing"]
# Pages that work without it, from the index.
WITHOUT_VOCABULARY = ["/", "/search?q=cluster", "/search?q=cluster&format=json", "/learn", "/api/search?q=trust",
                      "/api/health", "/api/openapi.json"]


@pytest.fixture(scope="module")
def indexed_copy(tmp_path_factory):
    """A private copy of the content and an index built from it while it was valid."""
    root = copy_content(tmp_path_factory.mktemp("broken") / "content")
    index_dir = root.parent / "index"
    open_indexed(root, index_dir=index_dir).close()
    return root, index_dir


@pytest.mark.parametrize("broken", BROKEN_VOCABULARIES)
def test_a_broken_vocabulary_is_reported_not_a_crash(indexed_copy, broken):
    root, index_dir = indexed_copy
    vocabulary = root / "kb" / "vocabulary.yaml"
    good = vocabulary.read_text(encoding="utf-8")
    vocabulary.write_text(BROKEN_VOCABULARIES[broken], encoding="utf-8")
    settings = Settings.from_env(content_dir=root, index_dir=index_dir, environ={})
    casebase = Casebase.open(settings, encoder=HashingEncoder())
    try:
        assert casebase.content.vocabulary is None  # the content layer reports it as a problem
        client = make_app(casebase).test_client()
        for url in NEEDS_VOCABULARY:
            response = client.get(url)
            text = response.get_data(as_text=True)
            assert response.status_code == 503, (url, text[:300])
            assert "the content has errors" in text and "vocabulary.yaml" in text, url
        suggestion = client.post("/api/suggest", json={"country": "Mexico"})
        assert suggestion.status_code == 503 and "vocabulary.yaml" in suggestion.get_json()["error"]["message"]
        for url in WITHOUT_VOCABULARY:
            assert client.get(url).status_code == 200, url
    finally:
        casebase.close()
        vocabulary.write_text(good, encoding="utf-8")


# -- the engine's error hierarchy maps to HTTP once ------------------------------------------

def json_error_of(response, status: int) -> dict:
    """The JSON error body of a response with `status`."""
    assert response.status_code == status and response.mimetype == "application/json"
    error = response.get_json()["error"]
    assert error["status"] == status and error["message"]
    return error


ENGINE_ERRORS = [
    (InvalidInput("limit", "must be positive"), 400, "limit"),
    (SearchError("mode", "is not a mode"), 400, "mode"),
    (ProfileError("driver", "is not a driver"), 400, "driver"),
    (InvalidEdit([Problem("cases/x.md", 3, "title", "must not be empty")]), 422, "title"),
    (NotFound("there is no draft 7"), 404, None),
    (StateConflict("the draft is already published"), 409, None),
    (Refused("only reviewers publish"), 403, None),
    (Unavailable("the index is being rebuilt"), 503, None),
    (IndexProblem("no index yet; run casebase index"), 503, None),
]


class Uncategorised(CasebaseError):
    """An engine error in no category: a bug, answered 500."""


@pytest.fixture
def raising_app(bundled_casebase):
    """An app with one page and one API route that raise the error named by `?error=`."""
    app = create_app({"TESTING": True, "CASEBASE": bundled_casebase})
    errors = {type(error).__name__: error for error, _, _ in ENGINE_ERRORS}
    errors["Uncategorised"] = Uncategorised("an engine error without a category")

    def raising():
        raise errors[request.args["error"]]

    app.add_url_rule("/api/raise", "api_raise", raising)
    app.add_url_rule("/raise", "page_raise", raising)
    return app


@pytest.mark.parametrize("error, status, parameter", ENGINE_ERRORS, ids=lambda value: type(value).__name__)
def test_engine_errors_answer_their_category_status(raising_app, error, status, parameter):
    client = raising_app.test_client()
    name = type(error).__name__
    body = json_error_of(client.get(f"/api/raise?error={name}"), status)
    assert body.get("parameter") == parameter
    assert (body["message"] == error.message) if parameter else (body["message"] == str(error))
    page = client.get(f"/raise?error={name}")
    assert page.status_code == status and page.mimetype == "text/html"
    assert 'role="search"' in page.get_data(as_text=True)  # the error page offers a way on


def test_an_engine_error_without_a_category_is_a_logged_500(raising_app, caplog):
    body = json_error_of(raising_app.test_client().get("/api/raise?error=Uncategorised"), 500)
    assert "without a category" not in body["message"] and "unhandled error" in caplog.text


def test_each_engine_error_has_one_handler(app):
    """Every engine error class is answered by the hierarchy's one handler."""
    handled = [cls for cls in app.error_handler_spec[None][None] if issubclass(cls, CasebaseError)]
    assert handled == [CasebaseError]


def test_facet_headings_keep_their_reading_names(client):
    """Facet headings come from the registry's facet labels, which keep the words users
    know ("Driven by", "Sector", "Stage") where the fact-sheet label differs."""
    from webui.presenters import facet_titles

    page = client.get("/search?q=trust").get_data(as_text=True)
    assert ">Sector<" in page and ">Sectors<" not in page
    titles = facet_titles()
    assert (titles["driver"], titles["stage"], titles["sector"]) == ("Driven by", "Stage", "Sector")
