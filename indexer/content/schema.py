"""The field registry: every structured field of a case, a lesson, a note and a profile.

This module is the single definition of the format and of the roles each field plays.
The validator checks files against it; search facets, the advisor's profile and the
lessons' conditions, the fact sheet, the edit form, CSV columns and the OpenAPI
document are all derived from it. Adding a field means adding one `FieldSpec` here
(and its vocabulary in kb/vocabulary.yaml when it has one).

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
  conditions  a mapping of condition keys to a value or list of values
  integer     a whole number
  year        a year, or n.d.

Roles (a field may have several):
  facet       a search facet, named `facet` (or `name`)
  attribute   an attribute of the advisor's profile, named `name`
  condition   a key of a lesson's `applies_when`, named `name`
  fact        a row of a case's fact sheet
  form        a control of the edit form
  csv         a column of the case list's CSV and JSON
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property

# Ids become file names and URL segments: bounded so that no file system refuses them.
MAX_ID_LENGTH = 64
SLUG_PATTERN = re.compile(r"^(?=.{1,%d}$)[a-z0-9]+(?:-[a-z0-9]+)*$" % MAX_ID_LENGTH)
SCHEMA_VERSION = 1

FACET, ATTRIBUTE, CONDITION, FACT, FORM, CSV = "facet", "attribute", "condition", "fact", "form", "csv"
# The case field that marks values as the codifier's interpretation (see interpretation_marks).
INTERPRETED = "interpreted"
# The search index's internal facet of interpreted facet values, each "facet=value".
INTERPRETED_FACET = "interpreted"
LIST_KINDS = frozenset({"terms", "text-list", "note-ids", "case-ids", "sources", "lessons"})


@dataclass(frozen=True)
class FieldSpec:
    """One structured field: where it lives, what it holds, and the roles it plays."""

    path: str
    kind: str
    required: bool = True
    vocabulary: str | None = None
    unknown_ok: bool = True
    description: str = ""
    label: str = ""
    roles: frozenset[str] = frozenset()
    name: str = ""
    facet: str = ""
    # Where the facet stands among the others (lower first); fields without one follow
    # in registry order.
    facet_rank: int = 100
    # The facet's heading where it reads better than the field's label ("Sector" for
    # one value among the facet's values, where the fact sheet says "Sectors").
    facet_label: str = ""

    @property
    def keys(self) -> tuple[str, ...]:
        """The path split into its keys."""
        return tuple(self.path.split("."))

    @property
    def key(self) -> str:
        """The short name used by the profile, conditions and forms ('pressure').

        >>> FieldSpec("situation.pressure", "term").key, FieldSpec("x", "text", name="y").key
        ('pressure', 'y')
        """
        return self.name or self.keys[-1]

    @property
    def many(self) -> bool:
        """True when the field holds a list."""
        return self.kind in LIST_KINDS

    @property
    def facet_name(self) -> str:
        """The name of the search facet this field feeds."""
        return self.facet or self.key

    @property
    def facet_title(self) -> str:
        """The heading of this field's search facet."""
        return self.facet_label or self.title

    @property
    def title(self) -> str:
        """The human label, or one made from the key when none is given."""
        return self.label or self.key.replace("_", " ").capitalize()

    def has(self, role: str) -> bool:
        """True when the field plays `role`."""
        return role in self.roles


def _roles(*names: str) -> frozenset[str]:
    return frozenset(names)


