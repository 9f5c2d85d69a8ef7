"""Vectorised scoring of every case and every lesson against one profile.

The same arithmetic as comparing case by case (`Advisor.compare` with the local
similarity measures, `explain.impute_unknowns`, `similarity.global_score`), done on
the case table's arrays: each local measure is called once per distinct case value
(or per vocabulary value for the sector taxonomy), sums run in the same order as the
per-case sums, and scores are rounded with Python's round, so that the scores are
exactly those of the per-case definition (tests/test_advisor_scale.py checks it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from indexer.advisor.casetable import CLASSIFICATION_HEADING, CaseTable, ListColumn
from indexer.advisor.explain import INITIATIVE
from indexer.advisor.profile import Profile

if TYPE_CHECKING:
    from indexer.advisor.suggest import Advisor

# Rounding changes a score by at most half of 1e-6: a lesson scoring this much below
# the last one kept cannot tie with it once rounded.
ROUNDING_MARGIN = 3e-6


def round6(values: np.ndarray) -> np.ndarray:
    """Python's round(value, 6) of every value (numpy's rounding differs at halfway
    cases). numpy rounds every value; only values within a hair of a halfway point,
    where the two may differ, are rounded again by Python (scores of 100,000 near-copies
    are mostly distinct, and rounding each in Python cost 30 ms per suggestion).

    >>> round6(np.array([0.2330845, 2.5e-7, 0.2330845])).tolist(), np.round(0.2330845, 6)
    ([0.233085, 0.0, 0.233085], np.float64(0.233084))
    """
    values = np.asarray(values, dtype=np.float64)
    rounded = np.round(values, 6)
    scaled = values * 1e6
    # The product's error is far below 1e-7 for values of the size of scores.
    near_half = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-7
    if near_half.any():
        rounded[near_half] = [round(value, 6) for value in values[near_half].tolist()]
    return rounded


def clamp_cosines(values: np.ndarray, floor: float = 0.1, ceiling: float = 0.7) -> np.ndarray:
    """similarity.clamp_cosine of every value.

    >>> clamp_cosines(np.array([0.05, 0.4, 0.9], dtype=np.float32)).tolist()
    [0.0, 0.5, 1.0]
    """
    return round6(np.minimum(1.0, np.maximum(0.0, (np.asarray(values, dtype=np.float64) - floor) / (ceiling - floor))))


@dataclass
class Part:
    """One compared attribute over every case: its local similarity where the case
    records the attribute (`known`), in the order of Advisor.compare."""

    attribute: str
    similarity: np.ndarray
    known: np.ndarray


@dataclass
class CaseScores:
    """Every case's global similarity, and what the imputed attributes counted at."""

    scores: np.ndarray  # rounded as global_score rounds, one per case
    order: np.ndarray  # case rows, best first (ties by id), the excluded case left out
    means: dict[str, float]  # attribute -> the similarity an unrecorded value counts at
    sector_similarity: np.ndarray | None  # unrounded sector similarity per case (sector notice)
    # Attributes of the profile that no case records: left out (they cannot tell cases
    # apart, and with no mean to count at they would only lower every score).
    unrecorded: tuple[str, ...] = ()


def score_cases(advisor: "Advisor", table: CaseTable, profile: Profile, description: np.ndarray | None,
                exclude: int | None = None) -> CaseScores:
    """Score every case of `table` (but the row `exclude`) against `profile`;
    `description` is each case's best passage cosine, or None without a query vector."""
    size = len(table)
    keep = np.ones(size, dtype=bool)
    if exclude is not None:
        keep[exclude] = False
    parts, sector_similarity = _parts(advisor, table, profile, description)
    total = np.zeros(size, dtype=np.float64)
    weights = np.zeros(size, dtype=np.float64)
    means: dict[str, float] = {}
    unrecorded: list[str] = []
    for part in parts:
        known_similarities = part.similarity[part.known & keep]
        if not len(known_similarities):
            unrecorded.append(part.attribute)
            continue
        # Sequential sums (cumsum), as Python's sum adds the cases one after the other.
        mean = round(float(np.cumsum(known_similarities)[-1]) / len(known_similarities), 6)
        if not part.known.all():
            means[part.attribute] = mean
        weight = advisor.weight(part.attribute)
        similarity = np.where(part.known, part.similarity, mean)
        part_weights = np.where(part.known, weight, weight * advisor.unknown_case_weight)
        total += part_weights * similarity
        weights += part_weights
    scores = round6(np.divide(total, weights, out=np.zeros(size), where=weights > 0))
    rows = np.flatnonzero(keep)
    order = rows[np.lexsort((table.id_rank[rows], -scores[rows]))]
    return CaseScores(scores, order, means, sector_similarity, tuple(unrecorded))


