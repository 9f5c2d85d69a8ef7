"""The observatory's pages: programmes and their dashboard, benchmarks, initiatives
(profile, advice, members, sharing, closing). Each page also answers JSON with
?format=json or Accept: application/json; the scorecard, measurement and evaluation
pages are in webui/observatory_records.py, on the same blueprint.

Forms post with the session's csrf_token (`auth.require`); when the engine refuses an
input (InvalidInput) the form is shown again with the user's values and the message
next to the field it names (422); success redirects with ?done=KEY, a fixed message.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, redirect, request

from indexer.errors import InvalidInput, NotFound, Refused
from indexer.observatory.models import MEMBER_ROLES, SHARING, STATUSES

from . import charts, documents_pages, documents_web, observatory_records, presenters, urls
from .auth import require
from .editor_web import announce_draft
from .observatory_presenters import (chosen_filters, filter_chips, filter_options, indicator_chart,
                                     last_self_evaluation, open_actions, plain_rows, profile_facts)
from .observatory_web import error_of, listed, observatory, optional_date, respond, text, viewer, wants_json
from .pages import profile_form
from .params import profile_data
from .services import casebase

bp = Blueprint("observatory", __name__, url_prefix="/observatory")
# The initiative fields the form edits besides the advisor profile, in the form's order.
INITIATIVE_FIELDS = ("name", "slug", "place", "status", "start_date", "facilitators", "description", "sharing")
DASHBOARD_BENCHMARKS = 3  # benchmarks drawn on the dashboard; the others are listed as links
# Fields sent even when empty, so that clearing them in the form clears them.
KEPT_WHEN_EMPTY = ("description", "place", "country", "sectors", "facilitators", "profile")


# ------------------------------------------------------------------------ programmes

@bp.get("")
def programmes():
    """Every programme the viewer may see, and the form for a new one (editors and reviewers)."""
    return _programmes_page({}, None, 200)


def _programmes_page(values: dict, error: dict | None, status: int):
    who = viewer()
    listed_programmes = observatory().programmes(who)
    data = {"programmes": [{**item.model_dump(mode="json"), "url": urls.programme(item.slug)}
                           for item in listed_programmes]}
    return respond("observatory/programmes.html", data, status, values=values, error=error,
                   may_create=who.account_role in ("editor", "reviewer"))


@bp.post("")
@require("reader")
def create_programme():
    """Create a programme; its creator becomes its manager."""
    form = request.form
    values = {name: text(form, name) for name in ("name", "slug", "agency", "description", "evaluation_interval_days")}
    try:
        days = values["evaluation_interval_days"] or "180"
        if not (days.isascii() and days.isdigit()):
            raise InvalidInput("evaluation_interval_days", "give a whole number of days, e.g. 180")
        created = observatory().create_programme(
            viewer(), values["name"], slug=values["slug"] or None, agency=values["agency"],
            description=values["description"], evaluation_interval_days=int(days))
    except InvalidInput as error:
        return _programmes_page(values, error_of(error), 422)
    return redirect(urls.programme(created.slug, done="programme-created"))


@bp.get("/<programme_slug>")
def programme(programme_slug: str):
    """The programme's dashboard (meta-monitoring) and a benchmark per programme-wide indicator."""
    return _programme_page(programme_slug, {}, None, 200)


