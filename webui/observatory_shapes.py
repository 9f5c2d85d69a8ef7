"""The shapes of the observatory's JSON API: request bodies, and the answers that
combine several records.

Bodies are derived from its records.

Each body takes its fields (type, constraints, default) from the record it writes
(indexer/observatory/models.py), so a field added or tightened there is accepted and
documented here without a second declaration. Bodies refuse unknown fields and are
read strictly from JSON (a number is not "5", a date is YYYY-MM-DD), so a client's
mistake is answered with the field named instead of being guessed at; what only the
store can judge (a profile value, a template id, at most three indicators a factor) is
left to the facade, which answers with InvalidInput the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from indexer import models as answers
from indexer.errors import InvalidInput
from indexer.observatory import models

MAX_CSV_CHARS = 1_000_000  # an import of 200 initiatives' year is far below this


def _config(**extra: Any) -> ConfigDict:
    """Bodies refuse unknown fields, and NaN or infinity where a number is asked for
    (Python's JSON reader takes them; no measurement can be one)."""
    return ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False, **extra)


def _no_defaults(schema: dict[str, Any]) -> None:
    """A partial update leaves out what does not change: no field has a default."""
    for prop in schema.get("properties", {}).values():
        prop.pop("default", None)


# Row ids the database can hold (a larger number is no row, and no SQLite INTEGER either).
RowId = Annotated[int, Field(ge=1, le=2**63 - 1)]
# Fields whose record type says less than a request must: ids a row can have.
_NARROWER = {"definition_id": RowId | None, "indicator_ids": list[RowId]}


def _field(source: type[BaseModel], name: str, required: bool, partial: bool) -> tuple[Any, Any]:
    info = source.model_fields[name]
    annotation = Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
    annotation = _NARROWER.get(name, annotation)
    description = info.description
    if required:
        return annotation, Field(..., description=description)
    if partial:
        return annotation, Field(None, description=description)
    if info.is_required():  # made by the store when left out (a slug from the name)
        return annotation | None, Field(None, description=description)
    return annotation, Field(info.get_default(), description=description)


def body(name: str, source: type[BaseModel], fields: Iterable[str], required: Iterable[str] = (),
         partial: bool = False, doc: str = "") -> type[BaseModel]:
    """A request body with `fields` of `source` (`required` ones must be given; with
    `partial`, none is, and only those given are passed on)."""
    required = set(required)
    config = _config(json_schema_extra=_no_defaults if partial else None)
    model = create_model(name, __config__=config, __doc__=doc or None,
                         **{field: _field(source, field, field in required, partial) for field in fields})
    return model


_INITIATIVE = ("name", "slug", "place", "country", "sectors", "status", "start_date", "facilitators",
               "profile", "description", "sharing")
_INDICATOR = ("perspective", "factor", "name", "unit", "direction", "baseline_value", "baseline_date",
              "target_value", "target_date", "defined_by", "definition_id")

ProgrammeCreate = body("ProgrammeCreate", models.Programme,
                       ("name", "slug", "agency", "description", "evaluation_interval_days"), required=("name",),
                       doc="A new programme; its slug is made from the name when left out. You become its manager.")
ManagerAdd = create_model("ManagerAdd", __config__=_config(),
                          __doc__="A user who becomes a manager of the programme.",
                          user=(str, Field(..., min_length=1, description="The account's user name.")))
DefinitionCreate = body("DefinitionCreate", models.IndicatorDefinition,
                        ("key", "name", "unit", "direction", "description"), required=("key", "name"),
                        doc="A programme-wide indicator that initiatives link to.")
InitiativeCreate = body("InitiativeCreate", models.Initiative, _INITIATIVE, required=("name",),
                        doc="A new initiative; `profile` holds the advisor's attributes.")
InitiativeUpdate = body("InitiativeUpdate", models.Initiative, _INITIATIVE[:1] + _INITIATIVE[2:], partial=True,
                        doc="The fields to change; the others stay as they are.")
MemberAdd = body("MemberAdd", models.Member, ("user", "role"), required=("user", "role"),
                 doc="An account that may record for the initiative.")
TemplateStart = create_model(
    "TemplateStart", __config__=_config(),
    __doc__="Start the scorecard from a template (refused when it already has indicators).",
    template_id=(models.Slug, Field(..., description="A template's id (GET /api/scorecard-templates).")),
    defined_by=(str, Field("", description="Who chose the indicators; by default you.")))
IndicatorCreate = body("IndicatorCreate", models.Indicator, _INDICATOR,
                       required=("perspective", "factor", "name"), doc="A new indicator (at most 3 per factor).")
IndicatorUpdate = body("IndicatorUpdate", models.Indicator, _INDICATOR, partial=True,
                       doc="The indicator's fields to change.")
MeasurementCreate = body("MeasurementCreate", models.Measurement, ("period", "value", "measured_on", "evidence"),
                         required=("period", "value", "measured_on"),
                         doc="A value for one period; a second value for the same period is a correction "
                             "that keeps the first in the history.")
ActionCreate = body("ActionCreate", models.Action, ("text", "owner", "due"), required=("text",),
                    doc="A corrective action agreed in the evaluation.")
EvaluationCreate = create_model(
    "EvaluationCreate", __config__=_config(),
    __doc__="An evaluation with the corrective actions agreed.",
    **{name: spec for name, spec in {
        field: _field(models.Evaluation, field, field == "held_on", False)
        for field in ("held_on", "kind", "participants", "indicator_ids", "findings")}.items()},
    actions=(list[ActionCreate], Field([], description="The corrective actions agreed.")))
ActionUpdate = body("ActionUpdate", models.Action, ("status",), required=("status",),
                    doc="The action's new status.")
