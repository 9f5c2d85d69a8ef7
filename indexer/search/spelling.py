"""Fast "did you mean": a deletion index over the indexed words (SymSpell's idea).

Every indexed word is stored under each string obtained by deleting up to two of its
letters; a query word's own deletions then find every word within two edits by
dictionary look-ups, and only those few candidates get an exact edit distance. Built
once when a generation is opened, so a suggestion costs microseconds, not a walk over
Whoosh's term automaton.
"""

from __future__ import annotations

from itertools import combinations
from typing import Iterable

MAX_DISTANCE = 2


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


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance.

    >>> edit_distance("tils", "tiles"), edit_distance("tils", "time")
    (1, 2)
    """
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


class SpellingIndex:
    """Suggests the indexed word nearest to an unknown one (then the most frequent).

    >>> index = SpellingIndex([("tiles", 5), ("time", 9), ("footwear", 3)])
    >>> index.suggest("tils"), index.suggest("footwaer"), index.suggest("zzzzqq")
    ('tiles', 'footwear', None)
    """

    def __init__(self, words: Iterable[tuple[str, int]]):
        self.frequency: dict[str, int] = {}
        self._by_deletion: dict[str, list[str]] = {}
        for word, frequency in words:
            self.frequency[word] = frequency
            for key in deletions(word):
                self._by_deletion.setdefault(key, []).append(word)
        self._cache: dict[str, str | None] = {}

    def suggest(self, word: str) -> str | None:
        """The best known word within two edits of `word`, or None."""
        if word in self._cache:
            return self._cache[word]
        candidates = {c for key in deletions(word) for c in self._by_deletion.get(key, ())}
        candidates.discard(word)
        ranked = sorted((edit_distance(word, c), -self.frequency[c], c) for c in candidates)
        best = ranked[0][2] if ranked and ranked[0][0] <= MAX_DISTANCE else None
        if len(self._cache) < 10_000:
            self._cache[word] = best
        return best