def _programme_page(programme_slug: str, values: dict, error: dict | None, status: int):
    who = viewer()
    facade = observatory()
    item = facade.programme(who, programme_slug)
    initiatives = facade.initiatives(who, programme_slug)
    dashboard = facade.dashboard(who, programme_slug)
    definitions = facade.definitions(who, programme_slug)
    chosen = chosen_filters(request.args)
    # Each benchmark reads every initiative's figures (about 0.25 s for 200 initiatives x
    # 24 periods): the dashboard draws the first few, the others are a link away.
    drawn = definitions[:DASHBOARD_BENCHMARKS]
    benchmarks = [facade.benchmark(who, programme_slug, definition.id, **chosen) for definition in drawn]
    counts = [(row.status, row.count) for row in dashboard.pipeline]
    data = {
        "programme": item,
        "dashboard": dashboard,
        "initiatives": [{**initiative.model_dump(mode="json"), "url": urls.initiative(initiative.slug)}
                        for initiative in initiatives],
        "definitions": definitions,
        "filters": chosen,
        "benchmarks": [{"definition_id": definition.id, "url": urls.benchmark(programme_slug, definition.id, **chosen),
                        "benchmark": benchmark} for definition, benchmark in zip(drawn, benchmarks)],
        "more_benchmarks": [{"definition_id": definition.id, "name": definition.name,
                             "url": urls.benchmark(programme_slug, definition.id, **chosen)}
                            for definition in definitions[DASHBOARD_BENCHMARKS:]],
        "exports": {"iati": urls.iati_export(programme_slug)},
    }
    manages = item.id in who.managed_programmes
    names = {initiative.slug: initiative.name for initiative in initiatives}
    return respond("observatory/programme.html", data, status, values=values, error=error, manages=manages,
                   names=names,
                   pipeline=charts.pipeline_chart(counts),
                   benchmark_charts=[_benchmark_chart(definition, benchmark)
                                     for definition, benchmark in zip(drawn, benchmarks)],
                   options=filter_options(initiatives),
                   chips=filter_chips(chosen, lambda **rest: urls.programme(programme_slug, **rest)),
                   clear_url=urls.programme(programme_slug))


def _benchmark_chart(definition, benchmark):
    bars = [(peer.label, peer.value, peer.subject) for peer in benchmark.peers if peer.value is not None]
    return charts.benchmark_chart(f"{definition.name}: latest values", bars, definition.unit)


@bp.post("/<programme_slug>/managers")
@require("reader")
def add_manager(programme_slug: str):
    """Add a programme manager (managers only)."""
    user_name = text(request.form, "user_name")
    try:
        observatory().add_manager(viewer(), programme_slug, user_name)
    except InvalidInput as error:
        return _programme_page(programme_slug, {"user_name": user_name}, error_of(error), 422)
    return redirect(urls.programme(programme_slug, done="manager-added"))


@bp.post("/<programme_slug>/indicators")
@require("reader")
def define_indicator(programme_slug: str):
    """Define a programme-wide indicator that initiatives link to (managers only)."""
    values = {name: text(request.form, name) for name in ("key", "name", "unit", "direction", "description")}
    try:
        observatory().define_indicator(viewer(), programme_slug, {k: v for k, v in values.items() if v})
    except InvalidInput as error:
        return _programme_page(programme_slug, values, error_of(error), 422)
    return redirect(urls.programme(programme_slug, done="definition-added"))


@bp.get("/<programme_slug>/benchmarks/<row_id:definition_id>")
def benchmark(programme_slug: str, definition_id: int):
    """One programme-wide indicator compared across initiatives, filtered, around a subject."""
    who = viewer()
    facade = observatory()
    item = facade.programme(who, programme_slug)
    definition = next((d for d in facade.definitions(who, programme_slug) if d.id == definition_id), None)
    if definition is None:
        raise NotFound(f"programme '{programme_slug}' has no indicator definition {definition_id}")
    chosen = chosen_filters(request.args)
    subject = text(request.args, "subject") or None
    result = facade.benchmark(who, programme_slug, definition_id, subject_slug=subject, **chosen)
    initiatives = facade.initiatives(who, programme_slug)
    data = {"programme": item, "definition": definition, "filters": chosen, "subject": subject, "benchmark": result}
    # Comparing from an initiative is offered for one's own only: choosing a peer that
    # shares anonymously would tell which letter it is.
    own = [initiative for initiative in initiatives if observatory_records.may_record(who, initiative)]
    return respond("observatory/benchmark.html", data, chart=_benchmark_chart(definition, result),
                   options=filter_options(initiatives), initiatives=own,
                   chips=filter_chips(chosen, lambda **rest: urls.benchmark(programme_slug, definition_id,
                                                                            subject=subject, **rest)),
                   clear_url=urls.benchmark(programme_slug, definition_id, subject=subject))


@bp.get("/<programme_slug>/iati.xml")
def export_iati(programme_slug: str):
    """The programme's results in the IATI results shape, as far as the viewer may see them."""
    xml = observatory().export_iati(viewer(), programme_slug)
    return Response(xml, mimetype="application/xml",
                    headers={"Content-Disposition": f'attachment; filename="{programme_slug}-iati.xml"'})


