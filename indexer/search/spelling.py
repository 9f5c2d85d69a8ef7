"""Fast "did you mean": a deletion index over the indexed words (SymSpell's idea).

Every indexed word is stored under each string obtained by deleting up to two of its
letters; a query word's own deletions then find every word within two edits by
dictionary look-ups, and only those few candidates get an exact (Levenshtein) edit
distance, computed by rapidfuzz. Built once when a generation is opened, so a
suggestion costs microseconds, not a walk over Whoosh's term automaton.

The work is bounded: a word of n letters has about n²/2 two-letter deletions, so a
word longer than MAX_WORD_LENGTH gets no suggestion (no real word is that long, and
a 500-letter one would take seconds), and such words are not indexed either.
"""

from __future__ import annotations

from functools import lru_cache
from itertools import combinations
from typing import Iterable

from rapidfuzz.distance import Levenshtein

MAX_DISTANCE = 2
# Longer query words get no suggestion; indexed words may be MAX_DISTANCE longer
# and still be found.
MAX_WORD_LENGTH = 30
CACHE_SIZE = 10_000


def deletions(word: str, distance: int = MAX_DISTANCE) -> set[str]:
    """Every string made by deleting up to `distance` letters (the word included).

    >>> sorted(deletions("tile", 1))
    ['ile', 'tie', 'til', 'tile', 'tle']
    """
    found = {word}
    for count in range(1, min(distance, len(word) - 1) + 1):
        for positions in combinations(range(len(word)), count):
            found.add("".join(ch for i, ch in enumerate(word) if i not in positions))
    return found


class SpellingIndex:
    """Suggests the indexed word nearest to an unknown one (then the most frequent).

    >>> index = SpellingIndex([("tiles", 5), ("time", 9), ("footwear", 3)])
    >>> index.suggest("tils"), index.suggest("footwaer"), index.suggest("zzzzqq")
    ('tiles', 'footwear', None)
    >>> index.suggest("x" * 5000) is None
    True
    """

    def __init__(self, words: Iterable[tuple[str, int]]):
        self.frequency: dict[str, int] = {}
        self._by_deletion: dict[str, list[str]] = {}
        for word, frequency in words:
            if len(word) > MAX_WORD_LENGTH + MAX_DISTANCE:
                continue  # no query word it could correct is allowed a suggestion
            self.frequency[word] = frequency
            for key in deletions(word):
                self._by_deletion.setdefault(key, []).append(word)
        # Per index, thread-safe and bounded: a repeated query word costs a look-up.
        self._cached = lru_cache(maxsize=CACHE_SIZE)(self._suggest)

    def suggest(self, word: str) -> str | None:
        """The best known word within two edits of `word`, or None (also for overlong words)."""
        if len(word) > MAX_WORD_LENGTH:
            return None
        return self._cached(word)

    def _suggest(self, word: str) -> str | None:
        candidates = {c for key in deletions(word) for c in self._by_deletion.get(key, ())}
        candidates.discard(word)
        ranked = sorted((Levenshtein.distance(word, c, score_cutoff=MAX_DISTANCE), -self.frequency[c], c)
                        for c in candidates)
        return ranked[0][2] if ranked and ranked[0][0] <= MAX_DISTANCE else None
