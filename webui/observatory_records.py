"""The observatory's recording pages, on the observatory blueprint: the scorecard
editor (start from a template; add, edit and remove indicators), quick measurement
entry made for a phone, an indicator's history with its corrections, CSV import with
a dry run and export, evaluations with their corrective actions.

Like webui/observatory_pages.py: the facade decides who may do what; a form the
engine refuses is shown again with what the user typed and the message by its field.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, redirect, request

from indexer.errors import InvalidInput, NotFound, Refused
from indexer.observatory.models import (ACTION_STATUSES, EVALUATION_KINDS, PARTICIPANTS,
                                        Initiative, Viewer)

from . import urls
from .auth import require
from .observatory_presenters import indicator_chart, indicator_row, plain_rows, scorecard_indicators, scorecard_view
from .observatory_web import (error_of, observatory, optional_date, optional_id, optional_number, required_date,
                              required_number, respond, text, viewer)

ACTION_ROWS = 3  # empty corrective-action rows the evaluation form offers
INDICATOR_TEXTS = ("perspective", "factor", "name", "unit", "direction", "defined_by")
INDICATOR_FIELDS = (*INDICATOR_TEXTS, "baseline_value", "baseline_date", "target_value", "target_date",
                    "definition_id")
MAX_IMPORT_CHARACTERS = 512 * 1024


def may_record(who: Viewer, initiative: Initiative) -> bool:
    """Whether the viewer may record for this initiative (its members, its programme's
    managers); only decides what the page offers - the facade decides what is done."""
    return initiative.id in who.member_of or initiative.programme_id in who.managed_programmes


def scorecard_figures(who: Viewer, slug: str):
    """The initiative's scorecard, each indicator with its current measurements (None
    where its sharing hides them from this viewer)."""
    facade = observatory()
    scorecard = facade.scorecard(who, slug)
    figures = {}
    for indicator in scorecard_indicators(scorecard):
        try:
            figures[indicator.id] = facade.measurements(who, indicator.id)
        except Refused:
            figures[indicator.id] = None
    return scorecard_view(scorecard, figures)


def _programme_slug(who: Viewer, initiative: Initiative) -> str | None:
    return next((p.slug for p in observatory().programmes(who) if p.id == initiative.programme_id), None)


def _definition_choices(who: Viewer, initiative: Initiative) -> list[tuple[int, str]]:
    """The programme-wide indicators an indicator may report, as (id, name) for a select."""
    programme_slug = _programme_slug(who, initiative)
    definitions = observatory().definitions(who, programme_slug) if programme_slug else []
    return [(definition.id, definition.name) for definition in definitions]


def _indicator_of(who: Viewer, slug: str, indicator_id: int):
    for indicator in scorecard_indicators(observatory().scorecard(who, slug)):
        if indicator.id == indicator_id:
            return indicator
    raise NotFound(f"initiative '{slug}' has no indicator {indicator_id}")


# ------------------------------------------------------------------------ scorecard

def indicator_data(form) -> dict:
    """The indicator form as the facade's data (numbers and dates parsed, naming the field)."""
    data: dict = {name: text(form, name) for name in INDICATOR_TEXTS}
    data["baseline_value"] = optional_number(form, "baseline_value")
    data["baseline_date"] = optional_date(form, "baseline_date")
    data["target_value"] = optional_number(form, "target_value")
    data["target_date"] = optional_date(form, "target_date")
    data["definition_id"] = optional_id(form, "definition_id")
    return {key: value for key, value in data.items() if value not in ("", None)}


def _typed(form) -> dict:
    return {name: text(form, name) for name in INDICATOR_FIELDS}


def scorecard(slug: str, values: dict | None = None, error: dict | None = None, status: int = 200):
    """The scorecard editor: the templates to start from, the indicators, the add form."""
    who = viewer()
    facade = observatory()
    initiative = facade.initiative(who, slug)
    view = scorecard_figures(who, slug)
    data = {"initiative": initiative, "scorecard": plain_rows(view),
            "templates": [{"id": t.id, "title": t.title, "source": t.source, "note": t.note}
                          for t in facade.templates()]}
    return respond("observatory/scorecard.html", data, status, view=view, definitions=_definition_choices(who, initiative),
                   values=values or {"direction": "higher", "defined_by": who.user or ""}, error=error,
                   may_record=may_record(who, initiative))


@require("reader")
def add_indicator(slug: str):
    """Add an indicator to a factor (at most three per factor)."""
    try:
        observatory().add_indicator(viewer(), slug, indicator_data(request.form))
    except InvalidInput as error:
        return scorecard(slug, _typed(request.form), error_of(error), 422)
    return redirect(urls.scorecard(slug, done="indicator-added"))


