"""Case-based suggestions for a new initiative: similar cases, lessons, notes, warnings.

Retrieval as in myCBR and cbrkit: a local similarity per attribute, combined into a
weighted global similarity over the attributes both sides know:

    global = Σ weight_a · sim_a / Σ weight_a      (a: attributes known on both sides)

Every comparison keeps each attribute's local score and weight, so the answer can
say why a case matched and the arithmetic can be checked.
"""

from __future__ import annotations

from typing import Callable, Collection

import numpy as np

from indexer import models
from indexer.content.loading import Content
from indexer.content.documents import Document
from indexer.advisor.answers import CaseMatch, Suggestion
from indexer.advisor.casetable import CaseRecord, CaseTable
from indexer.advisor.examples import embed_examples, load_examples, load_lexicon
from indexer.advisor.explain import (INITIATIVE, Labels, inferred_entries, merged_profile, nearest_sector,
                                     nothing_alike_notice, pair, reason, short, undecided, unrecorded_notice,
                                     with_weak_readings)
from indexer.advisor.sectors import SectorFinder
from indexer.advisor.inference import DescriptionReader, Reading
from indexer.advisor.words import load_directions
from indexer.advisor.ranking import CaseScores, Passages, score_cases
from indexer.advisor.recommend import rank_lessons, recommend_notes
from indexer.advisor.profile import Profile, term_values
from indexer.advisor.rules import fire_all
from indexer.content.schema import ATTRIBUTE, REGISTRY, FieldRegistry, interpretation_marks, is_interpreted
from indexer.search.searcher import Searcher
from indexer.search.units import TAXONOMY
from indexer.advisor.similarity import (
    AttributeScore,
    CountrySimilarity,
    Equality,
    InitiativeType,
    Jaccard,
    Ordinal,
    Table,
    TaxonomySimilarity,
    clamp_cosine,
    global_score,
)

DEFAULT_WEIGHTS: dict[str, float] = {
    "description": 3.0,
    "sectors": 2.0,
    "initiative": 2.0,
    "pressure": 1.5,
    "cooperative_culture": 1.5,
    "country": 1.0,
    "stage": 1.0,
    "firm_structure": 1.0,
    # Planned activities are the most concrete thing a profile says about the initiative.
    # At 1.0 a case sharing none of them (Thailand, for a planned contest with matching
    # grants) ranked above the one case that ran a contest (the German programmes), on
    # the strength of a shared initiative type (weight 2) that the thin contest case does
    # not record; 1.5, the weight of the Figure 5 attributes, ranks it first and changes
    # no other first case of tests/data/advisor_profiles.yaml or advisor_heldout.yaml.
    "activities": 1.5,
    "markusen": 1.0,
    "altenburg_meyer_stamer": 1.0,
    "enright": 1.0,
    # Which body leads decides the rift and chamber warnings (an association with large
    # firms and SMEs; a chamber in a one-cluster town), so a case led by the same kind of
    # body is the one whose experience transfers.
    "lead_body": 1.0,
}
# The weight of an attribute added to the registry without a weight of its own.
DEFAULT_WEIGHT = 1.0
# An attribute the profile knows but a case does not record is estimated by the
# library's mean similarity for the profile's value (explain.impute_unknowns) and
# counts at half its weight: a Bayesian-style shrinkage of a thinly documented case's
# score toward the library mean, by the share of attributes it does not record. Leaving
# it out (weight 0, the earlier treatment) lets a case score on the few attributes it
# has; full weight at the mean (1.0) ranked apt but thin cases, such as the German
# contests for a contest-based programme, below generic ones (2 of 18 first-case
# expectations of tests/data/advisor_profiles.yaml lost; 0.5 keeps all 18).
UNKNOWN_CASE_WEIGHT = 0.5
# A fixed sentence whose vector identifies the model (the example embeddings' cache key).
MODEL_PROBE = "cluster initiative"
# The best cases whose related notes are recommended.
TOP_CASES_FOR_NOTES = 3


