"""Who finds which uploaded document, through every door of the web app: the list, the
document's page, the download, search hits and snippets, "did you mean", facet counts,
the instant results (the search page's HTML), the initiative's page and the JSON API.

A document follows the sharing of the initiative it is attached to (documents_world.py):
alpha shares by name (everybody), beta anonymously and gamma not at all (only their
insiders); the public document has no initiative (everybody)."""

from __future__ import annotations

import io

import pytest

from tests.web.documents_world import MARKER_PAGE, MARKERS, TITLES, build_documents
from tests.web.observatory_world import SHARING
from tests.web.support import close_app

# Who may see each document (mara manages the programme; fay and lou are members).
SEES = {None: {"alpha", "public"}, "rob": {"alpha", "public"}, "ed": {"alpha", "public"},
        "fay": {"alpha", "public"}, "lou": {"alpha", "beta", "public"}, "mara": {"alpha", "beta", "gamma", "public"}}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    built = build_documents(tmp_path_factory.mktemp("documents-access"))
    yield built
    close_app(built.app)


def answers(world, user: str | None) -> dict[str, str]:
    """The text of every answer that could show a document, as `user` gets it."""
    client = world.api(user).client
    pages = {"list": "/documents", "list-json": "/documents?format=json", "api-list": "/api/documents",
             "facets": "/api/facets", "initiative-beta": "/observatory/initiatives/beta",
             "initiative-gamma": "/observatory/initiatives/gamma",
             "broad-search": "/search?q=page", "broad-api": "/api/search?q=page+minutes+note&limit=50",
             "kind-documents": "/api/search?q=the&kind=document&limit=50"}
    for name, marker in MARKERS.items():
        pages[f"search-{name}"] = f"/search?q={marker}"
        pages[f"api-{name}"] = f"/api/search?q={marker}&mode=keyword"
        pages[f"typo-{name}"] = f"/search?q={marker[:-1]}"  # "did you mean" must not offer a hidden word
        pages[f"instant-{name}"] = f"/search?q={marker[:4]}"  # what the instant results fetch while typing
    return {name: client.get(url, headers={"Accept": "text/html"}).get_data(as_text=True)
            for name, url in pages.items()}


@pytest.mark.parametrize("user", list(SEES))
def test_nobody_finds_a_document_they_may_not_see_anywhere(world, user):
    texts = answers(world, user)
    for name, marker in MARKERS.items():
        # The marker is in the pages that search for it (the query is echoed), the title is not.
        leaks = [page for page, text in texts.items()
                 if TITLES[name] in text or (marker in text and page not in (f"search-{name}", f"api-{name}"))]
        if name in SEES[user]:
            assert f"search-{name}" in leaks and f"api-{name}" in leaks, (user, name)
        else:
            assert leaks == [], (user, name, leaks)


@pytest.mark.parametrize("user", list(SEES))
def test_a_hidden_document_is_404_at_every_address(world, user):
    api = world.api(user)
    for name, document_id in world.ids.items():
        status = 200 if name in SEES[user] else 404
        for url in (f"/documents/{document_id}", f"/documents/{document_id}/original",
                    f"/api/documents/{document_id}", f"/api/documents/{document_id}/original"):
            assert api.get(url).status_code == status, (user, name, url)
        if user is not None and name not in SEES[user]:
            for method, url in (("PATCH", f"/api/documents/{document_id}"), ("DELETE", f"/api/documents/{document_id}"),
                                ("POST", f"/api/documents/{document_id}/case")):
                kwargs = {"json": {"title": "x"}} if method == "PATCH" else {}
                assert api.open(method, url, **kwargs).status_code == 404, (user, name, method)


@pytest.mark.parametrize("user", list(SEES))
def test_facet_counts_count_only_what_the_viewer_may_find(world, user):
    client = world.api(user).client
    overview = client.get("/api/facets").get_json()
    initiatives = {entry["value"]: entry["count"] for entry in overview["initiative"]}
    visible_places = {name for name in SEES[user] if name != "public"}
    assert set(initiatives) == visible_places
    kinds = {entry["value"]: entry["count"] for entry in overview["kind"]}
    assert kinds["document"] == len(SEES[user])
    searched = client.get("/api/search?q=page&kind=document&limit=50").get_json()
    assert set(searched["facets"].get("initiative", {})) <= visible_places
    assert "access" not in searched["facets"] and "access" not in overview


def test_an_insider_finds_the_hidden_page_by_its_number(world):
    answer = world.api("mara").client.get(f"/api/search?q={MARKERS['gamma']}&mode=keyword").get_json()
    hit = answer["results"][0]
    assert hit["kind"] == "document" and hit["section"] == f"Page {MARKER_PAGE['gamma']}"
    assert hit["url"] == f"/documents/{world.ids['gamma']}#page-{MARKER_PAGE['gamma']}"


def test_a_change_of_sharing_counts_at_once_without_a_rebuild(world):
    rob = world.api("rob").client
    search = f"/api/search?q={MARKERS['gamma']}&mode=keyword"
    generation = world.casebase.generation_key()
    assert rob.get(search).get_json()["total"] == 0
    mara = world.api("mara")
    try:
        mara.ok("PATCH", "/api/initiatives/gamma", json={"sharing": "named"})
        assert rob.get(search).get_json()["total"] == 1
        assert rob.get(f"/documents/{world.ids['gamma']}").status_code == 200
    finally:
        mara.ok("PATCH", "/api/initiatives/gamma", json={"sharing": SHARING["gamma"]})
    assert rob.get(search).get_json()["total"] == 0
    assert world.casebase.generation_key() == generation  # nothing was rebuilt for it


def test_an_outsider_may_not_upload_to_a_hidden_initiative(world):
    rob = world.api("rob")
    answer = rob.open("POST", "/api/documents", data={"file": (io.BytesIO(b"text"), "x.txt"),
                                                      "initiative": "gamma"}, content_type="multipart/form-data")
    assert answer.status_code == 403
    assert answer.get_json()["results"][0]["error"]["message"].startswith("x.txt: ")


def test_an_anonymous_cached_search_follows_a_change_of_sharing(world):
    anonymous = world.app.test_client()
    search = f"/api/search?q={MARKERS['gamma']}&mode=keyword&limit=7"  # an address no other test caches
    mara = world.api("mara")
    mara.ok("PATCH", "/api/initiatives/gamma", json={"sharing": "named"})
    try:
        assert anonymous.get(search).get_json()["total"] == 1  # now cached
    finally:
        mara.ok("PATCH", "/api/initiatives/gamma", json={"sharing": SHARING["gamma"]})
    assert anonymous.get(search).get_json()["total"] == 0
