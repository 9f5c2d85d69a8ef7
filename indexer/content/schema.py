"""The content schema: every front-matter field of a case, a lesson and a note.

This module is the single written definition of the format. The validator checks
files against it, the README and the authors' templates describe it, and the web
editor builds its forms from it. A field is described by its dotted path, its kind,
whether it is required, and (for controlled values) the vocabulary it draws from.

Kinds:
  slug        lower-case letters, digits and hyphens (ids)
  text        a non-empty string; "unknown" allowed where `unknown_ok`
  text-list   a list of strings
  term        one value of `vocabulary`, or "unknown"
  terms       a list of values of `vocabulary`
  country     a country name from the vocabulary, or "unknown"
  note-ids    a list of note ids that must exist
  case-ids    a list of case ids that must exist
  sources     a non-empty list of {author, year, title?, via?}
  lessons     a list of lessons (see LESSON_FIELDS)
  conditions  a mapping of CONDITION_KEYS to a value or list of values
  integer     a whole number
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class FieldSpec:
    """One front-matter field."""

    path: str
    kind: str
    required: bool = True
    vocabulary: str | None = None
    unknown_ok: bool = True
    description: str = ""

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.path.split("."))


CASE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", "slug", description="Slug equal to the file name without .md."),
    FieldSpec("title", "text", unknown_ok=False, description="Human title."),
    FieldSpec("summary", "text", unknown_ok=False, description="Two or three sentences."),
    FieldSpec("location.place", "text", description="Town, valley or area."),
    FieldSpec("location.region", "text", description="State, province or region."),
    FieldSpec("location.country", "country", description="Country name from the vocabulary."),
    FieldSpec("sectors", "terms", vocabulary="sectors", description="Sector keys."),
    FieldSpec("period", "text", description="When, as the source says it."),
    FieldSpec("typology.markusen", "term", vocabulary="typology.markusen"),
    FieldSpec("typology.altenburg_meyer_stamer", "term", vocabulary="typology.altenburg_meyer_stamer"),
    FieldSpec("typology.enright", "term", vocabulary="typology.enright"),
    FieldSpec("initiative.name", "text", description="The initiative's own name."),
    FieldSpec("initiative.driver", "term", vocabulary="driver", description="Table 3 column."),
    FieldSpec("initiative.approach", "term", vocabulary="approach", description="Table 3 row."),
    FieldSpec("initiative.lead_organisations", "text-list", required=False),
    FieldSpec("situation.pressure", "term", vocabulary="pressure", description="Figure 5 column."),
    FieldSpec("situation.cooperative_culture", "term", vocabulary="cooperative_culture",
              description="Figure 5 row."),
    FieldSpec("situation.stage", "term", vocabulary="stage", description="Life-cycle stage."),
    FieldSpec("situation.firm_structure", "term", vocabulary="firm_structure"),
    FieldSpec("activities", "terms", vocabulary="activities"),
    FieldSpec("obstacles", "terms", vocabulary="obstacles", description="Table 5 categories."),
    FieldSpec("funding", "text"),
    FieldSpec("monitoring", "text"),
    FieldSpec("outcomes", "text"),
    FieldSpec("related_notes", "note-ids", required=False),
    FieldSpec("sources", "sources"),
    FieldSpec("lessons", "lessons", required=False),
)

LESSON_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", "slug", description="Unique within the case."),
    FieldSpec("statement", "text", unknown_ok=False, description="One actionable line."),
    FieldSpec("explanation", "text", unknown_ok=False, description="Why, with citations."),
    FieldSpec("topics", "terms", vocabulary="topics"),
    FieldSpec("applies_when", "conditions", required=False),
    FieldSpec("sources", "text-list", description="Citations that match the case's sources."),
)

NOTE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", "slug", description="Slug equal to the file name without .md."),
    FieldSpec("title", "text", unknown_ok=False),
    FieldSpec("summary", "text", unknown_ok=False),
    FieldSpec("topics", "terms", vocabulary="topics"),
    FieldSpec("paper_section", "text", required=False),
    FieldSpec("learn_order", "integer", required=False),
    FieldSpec("related_notes", "note-ids", required=False),
    FieldSpec("related_cases", "case-ids", required=False),
    FieldSpec("sources", "sources"),
)

SOURCE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("author", "text", unknown_ok=False),
    FieldSpec("year", "year", description="A year, or n.d. when the source has none."),
    FieldSpec("title", "text", required=False),
    FieldSpec("via", "text", required=False, description="The work that cites this one."),
)

# Lesson applicability conditions: condition key -> vocabulary.
CONDITION_KEYS: dict[str, str] = {
    "driver": "driver",
    "approach": "approach",
    "pressure": "pressure",
    "cooperative_culture": "cooperative_culture",
    "stage": "stage",
    "firm_structure": "firm_structure",
    "markusen": "typology.markusen",
    "altenburg_meyer_stamer": "typology.altenburg_meyer_stamer",
    "enright": "typology.enright",
}

# The profile attribute each condition key reads, in a case's front matter.
CONDITION_CASE_PATHS: dict[str, str] = {
    "driver": "initiative.driver",
    "approach": "initiative.approach",
    "pressure": "situation.pressure",
    "cooperative_culture": "situation.cooperative_culture",
    "stage": "situation.stage",
    "firm_structure": "situation.firm_structure",
    "markusen": "typology.markusen",
    "altenburg_meyer_stamer": "typology.altenburg_meyer_stamer",
    "enright": "typology.enright",
}

KINDS = ("case", "note")
FIELDS_BY_KIND = {"case": CASE_FIELDS, "note": NOTE_FIELDS}
