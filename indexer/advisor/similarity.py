"""Local similarity measures, one small callable each, in the manner of myCBR and cbrkit,
and the weighted global similarity that combines them.

Each measure takes the query's value and the case's value and returns a similarity
in [0, 1]. Unknown values never reach a measure: the global similarity leaves an
attribute out when either side does not know it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from indexer import models
from indexer.content.vocabulary import Vocabulary


@dataclass(frozen=True)
class Equality:
    """1 when equal, else 0.

    >>> Equality()("italianate", "italianate"), Equality()("italianate", "satellite")
    (1.0, 0.0)
    """

    def __call__(self, query: str, case: str) -> float:
        return 1.0 if query == case else 0.0


@dataclass(frozen=True)
class Ordinal:
    """Similarity falls linearly with the distance between positions on a scale.

    >>> stage = Ordinal(("emergence", "growth", "maturity", "decline"))
    >>> stage("growth", "growth"), round(stage("emergence", "maturity"), 3), stage("emergence", "decline")
    (1.0, 0.333, 0.0)
    """

    order: tuple[str, ...]

    def __call__(self, query: str, case: str) -> float:
        span = len(self.order) - 1
        return 1.0 - abs(self.order.index(query) - self.order.index(case)) / span if span else 1.0


@dataclass(frozen=True)
class Table:
    """A symmetric similarity matrix; pairs not listed are 0, identical values 1.

    >>> driver = Table({("public", "mixed"): 0.5, ("private", "mixed"): 0.5})
    >>> driver("mixed", "public"), driver("public", "private"), driver("private", "private")
    (0.5, 0.0, 1.0)
    """

    pairs: Mapping[tuple[str, str], float]

    def __call__(self, query: str, case: str) -> float:
        if query == case:
            return 1.0
        return self.pairs.get((query, case), self.pairs.get((case, query), 0.0))


@dataclass(frozen=True)
class Jaccard:
    """Overlap of two sets: |A ∩ B| / |A ∪ B|.

    >>> Jaccard()(("training", "testing"), ("training", "trade-fairs"))
    0.3333333333333333
    """

    def __call__(self, query: Sequence[str], case: Sequence[str]) -> float:
        union = set(query) | set(case)
        return len(set(query) & set(case)) / len(union) if union else 0.0


class TaxonomySimilarity:
    """Sectors compared through the taxonomy (Wu-Palmer over the sector tree).

    sim(a, b) = 2·depth(lca) / (depth(a) + depth(b)), depths counted from a virtual
    root above the top sectors, best over multiple parents. For sets, each query
    sector takes its best match among the case's sectors, averaged.

    >>> vocabulary = Vocabulary({"sectors": {
    ...     "manufacturing": {}, "technology": {}, "leather-and-footwear": {"parents": ["manufacturing"]},
    ...     "footwear": {"parents": ["leather-and-footwear"]}, "leather-goods": {"parents": ["leather-and-footwear"]},
    ...     "building-materials": {"parents": ["manufacturing"]}, "ceramics": {"parents": ["building-materials"]},
    ...     "software": {"parents": ["technology"]}}})
    >>> sectors = TaxonomySimilarity(vocabulary)
    >>> round(sectors(("footwear",), ("leather-goods",)), 2), round(sectors(("footwear",), ("ceramics",)), 2)
    (0.67, 0.33)
    >>> sectors(("footwear",), ("software",)), sectors(("footwear",), ("footwear", "software"))
    (0.0, 1.0)
    """

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        # Pairs already computed: the vocabulary does not change under one instance, and
        # ranking every case asks for the same few pairs on every request.
        self._pairs: dict[tuple[str, str], float] = {}

    def _depth(self, sector: str) -> int:
        ancestors = self.vocabulary.sector_ancestors(sector)
        roots = [a for a in ancestors if not self.vocabulary.values("sectors").get(a, {}).get("parents")]
        return 1 + min(ancestors[root] for root in roots) if roots else 1

    def pair(self, a: str, b: str) -> float:
        """Similarity of two single sectors."""
        if a == b:
            return 1.0
        found = self._pairs.get((a, b))
        if found is None:
            found = self._pairs[(a, b)] = self._pair(a, b)
        return found

    def _pair(self, a: str, b: str) -> float:
        up_a, up_b = self.vocabulary.sector_ancestors(a), self.vocabulary.sector_ancestors(b)
        common = set(up_a) & set(up_b)
        if not common:
            return 0.0
        best = max(self._depth(c) for c in common)
        return 2.0 * best / (self._depth(a) + self._depth(b))

    def __call__(self, query: Sequence[str], case: Sequence[str]) -> float:
        if not query or not case:
            return 0.0
        return sum(max(self.pair(q, c) for c in case) for q in query) / len(query)


class CountrySimilarity:
    """Same country 1; same region 0.6; same development context 0.3; else 0.

    >>> vocabulary = Vocabulary({"countries": {"Brazil": {"region": "latin-america", "context": "developing"},
    ...     "Peru": {"region": "latin-america", "context": "developing"},
    ...     "Kenya": {"region": "africa", "context": "developing"},
    ...     "Germany": {"region": "europe", "context": "industrialised"}}})
    >>> country = CountrySimilarity(vocabulary)
    >>> country("Brazil", "Brazil"), country("Peru", "Brazil"), country("Kenya", "Brazil"), country("Germany", "Brazil")
    (1.0, 0.6, 0.3, 0.0)
    """

    SAME_REGION = 0.6
    SAME_CONTEXT = 0.3

    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary

    def __call__(self, query: str, case: str) -> float:
        if query == case:
            return 1.0
        a, b = self.vocabulary.country(query), self.vocabulary.country(case)
        if a is None or b is None:
            return 0.0
        if a.get("region") == b.get("region"):
            return self.SAME_REGION
        return self.SAME_CONTEXT if a.get("context") == b.get("context") else 0.0


@dataclass(frozen=True)
class InitiativeType:
    """The paper's Table 3 as one attribute: driver and approach together.

    The mean of the driver similarity and approach equality over the parts both sides
    know, so public bottom-up is half-similar to public top-down.

    >>> initiative = InitiativeType(Table({("public", "mixed"): 0.5, ("private", "mixed"): 0.5}))
    >>> initiative(("public", "bottom-up"), ("public", "top-down"))
    0.5
    >>> initiative(("private", "bottom-up"), ("mixed", "bottom-up")), initiative(("public", None), ("public", "top-down"))
    (0.75, 1.0)
    """

    driver: Table

    def __call__(self, query: tuple[str | None, str | None], case: tuple[str | None, str | None]) -> float:
        parts = []
        if query[0] and case[0]:
            parts.append(self.driver(query[0], case[0]))
        if query[1] and case[1]:
            parts.append(1.0 if query[1] == case[1] else 0.0)
        return sum(parts) / len(parts) if parts else 0.0


def clamp_cosine(value: float, floor: float = 0.1, ceiling: float = 0.7) -> float:
    """Map a MiniLM cosine to [0, 1]: below `floor` is unrelated, above `ceiling` near-identical.

    >>> clamp_cosine(0.05), clamp_cosine(0.4), clamp_cosine(0.9)
    (0.0, 0.5, 1.0)
    """
    return round(min(1.0, max(0.0, (value - floor) / (ceiling - floor))), 6)


# -- the global similarity ------------------------------------------------------


@dataclass
class AttributeScore:
    """One attribute's part in a comparison."""

    attribute: str
    query_value: object
    case_value: object
    similarity: float
    weight: float
    label: str = ""
    imputed: bool = False
    # The case's value is the codifier's interpretation, not a fact the source states.
    interpreted: bool = False

    def to_model(self) -> models.AttributeScore:
        """The typed form (values were checked when they were compared)."""
        return models.AttributeScore.model_construct(
            attribute=self.attribute, query_value=self.query_value, case_value=self.case_value,
            similarity=self.similarity, weight=self.weight, label=self.label, imputed=self.imputed,
            interpreted=self.interpreted)


def global_score(parts: list[AttributeScore]) -> float:
    """Weighted mean of the local similarities.

    >>> global_score([AttributeScore("a", 1, 1, 1.0, 2.0), AttributeScore("b", 1, 2, 0.25, 2.0)])
    0.625
    >>> global_score([])
    0.0
    """
    total = sum(part.weight for part in parts)
    # (imputed parts count like the others: their similarity is the library's mean)
    return round(sum(part.weight * part.similarity for part in parts) / total, 6) if total else 0.0
