"""Keyword index: analysis, BM25F ranking, phrases, spelling (Whoosh in memory)."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.search.keyword import KeywordIndex, ParsedQuery

WEIGHTS = {"title": 3.0, "summary": 2.0, "body": 1.0}

RECORDS = [
    {"uid": "tiles", "title": "Criciúma tile cluster", "summary": "Cooperation collapsed after the crisis.",
     "body": "Tile makers in Brazil regained market share, then cooperation ended."},
    {"uid": "shoes", "title": "Sinos Valley footwear", "summary": "Shoe makers and their chamber.",
     "body": "A rift between large firms and small firms compromised upgrading. Tile is not mentioned."},
    {"uid": "cv", "title": "Writing a résumé", "summary": "", "body": "How to present experience."},
    {"uid": "frogs", "title": "Zamora frogs", "summary": "",
     "body": "Sixteen producers export frogs; cooperation collapsed never; tiles elsewhere tile tile tile."},
]


@pytest.fixture(scope="module")
def index():
    built = KeywordIndex.build(RECORDS, WEIGHTS)
    yield built
    built.close()


def ranked(index, text):
    scores = index.scores(ParsedQuery.parse(text))
    order = np.argsort(-scores, kind="stable")
    return [RECORDS[row]["uid"] for row in order if scores[row] > 0]


def test_accents_are_folded_before_stemming(index):
    assert ranked(index, "Criciuma")[0] == "tiles"
    assert ranked(index, "resume") == ["cv"]
    assert ranked(index, "résumés") == ["cv"]


def test_stop_words_do_not_match(index):
    assert ranked(index, "the and of") == []


def test_title_outweighs_repeated_body_mentions(index):
    # "frogs" says tile four times in its body; "tiles" has it once in the title.
    assert ranked(index, "tile")[0] == "tiles"


def test_phrase_query_requires_the_words_together(index):
    assert set(ranked(index, "cooperation collapsed")) == {"tiles", "frogs"}
    assert set(ranked(index, '"cooperation collapsed"')) == {"tiles", "frogs"}
    assert ranked(index, '"collapsed cooperation"') == []
    assert ranked(index, '"large firms" rift') == ["shoes"]


def test_stemmed_match_is_not_an_unknown_word(index):
    assert index.unknown_words(ParsedQuery.parse("exporters tiles")) == []
    assert index.suggest(ParsedQuery.parse("exporters tiles")) is None


def test_misspelt_word_gets_the_nearest_indexed_word(index):
    assert index.suggest(ParsedQuery.parse("footwaer rift")) == "footwear rift"
    assert index.suggest(ParsedQuery.parse("zzzzqqq")) is None


def test_tokens_carry_offsets_for_highlighting(index):
    text = "Criciúma tiles"
    assert index.tokens(text) == [("criciuma", 0, 8), ("tile", 9, 14)]


def test_index_round_trips_through_disk(tmp_path):
    built = KeywordIndex.build(RECORDS, WEIGHTS, tmp_path)
    expected = built.scores(ParsedQuery.parse("tile cooperation"))
    built.close()
    reopened = KeywordIndex.open(tmp_path)
    np.testing.assert_allclose(reopened.scores(ParsedQuery.parse("tile cooperation")), expected)
    reopened.close()


@pytest.fixture
def counted_deletions(monkeypatch):
    """Count the strings the spelling index generates while answering."""
    from indexer.search import spelling

    generated = []
    original = spelling.deletions

    def counting(word, distance=spelling.MAX_DISTANCE):
        found = original(word, distance)
        generated.append(len(found))
        return found

    monkeypatch.setattr(spelling, "deletions", counting)
    return generated


def test_an_overlong_word_costs_no_deletions(index, counted_deletions):
    index.suggest(ParsedQuery.parse("footwaer"))  # builds the spelling index
    counted_deletions.clear()
    assert index.suggest(ParsedQuery.parse("q" * 5000)) is None
    assert index.suggest(ParsedQuery.parse("rfit " + "x" * 5000)) == "rift " + "x" * 5000
    # Only "rfit" was looked up: a handful of deletions, not the 12.5 million of 5,000 letters.
    assert sum(counted_deletions) <= most_deletions(len("rfit"))


def test_a_long_query_corrects_a_bounded_number_of_words(index, counted_deletions):
    from indexer.search.keyword import MAX_CORRECTED_WORDS
    from indexer.search.spelling import MAX_WORD_LENGTH

    index.suggest(ParsedQuery.parse("footwaer"))
    counted_deletions.clear()
    words = [f"zq{number:03d}footwaer" for number in range(200)]
    index.suggest(ParsedQuery.parse(" ".join(words)))
    assert len(counted_deletions) == MAX_CORRECTED_WORDS
    assert sum(counted_deletions) <= MAX_CORRECTED_WORDS * most_deletions(MAX_WORD_LENGTH)


def most_deletions(letters):
    """Strings made by deleting up to two of `letters` distinct letters, the word included."""
    return 1 + letters + letters * (letters - 1) // 2


# -- query plans: what each word asks of an item (indexer.search.matching) ----------------

def _plan(index, text):
    from indexer.search.analysis import make_analyzer, terms
    from indexer.search.synonyms import SynonymExpander

    analyzer = make_analyzer()
    expander = SynonymExpander((), lambda words: terms(analyzer, words), variants=[("shoe", "footwear")])
    return index.plan(text, expander.matches(text))


def test_a_known_word_is_itself_and_the_last_unknown_word_a_prefix(index):
    plan = _plan(index, "rift expo")
    assert [(c.word, c.how) for c in plan.concepts] == [("rift", "word"), ("expo", "prefix")]
    assert plan.concepts[1].alternatives == (("expo",), tuple(terms_of(index, "export")))
    assert plan.extra_terms == tuple(terms_of(index, "export"))
    assert _plan(index, "expo rift").concepts[0].how == "unknown"  # only the last word is a prefix


def terms_of(index, text):
    from indexer.search.analysis import terms

    return terms(index.analyzer, text)


def test_an_unknown_word_before_the_last_is_a_typo_or_unknown_never_a_prefix(index):
    plan = _plan(index, "cooperatoin zzzzqqq rift")
    assert [(c.word, c.how) for c in plan.concepts] == [
        ("cooperatoin", "typo"), ("zzzzqqq", "unknown"), ("rift", "word")]
    assert tuple(terms_of(index, "cooperation")) in plan.concepts[0].alternatives
    assert plan.unknown_words == ("zzzzqqq",) and len(plan.required) == 2


def test_short_words_get_no_typo_and_short_prefixes_no_completion(index):
    assert [c.how for c in _plan(index, "tle rift").concepts] == ["unknown", "word"]  # 3 letters: no typo
    assert [c.how for c in _plan(index, "rift sh").concepts] == ["word", "unknown"]  # 2 letters: no prefix


def test_a_variant_merges_into_one_concept_any_form_satisfies(index):
    plan = _plan(index, "shoe chamber")
    assert [c.how for c in plan.concepts] == ["synonym", "word"]
    assert set(plan.concepts[0].alternatives) == {("shoe",), ("footwear",)}


def test_a_query_of_up_to_four_words_is_short(index):
    assert _plan(index, "tile crisis in brazil").short  # stop words count as typed
    assert not _plan(index, "tile makers in brazil regained").short