CASE_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("id", "slug", description="Slug equal to the file name without .md.", label="Id"),
    FieldSpec("title", "text", unknown_ok=False, description="Human title.", label="Title"),
    FieldSpec("summary", "text", unknown_ok=False, description="Two or three sentences.", label="Summary"),
    FieldSpec("location.country", "country", facet_rank=1, description="Country name from the vocabulary.",
              label="Country", name="country", roles=_roles(FACET, FACT, FORM, CSV, ATTRIBUTE)),
    FieldSpec("location.place", "text", description="Town, valley or area.", label="Place",
              name="place", roles=_roles(FACT, FORM, CSV)),
    FieldSpec("location.region", "text", description="State, province or region.", label="Region",
              name="region", roles=_roles(FACT, FORM, CSV)),
    FieldSpec("sectors", "terms", facet_rank=2, facet_label="Sector", vocabulary="sectors", description="Sector keys.", label="Sectors",
              facet="sector", roles=_roles(FACET, FACT, FORM, CSV, ATTRIBUTE)),
    FieldSpec("period", "text", description="When, as the source says it.", label="Period",
              roles=_roles(FACT, FORM, CSV)),
    FieldSpec("initiative.driver", "term", facet_rank=6, facet_label="Driven by", vocabulary="driver", description="Table 3 column.",
              label="Driver", roles=_roles(FACET, FACT, FORM, CSV, ATTRIBUTE, CONDITION)),
    FieldSpec("initiative.approach", "term", facet_rank=7, vocabulary="approach", description="Table 3 row.",
              label="Approach", roles=_roles(FACET, FACT, FORM, CSV, ATTRIBUTE, CONDITION)),
    FieldSpec("initiative.name", "text", description="The initiative's own name.", label="Initiative",
              name="initiative_name", roles=_roles(FACT, FORM, CSV)),
    # On the fact sheet so that a mark on one organisation shows there as "(interpreted)".
    FieldSpec("initiative.lead_organisations", "text-list", required=False, label="Lead organisations",
              roles=_roles(FACT, FORM, CSV)),
    # The kind of body that leads (the rift and chamber warnings turn on it); optional,
    # since the paper names it for some initiatives only.
    FieldSpec("initiative.lead_body", "term", required=False, vocabulary="lead_body",
              label="Body leading the initiative", roles=_roles(FACT, FORM, CSV, ATTRIBUTE, CONDITION)),
    FieldSpec("situation.pressure", "term", facet_rank=8, vocabulary="pressure", description="Figure 5 column.",
              label="Pressure", roles=_roles(FACET, FACT, FORM, CSV, ATTRIBUTE, CONDITION)),
    FieldSpec("situation.cooperative_culture", "term", vocabulary="cooperative_culture",
              description="Figure 5 row.", label="Cooperative culture",
              roles=_roles(FACT, FORM, CSV, ATTRIBUTE, CONDITION)),
    FieldSpec("situation.stage", "term", facet_rank=9, facet_label="Stage", vocabulary="stage", description="Life-cycle stage.",
              label="Life-cycle stage", roles=_roles(FACET, FACT, FORM, CSV, ATTRIBUTE, CONDITION)),
    FieldSpec("situation.firm_structure", "term", vocabulary="firm_structure", label="Firm structure",
              roles=_roles(FACT, FORM, CSV, ATTRIBUTE, CONDITION)),
    FieldSpec("typology.markusen", "term", facet_rank=3, vocabulary="typology.markusen", label="Markusen type",
              name="markusen", roles=_roles(FACET, FACT, FORM, CSV, ATTRIBUTE, CONDITION)),
    FieldSpec("typology.altenburg_meyer_stamer", "term", facet_rank=4, vocabulary="typology.altenburg_meyer_stamer",
              label="Altenburg / Meyer-Stamer type", name="altenburg_meyer_stamer",
              roles=_roles(FACET, FACT, FORM, CSV, ATTRIBUTE, CONDITION)),
    FieldSpec("typology.enright", "term", facet_rank=5, vocabulary="typology.enright", label="Enright type",
              name="enright", roles=_roles(FACET, FACT, FORM, CSV, ATTRIBUTE, CONDITION)),
    FieldSpec("activities", "terms", vocabulary="activities", label="Activities",
              roles=_roles(FACT, FORM, CSV, ATTRIBUTE)),
    FieldSpec("obstacles", "terms", vocabulary="obstacles", description="Table 5 categories.",
              label="Obstacles", roles=_roles(FACT, FORM, CSV)),
    FieldSpec("funding", "text", label="Funding", roles=_roles(FORM, CSV)),
    FieldSpec("monitoring", "text", label="Monitoring", roles=_roles(FORM, CSV)),
    FieldSpec("outcomes", "text", label="Outcomes", roles=_roles(FORM, CSV)),
    FieldSpec("related_notes", "note-ids", required=False, label="Related notes", roles=_roles(FORM)),
    FieldSpec("sources", "sources", label="Sources"),
    FieldSpec("lessons", "lessons", required=False, label="Lessons"),
    FieldSpec(INTERPRETED, "text-list", required=False, label="Interpretations",
              description="Values that are the codifier's interpretation rather than a stated fact: a field "
                          "path (every value of it), or path=value for one value of a list."),
)

