"""Which of the query's words an item contains: the all-words rule (issue 13).

A query is read as *concepts*, one per word the user typed. A concept is satisfied by
any of its alternatives, each a set of analysed terms that must all occur in the item:
the word itself (stemmed), the forms the glossary or the common variants add for it
("mistrust" is also "distrust", "LQ" is also "location quotient"), the words of the
library the last word begins with ("cooperativ" while typing "cooperative"), and the
library word one typo away from a word the library does not hold (one typo from five
letters, two from nine, as Meilisearch allows).

The rule, after Meilisearch's matching strategy and Elasticsearch's conditional
minimum_should_match ("4<50%"): a short query (up to four words, what people type in
a search box) answers the items that hold all its words; a longer one (a sentence, a
question, a SciFact claim) those holding at least half of them. When no item holds
that many, the answer is the items holding the most words any item holds, so a query
never comes back empty for want of one word. The answer is ranked by BM25F: ordering
long queries by word count first lost a tenth of the domain queries' hits, since
common words count as much as rare ones. A word nothing in the library matches
cannot be required of anything: it is left out of the count and the answer says so.
Total, pages and facet counts all describe the answered set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

import numpy as np
from rapidfuzz.distance import Levenshtein

from indexer.search.synonyms import SynonymMatch

# The last word is read as a prefix from this many letters, completed by at most this
# many library words (the most frequent), so "c" does not drag in the whole vocabulary.
MIN_PREFIX = 3
MAX_COMPLETIONS = 20
# A query of up to this many words (as typed, stop words too) is read as keywords,
# each one required; a longer one as a sentence, ranked over any of its words.
SHORT_QUERY = 4
# A word held by more than this share of the items is common: it scores, but is not
# required (unless every word of the query is common).
COMMON_SHARE = 0.25
# Typos allowed in a word of at least this many letters (one, then two).
ONE_TYPO_FROM, TWO_TYPOS_FROM = 5, 9


@dataclass(frozen=True)
class Concept:
    """One word of the query and what counts as containing it."""

    word: str
    alternatives: tuple[tuple[str, ...], ...]
    how: str = "word"  # word | synonym | prefix | typo | unknown


@dataclass(frozen=True)
class QueryPlan:
    """The concepts of one query and the extra terms they bring to the BM25F score."""

    concepts: tuple[Concept, ...]
    extra_terms: tuple[str, ...]
    typed_words: int = 0

    @property
    def short(self) -> bool:
        """Keywords rather than a sentence: at most SHORT_QUERY words as typed."""
        return self.typed_words <= SHORT_QUERY

    @property
    def required(self) -> tuple[Concept, ...]:
        """Concepts the library can satisfy: the ones an all-words match needs."""
        return tuple(concept for concept in self.concepts if concept.how != "unknown")

    @property
    def unknown_words(self) -> tuple[str, ...]:
        """Words nothing in the library matches."""
        return tuple(concept.word for concept in self.concepts if concept.how == "unknown")


@dataclass(frozen=True)
class Vocabulary:
    """What the planner asks of an index: the analyser, whether a term is indexed,
    the words a prefix completes to, and the nearest word to a misspelt one."""

    stem: Callable[[str], list[str]]
    known: Callable[[str], bool]
    completions: Callable[[str, int], list[str]]
    correction: Callable[[str], str | None]


def plan_query(words: Sequence[tuple[str, int, int]], vocabulary: Vocabulary,
               synonyms: Iterable[SynonymMatch] = (), typed_words: int | None = None,
               last_is_prefix: bool = True) -> QueryPlan:
    """Concepts of a query given its words as (folded word, start, end) in the query
    text, stop words left out; `typed_words` counts them in (default: as many).

    >>> vocab = Vocabulary(stem=lambda w: [w.rstrip("s")], known=lambda t: t in {"tile", "trust"},
    ...                    completions=lambda p, n: ["trusted"] if "trusted".startswith(p) else [],
    ...                    correction=lambda w: "tiles" if w == "tilles" else None)
    >>> [(c.word, c.how, c.alternatives) for c in plan_query([("tilles", 0, 6), ("tru", 7, 10)], vocab).concepts]
    [('tilles', 'typo', (('tille',), ('tile',))), ('tru', 'prefix', (('tru',), ('trusted',)))]
    """
    concepts: list[Concept | None] = []
    extra: list[str] = []
    for position, (word, _, _) in enumerate(words):
        own = tuple(vocabulary.stem(word))
        if not own:
            concepts.append(None)  # a stop word: asks nothing
            continue
        if all(vocabulary.known(term) for term in own):
            concepts.append(Concept(word, (own,)))
            continue
        alternatives: list[tuple[str, ...]] = [own]
        how = "unknown"
        if last_is_prefix and position == len(words) - 1 and len(word) >= MIN_PREFIX:
            for completion in vocabulary.completions(word, MAX_COMPLETIONS):
                stems = tuple(vocabulary.stem(completion))
                if stems and stems not in alternatives:
                    alternatives.append(stems)
                    extra.extend(stems)
                    how = "prefix"
        if how == "unknown" and len(word) >= ONE_TYPO_FROM:
            corrected = vocabulary.correction(word)
            allowed = 2 if len(word) >= TWO_TYPOS_FROM else 1
            if corrected and Levenshtein.distance(word, corrected, score_cutoff=allowed) <= allowed:
                stems = tuple(vocabulary.stem(corrected))
                if stems and all(vocabulary.known(term) for term in stems):
                    alternatives.append(stems)
                    extra.extend(stems)
                    how = "typo"
        concepts.append(Concept(word, tuple(alternatives), how))
    merged = _merge_synonyms(words, concepts, synonyms, vocabulary)
    return QueryPlan(tuple(concept for concept in merged if concept is not None), tuple(extra),
                     len(words) if typed_words is None else typed_words)


def _merge_synonyms(words: Sequence[tuple[str, int, int]], concepts: list[Concept | None],
                    synonyms: Iterable[SynonymMatch], vocabulary: Vocabulary) -> list[Concept | None]:
    """The words a glossary or variant mention covers become one concept that any of
    its forms satisfies ("LQ" or "location quotient"; "mistrust" or "distrust")."""
    concepts = list(concepts)
    for match in synonyms:
        covered = [i for i, (_, start, end) in enumerate(words) if start >= match.start and end <= match.end
                   and concepts[i] is not None]
        if not covered:
            continue
        own = tuple(term for i in covered for term in vocabulary.stem(words[i][0]))
        alternatives = [own] + [stems for form in match.forms if (stems := tuple(vocabulary.stem(form)))]
        satisfiable = any(all(vocabulary.known(term) for term in alternative) for alternative in alternatives)
        concepts[covered[0]] = Concept(match.text, tuple(dict.fromkeys(alternatives)),
                                       "synonym" if satisfiable else "unknown")
        for i in covered[1:]:
            concepts[i] = None
    return concepts


def visible_plan(plan: QueryPlan, known: Callable[[str], bool]) -> QueryPlan:
    """The plan as a reader who may see only part of the index gets it: a concept none
    of whose alternatives that reader's units hold (`known`: a visible unit holds the
    analysed term) is unknown, so it is neither required nor said to be in the library.

    >>> plan = QueryPlan((Concept("tile", (("tile",),)), Concept("secret", (("secret",),))), (), 2)
    >>> [(c.word, c.how) for c in visible_plan(plan, lambda term: term == "tile").concepts]
    [('tile', 'word'), ('secret', 'unknown')]
    """
    concepts = tuple(
        concept if concept.how == "unknown" or any(all(known(term) for term in alternative)
                                                   for alternative in concept.alternatives)
        else Concept(concept.word, concept.alternatives, "unknown")
        for concept in plan.concepts)
    return QueryPlan(concepts, plan.extra_terms, plan.typed_words)


def words_held(plan: QueryPlan, presence: Callable[[str], np.ndarray], size: int) -> np.ndarray:
    """Which of `size` items hold each of the plan's required concepts (one boolean
    row per concept); `presence(term)` says which items contain an analysed term.

    >>> plan = QueryPlan((Concept("a", (("a",),)), Concept("b", (("b",), ("c", "d")))), ())
    >>> present = {"a": [1, 1, 0], "b": [0, 1, 0], "c": [1, 0, 1], "d": [1, 0, 0]}
    >>> words_held(plan, lambda t: np.array(present[t], dtype=bool), 3).astype(int).tolist()
    [[1, 1, 0], [1, 1, 0]]
    """
    rows = np.zeros((len(plan.required), size), dtype=bool)
    cache: dict[str, np.ndarray] = {}
    for row, concept in enumerate(plan.required):
        for alternative in concept.alternatives:
            present = np.ones(size, dtype=bool)
            for term in alternative:
                if term not in cache:
                    cache[term] = presence(term)
                present &= cache[term]
            rows[row] |= present
    return rows


@dataclass(frozen=True)
class WordsRanking:
    """Item scores after the all-words rule: the answer's items hold at least `held`
    of the query's `of` distinctive words (`held` 0: the rule did not narrow it)."""

    scores: np.ndarray
    held: int
    of: int

    @property
    def all_words(self) -> bool:
        """True when the answer's items hold every distinctive word."""
        return self.held >= self.of > 0

    @property
    def narrowed(self) -> bool:
        """True when the rule chose the answer (meaning then reorders it in hybrid
        mode and does not widen it)."""
        return self.held > 0


