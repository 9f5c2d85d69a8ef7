"""The observatory's JSON API under /api: initiatives, scorecards, measurements,
evaluations and benchmarks, reading and writing.

Views only parse and render: the facade (`casebase().observatory`) decides who may see
and do what, and raises the engine's errors, which webui/errors.py answers once in the
API's error shape. Writes need a signed-in account and the session's CSRF token in the
X-CSRF-Token header (`auth.require("reader")`: every account is at least a reader; the
facade then asks whether THIS account may change THIS programme or initiative).
Records are answered as the models dump them (webui/openapi.py documents them from the
same models); bodies and combined answers are declared in webui/observatory_shapes.py.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, jsonify, request
from pydantic import BaseModel

from indexer.errors import NotFound
from indexer.observatory.models import SHARING, STATUSES

from . import observatory_shapes as shapes
from . import presenters, urls
from .api import json_body
from .auth import require
from .editor_web import announce_draft
from .errors import BadParameter
from .services import casebase

bp = Blueprint("observatory_api", __name__, url_prefix="/api")
NAMED = SHARING[0]  # figures shown next to the initiative's name

# Every account is at least a reader: writing needs a session and CSRF; the facade decides the rest.
signed_in = require("reader")
EXPORT_FORMATS = {"csv": "text/csv", "json": "application/json"}
MAX_ROW_ID = 2**63 - 1  # the database's largest id; anything longer is no row


def observatory():
    """The app's observatory facade."""
    return casebase().observatory


def viewer():
    """Who is asking, as the facade judges access."""
    return observatory().viewer(g.get("user"))


def dump(record: BaseModel) -> dict[str, Any]:
    """A record as JSON (dates as ISO text)."""
    return record.model_dump(mode="json")


def created(record: BaseModel):
    """The answer to a write that made `record`: 201 with it."""
    return jsonify(dump(record)), 201


def row_id(value: str, what: str) -> int:
    """A row id from the URL; anything but a positive decimal number is no such row.

    >>> row_id("12", "indicator")
    12
    """
    if not (value.isascii() and value.isdigit()) or not 0 < int(value) <= MAX_ROW_ID:
        raise NotFound(f"no {what} {value!r}")
    return int(value)


def flag(name: str) -> bool:
    """A yes/no query parameter: 1/true/yes or 0/false/no (absent: no)."""
    value = request.args.get(name, "0").strip().lower()
    if value in ("1", "true", "yes"):
        return True
    if value in ("0", "false", "no", ""):
        return False
    raise BadParameter(name, "must be 1 or 0")


def choice(name: str, allowed) -> str | None:
    """An optional query parameter that must be one of `allowed`."""
    value = request.args.get(name) or None
    if value is not None and value not in allowed:
        raise BadParameter(name, f"must be one of {', '.join(allowed)}")
    return value


def read(model: type[BaseModel]) -> dict[str, Any]:
    """The request's JSON body checked against `model` (400 naming the field)."""
    return shapes.parse(model, json_body())


# -- programmes -------------------------------------------------------------------

@bp.get("/programmes")
def programmes():
    """Every programme the viewer may see."""
    rows = observatory().programmes(viewer())
    return jsonify(dump(shapes.ProgrammeList(programmes=rows, total=len(rows))))


@bp.get("/programmes/<slug>")
def programme(slug: str):
    """One programme with its initiatives and its programme-wide indicator definitions."""
    who, store = viewer(), observatory()
    found = store.programme(who, slug)
    return jsonify(dump(shapes.ProgrammeDetail(programme=found, initiatives=store.initiatives(who, programme_slug=slug),
                                               definitions=store.definitions(who, slug))))


@bp.post("/programmes")
@signed_in
def create_programme():
    """Create a programme (editors and reviewers); its creator becomes its manager."""
    return created(observatory().create_programme(viewer(), **read(shapes.ProgrammeCreate)))


@bp.post("/programmes/<slug>/managers")
@signed_in
def add_manager(slug: str):
    """Make an account a manager of the programme (its managers only)."""
    return jsonify(dump(observatory().add_manager(viewer(), slug, read(shapes.ManagerAdd)["user"])))


@bp.post("/programmes/<slug>/definitions")
@signed_in
def define_indicator(slug: str):
    """Define a programme-wide indicator (its managers only)."""
    return created(observatory().define_indicator(viewer(), slug, read(shapes.DefinitionCreate)))


@bp.post("/programmes/<slug>/initiatives")
@signed_in
def create_initiative(slug: str):
    """Create an initiative in the programme (its managers only)."""
    return created(observatory().create_initiative(viewer(), slug, read(shapes.InitiativeCreate)))


@bp.get("/programmes/<slug>/dashboard")
def dashboard(slug: str):
    """The programme's meta-monitoring: statuses, scorecards defined, progress, overdue
    evaluations, open actions, warnings firing (figures as each initiative shares them)."""
    return jsonify(dump(observatory().dashboard(viewer(), slug)))


