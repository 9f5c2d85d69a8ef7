"""The sector taxonomy's remembered pairs are the pairs computed afresh."""

from __future__ import annotations

import itertools

from indexer.advisor.similarity import TaxonomySimilarity
from indexer.content.vocabulary import Vocabulary
from indexer.settings import find_content_root


def test_remembered_sector_pairs_equal_fresh_ones_in_both_orders():
    vocabulary = Vocabulary.load(find_content_root() / "kb" / "vocabulary.yaml")
    sectors = sorted(vocabulary.values("sectors"))
    remembering = TaxonomySimilarity(vocabulary)
    pairs = list(itertools.product(sectors[:40], repeat=2))
    first = [remembering.pair(a, b) for a, b in pairs]
    again = [remembering.pair(a, b) for a, b in pairs]
    fresh = [TaxonomySimilarity(vocabulary).pair(a, b) for a, b in pairs]
    assert first == again == fresh
    assert 0.0 < min(value for value in fresh if value > 0) < 1.0  # related, unrelated and equal pairs
    assert remembering(sectors[:3], sectors[2:5]) == TaxonomySimilarity(vocabulary)(sectors[:3], sectors[2:5])
