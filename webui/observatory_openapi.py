"""The observatory's part of the OpenAPI document: every /api path of
webui/observatory_api.py with its request and response schemas.

The schemas come from the same pydantic models the views answer with (the records of
indexer/observatory/models.py, the dashboard and benchmark of the analytics, and the
combined answers and request bodies of webui/observatory_shapes.py), so a field added
there appears here without a second declaration. tests/web/test_api.py checks that
every routed /api path is documented and runs schemathesis over the document.
"""

from __future__ import annotations

from indexer.observatory.benchmarking import Benchmark
from indexer.observatory.csvio import ImportReport
from indexer.observatory.dashboard import Dashboard
from indexer.observatory.models import STATUSES, Slug

from . import observatory_shapes as shapes
from .openapi_parts import Schema, body_schemas, json_response, model_schemas, operation, query, ref

ANSWERS = (*shapes.ANSWERS, Dashboard, Benchmark, ImportReport)
SLUG: Schema = {"type": "string", "pattern": Slug.__metadata__[0].metadata[0].pattern}
ROW_ID: Schema = {"type": "integer", "minimum": 1, "description": "A row id; anything else is a 404."}
READ_ERRORS = ("400", "401", "403", "404", "503")
WRITE_ERRORS = ("400", "401", "403", "404", "409", "413", "503")
WRITES_NEED = (" Needs a signed-in session and its CSRF token in the X-CSRF-Token header; the store decides "
               "whether you may (403).")


def components() -> dict[str, Schema]:
    """The schemas of the observatory's answers (dumped whole) and request bodies."""
    return {**model_schemas(ANSWERS, ()), **body_schemas(shapes.BODIES)}


def path(name: str, description: str, schema: Schema = SLUG) -> Schema:
    return {"name": name, "in": "path", "required": True, "description": description, "schema": schema}


PROGRAMME = path("slug", "The programme's slug.")
INITIATIVE = path("slug", "The initiative's slug.")


# A realistic body per request model, shown in the document (and checked against the
# models by tests/web/test_observatory_api.py).
EXAMPLES: dict[str, dict] = {
    "ProgrammeCreate": {"name": "2027 contest round", "agency": "Ministry of Industry",
                        "evaluation_interval_days": 120},
    "InitiativeCreate": {"name": "Food cluster of the north", "place": "Chiang Mai", "country": "Thailand",
                         "sectors": ["food-processing"], "status": "fact-finding", "sharing": "anonymous",
                         "profile": {"driver": "public", "approach": "top-down",
                                     "monitoring_style": "participatory"},
                         "description": "Small food processors, a university and the provincial agency."},
    "IndicatorCreate": {"perspective": "Customers", "factor": "Access to export markets",
                        "name": "Firms exporting", "unit": "firms", "direction": "higher", "baseline_value": 4,
                        "baseline_date": "2027-01-01", "target_value": 12, "target_date": "2029-12-31",
                        "defined_by": "the firms' working group"},
    "MeasurementCreate": {"period": "2027-Q2", "value": 6, "measured_on": "2027-06-30",
                          "evidence": "customs declarations counted by the facilitator"},
    "EvaluationCreate": {"held_on": "2027-07-15", "kind": "self-evaluation",
                         "participants": ["firms", "institutions", "facilitator"], "indicator_ids": [1],
                         "findings": "Exports grow; the joint stand at the fair brought two buyers.",
                         "actions": [{"text": "Book a stand at next year's fair", "owner": "facilitator",
                                      "due": "2027-10-31"}]},
}


def json_body(model: type, required: bool = True) -> Schema:
    media: Schema = {"schema": ref(model.__name__)}
    if model.__name__ in EXAMPLES:
        media["examples"] = {"example": {"value": EXAMPLES[model.__name__]}}
    return {"required": required, "content": {"application/json": media}}


def reading(summary: str, answer: type | Schema, operation_id: str, parameters: list[Schema],
            description: str = "") -> Schema:
    schema = ref(answer.__name__) if isinstance(answer, type) else answer
    return operation(summary, json_response(description or summary + ".", schema), *READ_ERRORS,
                     parameters=parameters, operation_id=operation_id)