@require("reader")
def start_template(slug: str):
    """Copy a template's perspectives, factors and indicators into an empty scorecard."""
    try:
        observatory().start_from_template(viewer(), slug, text(request.form, "template_id"),
                                          text(request.form, "defined_by") or viewer().user or "")
    except InvalidInput as error:
        return scorecard(slug, None, error_of(error), 422)
    return redirect(urls.scorecard(slug, done="template-started"))


def indicator(slug: str, indicator_id: int, values: dict | None = None, error: dict | None = None,
              status: int = 200):
    """One indicator: chart and table, every measurement with its corrections, the edit form."""
    who = viewer()
    facade = observatory()
    initiative = facade.initiative(who, slug)
    item = _indicator_of(who, slug, indicator_id)
    try:
        history = facade.measurements(who, indicator_id, history=True)
    except Refused:
        history = None
    row = indicator_row(item, history)
    data = {"initiative": initiative, "indicator": item, "history": history or [],
            "figures_shared": history is not None, "latest_value": row["latest_value"], "progress": row["progress"]}
    shown = values or {name: ("" if getattr(item, name) is None else str(getattr(item, name)))
                       for name in INDICATOR_FIELDS}
    return respond("observatory/indicator.html", data, status, row=row, chart=indicator_chart(row),
                   values=shown, error=error, definitions=_definition_choices(who, initiative),
                   may_record=may_record(who, initiative))


@require("reader")
def save_indicator(slug: str, indicator_id: int):
    """Save an indicator's definition."""
    _indicator_of(viewer(), slug, indicator_id)
    try:
        observatory().update_indicator(viewer(), indicator_id, indicator_data(request.form))
    except InvalidInput as error:
        return indicator(slug, indicator_id, _typed(request.form), error_of(error), 422)
    return redirect(urls.indicator(slug, indicator_id, done="indicator-saved"))


@require("reader")
def remove_indicator(slug: str, indicator_id: int):
    """Remove an indicator from the scorecard."""
    _indicator_of(viewer(), slug, indicator_id)
    observatory().remove_indicator(viewer(), indicator_id)
    return redirect(urls.scorecard(slug, done="indicator-removed"))


# ------------------------------------------------------------------------ measurements

def measure(slug: str, values: dict | None = None, error: dict | None = None, status: int = 200):
    """The quick measurement form: one indicator, period, value, date, evidence."""
    who = viewer()
    facade = observatory()
    initiative = facade.initiative(who, slug)
    indicators = scorecard_indicators(facade.scorecard(who, slug))
    chosen = optional_id(request.args, "indicator") if values is None else optional_id(values, "indicator_id")
    values = values or {"indicator_id": str(chosen or ""), "measured_on": date.today().isoformat()}
    data = {"initiative": initiative, "indicators": indicators}
    return respond("observatory/measure.html", data, status, values=values, error=error,
                   may_record=may_record(who, initiative))


@require("reader")
def record_measurement(slug: str):
    """Record a value; a second value for the same period is a correction (the earlier one stays)."""
    form = request.form
    values = {name: text(form, name) for name in ("indicator_id", "period", "value", "measured_on", "evidence")}
    try:
        indicator_id = optional_id(form, "indicator_id")
        if indicator_id is None:
            raise InvalidInput("indicator_id", "choose the indicator")
        _indicator_of(viewer(), slug, indicator_id)
        if not values["period"]:
            raise InvalidInput("period", "is required, e.g. 2027, 2027-Q1 or 2027-03")
        observatory().record_measurement(viewer(), indicator_id, values["period"], required_number(form, "value"),
                                         required_date(form, "measured_on"), evidence=values["evidence"])
    except InvalidInput as error:
        return measure(slug, values, error_of(error), 422)
    return redirect(urls.measure(slug, indicator_id, done="measurement-recorded"))


def import_measurements(slug: str, values: dict | None = None, report=None, status: int = 200):
    """The CSV import form (GET), and the report of a dry run or an import."""
    who = viewer()
    initiative = observatory().initiative(who, slug)
    data = {"initiative": initiative, "report": report}
    return respond("observatory/import.html", data, status, values=values or {}, may_record=may_record(who, initiative))


@require("reader")
def run_import(slug: str):
    """Check (dry run: nothing written) or import the CSV; with any bad row nothing is written."""
    csv_text = text(request.form, "csv")
    upload = request.files.get("file")
    if upload and upload.filename:
        csv_text = upload.read(MAX_IMPORT_CHARACTERS + 1).decode("utf-8-sig", errors="replace")
    if len(csv_text) > MAX_IMPORT_CHARACTERS:
        raise InvalidInput("csv", f"the CSV is over {MAX_IMPORT_CHARACTERS // 1024} KiB; import it in parts")
    dry_run = request.form.get("mode") != "import"
    report = observatory().import_measurements(viewer(), slug, csv_text, dry_run=dry_run)
    if not dry_run and not report.problems:
        return redirect(urls.initiative(slug, "scorecard", done="imported"))
    return import_measurements(slug, {"csv": csv_text}, report, 422 if report.problems else 200)


