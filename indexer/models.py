"""Typed models of what the engine answers: search results, suggestions and errors.

The JSON the CLI prints and the API returns is produced from these models, and the
OpenAPI document is generated from them (`Model.model_json_schema()`), so the shape is
declared once. Pydantic was chosen over msgspec because it is already a dependency
of the test stack, produces JSON Schema 2020-12 for OpenAPI 3.1 directly, and
validates on construction.

The engine builds these models with `model_construct` from values it has already
checked (search latency matters; validating every hit again would cost more than the
search), so validation runs where data comes from outside, and in the tests.

Links are given as `kind`, `doc_id` and `anchor`, never as URLs: only the web layer
knows its routes, so a route can change without rebuilding the index.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal["case", "note", "lesson", "document"]
Mode = Literal["hybrid", "keyword", "semantic"]
Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
Rank = Annotated[int, Field(ge=1)]

# The bounds of an answer, which the engine keeps and the schema states.
MAX_LIMIT = 100
MAX_QUERY = 500
MAX_OTHER_MATCHES = 3
SUGGESTED_CASES = 5
SUGGESTED_LESSONS = 8
SUGGESTED_NOTES = 6
MAX_SIMILAR = 50


class _Model(BaseModel):
    """Shared configuration: answers are read-only and carry no undeclared fields."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _anchor_field(example: str) -> object:
    """The `anchor` of a linkable answer, with an example of its kind."""
    return Field(None, description="Fragment within the document's page (no '#'), or null for the top; "
                                   f"for example '{example}'.")


# -- search ----------------------------------------------------------------------


class Explanation(_Model):
    """How an item was ranked: each retriever's rank and score, and the fused score."""

    fused_score: float = Field(description="The score the results are ordered by: the reciprocal rank fusion "
                                           "in hybrid mode, else the single retriever's score.")
    keyword_rank: Rank | None = Field(description="Rank in the keyword (BM25F) ranking; null when keyword "
                                                  "search did not find the item or did not run.")
    keyword_score: float | None = Field(description="BM25F score of the item's best unit, or null.")
    semantic_rank: Rank | None = Field(description="Rank in the semantic ranking; null when semantic search "
                                                   "did not find the item or did not run.")
    semantic_score: float | None = Field(description="Cosine similarity of the item's best unit, or null.")


class OtherMatch(_Model):
    """Another section of the same document that shares query terms."""

    section: str = Field(description="The section's heading.")
    kind: Kind = Field(description="Kind of the document the section belongs to.")
    doc_id: str = Field(description="Id of the document the section belongs to.")
    anchor: str | None = _anchor_field("what-happened")


class Hit(_Model):
    """One result item: a case, a note, or a lesson on its own."""

    id: str = Field(description="A document id, or '<case-id>#<lesson-id>' for a lesson.")
    kind: Kind = Field(description="What the item is.")
    title: str = Field(description="The item's title (a lesson's statement).")
    score: float = Field(description="The score results are ordered by (see explanation.fused_score).")
    snippet: str = Field(description="Plain text; matched terms in [brackets].")
    snippet_html: str = Field(description="HTML; matched terms in <mark>.")
    section: str = Field(description="Heading of the unit that matched best ('' for the document itself).")
    doc_id: str = Field(description="The document the item is shown in (a lesson's case).")
    anchor: str | None = _anchor_field("lesson-start-small")
    explanation: Explanation
    other_matches: list[OtherMatch] = Field(default_factory=list, max_length=MAX_OTHER_MATCHES,
                                            description=f"Up to {MAX_OTHER_MATCHES} other sections that share query terms.")


FacetCounts = dict[str, Annotated[int, Field(ge=1)]]


