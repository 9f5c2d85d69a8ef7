"""The advisor's answer objects: a compared case and the whole suggestion, with their
typed (pydantic) forms for the JSON the CLI prints and the API returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer import models
from indexer.advisor.similarity import AttributeScore


@dataclass
class CaseMatch:
    """A case compared with the profile."""

    id: str
    title: str
    score: float
    explanation: list[AttributeScore]
    passage: str
    reason: str
    compared: int = 0
    comparable: int = 0

    @property
    def doc_id(self) -> str:
        """The document to link to: the case itself."""
        return self.id

    def to_model(self) -> models.CaseMatch:
        """The typed answer (built without validation: the advisor made every value)."""
        return models.CaseMatch.model_construct(
            id=self.id, kind="case", doc_id=self.id, anchor=None, title=self.title, score=self.score,
            explanation=[part.to_model() for part in self.explanation], passage=self.passage,
            reason=self.reason, compared=self.compared, comparable=self.comparable)

    def to_dict(self) -> dict:
        """JSON-ready form, produced by the typed model."""
        return self.to_model().model_dump()


@dataclass
class Suggestion:
    """The whole answer for one profile."""

    profile: dict
    cases: list[CaseMatch]
    lessons: list[dict]
    notes: list[dict]
    warnings: list[dict]
    notices: list[str] = field(default_factory=list)
    readings: list[dict] = field(default_factory=list)
    given: list[str] = field(default_factory=list)
    inferred: list[dict] = field(default_factory=list)
    undecided: list[dict] = field(default_factory=list)
    # The case a sector notice names as the nearest sector's (among `cases` or not), so
    # that a page can show it; not part of the typed answer (the notice names it).
    nearest_sector_case: CaseMatch | None = None

    def to_model(self) -> models.Suggestion:
        """The typed answer (built without validation: the advisor made every value)."""
        return models.Suggestion.model_construct(
            profile=self.profile, cases=[case.to_model() for case in self.cases],
            lessons=[models.LessonSuggestion.model_construct(**lesson) for lesson in self.lessons],
            notes=[models.NoteSuggestion.model_construct(**note) for note in self.notes],
            warnings=[_rule_warning(warning) for warning in self.warnings],
            readings=[models.RuleWarning.model_construct(**reading) for reading in self.readings],
            given=self.given, inferred=[models.InferredValue.model_construct(**item) for item in self.inferred],
            undecided=[models.Undecided.model_construct(**item) for item in self.undecided],
            notices=self.notices)

    def to_dict(self) -> dict:
        """The documented JSON shape, produced by the typed model."""
        return self.to_model().model_dump()


def _rule_warning(warning: dict) -> models.RuleWarning:
    rests_on = [models.WeakReading.model_construct(**item) for item in warning.get("rests_on", ())]
    return models.RuleWarning.model_construct(**dict(warning, rests_on=rests_on))