# Attributes of a new initiative's profile that no case field holds: a case's funding
# and monitoring are free text, a profile chooses from a scale.
PROFILE_ONLY_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("funding_level", "term", vocabulary="funding_level", required=False,
              label="Planned funding", roles=_roles(ATTRIBUTE)),
    FieldSpec("monitoring_style", "term", vocabulary="monitoring_style", required=False,
              label="Planned monitoring", roles=_roles(ATTRIBUTE)),
    # Conditions of the method's warnings (issue 9) that a description reveals and no
    # case field records.
    FieldSpec("government_view", "term", vocabulary="government_view", required=False,
              label="How firms see government", roles=_roles(ATTRIBUTE)),
    FieldSpec("ownership", "term", vocabulary="ownership", required=False,
              label="Ownership of the key firms", roles=_roles(ATTRIBUTE)),
    FieldSpec("buyers", "term", vocabulary="buyers", required=False,
              label="Who the firms sell to", roles=_roles(ATTRIBUTE)),
    FieldSpec("launch_plan", "term", vocabulary="launch_plan", required=False,
              label="How the initiative opens", roles=_roles(ATTRIBUTE)),
    FieldSpec("evaluation_focus", "term", vocabulary="evaluation_focus", required=False,
              label="What success is judged on", roles=_roles(ATTRIBUTE)),
    FieldSpec("research_budget", "term", vocabulary="research_budget", required=False,
              label="Spending on research before trust exists", roles=_roles(ATTRIBUTE)),
    FieldSpec("local_economy", "term", vocabulary="local_economy", required=False,
              label="The local economy", roles=_roles(ATTRIBUTE)),
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
    FieldSpec("learn_order", "integer", required=False, label="Position in the learning path"),
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


class FieldRegistry:
    """The fields of every kind, and the views each consumer derives from them.

    Frozen: a variant (for example in a test that adds a field) is made with
    `with_field`, never by changing this one, so each derived view is computed once
    (the advisor reads them for every case it compares).
    """

    def __init__(self, case: tuple[FieldSpec, ...], lesson: tuple[FieldSpec, ...],
                 note: tuple[FieldSpec, ...], source: tuple[FieldSpec, ...],
                 profile_only: tuple[FieldSpec, ...]):
        self.case, self.lesson, self.note = case, lesson, note
        self.source, self.profile_only = source, profile_only

    def with_field(self, spec: FieldSpec, kind: str = "case") -> "FieldRegistry":
        """A copy of this registry with one more field of `kind` ('case' or 'profile')."""
        if kind == "case":
            return FieldRegistry(self.case + (spec,), self.lesson, self.note, self.source, self.profile_only)
        return FieldRegistry(self.case, self.lesson, self.note, self.source, self.profile_only + (spec,))

    def fields(self, kind: str) -> tuple[FieldSpec, ...]:
        """The front-matter fields of 'case', 'note' or 'lesson'."""
        return {"case": self.case, "note": self.note, "lesson": self.lesson}[kind]

    def with_role(self, role: str) -> tuple[FieldSpec, ...]:
        """Case and profile fields that play `role`, in registry order."""
        return tuple(spec for spec in self.case + self.profile_only if spec.has(role))

    def by_path(self, path: str) -> FieldSpec | None:
        """The case field at a dotted path."""
        return next((spec for spec in self.case if spec.path == path), None)

    @cached_property
    def facets(self) -> tuple[str, ...]:
        """Search facets: kind first, the case fields' facets, topic last.

        >>> REGISTRY.facets[0], REGISTRY.facets[-1], "sector" in REGISTRY.facets
        ('kind', 'topic', True)
        """
        ranked = sorted(self.with_role(FACET), key=lambda spec: spec.facet_rank)
        return ("kind", *(spec.facet_name for spec in ranked), "topic")

    @cached_property
    def facet_fields(self) -> dict[str, FieldSpec]:
        """Facet name -> the case field it reads."""
        return {spec.facet_name: spec for spec in sorted(self.with_role(FACET), key=lambda spec: spec.facet_rank)}

    @cached_property
    def condition_keys(self) -> dict[str, str]:
        """Lesson condition key -> vocabulary.

        >>> REGISTRY.condition_keys["pressure"], REGISTRY.condition_keys["markusen"]
        ('pressure', 'typology.markusen')
        """
        return {spec.key: spec.vocabulary for spec in self.with_role(CONDITION) if spec.vocabulary}

    @cached_property
    def condition_paths(self) -> dict[str, str]:
        """Lesson condition key -> the case field it reads."""
        return {spec.key: spec.path for spec in self.with_role(CONDITION)}

    @cached_property
    def scalar_attributes(self) -> dict[str, str]:
        """Profile attributes holding one vocabulary value: name -> vocabulary."""
        return {spec.key: spec.vocabulary for spec in self.with_role(ATTRIBUTE)
                if spec.kind == "term" and spec.vocabulary}

    @cached_property
    def list_attributes(self) -> dict[str, str]:
        """Profile attributes holding a list of vocabulary values: name -> vocabulary."""
        return {spec.key: spec.vocabulary for spec in self.with_role(ATTRIBUTE)
                if spec.kind == "terms" and spec.vocabulary}

    @cached_property
    def attribute_paths(self) -> dict[str, str]:
        """Profile attribute -> the case field that holds the same fact (when one does)."""
        return {spec.key: spec.path for spec in self.with_role(ATTRIBUTE) if spec in self.case}

    @cached_property
    def fact_sheet(self) -> tuple[FieldSpec, ...]:
        """The rows of a case's fact sheet."""
        return self.with_role(FACT)

    @cached_property
    def csv_columns(self) -> tuple[FieldSpec, ...]:
        """The columns of the case list (CSV and JSON), after id, title and summary."""
        return self.with_role(CSV)

    def form_fields(self, kind: str) -> tuple[FieldSpec, ...]:
        """The structured controls of the edit form for 'case' or 'note'."""
        if kind == "case":
            return self.with_role(FORM)
        return tuple(spec for spec in self.note if spec.kind in {"terms", "note-ids", "case-ids", "integer"}
                     or spec.path == "paper_section")