class SearchResponse(_Model):
    """A page of results with facet counts over all matching items."""

    query: str = Field(max_length=MAX_QUERY, description="The query as asked.")
    mode: Mode = Field(description="The mode asked for (results fall back to keyword when semantic search "
                                   "is unavailable; see notices).")
    total: int = Field(ge=0, description="Number of matching items over all pages.")
    results: list[Hit] = Field(max_length=MAX_LIMIT, description="This page of results, best first.")
    facets: dict[str, FacetCounts] = Field(description="Facet -> value -> number of matching items (all pages).")
    suggestion: str | None = Field(description="A 'did you mean' query, or null.")
    expanded_query: str = Field(description="The query with glossary synonyms added, as searched.")
    notices: list[str] = Field(default_factory=list, description="Why the answer differs from what was asked.")
    interpreted: dict[str, FacetCounts] = Field(
        default_factory=dict, description="Facet -> value -> how many of the counted items hold that value as the "
                                          "codifier's interpretation of the source (a case's `interpreted` marks), "
                                          "not as a fact the source states; values without such items are left out.")


# -- suggestions -----------------------------------------------------------------

Value = Union[str, list[str]]


class AttributeScore(_Model):
    """One attribute's part in comparing a case with a profile."""

    attribute: str = Field(description="The compared attribute (a key of the advisor's weights).")
    query_value: Value = Field(description="The profile's value.")
    case_value: Value = Field(description="The case's value ('unknown' when the case does not say).")
    similarity: Fraction = Field(description="Local similarity in [0, 1]; for a value the case does not "
                                             "record, the expected similarity (see imputed).")
    weight: float = Field(ge=0.0, description="Weight in the global similarity (0: does not count).")
    label: str = Field("", description="The attribute's name for readers.")
    imputed: bool = Field(False, description="True when the case does not record the attribute: it counts at "
                                             "the library's mean similarity for the profile's value, so a thinly "
                                             "documented case is neither rewarded nor punished for the gap.")
    interpreted: bool = Field(False, description="True when the case's value is the codifier's interpretation "
                                                 "(its `interpreted` list), not a fact its source states.")


class CaseMatch(_Model):
    """A case compared with the profile, attribute by attribute."""

    id: str = Field(description="The case's id.")
    kind: Literal["case"] = Field("case", description="Always 'case'.")
    doc_id: str = Field(description="The case's id (the document to link to).")
    anchor: str | None = _anchor_field("context")
    title: str = Field(description="The case's title.")
    score: Fraction = Field(description="Weighted mean of the attributes' similarities (imputed ones at the "
                                        "library's mean).")
    compared: int = Field(0, ge=0, description="Attributes of the profile the case records (compared on ...).")
    comparable: int = Field(0, ge=0, description="Attributes of the profile that could be compared (... of N).")
    explanation: list[AttributeScore] = Field(description="Every compared attribute with its score and weight.")
    passage: str = Field(description="The case's passage closest to the description ('' without one).")
    reason: str = Field(description="The strongest contributions, in words.")


class LessonSuggestion(_Model):
    """A lesson that applies to the profile."""

    id: str = Field(description="'<case-id>#<lesson-id>'.")
    case_id: str = Field(description="The case the lesson belongs to.")
    kind: Literal["lesson"] = Field("lesson", description="Always 'lesson'.")
    doc_id: str = Field(description="The case the lesson belongs to (the document to link to).")
    anchor: str | None = _anchor_field("lesson-start-small")
    text: str = Field(description="The lesson's statement.")
    score: float = Field(ge=0.0, description="Weighted conditions, description similarity and case similarity.")
    why: list[str] = Field(description="Reasons, strongest first.")


class NoteSuggestion(_Model):
    """A methodology note worth reading for the profile."""

    id: str = Field(description="The note's id.")
    kind: Literal["note"] = Field("note", description="Always 'note'.")
    doc_id: str = Field(description="The note's id (the document to link to).")
    anchor: str | None = _anchor_field("monitoring-and-evaluation")
    title: str = Field(description="The note's title.")
    why: list[str] = Field(min_length=1, description="Reasons, strongest first.")


class WeakReading(_Model):
    """A reading by meaning a tentative warning rests on."""

    attribute: str = Field(description="The attribute read.")
    label: str = Field(description="'Attribute: value' for readers.")
    sentence: str = Field(description="The description's sentence it was read from.")
    confidence: float = Field(description="The reading's confidence (below 0.5).")