def writing(summary: str, answer: type | Schema | None, operation_id: str, parameters: list[Schema],
            body: Schema | None, status: str = "200") -> Schema:
    """A write: its answer (None: no content) under `status`, the writes' errors, and
    a description of what it needs."""
    if answer is None:
        ok: Schema = {"description": "Done."}
    else:
        ok = json_response(summary + ".", ref(answer.__name__) if isinstance(answer, type) else answer)
    extra = {"requestBody": body} if body is not None else {}
    return operation(summary, ok, *WRITE_ERRORS, parameters=parameters, ok_status=status,
                     operation_id=operation_id, description=summary + "." + WRITES_NEED, **extra)


def download(summary: str, media: dict[str, Schema], operation_id: str, parameters: list[Schema]) -> Schema:
    ok = {"description": summary + " (an attachment).", "content": {kind: {"schema": schema}
                                                                     for kind, schema in media.items()}}
    return operation(summary, ok, *READ_ERRORS, parameters=parameters, operation_id=operation_id)


def paths() -> dict[str, Schema]:
    """Every observatory path of the API."""
    status = query("status", {"type": "string", "enum": list(STATUSES)}, "Only initiatives with this status.")
    history = query("history", {"type": "string", "enum": ["0", "1"], "default": "0"},
                    "1: every measurement, corrections' earlier values too; 0: current ones only.")
    indicator = path("indicator_id", "The indicator's id.", ROW_ID)
    text = {"type": "string"}
    return {
        "/api/programmes": {
            "get": reading("The programmes you may see", shapes.ProgrammeList, "listProgrammes", []),
            "post": writing("Create a programme (editors and reviewers; you become its manager)",
                            shapes.models.Programme, "createProgramme", [], json_body(shapes.ProgrammeCreate),
                            "201")},
        "/api/programmes/{slug}": {"get": reading(
            "One programme with its initiatives and indicator definitions", shapes.ProgrammeDetail,
            "getProgramme", [PROGRAMME])},
        "/api/programmes/{slug}/managers": {"post": writing(
            "Add a programme manager (its managers)", shapes.models.Programme, "addManager", [PROGRAMME],
            json_body(shapes.ManagerAdd))},
        "/api/programmes/{slug}/definitions": {"post": writing(
            "Define a programme-wide indicator (its managers)", shapes.models.IndicatorDefinition,
            "defineIndicator", [PROGRAMME], json_body(shapes.DefinitionCreate), "201")},
        "/api/programmes/{slug}/initiatives": {"post": writing(
            "Create an initiative in the programme (its managers)", shapes.models.Initiative, "createInitiative",
            [PROGRAMME], json_body(shapes.InitiativeCreate), "201")},
        "/api/programmes/{slug}/dashboard": {"get": reading(
            "The programme's dashboard (meta-monitoring)", Dashboard, "programmeDashboard", [PROGRAMME],
            "Statuses, scorecards defined, progress, overdue evaluations, open actions, warnings firing.")},
        "/api/programmes/{slug}/benchmarks/{definition_id}": {"get": reading(
            "Initiatives compared on a programme-wide indicator", Benchmark, "benchmark",
            [PROGRAMME, path("definition_id", "The indicator definition's id.", ROW_ID), status,
             *(query(name, text, f"Only peers with this {name}.") for name in ("sector", "country", "stage")),
             query("subject", SLUG, "The initiative whose position is marked.")],
            "Peers as their sharing allows: named, 'Initiative A' when anonymous, left out when hidden.")},
        "/api/programmes/{slug}/iati": {"get": download(
            "The programme's results in the IATI results shape", {"application/xml": text}, "exportIati",
            [PROGRAMME])},
        "/api/initiatives": {"get": reading(
            "The initiatives you may see", shapes.InitiativeList, "listInitiatives",
            [query("programme", SLUG, "Only this programme's initiatives."), status])},
        "/api/initiatives/{slug}": {
            "get": reading("One initiative", shapes.InitiativeDetail, "getInitiative", [INITIATIVE],
                           "Profile, scorecard with each indicator's baseline, target and current measurements, "
                           "evaluations and the advisor's warnings."),
            "patch": writing("Change an initiative (its members and managers)", shapes.models.Initiative,
                             "updateInitiative", [INITIATIVE], json_body(shapes.InitiativeUpdate))},
        "/api/initiatives/{slug}/advice": {"get": reading(
            "The advisor on the initiative's profile", {"$ref": "#/components/schemas/Suggestion"},
            "initiativeAdvice", [INITIATIVE], "Similar cases, lessons, notes and warnings.")},
        "/api/initiatives/{slug}/members": {"post": writing(
            "Add a member (the programme's managers)", shapes.models.Initiative, "addMember", [INITIATIVE],
            json_body(shapes.MemberAdd))},
        "/api/initiatives/{slug}/members/{user_name}": {"delete": writing(
            "Remove a member (the programme's managers)", None, "removeMember",
            [INITIATIVE, path("user_name", "The member's user name.", text)], None, "204")},
        "/api/initiatives/{slug}/scorecard": {"get": reading(
            "The initiative's scorecard with current measurements", shapes.MeasuredScorecard, "getScorecard",
            [INITIATIVE])},
        "/api/initiatives/{slug}/scorecard/template": {"post": writing(
            "Start the scorecard from a template", shapes.models.Scorecard, "startFromTemplate", [INITIATIVE],
            json_body(shapes.TemplateStart), "201")},
        "/api/scorecard-templates": {"get": reading(
            "The starting scorecards from the paper", shapes.TemplateList, "listTemplates", [])},
        "/api/initiatives/{slug}/indicators": {"post": writing(
            "Add an indicator (at most three per factor)", shapes.models.Indicator, "addIndicator", [INITIATIVE],
            json_body(shapes.IndicatorCreate), "201")},
        "/api/indicators/{indicator_id}": {
            "patch": writing("Change an indicator", shapes.models.Indicator, "updateIndicator", [indicator],
                             json_body(shapes.IndicatorUpdate)),
            "delete": writing("Remove an indicator", None, "removeIndicator", [indicator], None, "204")},
        "/api/indicators/{indicator_id}/measurements": {
            "get": reading("An indicator's measurements", shapes.MeasurementList, "indicatorMeasurements",
                           [indicator, history]),
            "post": writing("Record a measurement (a second one for a period is a correction)",
                            shapes.models.Measurement, "recordMeasurement", [indicator],
                            json_body(shapes.MeasurementCreate), "201")},
        "/api/initiatives/{slug}/measurements": {"get": reading(
            "Every indicator of the initiative with its measurements", shapes.InitiativeMeasurements,
            "initiativeMeasurements", [INITIATIVE, history])},
        "/api/initiatives/{slug}/export": {"get": download(
            "The initiative's measurements as CSV or JSON", {"text/csv": text, "application/json": {}},
            "exportMeasurements",
            [INITIATIVE, query("format", {"type": "string", "enum": ["csv", "json"], "default": "csv"},
                               "Answer format.")])},
        "/api/initiatives/{slug}/measurements/import": {"post": writing(
            "Import measurements from CSV (a dry run by default)", ImportReport, "importMeasurements",
            [INITIATIVE, query("dry_run", {"type": "string", "enum": ["0", "1"], "default": "1"},
                               "1: check every row and write nothing; 0: write every row, or nothing when "
                               "any row has a problem.")],
            {"required": True, "content": {"text/csv": {"schema": text}}})},
        "/api/initiatives/{slug}/evaluations": {
            "get": reading("The initiative's evaluations", shapes.EvaluationList, "listEvaluations", [INITIATIVE]),
            "post": writing("Record an evaluation with its corrective actions", shapes.models.Evaluation,
                            "recordEvaluation", [INITIATIVE], json_body(shapes.EvaluationCreate), "201")},
        "/api/actions/{action_id}": {"patch": writing(
            "Change a corrective action's status", shapes.models.Action, "updateAction",
            [path("action_id", "The action's id.", ROW_ID)], json_body(shapes.ActionUpdate))},
        "/api/initiatives/{slug}/close": {"post": writing(
            "Close the initiative and draft a case from it", shapes.ClosedInitiative, "closeInitiative",
            [INITIATIVE], json_body(shapes.CloseRequest, required=False), "201")},
    }

