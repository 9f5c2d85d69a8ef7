"""Lessons and notes for a profile: every lesson scored at once (ranking.lesson_scores),
then the best kept unless a better one says the same; notes that explain a warning,
give background to a top case or are close to the description."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from indexer.advisor.answers import CaseMatch
from indexer.advisor.explain import Labels
from indexer.advisor.profile import Profile
from indexer.advisor.ranking import best_first, clamp_cosines, lesson_scores
from indexer.advisor.similarity import clamp_cosine
from indexer.content.documents import Lesson
from indexer.search.units import lesson_anchor

if TYPE_CHECKING:
    from indexer.advisor.suggest import Advisor

LESSON_WEIGHTS = {"conditions": 0.4, "description": 0.4, "case": 0.2}
DUPLICATE_COSINE = 0.92


def rank_lessons(advisor: "Advisor", profile: Profile, query_vector: np.ndarray | None,
                 similarities: np.ndarray | None, case_scores: np.ndarray, limit: int) -> list[dict]:
    """The `limit` best lessons (ties by id), near-duplicates of a better one left out.
    `case_scores` holds each case row's score; `similarities` the query's cosine with
    every unit (None without a query vector)."""
    weights = dict(LESSON_WEIGHTS)
    if query_vector is None:
        weights["conditions"] += weights.pop("description")
    first_rows = advisor.passages.lesson_rows if advisor.searcher.vectors is not None else None
    lesson_similarity = None
    if similarities is not None and first_rows is not None:
        lesson_similarity = np.where(first_rows >= 0, clamp_cosines(similarities[first_rows]), 0.0)
    scores = lesson_scores(advisor.table, profile, lesson_similarity, case_scores, weights)
    distinct = _Distinct(advisor, first_rows, limit)
    wanted, examined = limit, 0
    while True:
        # best_first's answer for a larger count starts with its answer for a smaller
        # one, so only the candidates not yet examined are checked for duplicates.
        ranked = best_first(scores, advisor.table.lesson_uid_rank, wanted)
        distinct.examine([index for _, index in ranked[examined:]])
        examined = len(ranked)
        if distinct.full or examined >= len(scores) or not ranked:
            break
        wanted *= 4  # near-duplicates took places: look further down
    return [_lesson_entry(advisor, index, round(float(scores[index]), 6), profile, lesson_similarity, case_scores)
            for index in distinct.kept]


class _Distinct:
    """Candidates kept in rank order unless their vector is within DUPLICATE_COSINE of
    an earlier kept one's; a lesson without a vector is always kept and never compared.
    Each new candidate is compared with the kept ones only (at most `limit`), so a
    library of many near-identical lessons costs one product per kept lesson."""

    def __init__(self, advisor: "Advisor", first_rows: np.ndarray | None, limit: int):
        self.advisor, self.first_rows, self.limit = advisor, first_rows, limit
        self.kept: list[int] = []
        self.kept_vectors: list[np.ndarray] = []

    @property
    def full(self) -> bool:
        """Whether `limit` lessons are kept."""
        return len(self.kept) >= self.limit

    def examine(self, candidates: list[int]) -> None:
        """Keep the candidates (in order) that say something new, until full."""
        if self.first_rows is None:
            self.kept.extend(candidates[:self.limit - len(self.kept)])
            return
        if self.full or not candidates:
            return
        rows = self.first_rows[candidates]
        has_vector = rows >= 0
        assert self.advisor.searcher.vectors is not None
        vectors = np.asarray(self.advisor.searcher.vectors.matrix[np.where(has_vector, rows, 0)])
        duplicate = np.zeros(len(candidates), dtype=bool)
        if self.kept_vectors:
            duplicate = has_vector & ((vectors @ np.stack(self.kept_vectors).T) > DUPLICATE_COSINE).any(axis=1)
        position = -1
        while not self.full:
            # The next candidate no kept lesson duplicates (numpy finds it: thousands of
            # near-identical copies are skipped without a Python step each).
            following = np.flatnonzero(~duplicate[position + 1:])
            if not following.size:
                break
            position += 1 + int(following[0])
            self.kept.append(candidates[position])
            if has_vector[position]:
                self.kept_vectors.append(vectors[position])
                duplicate |= has_vector & (vectors @ vectors[position] > DUPLICATE_COSINE)


def _lesson_entry(advisor: "Advisor", index: int, score: float, profile: Profile,
                  similarity: np.ndarray | None, case_scores: np.ndarray) -> dict:
    """A chosen lesson with the reasons for it."""
    lesson = advisor.table.lessons[index]
    case = int(advisor.table.lesson_case[index])
    _, why = condition_score(lesson, profile, advisor.labels)
    if similarity is not None and similarity[index] > 0:
        why.append(f"similar to your description ({similarity[index]:.2f})")
    why.append(f"from {advisor.table.records[case].title} (case similarity {case_scores[case]:.2f})")
    return {"id": lesson.uid, "case_id": lesson.case_id, "kind": "lesson", "doc_id": lesson.case_id,
            "anchor": lesson_anchor(lesson.id), "text": lesson.statement, "score": score, "why": why}


def recommend_notes(advisor: "Advisor", similarities: np.ndarray | None, top_cases: list[CaseMatch],
                    firings) -> list[dict]:
    """Notes that explain a fired rule, give background to a top case or are close to
    the description (`similarities`: the query's cosine with every unit)."""
    reasons: dict[str, list[str]] = {}
    scores: dict[str, float] = {}

    def add(note_id: str, points: float, why: str) -> None:
        if not advisor.table.has(note_id):
            return
        scores[note_id] = scores.get(note_id, 0.0) + points
        if why not in reasons.setdefault(note_id, []):
            reasons[note_id].append(why)

    for firing in firings:
        add(firing.rule.note, 3.0, f"explains: {firing.rule.name} ({firing.evidence[0]})")
    for match in top_cases:
        for note_id in advisor.table.records[advisor.table.row[match.id]].related_notes:
            add(note_id, 1.0, f"background to the similar case {match.title}")
    if similarities is not None:
        for note_id, _ in advisor.table.notes:
            rows = advisor.searcher.rows_of(note_id)
            if rows:
                best = float(np.max(similarities[rows]))
                if clamp_cosine(best) >= 0.5:
                    add(note_id, 2.0 * clamp_cosine(best), f"close to your description ({clamp_cosine(best):.2f})")
    ranked = sorted(scores, key=lambda note_id: (-scores[note_id], note_id))
    return [{"id": note_id, "kind": "note", "doc_id": note_id, "anchor": None,
             "title": advisor.table.title(note_id), "why": reasons[note_id]}
            for note_id in ranked]


def condition_score(lesson: Lesson, profile: Profile, labels: Labels) -> tuple[float, list[str]]:
    """Share of the lesson's conditions the profile meets, over those it can judge.

    A lesson without conditions, or whose conditions the profile cannot judge,
    scores a neutral 0.5.
    """
    checked, met, why = 0, 0, []
    for key, accepted in lesson.applies_when.items():
        value = profile.get(key)
        if value is None:
            continue
        checked += 1
        if value in accepted:
            met += 1
            why.append(f"applies when {labels.in_text(labels.attribute(key))} is "
                       f"{' or '.join(labels.value(key, v) for v in accepted)} (yours)")
    return (met / checked if checked else 0.5), why