CloseRequest = create_model(
    "CloseRequest", __config__=_config(),
    __doc__="Close the initiative and draft a case from it.",
    author=(str, Field("", description="The case's author as cited; by default you.")))

# Every body, for the OpenAPI document.
BODIES: tuple[type[BaseModel], ...] = (
    ProgrammeCreate, ManagerAdd, DefinitionCreate, InitiativeCreate, InitiativeUpdate, MemberAdd, TemplateStart,
    IndicatorCreate, IndicatorUpdate, MeasurementCreate, EvaluationCreate, ActionUpdate, CloseRequest)


def field_name(location: tuple[Any, ...]) -> str:
    """A validation error's location as the field a client names.

    >>> field_name(("actions", 0, "due")), field_name(()), field_name(("value",))
    ('actions[0].due', 'body', 'value')
    """
    name = ""
    for part in location:
        name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
    return name or "body"


def _message(error: dict[str, Any], model: type[BaseModel]) -> str:
    if error["type"] == "extra_forbidden":
        known = ", ".join(model.model_fields) if len(error["loc"]) == 1 else "see the API document"
        return f"is not a field of this request (known: {known})"
    if error["type"] == "missing":
        return "is required"
    return error["msg"][0].lower() + error["msg"][1:]


def parse(model: type[BaseModel], data: Any) -> dict[str, Any]:
    """The fields `data` (a parsed JSON body) gives, checked against `model`; the first
    problem is InvalidInput naming its field (`actions[0].due`, `value`, `body`)."""
    if not isinstance(data, dict):
        raise InvalidInput("body", f"must be a JSON object ({model.__doc__ or model.__name__})")
    try:
        parsed = model.model_validate_json(json.dumps(data), strict=True)
    except ValidationError as invalid:
        first = invalid.errors(include_url=False)[0]
        raise InvalidInput(field_name(tuple(first["loc"])), _message(first, model)) from None
    return parsed.model_dump(exclude_unset=True)


# -- answers that combine records ------------------------------------------------------

class _Answer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class MeasuredIndicator(models.Indicator):
    """An indicator with its current measurements (none where its figures are not shared with you)."""

    measurements: list[models.Measurement] = []


class MeasuredFactor(_Answer):
    name: str
    indicators: list[MeasuredIndicator] = []


class MeasuredPerspective(_Answer):
    name: str
    factors: list[MeasuredFactor] = []


class MeasuredScorecard(_Answer):
    """An initiative's scorecard in order, each indicator with its current measurements."""

    initiative_id: int
    perspectives: list[MeasuredPerspective] = []
    template: str | None = None


class LinkedWarning(answers.RuleWarning):
    """A rule of the method that fires on the initiative's profile, with its note's page."""

    note_url: str


class InitiativeDetail(_Answer):
    """An initiative: profile, scorecard with measurements, evaluations and the advisor's warnings."""

    initiative: models.Initiative
    figures: models.Sharing = Field(description="How you see its figures: named (measurements and evaluations "
                                                "here), anonymous (only unnamed, in benchmarks), hidden (not at all).")
    scorecard: MeasuredScorecard
    evaluations: list[models.Evaluation]
    warnings: list[LinkedWarning]


class ProgrammeDetail(_Answer):
    """A programme, its initiatives and its programme-wide indicator definitions."""

    programme: models.Programme
    initiatives: list[models.Initiative]
    definitions: list[models.IndicatorDefinition]


class IndicatorHistory(_Answer):
    indicator: models.Indicator
    measurements: list[models.Measurement]


class InitiativeMeasurements(_Answer):
    """Every indicator of an initiative with its measurements (current ones, or all with history=1)."""

    indicators: list[IndicatorHistory]
    total: int


class DraftLink(_Answer):
    id: int
    url: str


class ClosedInitiative(_Answer):
    """The closed initiative and the draft case made from it, for an editor to complete."""

    initiative: models.Initiative
    draft: DraftLink


def listing(name: str, record: type[BaseModel], doc: str) -> type[BaseModel]:
    """An answer listing records under `name`, with their number as `total`."""
    return create_model(f"{record.__name__}List", __base__=_Answer, __doc__=doc,
                        **{name: (list[record], ...), "total": (int, Field(..., ge=0))})


ProgrammeList = listing("programmes", models.Programme, "The programmes you may see.")
InitiativeList = listing("initiatives", models.Initiative, "The initiatives you may see.")
MeasurementList = listing("measurements", models.Measurement, "An indicator's measurements.")
EvaluationList = listing("evaluations", models.Evaluation, "An initiative's evaluations.")
TemplateList = listing("templates", models.ScorecardTemplate, "The starting scorecards from the paper.")

# Every answer assembled here, for the OpenAPI document (the records come with them).
ANSWERS: tuple[type[BaseModel], ...] = (
    InitiativeDetail, ProgrammeDetail, InitiativeMeasurements, ClosedInitiative, ProgrammeList, InitiativeList,
    MeasurementList, EvaluationList, TemplateList, MeasuredScorecard, models.Scorecard, models.Indicator,
    models.Measurement, models.Evaluation, models.Action, models.IndicatorDefinition)


def measured_scorecard(scorecard: models.Scorecard, measurements_of) -> MeasuredScorecard:
    """`scorecard` with each indicator's `measurements_of(indicator_id)`."""
    return MeasuredScorecard(initiative_id=scorecard.initiative_id, template=scorecard.template, perspectives=[
        MeasuredPerspective(name=perspective.name, factors=[
            MeasuredFactor(name=factor.name, indicators=[
                MeasuredIndicator(**dict(indicator), measurements=measurements_of(indicator.id))
                for indicator in factor.indicators])
            for factor in perspective.factors])
        for perspective in scorecard.perspectives])