def export_measurements(slug: str, extension: str):
    """Every measurement the viewer may see, as CSV or JSON (a download)."""
    body = observatory().export_measurements(viewer(), slug, format=extension)
    mimetype = "text/csv" if extension == "csv" else "application/json"
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{slug}-measurements.{extension}"'})


# ------------------------------------------------------------------------ evaluations

def evaluations(slug: str, values: dict | None = None, error: dict | None = None, status: int = 200):
    """The evaluations with their actions, and the form for a new one."""
    who = viewer()
    facade = observatory()
    initiative = facade.initiative(who, slug)
    try:
        shown = facade.evaluations(who, slug)
    except Refused:  # evaluations are shared like the figures
        shown = []
    data = {"initiative": initiative, "evaluations": shown}
    indicators = scorecard_indicators(facade.scorecard(who, slug))
    blank = {"held_on": date.today().isoformat(), "kind": "self-evaluation", "participants": [], "indicator_ids": [],
             "findings": "", "actions": [{"text": "", "owner": "", "due": ""}] * ACTION_ROWS}
    return respond("observatory/evaluations.html", data, status, values=values or blank, error=error,
                   indicators=indicators, kinds=EVALUATION_KINDS, participants=PARTICIPANTS,
                   action_statuses=ACTION_STATUSES, may_record=may_record(who, initiative))


def _action_rows(form) -> list[dict]:
    rows = [{"text": text(form, f"action_text_{n}"), "owner": text(form, f"action_owner_{n}"),
             "due": text(form, f"action_due_{n}")} for n in range(ACTION_ROWS)]
    return rows


@require("reader")
def record_evaluation(slug: str):
    """Record an evaluation: date, kind, who took part, indicators reviewed, findings, actions."""
    form = request.form
    rows = _action_rows(form)
    values = {"held_on": text(form, "held_on"), "kind": text(form, "kind"),
              "participants": form.getlist("participants"), "indicator_ids": form.getlist("indicator_ids"),
              "findings": text(form, "findings"), "actions": rows}
    try:
        actions = []
        for n, row in enumerate(rows):
            if row["text"]:
                actions.append({"text": row["text"], "owner": row["owner"],
                                "due": optional_date(form, f"action_due_{n}")})
            elif row["owner"] or row["due"]:
                raise InvalidInput(f"action_text_{n}", "say what is to be done, or clear the row")
        ids = [optional_id({"id": raw}, "id") for raw in values["indicator_ids"]]
        observatory().record_evaluation(viewer(), slug, {
            "held_on": required_date(form, "held_on"), "kind": values["kind"], "participants": values["participants"],
            "indicator_ids": ids, "findings": values["findings"], "actions": actions})
    except InvalidInput as error:
        return evaluations(slug, values, error_of(error), 422)
    return redirect(urls.evaluations(slug, done="evaluation-recorded"))


@require("reader")
def update_action(slug: str, action_id: int):
    """Mark a corrective action done, dropped or open again."""
    observatory().initiative(viewer(), slug)
    observatory().update_action(viewer(), action_id, text(request.form, "status"))
    if text(request.form, "back") == "evaluations":
        return redirect(urls.evaluations(slug, done="action-updated"))
    return redirect(urls.initiative(slug, "actions", done="action-updated"))


def register(bp: Blueprint) -> None:
    """Declare these routes on the observatory blueprint (webui/observatory_pages.py)."""
    base = "/initiatives/<slug>"
    routes = [
        (f"{base}/scorecard", "scorecard", scorecard, "GET"),
        (f"{base}/scorecard", "add_indicator", add_indicator, "POST"),
        (f"{base}/scorecard/template", "start_template", start_template, "POST"),
        (f"{base}/indicators/<row_id:indicator_id>", "indicator", indicator, "GET"),
        (f"{base}/indicators/<row_id:indicator_id>", "save_indicator", save_indicator, "POST"),
        (f"{base}/indicators/<row_id:indicator_id>/remove", "remove_indicator", remove_indicator, "POST"),
        (f"{base}/measure", "measure", measure, "GET"),
        (f"{base}/measure", "record_measurement", record_measurement, "POST"),
        (f"{base}/import", "import_measurements", import_measurements, "GET"),
        (f"{base}/import", "run_import", run_import, "POST"),
        (f"{base}/measurements.<any(csv, json):extension>", "export_measurements", export_measurements, "GET"),
        (f"{base}/evaluations", "evaluations", evaluations, "GET"),
        (f"{base}/evaluations", "record_evaluation", record_evaluation, "POST"),
        (f"{base}/actions/<row_id:action_id>", "update_action", update_action, "POST"),
    ]
    for rule, endpoint, view, method in routes:
        bp.add_url_rule(rule, endpoint, view, methods=[method])
