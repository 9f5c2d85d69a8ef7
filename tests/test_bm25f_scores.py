"""BM25F scores checked against numbers worked out by hand, as Whoosh's own tests do.

Three documents, two fields (title weight 2, b 0.5; body weight 1, b 0.75), k1 1.2:

    doc  title        body                  title length  body length
    0    tile kiln    tile tile pond        2             3
    1    frog pond    frog                  2             1
    2    kiln         pond frog frog frog   1             4

Average lengths: title 5/3, body 8/3. For a document d and term t:

    tf~(d, t) = Σ_f  w_f · tf_f / (1 − b_f + b_f · len_f / avg_f)
    score     = idf(t) · tf~ · (k1 + 1) / (tf~ + k1),   idf = ln(1 + (N − df + 0.5) / (df + 0.5))
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from indexer.search.keyword import KeywordIndex, ParsedQuery

WEIGHTS = {"title": 2.0, "body": 1.0}
FIELD_B = {"title": 0.5, "body": 0.75}
RECORDS = [
    {"uid": "0", "title": "tile kiln", "body": "tile tile pond"},
    {"uid": "1", "title": "frog pond", "body": "frog"},
    {"uid": "2", "title": "kiln", "body": "pond frog frog frog"},
]


@pytest.fixture(scope="module")
def index():
    built = KeywordIndex.build(RECORDS, WEIGHTS, field_b=FIELD_B)
    yield built
    built.close()


def scores(index, text):
    return index.scores(ParsedQuery.parse(text))


def test_one_term_in_two_fields(index):
    # "tile": df 1, idf = ln(1 + 2.5/1.5) = ln(8/3) = 0.980829.
    # doc 0: title 2·1/(0.5 + 0.5·2/(5/3)) = 2/1.1 = 1.818182
    #        body  1·2/(0.25 + 0.75·3/(8/3)) = 2/1.09375 = 1.828571;  tf~ = 3.646753
    #        score = 0.980829 · 3.646753 · 2.2 / 4.846753 = 1.623572
    result = scores(index, "tile")
    assert result[0] == pytest.approx(1.623572, rel=1e-5)
    assert result[1] == 0.0 and result[2] == 0.0


def test_saturation_and_length_normalisation(index):
    # "frog": df 2, idf = ln(1 + 1.5/2.5) = ln(1.6) = 0.470004.
    # doc 1: title 2/1.1 = 1.818182, body 1/(0.25 + 0.75·1/(8/3)) = 1/0.53125 = 1.882353;
    #        tf~ = 3.700535, score = 0.470004 · 3.700535 · 2.2 / 4.900535 = 0.780809
    # doc 2: body 3/(0.25 + 0.75·4/(8/3)) = 3/1.375 = 2.181818;
    #        score = 0.470004 · 2.181818 · 2.2 / 3.381818 = 0.667102
    result = scores(index, "frog")
    assert result[1] == pytest.approx(0.780809, rel=1e-5)
    assert result[2] == pytest.approx(0.667102, rel=1e-5)
    assert result[0] == 0.0


def test_a_query_sums_its_terms(index):
    # "pond": df 3, idf = ln(1 + 0.5/3.5) = ln(8/7) = 0.133531; doc 1 has it in the title:
    #        tf~ = 1.818182, score = 0.133531 · 1.818182 · 2.2 / 3.018182 = 0.176969
    # "frog pond" on doc 1 = 0.780809 + 0.176969 = 0.957778
    result = scores(index, "frog pond")
    assert result[1] == pytest.approx(0.957778, rel=1e-5)
    assert int(np.argmax(result)) == 1


def test_the_worked_example_matches_the_formula():
    # The hand-computed figures above, recomputed from the formula, so a mistake in
    # either the figures or the docstring shows.
    idf = math.log(1 + (3 - 1 + 0.5) / (1 + 0.5))
    tf = 2.0 * 1 / (1 - 0.5 + 0.5 * 2 / (5 / 3)) + 1.0 * 2 / (1 - 0.75 + 0.75 * 3 / (8 / 3))
    assert idf * tf * 2.2 / (tf + 1.2) == pytest.approx(1.623572, rel=1e-6)