# ------------------------------------------------------------------------ initiatives

def initiative_values(form) -> dict:
    """The initiative form as the facade's data: its fields and the advisor profile."""
    data = {name: text(form, name) for name in INITIATIVE_FIELDS}
    data["facilitators"] = listed(data["facilitators"])
    data["start_date"] = optional_date(form, "start_date")
    profile = profile_data(form)
    profile.pop("description", None)
    profile.pop("title", None)
    data["country"] = profile.pop("country", "")
    data["sectors"] = profile.pop("sectors", [])
    data["profile"] = profile
    return {key: value for key, value in data.items() if value not in ("", None) or key in KEPT_WHEN_EMPTY}


def _form_values(form) -> dict:
    """What the user typed, to show the form again unchanged (dates as typed too)."""
    values = {name: text(form, name) for name in INITIATIVE_FIELDS}
    values["profile"] = profile_data(form)
    return values


def _initiative_form(template: str, values: dict, error: dict | None, status: int, **context):
    vocabulary = presenters.loaded_vocabulary(casebase())
    return respond(template, {"values": values, "error": error}, status, controls=profile_form(vocabulary),
                   statuses=STATUSES, sharing_choices=SHARING, **context)


@bp.get("/<programme_slug>/new")
@require("reader")
def new_initiative(programme_slug: str):
    """The form for a new initiative (programme managers)."""
    item = observatory().programme(viewer(), programme_slug)
    if not observatory().may_manage(viewer(), programme_slug):
        raise Refused(f"only the managers of '{programme_slug}' may create its initiatives")
    return _initiative_form("observatory/initiative_form.html", {"profile": {}, "sharing": "named"}, None, 200,
                            programme=item, action=urls.new_initiative(programme_slug), is_new=True)


@bp.post("/<programme_slug>/new")
@require("reader")
def create_initiative(programme_slug: str):
    """Create an initiative of the programme; its profile is validated by the advisor's rules."""
    item = observatory().programme(viewer(), programme_slug)
    try:
        created = observatory().create_initiative(viewer(), programme_slug, initiative_values(request.form))
    except InvalidInput as error:
        return _initiative_form("observatory/initiative_form.html", _form_values(request.form), error_of(error),
                                422, programme=item, action=urls.new_initiative(programme_slug), is_new=True)
    return redirect(urls.initiative(created.slug, done="initiative-created"))


def initiative_documents(who, slug: str) -> list[dict]:
    """The initiative's uploaded documents the viewer may see (webui/documents_pages.py shows them)."""
    records = documents_web.documents().list(who, initiative=slug)
    names = documents_web.Places.load(who) if records else None
    return [documents_web.present(record, names) for record in records]


def _may_upload(who, item) -> bool:
    """Whether the page offers the upload form (the facade decides what is stored):
    the initiative's insiders, and editors and reviewers while it shares by name."""
    if observatory_records.may_record(who, item):
        return True
    return who.account_role in documents_pages.EDITOR_ROLES and item.sharing == "named"


def _programme_of(who, initiative):
    return next((p for p in observatory().programmes(who) if p.id == initiative.programme_id), None)


@bp.get("/initiatives/<slug>")
def initiative(slug: str):
    """The initiative: profile, status, members, the advisor's advice, scorecard with
    charts, the last self-evaluation and the open actions."""
    who = viewer()
    facade = observatory()
    item = facade.initiative(who, slug)
    advice = presenters.suggestion_answer(facade.advice(who, slug))
    view = observatory_records.scorecard_figures(who, slug)
    try:
        evaluations = facade.evaluations(who, slug)
    except Refused:  # shared with peers only anonymously or not at all: like its figures
        evaluations = []
    actions = open_actions(evaluations)
    last = last_self_evaluation(evaluations)
    data = {"initiative": item, "programme": _programme_of(who, item), "advice": advice,
            "scorecard": plain_rows(view), "last_self_evaluation": last,
            "open_actions": [entry["action"] for entry in actions], "evaluations": evaluations,
            "case_draft_url": urls.draft(item.case_draft_id) if item.case_draft_id else None,
            "uploaded_documents": initiative_documents(who, slug)}
    controls = profile_form(presenters.loaded_vocabulary(casebase()))
    return respond("observatory/initiative.html", data, view=view, documents=casebase().content.documents,
                   upload_choices=documents_pages.choices() if _may_upload(who, item) else None,
                   upload_limits=documents_web.limits_shown(),
                   profile=profile_facts(item.profile, controls),
                   may_record=observatory_records.may_record(who, item),
                   manages=item.programme_id in who.managed_programmes, roles=MEMBER_ROLES,
                   statuses=STATUSES, sharing_choices=SHARING, chart=indicator_chart)