def all_words_first(best: np.ndarray, held: np.ndarray, short: bool = True) -> WordsRanking:
    """For a `short` query, keep the scored items that hold all its distinctive words
    (`held`: one row per word, from `words_held`), or, when none does, those holding
    any; the rest score 0. A word most items hold ("cluster" here, "the" anywhere) is
    common and only scores, as in Elasticsearch's common-terms query, unless every
    word is common. A longer query keeps every scored item.

    >>> best = np.array([3.0, 1.0, 2.0, 0.0])
    >>> ranked = all_words_first(best, np.array([[1, 1, 1, 0], [0, 1, 1, 0]], dtype=bool))
    >>> ranked.scores.tolist(), ranked.held, ranked.of
    ([0.0, 1.0, 2.0, 0.0], 2, 2)
    >>> ranked = all_words_first(best, np.array([[0, 1, 0, 0], [1, 0, 0, 0], [0, 0, 0, 0]], dtype=bool))
    >>> ranked.scores.tolist(), ranked.held, ranked.all_words
    ([3.0, 1.0, 0.0, 0.0], 1, False)
    >>> all_words_first(best, np.array([[1, 1, 1, 0], [0, 1, 1, 0]], dtype=bool), short=False).scores.tolist()
    [3.0, 1.0, 2.0, 0.0]
    >>> all_words_first(np.zeros(2), np.array([[1, 0]], dtype=bool)).narrowed  # no scored item
    False
    """
    if held.shape[0] and held.shape[1]:
        distinctive = held.mean(axis=1) <= COMMON_SHARE
        if distinctive.any():
            held = held[distinctive]
    required = held.shape[0]
    scored = best > 0
    matched_words = held.sum(axis=0)
    needed = required if np.any(scored & (matched_words >= required)) else min(required, 1)
    kept = scored & (matched_words >= needed)
    if not short or needed < 1 or not kept.any():  # nothing to keep to: meaning may still answer
        return WordsRanking(best, 0, required)
    return WordsRanking(np.where(kept, best, 0.0), needed, required)