def _parts(advisor: "Advisor", table: CaseTable, profile: Profile,
           description: np.ndarray | None) -> tuple[list[Part], np.ndarray | None]:
    size = len(table)
    everywhere = np.ones(size, dtype=bool)
    parts: list[Part] = []
    sector_similarity = None
    if description is not None:
        parts.append(Part("description", clamp_cosines(description), everywhere))
    notice_path = advisor.registry.attribute_paths.get("sectors", "sectors")
    for attribute, path in advisor.taxonomy_paths.items():
        mine = profile.items(attribute)
        if mine:
            column = table.listed(path)
            raw = _taxonomy(advisor.sectors, mine, column)
            if path == notice_path:
                sector_similarity = raw
            parts.append(Part(attribute, round6(np.where(column.known, raw, 0.0)), column.known))
    initiative = _initiative(advisor, table, profile)
    if initiative is not None:
        parts.append(initiative)
    if profile.country:
        for attribute, path in advisor.country_paths.items():
            parts.append(_scalar(attribute, table, path, lambda value: advisor.country(profile.country, value)))
    for attribute, measure in advisor.scalar.items():
        mine = profile.get(attribute)
        if mine:
            parts.append(_scalar(attribute, table, advisor.scalar_paths[attribute],
                                 lambda value, mine=mine, measure=measure: measure(mine, value)))
    for attribute, path in advisor.list_paths.items():
        mine = profile.items(attribute)
        if mine:
            column = table.listed(path)
            query = set(mine)
            shared = column.holding(query)
            union = len(query) + column.members.sum(axis=1) - shared
            parts.append(Part(attribute, round6(shared / union), column.known))
    return parts, sector_similarity


def _taxonomy(sectors, mine, column: ListColumn) -> np.ndarray:
    """TaxonomySimilarity over every case: each query sector's best match among the
    case's sectors, averaged over the query's sectors (unrounded; 0 for no sectors)."""
    total = np.zeros(len(column.members), dtype=np.float64)
    if not column.values:
        return total
    for query in mine:
        pairs = np.asarray([sectors.pair(query, value) for value in column.values], dtype=np.float64)
        total += np.where(column.members, pairs, -np.inf).max(axis=1)
    return np.where(column.known, total / len(mine), 0.0)


def _scalar(attribute: str, table: CaseTable, path: str, measure) -> Part:
    column = table.scalar(path)
    similarities = np.asarray([round(measure(value), 6) for value in column.values] + [0.0], dtype=np.float64)
    return Part(attribute, similarities[column.codes], column.codes >= 0)


def _initiative(advisor: "Advisor", table: CaseTable, profile: Profile) -> Part | None:
    """Driver and approach as one attribute, over every combination the cases hold."""
    query = tuple(profile.get(name) for name in INITIATIVE)
    if not any(query):
        return None
    paths = advisor.registry.attribute_paths
    drivers, approaches = (table.scalar(paths[name]) for name in INITIATIVE)
    width = len(approaches.values) + 1
    similarities = np.zeros((len(drivers.values) + 1) * width, dtype=np.float64)
    known = np.zeros(len(similarities), dtype=bool)
    for driver_code, driver in enumerate([None] + drivers.values):
        for approach_code, approach in enumerate([None] + approaches.values):
            case = tuple(None if value == "unknown" else value for value in (driver, approach))
            combination = driver_code * width + approach_code
            if (query[0] and case[0]) or (query[1] and case[1]):
                known[combination] = True
                similarities[combination] = round(advisor.initiative(query, case), 6)
    combinations = (drivers.codes + 1) * width + (approaches.codes + 1)
    return Part("initiative", similarities[combinations], known[combinations])