@bp.get("/initiatives/<slug>/edit")
@require("reader")
def edit_initiative(slug: str):
    """The initiative's profile form (members and managers)."""
    item = observatory().initiative(viewer(), slug)
    if not observatory().may_change(viewer(), slug):
        raise Refused(f"only members of '{slug}' and its programme's managers may edit its profile")
    values = {**{name: getattr(item, name) for name in INITIATIVE_FIELDS},
              "profile": {**item.profile, "country": item.country, "sectors": list(item.sectors)}}
    values["facilitators"] = ", ".join(item.facilitators)
    values["start_date"] = item.start_date.isoformat() if item.start_date else ""
    return _initiative_form("observatory/initiative_form.html", values, None, 200, initiative=item,
                            action=urls.edit_initiative(slug), is_new=False)


@bp.post("/initiatives/<slug>/edit")
@require("reader")
def save_initiative(slug: str):
    """Save the profile; the advice on the initiative's page follows it at once."""
    item = observatory().initiative(viewer(), slug)
    try:
        data = initiative_values(request.form)
        data.pop("slug", None)  # the address stays
        data.pop("status", None)  # set by managers on the initiative's page
        observatory().update_initiative(viewer(), slug, data)
    except InvalidInput as error:
        return _initiative_form("observatory/initiative_form.html", _form_values(request.form), error_of(error),
                                422, initiative=item, action=urls.edit_initiative(slug), is_new=False)
    return redirect(urls.initiative(slug, done="initiative-saved"))


@bp.post("/initiatives/<slug>/status")
@require("reader")
def set_status(slug: str):
    """Move the initiative along the pipeline (programme managers)."""
    observatory().set_status(viewer(), slug, text(request.form, "status"))
    return redirect(urls.initiative(slug, done="status-set"))


@bp.post("/initiatives/<slug>/sharing")
@require("reader")
def set_sharing(slug: str):
    """Choose how the initiative's figures are shown to peers: named, anonymous or not at all."""
    observatory().update_initiative(viewer(), slug, {"sharing": text(request.form, "sharing")})
    return redirect(urls.initiative(slug, "sharing", done="sharing-set"))


@bp.get("/initiatives/<slug>/members")
def members(slug: str):
    """The members, as JSON; a browser is sent to the members part of the initiative's page."""
    item = observatory().initiative(viewer(), slug)
    if wants_json():
        return respond("observatory/initiative.html", {"members": item.members})
    return redirect(urls.initiative(slug, "members"))


@bp.post("/initiatives/<slug>/members")
@require("reader")
def add_member(slug: str):
    """Add an account as facilitator or local actor (programme managers)."""
    observatory().add_member(viewer(), slug, text(request.form, "user_name"), text(request.form, "role"))
    return redirect(urls.initiative(slug, "members", done="member-added"))


@bp.post("/initiatives/<slug>/members/<user_name>/remove")
@require("reader")
def remove_member(slug: str, user_name: str):
    """Remove a member (programme managers)."""
    observatory().remove_member(viewer(), slug, user_name)
    return redirect(urls.initiative(slug, "members", done="member-removed"))


@bp.post("/initiatives/<slug>/close")
@require("reader")
def close(slug: str):
    """Close the initiative: status closed and a draft case, pre-filled, for an editor."""
    _, draft = observatory().close(viewer(), slug, g.user.name, record_url=urls.initiative_record(slug))
    announce_draft(draft)
    return redirect(urls.initiative(slug, done="closed"))


observatory_records.register(bp)