REGISTRY = FieldRegistry(CASE_FIELDS, LESSON_FIELDS, NOTE_FIELDS, SOURCE_FIELDS, PROFILE_ONLY_FIELDS)

# Derived views kept under their old names for the validator.
CONDITION_KEYS: dict[str, str] = REGISTRY.condition_keys
CONDITION_CASE_PATHS: dict[str, str] = REGISTRY.condition_paths

KINDS = ("case", "note")
FIELDS_BY_KIND = {"case": CASE_FIELDS, "note": NOTE_FIELDS}


# -- interpretation marks --------------------------------------------------------
# A case's `interpreted` list names the structured values that are the codifier's
# reading of the source rather than something it states: "initiative.driver" (the
# field's value), "sectors" (all its values) or "sectors=ict" (one value of a list).
# The fact sheet and the advisor's explanation show them as interpretations.


def interpretation_marks(meta: dict) -> frozenset[tuple[str, str | None]]:
    """(path, value or None for the whole field) of every mark in a case's front matter.

    >>> sorted(interpretation_marks({"interpreted": ["initiative.driver", "sectors = ict"]}), key=str)
    [('initiative.driver', None), ('sectors', 'ict')]
    >>> interpretation_marks({})
    frozenset()
    """
    marks = set()
    for entry in meta.get(INTERPRETED) or []:
        path, _, value = str(entry).partition("=")
        marks.add((path.strip(), value.strip() or None))
    return frozenset(marks)


def is_interpreted(marks: frozenset[tuple[str, str | None]], path: str, value: str | None = None) -> bool:
    """Is the value at `path` (or the whole field, without `value`) marked as an interpretation?

    >>> marks = frozenset({("sectors", "ict"), ("initiative.driver", None)})
    >>> is_interpreted(marks, "sectors", "ict"), is_interpreted(marks, "sectors", "logistics")
    (True, False)
    >>> is_interpreted(marks, "initiative.driver", "public"), is_interpreted(marks, "initiative.approach")
    (True, False)
    """
    return (path, None) in marks or (value is not None and (path, value) in marks)


def interpretation_problems(meta: dict, registry: "FieldRegistry | None" = None) -> list[tuple[str, str]]:
    """(entry, message) for each mark that names no structured field of a case, or a value
    the field does not hold (the validator reports them under `interpreted`).

    >>> interpretation_problems({"sectors": ["ict"], "interpreted": ["sectors=ict", "sectors=food", "colour"]})
    [('sectors=food', "'sectors' does not hold 'food'"), ('colour', 'no case field colour')]
    """
    registry = registry or REGISTRY
    problems = []
    for entry in meta.get(INTERPRETED) or []:
        path, _, value = str(entry).partition("=")
        path, value = path.strip(), value.strip()
        spec = registry.by_path(path)
        if spec is None or spec.path == INTERPRETED:
            problems.append((str(entry), f"no case field {path}"))
            continue
        held: object = meta
        for key in spec.keys:
            held = held.get(key) if isinstance(held, dict) else None
        values = [str(v) for v in held] if isinstance(held, list) else [] if held is None else [str(held)]
        if value and value not in values:
            problems.append((str(entry), f"'{path}' does not hold '{value}'"))
    return problems