@bp.get("/programmes/<slug>/benchmarks/<definition_id>")
def benchmark(slug: str, definition_id: str):
    """Initiatives compared on one programme-wide indicator, optionally among peers of a
    sector, country, status or stage; `subject` marks one initiative's position."""
    args = request.args
    found = observatory().benchmark(
        viewer(), slug, row_id(definition_id, "indicator definition"), sector=args.get("sector") or None,
        country=args.get("country") or None, status=choice("status", STATUSES), stage=args.get("stage") or None,
        subject_slug=args.get("subject") or None)
    return jsonify(dump(found))


@bp.get("/programmes/<slug>/iati")
def export_iati(slug: str):
    """The programme's results in the IATI results shape (what the viewer may see)."""
    xml = observatory().export_iati(viewer(), slug)
    return Response(xml, mimetype="application/xml",
                    headers={"Content-Disposition": f"attachment; filename={slug}-iati.xml"})


# -- initiatives --------------------------------------------------------------------

@bp.get("/initiatives")
def initiatives():
    """Every initiative the viewer may see, optionally of one programme or status."""
    rows = observatory().initiatives(viewer(), programme_slug=request.args.get("programme") or None)
    status = choice("status", STATUSES)
    if status is not None:
        rows = [row for row in rows if row.status == status]
    return jsonify(dump(shapes.InitiativeList(initiatives=rows, total=len(rows))))


@bp.get("/initiatives/<slug>")
def initiative(slug: str):
    """One initiative: its profile, scorecard (each indicator with its current
    measurements), evaluations and the advisor's warnings on its profile. Figures and
    evaluations only where the viewer may see them next to its name (`figures`)."""
    who, store = viewer(), observatory()
    found = store.initiative(who, slug)
    shown = store.visibility(who, slug)
    warnings = [shapes.LinkedWarning(**warning.model_dump(), note_url=urls.document("note", warning.note_id))
                for warning in store.advice(who, slug).to_model().warnings]
    return jsonify(dump(shapes.InitiativeDetail(
        initiative=found, figures=shown, scorecard=measured(who, slug, shown),
        evaluations=store.evaluations(who, slug) if shown == NAMED else [], warnings=warnings)))


def measured(who, slug: str, shown: str) -> shapes.MeasuredScorecard:
    """The scorecard with each indicator's current measurements, when the viewer may see
    them next to the initiative's name (`shown` is "named"); else with none."""
    store = observatory()
    scorecard = store.scorecard(who, slug)
    if shown != NAMED:
        return shapes.measured_scorecard(scorecard, lambda indicator_id: [])
    return shapes.measured_scorecard(scorecard, lambda indicator_id: store.measurements(who, indicator_id))


@bp.get("/initiatives/<slug>/advice")
def advice(slug: str):
    """The advisor on the initiative's profile: similar cases, lessons, notes, warnings."""
    return jsonify(presenters.suggestion_answer(observatory().advice(viewer(), slug)))


@bp.patch("/initiatives/<slug>")
@signed_in
def update_initiative(slug: str):
    """Change an initiative's fields (its members and its programme's managers)."""
    return jsonify(dump(observatory().update_initiative(viewer(), slug, read(shapes.InitiativeUpdate))))


@bp.post("/initiatives/<slug>/members")
@signed_in
def add_member(slug: str):
    """Add an account as a facilitator or local actor (the programme's managers)."""
    data = read(shapes.MemberAdd)
    return jsonify(dump(observatory().add_member(viewer(), slug, data["user"], data["role"])))


@bp.delete("/initiatives/<slug>/members/<user_name>")
@signed_in
def remove_member(slug: str, user_name: str):
    """Remove a member (the programme's managers)."""
    observatory().remove_member(viewer(), slug, user_name)
    return "", 204


@bp.get("/initiatives/<slug>/scorecard")
def scorecard(slug: str):
    """The initiative's scorecard, each indicator with its current measurements."""
    who = viewer()
    return jsonify(dump(measured(who, slug, observatory().visibility(who, slug))))


@bp.post("/initiatives/<slug>/scorecard/template")
@signed_in
def start_from_template(slug: str):
    """Start an empty scorecard from one of the paper's templates."""
    data = read(shapes.TemplateStart)
    found = observatory().start_from_template(viewer(), slug, data["template_id"],
                                              defined_by=data.get("defined_by") or g.user.name)
    return jsonify(dump(found)), 201


@bp.get("/scorecard-templates")
def templates():
    """The starting scorecards from the paper, each naming its source."""
    rows = observatory().templates()
    return jsonify(dump(shapes.TemplateList(templates=rows, total=len(rows))))


@bp.post("/initiatives/<slug>/indicators")
@signed_in
def add_indicator(slug: str):
    """Add an indicator to the initiative's scorecard (at most three per factor)."""
    return created(observatory().add_indicator(viewer(), slug, read(shapes.IndicatorCreate)))


