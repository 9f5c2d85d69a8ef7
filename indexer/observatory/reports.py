"""What the facade hands to the pure analyses (dashboard.py, benchmarking.py, iati.py):
the rows of a programme loaded in a few queries and cut to what the viewer may see.

Anonymity holds against more than the label. Initiatives' names and profiles are
public, so an "anonymous" row could be singled out by elimination or by a filter
on a public attribute (a country with one initiative). Hence, for viewers outside an
initiative: its figures appear anonymously only in whole-programme benchmarks and
exports, and only when at least MIN_ANONYMOUS initiatives appear anonymously there;
filtered benchmarks leave anonymous initiatives out; the dashboard shows figures
(indicators, progress, evaluations, actions) only of initiatives the viewer sees
named, and the others' lines carry their public record (name, status, warnings).
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Callable, Iterable

from sqlalchemy import Connection, and_, insert, select

from indexer.errors import InvalidInput, NotFound
from indexer.observatory import access, measurements, programmes, rows, scorecards
from indexer.observatory import tables as t
from indexer.observatory.models import STATUSES, Evaluation, Indicator, Initiative, Scorecard, Viewer

MIN_ANONYMOUS = 2
SALT_NAME = "anonymity_salt"
CHUNK = 500  # ids per IN list (SQLite's bound on variables)


def anonymity_salt(database) -> str:
    """The instance's secret for ordering anonymous peers, made in its own transaction on
    first use (writers are serialised, so every server gets the same one)."""
    query = select(t.observatory_settings.c.value).where(t.observatory_settings.c.name == SALT_NAME)
    with database.reading() as db:
        found = db.execute(query).scalar()
    if found is None:
        with database.transaction() as db:
            found = db.execute(query).scalar()
            if found is None:
                found = secrets.token_hex(16)
                db.execute(insert(t.observatory_settings).values(name=SALT_NAME, value=found))
    return found


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


def indicators_of(db: Connection, initiative_ids: list[int], definition_id: int | None = None) -> list[Indicator]:
    """The indicators of many initiatives (only those linked to `definition_id` when given)."""
    found: list[Indicator] = []
    for chunk in _chunks(initiative_ids):
        where = t.indicators.c.initiative_id.in_(chunk)
        if definition_id is not None:
            where = and_(where, t.indicators.c.definition_id == definition_id)
        found.extend(rows.load_indicators(db, where))
    return found


def scorecards_of(db: Connection, initiatives: list[Initiative]) -> tuple[dict[int, Scorecard], list[Indicator]]:
    """Scorecards by initiative id (with figures) and every indicator on them."""
    indicators = indicators_of(db, [initiative.id for initiative in initiatives])
    templates = dict(db.execute(select(t.initiatives.c.id, t.initiatives.c.template).where(
        t.initiatives.c.id.in_([i.id for i in initiatives]))).all()) if initiatives else {}
    by_initiative: dict[int, list[Indicator]] = {initiative.id: [] for initiative in initiatives}
    for indicator in indicators:
        by_initiative[indicator.initiative_id].append(indicator)
    return ({initiative_id: scorecards.assemble(initiative_id, found, templates.get(initiative_id))
             for initiative_id, found in by_initiative.items()}, indicators)


def evaluations_of(db: Connection, initiative_ids: list[int]) -> dict[int, list[Evaluation]]:
    """Evaluations (newest first, with actions) by initiative id."""
    found: dict[int, list[Evaluation]] = {initiative_id: [] for initiative_id in initiative_ids}
    for chunk in _chunks(initiative_ids):
        for evaluation in rows.load_evaluations(db, t.evaluations.c.initiative_id.in_(chunk)):
            found[evaluation.initiative_id].append(evaluation)
    return found


def peer_visibility(visible: access.Visibility, initiatives: list[Initiative], filtered: bool) -> Callable[[Initiative], str]:
    """The visibility a benchmark or export applies: anonymous initiatives become hidden
    when the view is filtered or fewer than MIN_ANONYMOUS of them would appear."""
    anonymous = [initiative for initiative in initiatives if visible(initiative) == access.ANONYMOUS]
    allow_anonymous = not filtered and len(anonymous) >= MIN_ANONYMOUS

    def decide(initiative: Initiative) -> str:
        shown = visible(initiative)
        if shown == access.ANONYMOUS and not allow_anonymous:
            return access.HIDDEN
        return shown

    return decide


def dashboard(db: Connection, viewer: Viewer, programme_slug: str, warnings_of: Callable[[Initiative], list[dict]],
              today: date | None):
    """The programme dashboard as the viewer may see it."""
    from indexer.observatory.dashboard import summarise

    programme = rows.programme_by_slug(db, programme_slug)
    everyone = rows.load_initiatives(db, t.initiatives.c.programme_id == programme.id)
    visible = access.Visibility(db, viewer)
    open_to_viewer = [initiative for initiative in everyone if visible.figures_on_its_page(initiative)]
    cards, indicators = scorecards_of(db, open_to_viewer)
    current = measurements.latest_by_indicator(db, [indicator.id for indicator in indicators])
    held = evaluations_of(db, [initiative.id for initiative in open_to_viewer])
    warnings = {initiative.id: warnings_of(initiative) for initiative in everyone}
    result = summarise(programme, [access.public_view(i, visible) for i in everyone], cards, current, held,
                       warnings, today)
    withheld = {initiative.id for initiative in everyone} - {initiative.id for initiative in open_to_viewer}
    if not withheld:
        return result
    # Lines of initiatives whose figures this viewer may not see claim nothing about
    # their evaluations (the dashboard saw none of them).
    summaries = [summary.model_copy(update={"evaluation_overdue": False}) if summary.id in withheld else summary
                 for summary in result.summaries]
    return result.model_copy(update={
        "summaries": summaries, "overdue_evaluations": [s.slug for s in summaries if s.evaluation_overdue]})


def _matches(initiative: Initiative, sector: str | None, country: str | None, status: str | None,
             stage: str | None) -> bool:
    sectors = set(initiative.sectors) | set(initiative.profile.get("sectors") or [])
    countries = {value.casefold() for value in (initiative.country, initiative.profile.get("country")) if value}
    return ((sector is None or sector in sectors) and (country is None or country.casefold() in countries)
            and (status is None or initiative.status == status)
            and (stage is None or initiative.profile.get("stage") == stage))


def benchmark(db: Connection, viewer: Viewer, programme_slug: str, definition_id: int, sector: str | None,
              country: str | None, status: str | None, stage: str | None, subject_slug: str | None, salt: str):
    """Peers of the programme on one programme-wide indicator, filtered by sector,
    country, status or stage (empty filters count as none)."""
    from indexer.observatory.benchmarking import benchmark as compare

    programme = rows.programme_by_slug(db, programme_slug)
    definition = programmes.definition(db, definition_id)
    if definition.programme_id != programme.id:
        raise NotFound(f"the programme '{programme.slug}' has no indicator definition {definition_id}")
    sector, country, status, stage = (value or None for value in (sector, country, status, stage))
    if status is not None and status not in STATUSES:
        raise InvalidInput("status", f"'{status}' is not one of {', '.join(STATUSES)}")
    everyone = rows.load_initiatives(db, t.initiatives.c.programme_id == programme.id)
    subject_id = None
    if subject_slug:
        subject = next((initiative for initiative in everyone if initiative.slug == subject_slug), None)
        if subject is None:
            raise NotFound(f"the programme '{programme.slug}' has no initiative '{subject_slug}'")
        subject_id = subject.id
    chosen = [initiative for initiative in everyone if _matches(initiative, sector, country, status, stage)]
    by_id = {initiative.id: initiative for initiative in chosen}
    linked: dict[int, Indicator] = {}
    for indicator in indicators_of(db, list(by_id), definition.id):
        linked.setdefault(indicator.initiative_id, indicator)  # an initiative's first linked indicator
    current = measurements.current_by_indicator(db, [indicator.id for indicator in linked.values()])
    entries = [(by_id[initiative_id], indicator, current[indicator.id]) for initiative_id, indicator in linked.items()]
    filtered = any(value is not None for value in (sector, country, status, stage))
    decide = peer_visibility(access.Visibility(db, viewer), [entry[0] for entry in entries], filtered)
    return compare(definition, entries, decide, subject_id, salt=salt)


def iati(db: Connection, viewer: Viewer, programme_slug: str, salt: str) -> str:
    """The programme's results in the IATI shape, as the viewer may see them."""
    from indexer.observatory.iati import iati_results_xml

    programme = rows.programme_by_slug(db, programme_slug)
    everyone = rows.load_initiatives(db, t.initiatives.c.programme_id == programme.id)
    decide = peer_visibility(access.Visibility(db, viewer), everyone, filtered=False)
    shown = [initiative for initiative in everyone if decide(initiative) != access.HIDDEN]
    cards, indicators = scorecards_of(db, shown)
    current = measurements.current_by_indicator(db, [indicator.id for indicator in indicators])
    entries = [(initiative, cards[initiative.id],
                {indicator.id: current[indicator.id] for indicator in scorecards_indicators(cards[initiative.id])})
               for initiative in shown]
    return iati_results_xml(programme, entries, decide, salt=salt)


def scorecards_indicators(card: Scorecard) -> list[Indicator]:
    """Every indicator of a scorecard, in order."""
    return [indicator for perspective in card.perspectives for factor in perspective.factors
            for indicator in factor.indicators]
