"""What the engine's matching does for issue 13, asked through the web search: a short
query answers the items holding all its distinctive words (common words only score),
falls back to any of them, reads a sentence over any word; the last word is a prefix,
typos are tolerated, common variants are synonyms. Expected sets come from the same
search asked word by word, never from hard-coded ids."""

from __future__ import annotations


def _search(client, query: str, **params) -> dict:
    return client.get("/search", query_string={"q": query, "format": "json", "limit": 50, **params}).get_json()


def _ids(client, query: str, **params) -> set[str]:
    """Every item the keyword search answers (the API's pages are not capped at 10)."""
    data = client.get("/api/search", query_string={"q": query, "mode": "keyword", "limit": 100, **params}).get_json()
    assert data["total"] == len(data["results"]), "the test asks for one page holding the whole answer"
    return {hit["id"] for hit in data["results"]}


def _all_items(content) -> int:
    return len(content.cases) + len(content.notes) + len(content.lessons)


def test_a_long_keyword_query_is_not_the_whole_library(client, bundled_casebase):
    data = _search(client, "furniture cluster firms distrust", mode="keyword")
    assert 0 < data["total"] < _all_items(bundled_casebase.content) / 2
    assert sum(data["facets"]["kind"].values()) == data["total"]


def test_two_distinctive_words_answer_the_items_holding_both(client):
    frog, exporters = _ids(client, "frog"), _ids(client, "exporters")
    both = _ids(client, "frog exporters")
    assert frog & exporters and both == frog & exporters


def test_without_an_item_holding_all_words_any_of_them_is_answered_with_a_notice(client):
    furniture, distrust = _ids(client, "furniture"), _ids(client, "distrust")
    assert furniture and distrust and not furniture & distrust
    data = _search(client, "furniture distrust", mode="keyword")
    assert _ids(client, "furniture distrust") == furniture | distrust
    assert any("No result holds all the words" in notice for notice in data["notices"])


def test_a_word_most_items_hold_scores_but_is_not_required(client, bundled_casebase):
    everywhere = _search(client, "cluster", mode="keyword")["total"]
    assert everywhere > _all_items(bundled_casebase.content) / 4
    assert _ids(client, "cluster frog") == _ids(client, "frog")


def test_a_sentence_is_ranked_over_any_of_its_words(client):
    sentence = "where do I begin as a facilitator when nobody trusts anybody"
    total = _search(client, sentence, mode="keyword")["total"]
    assert total >= max(_search(client, word, mode="keyword")["total"] for word in ("facilitator", "trusts", "begin"))


def test_facet_counts_are_over_the_answered_set(client):
    data = _search(client, "cooperation trust", mode="keyword")
    assert sum(data["facets"]["kind"].values()) == data["total"]


def test_hybrid_keeps_a_short_query_to_its_keyword_answer(client):
    keyword = _search(client, "furniture cluster firms distrust", mode="keyword")
    hybrid = _search(client, "furniture cluster firms distrust", mode="hybrid")
    assert hybrid["total"] == keyword["total"] <= 10  # one page: the sets can be compared
    assert {hit["id"] for hit in hybrid["results"]} == {hit["id"] for hit in keyword["results"]}


def test_the_last_word_matches_as_a_prefix(client):
    assert _search(client, "cooperativ", mode="keyword")["total"] > 0
    assert _ids(client, "furnit") == _ids(client, "furniture")


def test_only_the_last_word_is_a_prefix(client):
    assert _ids(client, "furnit distrust") == _ids(client, "distrust")


def test_a_typo_is_tolerated_and_still_offered_a_correction(client):
    data = _search(client, "prisonners dilema", mode="keyword")
    assert data["results"] and data["results"][0]["id"] == "prisoners-dilemma"
    assert data["suggestion"]


def test_mistrust_finds_the_distrust_lessons(client, bundled_casebase):
    hits = _search(client, "mistrust", mode="keyword", kind="lesson")["results"]
    texts = {lesson.uid: f"{lesson.statement} {lesson.explanation}" for lesson in bundled_casebase.content.lessons}
    assert any("distrust" in texts.get(hit["id"], "") for hit in hits[:5])


def test_shoes_find_the_footwear_cluster(client):
    assert "sinos-valley" in [hit["doc_id"] for hit in _search(client, "shoes", mode="keyword")["results"][:3]]