@bp.patch("/indicators/<indicator_id>")
@signed_in
def update_indicator(indicator_id: str):
    """Change an indicator's fields."""
    found = observatory().update_indicator(viewer(), row_id(indicator_id, "indicator"), read(shapes.IndicatorUpdate))
    return jsonify(dump(found))


@bp.delete("/indicators/<indicator_id>")
@signed_in
def remove_indicator(indicator_id: str):
    """Remove an indicator from its scorecard."""
    observatory().remove_indicator(viewer(), row_id(indicator_id, "indicator"))
    return "", 204


@bp.get("/indicators/<indicator_id>/measurements")
def indicator_measurements(indicator_id: str):
    """One indicator's measurements: current ones, or every one with history=1."""
    rows = observatory().measurements(viewer(), row_id(indicator_id, "indicator"), history=flag("history"))
    return jsonify(dump(shapes.MeasurementList(measurements=rows, total=len(rows))))


@bp.post("/indicators/<indicator_id>/measurements")
@signed_in
def record_measurement(indicator_id: str):
    """Record a value for a period; a second one for the same period is a correction."""
    data = read(shapes.MeasurementCreate)
    found = observatory().record_measurement(viewer(), row_id(indicator_id, "indicator"), data["period"],
                                             data["value"], data["measured_on"], evidence=data.get("evidence", ""))
    return created(found)


@bp.get("/initiatives/<slug>/measurements")
def measurements(slug: str):
    """Every indicator of the initiative with its measurements (every one with history=1)."""
    who, store, history = viewer(), observatory(), flag("history")
    rows = [shapes.IndicatorHistory(indicator=indicator, measurements=store.measurements(who, indicator.id,
                                                                                         history=history))
            for perspective in store.scorecard(who, slug).perspectives
            for factor in perspective.factors for indicator in factor.indicators]
    return jsonify(dump(shapes.InitiativeMeasurements(indicators=rows, total=len(rows))))


@bp.get("/initiatives/<slug>/export")
def export_measurements(slug: str):
    """The initiative's measurements as CSV (format=csv, the import's columns) or JSON."""
    output = request.args.get("format", "csv")
    if output not in EXPORT_FORMATS:
        raise BadParameter("format", f"must be one of {', '.join(EXPORT_FORMATS)}")
    text = observatory().export_measurements(viewer(), slug, format=output)
    return Response(text, mimetype=EXPORT_FORMATS[output],
                    headers={"Content-Disposition": f"attachment; filename={slug}-measurements.{output}"})


@bp.post("/initiatives/<slug>/measurements/import")
@signed_in
def import_measurements(slug: str):
    """Import measurements from a CSV body (Content-Type: text/csv). dry_run=1 (the
    default) checks every row and writes nothing; dry_run=0 writes all rows, or nothing
    when any row has a problem. The report names each bad row by line and column."""
    request.max_content_length = shapes.MAX_CSV_CHARS
    if request.mimetype != "text/csv":
        raise BadParameter("body", "must be CSV (Content-Type: text/csv)")
    try:
        text = request.get_data(cache=True).decode("utf-8")
    except UnicodeDecodeError:
        raise BadParameter("body", "is not valid UTF-8") from None
    dry_run = flag("dry_run") if "dry_run" in request.args else True
    return jsonify(dump(observatory().import_measurements(viewer(), slug, text, dry_run=dry_run)))


@bp.get("/initiatives/<slug>/evaluations")
def evaluations(slug: str):
    """The initiative's evaluations with their corrective actions, latest first."""
    rows = observatory().evaluations(viewer(), slug)
    return jsonify(dump(shapes.EvaluationList(evaluations=rows, total=len(rows))))


@bp.post("/initiatives/<slug>/evaluations")
@signed_in
def record_evaluation(slug: str):
    """Record an evaluation with the indicators reviewed, findings and actions agreed."""
    return created(observatory().record_evaluation(viewer(), slug, read(shapes.EvaluationCreate)))


@bp.patch("/actions/<action_id>")
@signed_in
def update_action(action_id: str):
    """Mark a corrective action done or dropped (or open again)."""
    status = read(shapes.ActionUpdate)["status"]
    return jsonify(dump(observatory().update_action(viewer(), row_id(action_id, "action"), status)))


@bp.post("/initiatives/<slug>/close")
@signed_in
def close(slug: str):
    """Close the initiative and draft a case from it for an editor to complete."""
    data = read(shapes.CloseRequest) if request.content_length else {}  # the body is optional
    author = data.get("author") or g.user.name
    closed, draft = observatory().close(viewer(), slug, author, record_url=urls.initiative_record(slug))
    announce_draft(draft)
    answer = shapes.ClosedInitiative(initiative=closed, draft=shapes.DraftLink(id=draft.id, url=urls.draft(draft.id)))
    return jsonify(dump(answer)), 201