class RuleWarning(_Model):
    """What the method says about the situation: a rule that fired."""

    rule: str = Field(description="The rule's id (for links and tests; show `title`).")
    title: str = Field("", description="The rule's short name for readers.")
    kind: str = Field(description="The rule's kind: 'warning' or 'encouragement' (reading rules only "
                                  "recommend notes).")
    message: str = Field(description="What the method says, with its citation.")
    evidence: list[str] = Field(description="The profile's facts that made the rule fire.")
    note_id: str = Field(description="The note that explains the rule.")
    source_lines: str = Field("", description="Lines of the working paper the rule states.")
    tentative: bool = Field(False, description="True when the warning rests on a weak reading of the "
                                               "description (a reading by meaning below 0.5): confirm it.")
    rests_on: list[WeakReading] = Field(default_factory=list, description="The weak readings it rests on.")


class InferredValue(_Model):
    """An attribute value read from the description (the user may confirm or correct it)."""

    attribute: str = Field(description="The profile attribute.")
    value: str = Field(description="The value read.")
    label: str = Field(description="The value's label for readers, with the attribute's name.")
    sentence: str = Field(description="The description's sentence that supports it.")
    confidence: Fraction = Field(description="1.0 for a listed phrase or a sum of money named; else the cosine "
                                             "similarity with the nearest example sentence of the value.")
    method: Literal["phrase", "meaning", "amount"] = Field(
        description="How it was read: a listed phrase, by meaning, or the sum of money a sentence names "
                    "(the funding level).")
    source: Literal["description"] = Field("description", description="Always 'description'.")


class Undecided(_Model):
    """A warning the advisor could not judge, and the attribute that would decide it."""

    rule: str = Field(description="The rule's id.")
    title: str = Field(description="The rule's short name for readers.")
    attribute: str = Field(description="The attribute that is not known.")
    label: str = Field(description="The attribute's name for readers.")
    values_that_would_fire: list[str] = Field(description="Labels of the values under which the rule would fire.")


ProfileEcho = dict[str, Value]


class Suggestion(_Model):
    """The whole answer for one profile."""

    profile: ProfileEcho = Field(description="The validated profile, with only what is known.")
    cases: list[CaseMatch] = Field(max_length=SUGGESTED_CASES, description="Similar cases, best first.")
    lessons: list[LessonSuggestion] = Field(max_length=SUGGESTED_LESSONS,
                                            description="Lessons that apply, best first.")
    notes: list[NoteSuggestion] = Field(max_length=SUGGESTED_NOTES, description="Notes to read, best first.")
    warnings: list[RuleWarning] = Field(description="Rules of the method that fired.")
    readings: list[RuleWarning] = Field(default_factory=list,
                                        description="Reading rules that fired (they recommend a note).")
    given: list[str] = Field(default_factory=list, description="Attributes the user gave explicitly (they win "
                                                                "over anything read from the description).")
    inferred: list[InferredValue] = Field(default_factory=list,
                                          description="Attribute values read from the description; the profile "
                                                      "used for matching and rules is given + inferred.")
    undecided: list[Undecided] = Field(default_factory=list,
                                       description="Warnings that could not be judged for lack of an attribute.")
    notices: list[str] = Field(default_factory=list, description="Why the answer differs from what was asked.")


class SimilarCases(_Model):
    """Cases most like an existing case."""

    case: str = Field(description="The case compared with the others.")
    similar: list[CaseMatch] = Field(max_length=MAX_SIMILAR, description="The most similar cases, best first.")


# -- errors ----------------------------------------------------------------------


class ErrorBody(_Model):
    """What went wrong, as the API answers it under the key 'error'."""

    status: int = Field(ge=400, le=599, description="The HTTP status.")
    message: str = Field(description="What went wrong and what to do.")
    field: str | None = Field(None, description="The input that is at fault (a form field or attribute).")
    parameter: str | None = Field(None, description="The request parameter that is at fault.")


class ErrorResponse(_Model):
    """The body of every error answer."""

    error: ErrorBody