def lesson_scores(table: CaseTable, profile: Profile, similarity: np.ndarray | None,
                  case_scores: np.ndarray, weights: dict[str, float]) -> np.ndarray:
    """Every lesson's unrounded score: the share of its conditions the profile meets
    (0.5 when it can judge none), its description similarity, its case's score."""
    size = len(table.lessons)
    checked, met = table.conditions.counts(profile.get, size)
    conditions = np.divide(met, checked, out=np.full(size, 0.5), where=checked > 0)
    described = similarity if similarity is not None else np.zeros(size)
    return (weights["conditions"] * conditions + weights.get("description", 0.0) * described
            + weights["case"] * case_scores[table.lesson_case])


def best_first(scores: np.ndarray, uid_rank: np.ndarray, count: int) -> list[tuple[float, int]]:
    """The `count` best (rounded score, index) pairs, ordered by rounded score, then by
    uid (`uid_rank`: each index's position in uid order), exactly as sorting every
    rounded score would order them; only the candidates near the top are rounded and
    ordered, in one vectorised sort (many equal scores cost no Python comparisons).

    >>> best_first(np.array([0.2, 0.3000004, 0.3000001, 0.1]), np.array([0, 1, 2, 3]), 2)
    [(0.3, 1), (0.3, 2)]
    >>> best_first(np.array([0.3, 0.3, 0.1]), np.array([2, 0, 1]), 3)
    [(0.3, 1), (0.3, 0), (0.1, 2)]
    """
    if count <= 0 or not len(scores):
        return []
    count = min(count, len(scores))
    threshold = np.partition(scores, len(scores) - count)[len(scores) - count] - ROUNDING_MARGIN
    candidates = np.flatnonzero(scores >= threshold)
    rounded = round6(scores[candidates])
    order = np.lexsort((uid_rank[candidates], -rounded))[:count]
    return list(zip(rounded[order].tolist(), candidates[order].tolist()))


class Passages:
    """Which units stand for each case's description: its own units but the
    classification sections, then its lessons'; and each lesson's first unit."""

    def __init__(self, rows: np.ndarray, starts: np.ndarray, counts: np.ndarray, lesson_rows: np.ndarray):
        self.flat = rows
        self.starts = starts
        self.counts = counts
        self.lesson_rows = lesson_rows  # -1 for a lesson without a unit

    @classmethod
    def of(cls, table: CaseTable, searcher) -> "Passages":
        """Read from the searcher's item table, once per advisor. A case whose units
        are not laid out as its record says (not indexed yet, or edited since) has its
        units' sections read instead."""
        statements = {uid: lesson.statement for uid, lesson in zip(table.lesson_uids, table.lessons)}
        flat: list[int] = []
        starts, counts = [], []
        for record in table.records:
            rows = searcher.rows_of(record.id)
            if len(rows) == record.unit_count:
                rows = [row for position, row in enumerate(rows) if position not in record.skip_units]
            else:
                rows = [row for row in rows if not _classifying(searcher.units[row].section)]
            for uid in record.lesson_uids:
                statement = statements.get(uid)
                rows += [row for row in searcher.rows_of(uid)
                         if not _classifying(statement if statement is not None else searcher.units[row].section)]
            starts.append(len(flat))
            counts.append(len(rows))
            flat.extend(rows)
        lesson_rows = [next(iter(searcher.rows_of(uid)), -1) for uid in table.lesson_uids]
        return cls(np.asarray(flat, dtype=np.int64), np.asarray(starts, dtype=np.int64),
                   np.asarray(counts, dtype=np.int64), np.asarray(lesson_rows, dtype=np.int64))

    def rows(self, case: int) -> np.ndarray:
        """The unit rows that may stand for case row `case`, in the order ties go by."""
        return self.flat[self.starts[case]:self.starts[case] + self.counts[case]]

    def best(self, similarities: np.ndarray) -> np.ndarray:
        """Each case's best similarity among its passage units (0 for none)."""
        best = np.zeros(len(self.counts), dtype=np.float64)
        present = self.counts > 0
        if self.flat.size:
            best[present] = np.maximum.reduceat(similarities[self.flat], self.starts[present])
        return best


def _classifying(section: str) -> bool:
    return section.lower().startswith(CLASSIFICATION_HEADING)