class Advisor:
    """Answers suggestion requests over the content and one index generation.

    The compared attributes are the registry's advisor attributes that a case holds.
    The driver and approach form one attribute (the initiative type of Table 3);
    an attribute with no measure of its own is compared by equality (a list by
    Jaccard) and one with no weight of its own weighs DEFAULT_WEIGHT.
    """

    unknown_case_weight = UNKNOWN_CASE_WEIGHT

    def __init__(self, content: Content, searcher: Searcher,
                 encode: Callable[[str], np.ndarray] | None,
                 weights: dict[str, float] | None = None, registry: FieldRegistry = REGISTRY,
                 encode_many: Callable[[list[str]], np.ndarray] | None = None,
                 table: CaseTable | None = None):
        assert content.vocabulary is not None
        self.content = content
        self.searcher = searcher
        # The cases as arrays: read from the generation when it holds them, else built
        # from the content (once per advisor, that is per content version and generation).
        self.table = table if table is not None else CaseTable.from_content(content, registry)
        self._passages: Passages | None = None
        self.encode = encode if searcher.vectors is not None else None
        # Sentences are encoded in one batch when the caller can; else one by one.
        self.encode_many = encode_many if encode_many is not None and self.encode is not None else (
            (lambda texts: np.stack([self.encode(text) for text in texts])) if self.encode is not None else None)
        self.labels = Labels(content.vocabulary, registry)
        self._reader: DescriptionReader | None = None
        self.registry = registry
        self.weights = dict(DEFAULT_WEIGHTS, **(weights or {}))
        vocabulary = content.vocabulary
        self.sectors = TaxonomySimilarity(vocabulary)
        self.country = CountrySimilarity(vocabulary)
        self.initiative = InitiativeType(Table({("public", "mixed"): 0.5, ("private", "mixed"): 0.5}))
        measures: dict[str, Callable] = {
            "pressure": Ordinal(("under-pressure", "doing-well")),
            "cooperative_culture": Ordinal(("cooperative", "mixed", "non-cooperative")),
            "stage": Ordinal(("emergence", "growth", "maturity", "decline")),
            "firm_structure": Table({("micro-and-small", "mostly-sme"): 0.5, ("mostly-sme", "large-and-sme"): 0.5,
                                     ("large-and-sme", "transnational-led"): 0.5}),
            # Membership bodies of firms resemble each other more than a government or donor.
            "lead_body": Table({("business-association", "chamber"): 0.5,
                                ("business-association", "industry-federation"): 0.5,
                                ("chamber", "industry-federation"): 0.5}),
        }
        paths = registry.attribute_paths
        # Case field of each compared attribute, in registry order (the order of the
        # explanation, which breaks ties in the one-line reason).
        self.scalar_paths = {name: paths[name] for name in registry.scalar_attributes
                             if name in paths and name not in INITIATIVE}
        self.scalar = {name: measures.get(name, Equality()) for name in self.scalar_paths}
        self.taxonomy_paths = {name: paths[name] for name, vocabulary_name in registry.list_attributes.items()
                               if name in paths and vocabulary_name == TAXONOMY}
        self.list_paths = {name: paths[name] for name in registry.list_attributes
                           if name in paths and name not in self.taxonomy_paths}
        self.country_paths = {spec.key: spec.path for spec in registry.with_role(ATTRIBUTE)
                              if spec.kind == "country" and spec.key in paths}
        self.overlap = Jaccard()
        self._similar: dict[tuple[str, int], list[CaseMatch]] = {}

    def weight(self, attribute: str) -> float:
        """The attribute's weight in the global similarity."""
        return self.weights.get(attribute, DEFAULT_WEIGHT)

    # -- cases ---------------------------------------------------------------

    def compare(self, profile: Profile, case: Document | CaseRecord, query_vector: np.ndarray | None,
                similarities: np.ndarray | None = None, leave_out: Collection[str] = ()) -> CaseMatch:
        """Compare one case with the profile, attribute by attribute: the definition of
        a match, which `rank_cases` computes for every case at once and calls for the
        cases it returns (their explanations). Imputed parts are left at 0; the
        attributes `leave_out` (those no case records) are not compared.
        Cosines are read from `similarities`, the query's cosine with every unit of the
        generation (computed here when not given): one product for every case, so that
        a case's description similarity does not depend on how many rows were multiplied."""
        parts: list[AttributeScore] = []
        passage = ""
        marks = interpretation_marks(case.meta)

        def add(attribute: str, query_value, case_value, similarity: float, *paths: str) -> None:
            values = case_value if isinstance(case_value, (list, tuple)) else [case_value]
            interpreted = any(is_interpreted(marks, path, str(value)) for path in paths for value in values)
            parts.append(AttributeScore(attribute, query_value, case_value, round(similarity, 6),
                                        self.weight(attribute), self.labels.attribute(attribute),
                                        interpreted=interpreted))

        def unknown(attribute: str, query_value) -> None:
            # The similarity is filled in by rank_cases (the library's mean for this value).
            parts.append(AttributeScore(attribute, query_value, "unknown", 0.0,
                                        self.weight(attribute) * UNKNOWN_CASE_WEIGHT,
                                        self.labels.attribute(attribute), imputed=True))

        if query_vector is not None:
            similarity, passage = self._best_passage(case.id, query_vector, similarities)
            add("description", short(profile.description), passage, clamp_cosine(similarity))
        for attribute, path in self.taxonomy_paths.items():
            mine, theirs = profile.items(attribute), case.values(path)
            if mine and theirs:
                add(attribute, list(mine), theirs, self.sectors(mine, theirs), path)
            elif mine:
                unknown(attribute, list(mine))
        query_type = tuple(profile.get(name) for name in INITIATIVE)
        case_type = tuple(v if v != "unknown" else None for v in
                          (case.get(self.registry.attribute_paths[name]) for name in INITIATIVE))
        if (query_type[0] and case_type[0]) or (query_type[1] and case_type[1]):
            add("initiative", pair(query_type), pair(case_type), self.initiative(query_type, case_type),
                *(self.registry.attribute_paths[name] for name in INITIATIVE))
        elif any(query_type):
            unknown("initiative", pair(query_type))
        for attribute, path in self.country_paths.items():
            country = case.get(path)
            if profile.country:
                if country != "unknown":
                    add(attribute, profile.country, country, self.country(profile.country, country), path)
                else:
                    unknown(attribute, profile.country)
        for attribute, measure in self.scalar.items():
            mine, theirs = profile.get(attribute), case.get(self.scalar_paths[attribute])
            if mine and theirs != "unknown":
                add(attribute, mine, theirs, measure(mine, theirs), self.scalar_paths[attribute])
            elif mine:
                unknown(attribute, mine)
        for attribute, path in self.list_paths.items():
            mine, theirs = profile.items(attribute), case.values(path)
            if mine and theirs:
                add(attribute, list(mine), theirs, self.overlap(mine, theirs), path)
            elif mine:
                unknown(attribute, list(mine))
        parts = [part for part in parts if part.attribute not in leave_out]
        known = sum(not part.imputed for part in parts)
        return CaseMatch(case.id, case.title, global_score(parts), parts, passage, "", known, len(parts))

    def rank_cases(self, profile: Profile, query_vector: np.ndarray | None,
                   exclude: str | None = None, limit: int | None = None) -> list[CaseMatch]:
        """The `limit` best cases (all without a limit), best first (ties by id), each
        with its explanation. Attributes a case does not record count at the library's
        mean similarity (explain.impute_unknowns)."""
        similarities = self._similarities(query_vector)
        scored = self._score_cases(profile, similarities, exclude)
        return self._matches(profile, query_vector, similarities, scored, limit)

    def _score_cases(self, profile: Profile, similarities: np.ndarray | None,
                     exclude: str | None = None) -> CaseScores:
        """Every case scored at once (ranking.score_cases)."""
        description = self.passages.best(similarities) if similarities is not None else None
        return score_cases(self, self.table, profile, description,
                           self.table.row.get(exclude) if exclude is not None else None)

    def _matches(self, profile: Profile, query_vector: np.ndarray | None, similarities: np.ndarray | None,
                 scored: CaseScores, limit: int | None) -> list[CaseMatch]:
        """The explained matches of the `limit` best cases, compared one by one."""
        return [self._explained(profile, row, query_vector, similarities, scored)
                for row in scored.order[:limit].tolist()]

    def _explained(self, profile: Profile, row: int, query_vector: np.ndarray | None,
                   similarities: np.ndarray | None, scored: CaseScores) -> CaseMatch:
        """The case of table row `row` compared with the profile, its imputed parts at
        the library's means, with its score and reason."""
        match = self.compare(profile, self.table.records[row], query_vector, similarities, scored.unrecorded)
        for part in match.explanation:
            if part.imputed:
                part.similarity = scored.means[part.attribute]
        match.score = global_score(match.explanation)
        match.reason = f"compared on {match.compared} of {match.comparable}: " + reason(match.explanation, self.labels)
        return match

    @property
    def passages(self) -> Passages:
        """Which units of each case may stand for its description (built on first use)."""
        if self._passages is None:
            self._passages = Passages.of(self.table, self.searcher)
        return self._passages

    def _similarities(self, query_vector: np.ndarray | None) -> np.ndarray | None:
        """The query's cosine with every unit of the generation (one matrix product)."""
        if query_vector is None or self.searcher.vectors is None:
            return None
        return self.searcher.vectors.matrix @ query_vector

    def _best_passage(self, item_id: str, query_vector: np.ndarray,
                      similarities: np.ndarray | None = None) -> tuple[float, str]:
        row = self.table.row.get(item_id)
        rows = self.passages.rows(row) if row is not None else np.zeros(0, dtype=np.int64)
        if similarities is None:
            similarities = self._similarities(query_vector)
        if not len(rows) or similarities is None:
            return 0.0, ""
        found = similarities[rows]
        best = int(np.argmax(found))
        unit = self.searcher.units[int(rows[best])]
        text = unit.section if unit.unit_type == "lesson" else (unit.summary if unit.unit_type == "document"
                                                               else unit.body)
        return float(found[best]), short(text, 160)

    # -- the whole suggestion -------------------------------------------------

    def suggest(self, profile: Profile, case_limit: int = models.SUGGESTED_CASES,
                lesson_limit: int = models.SUGGESTED_LESSONS, note_limit: int = models.SUGGESTED_NOTES) -> Suggestion:
        """Similar cases, applicable lessons, notes to read and the method's warnings."""
        notices: list[str] = []
        given = [key for key in profile.to_dict() if key not in ("description", "title")]
        reading = self.read(profile)
        query_vector = reading.vector
        if query_vector is None and profile.description and self.encode is not None:
            query_vector = self.encode(profile.description)
        elif query_vector is None and profile.description:
            notices.append("semantic similarity unavailable: the description was not compared, and it was "
                           "read by phrases only")
        used = merged_profile(profile, reading)
        similarities = self._similarities(query_vector)
        scored = self._score_cases(used, similarities)
        ranked = self._matches(used, query_vector, similarities, scored, max(case_limit, TOP_CASES_FOR_NOTES))
        read_in = {item.attribute: item.sentence for item in reading.inferred}
        firings = fire_all(self.content.rules, used, self.labels.condition, read_in, reading.phraseless,
                           reading.text or None)
        lessons = rank_lessons(self, used, query_vector, similarities, scored.scores, lesson_limit)
        notes = recommend_notes(self, similarities, ranked[:TOP_CASES_FOR_NOTES], firings)[:note_limit]
        warnings = [with_weak_readings(firing, reading, self.labels) for firing in firings
                    if firing.rule.kind != "reading"]
        readings = [firing.to_dict() for firing in firings if firing.rule.kind == "reading"]
        notice, nearest = self._sector_notice(used, scored)
        shown = ranked[:case_limit]
        nearest_match = None
        if nearest is not None:
            nearest_match = next((match for match in shown if match.id == nearest.id), None) or \
                self._explained(used, self.table.row[nearest.id], query_vector, similarities, scored)
        notices += [text for text in (notice, unrecorded_notice(scored.unrecorded, self.labels),
                                      nothing_alike_notice(shown[0].score if shown else None,
                                                           max((m.comparable for m in shown), default=0)))
                    if text]
        return Suggestion(profile.to_dict(), shown, lessons, notes, warnings, notices, readings,
                          given, inferred_entries(reading, self.labels),
                          undecided(self.content.rules, used, firings, self.labels), nearest_match)

    def _sector_notice(self, profile: Profile, scored: CaseScores) -> tuple[str | None, CaseRecord | None]:
        """explain.nearest_sector over the one case that decides it: the first case sharing
        a sector of the profile (no notice), else the first of the most similar; with
        the case the notice names."""
        path = self.registry.attribute_paths.get("sectors", "sectors")
        if not profile.sectors:
            return None, None
        column = self.table.listed(path)
        deciding: list[CaseRecord] = []
        sharing = np.flatnonzero(column.holding(profile.sectors) > 0)
        if len(sharing):
            deciding = [self.table.records[int(sharing[0])]]
        elif scored.sector_similarity is not None and len(scored.sector_similarity):
            best = int(np.argmax(scored.sector_similarity))
            if scored.sector_similarity[best] > 0:
                deciding = [self.table.records[best]]
        notice, case = nearest_sector(profile, deciding, self.sectors, self.labels, path)
        return notice, case

    def warnings(self, profile: Profile) -> list[dict]:
        """Only the method's warnings for `profile` (the description read as `suggest`
        reads it), without ranking cases, lessons and notes: what a dashboard of many
        initiatives needs per line."""
        reading = self.read(profile)
        used = merged_profile(profile, reading)
        read_in = {item.attribute: item.sentence for item in reading.inferred}
        firings = fire_all(self.content.rules, used, self.labels.condition, read_in, reading.phraseless,
                           reading.text or None)
        return [with_weak_readings(firing, reading, self.labels) for firing in firings if firing.rule.kind != "reading"]

    def read(self, profile: Profile) -> Reading:
        """What the description states about the attributes the profile does not give."""
        given = set(profile.values) | {name for name, items in profile.lists.items() if items}
        reader = self.reader()
        return reader.read(profile.description, given, self.encode_many if reader.matrix is not None else None,
                           profile.country)

    def reader(self) -> DescriptionReader:
        """The description reader, with the example embeddings once there is a model (built on first use)."""
        if self._reader is None:
            vocabulary = self.content.vocabulary
            assert vocabulary is not None
            vocabularies = dict(self.registry.scalar_attributes, **self.registry.list_attributes)

            def valid(attribute: str, value: str) -> bool:
                return attribute in vocabularies and value in term_values(vocabulary, vocabularies[attribute])

            bank = load_examples(self.content.root, valid)
            matrix = None
            if self.encode_many is not None and self.encode is not None:
                matrix = embed_examples(bank, self.encode_many, self.encode(MODEL_PROBE))
            sectors = SectorFinder.from_vocabulary(vocabulary.values("sectors"), vocabulary.sector_ancestors)
            self._reader = DescriptionReader(bank, load_lexicon(self.content.root), self.content.rules, matrix,
                                             sectors=sectors, directions=load_directions(self.content.root))
        return self._reader

    def similar(self, case_id: str, limit: int = 5) -> list[CaseMatch]:
        """Cases most like an existing case (its own summary stands for the description).

        Computed once per case for this generation: every case page shows it."""
        cached = self._similar.get((case_id, limit))
        if cached is None:
            cached = self._similar[(case_id, limit)] = self._compute_similar(case_id, limit)
        return cached

    def _compute_similar(self, case_id: str, limit: int) -> list[CaseMatch]:
        case = self.content.documents[case_id]
        assert self.content.vocabulary is not None
        profile = Profile.from_case(case, self.content.vocabulary, self.registry)
        vector = None
        rows = self.searcher.rows_of(case_id)
        if self.searcher.vectors is not None and rows:
            vector = np.asarray(self.searcher.vectors.matrix[rows[0]])
        return self.rank_cases(profile, vector, exclude=case_id, limit=limit)
