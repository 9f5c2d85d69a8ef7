"""Measurements in and out (csvio.py's CSV and JSON), and closing an initiative into a
draft case (retain.py's text, the library's review flow)."""

from __future__ import annotations

from datetime import date

import time

from sqlalchemy import Connection, update

from indexer.errors import InvalidInput, StateConflict
from indexer.observatory import access, measurements, rows, scorecards
from indexer.observatory import tables as t
from indexer.observatory.models import Viewer

EXPORT_FORMATS = ("csv", "json")
MAX_IMPORT_CHARS = 5_000_000
CASE_KINDS = ("case", "note")  # a new case's id must be free among both (the library's rule)


def import_measurements(db: Connection, viewer: Viewer, slug: str, csv_text: str, dry_run: bool):
    """Check a measurements CSV whole; write its rows only when it has no problem and
    this is not a dry run (one transaction: all rows or none)."""
    from indexer.observatory.csvio import ImportReport, parse_measurements

    initiative = rows.initiative_by_slug(db, slug)
    access.require_insider(db, viewer, initiative, "import its measurements")
    if not isinstance(csv_text, str):
        raise InvalidInput("csv_text", "must be the text of a CSV file")
    if len(csv_text) > MAX_IMPORT_CHARS:
        raise InvalidInput("csv_text", f"is longer than {MAX_IMPORT_CHARS} characters; split the file")
    indicators = rows.load_indicators(db, t.indicators.c.initiative_id == initiative.id)
    parsed, problems = parse_measurements(csv_text, indicators)
    if problems or dry_run:
        return ImportReport(dry_run=dry_run, rows=parsed, problems=problems, written=0)
    written = 0
    for row in parsed:
        try:
            _, created = measurements.write(db, viewer, row.indicator_id, slug, row.period, row.value,
                                            row.measured_on, row.evidence)
        except InvalidInput as exc:  # the transaction rolls back: nothing of the file is written
            raise InvalidInput(f"line {row.line}: {exc.field}", exc.message) from None
        written += created
    return ImportReport(dry_run=False, rows=parsed, problems=[], written=written)


def export_measurements(db: Connection, viewer: Viewer, slug: str, format: str) -> str:
    """The initiative's indicators and every measurement (corrections included) as CSV or
    JSON, for those who may see its figures next to its name."""
    from indexer.observatory.csvio import measurements_csv, measurements_json

    if format not in EXPORT_FORMATS:
        raise InvalidInput("format", f"'{format}' is not one of {', '.join(EXPORT_FORMATS)}")
    initiative = rows.initiative_by_slug(db, slug)
    access.require_figures(db, viewer, initiative)
    card = scorecards.load(db, initiative, figures=True)
    indicators = [indicator for perspective in card.perspectives for factor in perspective.factors
                  for indicator in factor.indicators]
    everything = {indicator.id: measurements.of_indicator(db, indicator.id, history=True) for indicator in indicators}
    return (measurements_csv if format == "csv" else measurements_json)(indicators, everything)


def free_case_id(library, slug: str) -> str:
    """The initiative's slug as a case id, or slug-2, slug-3, ... when a case, note or
    open draft already has it."""
    candidate, number = slug, 1
    while any(library.published(kind, candidate)[1] is not None or library.open_draft(kind, candidate) is not None
              for kind in CASE_KINDS):
        number += 1
        candidate = f"{slug}-{number}"
    return candidate


def close(db: Connection, viewer: Viewer, slug: str, author: str, library, record_url: str | None,
          today: date | None = None):
    """Close the initiative (its programme's managers may) and leave a draft case of it,
    pre-filled from profile, indicators and evaluation findings, for the review flow."""
    from indexer.observatory.retain import case_text
    from indexer.observatory.validation import check_text

    initiative = rows.initiative_by_slug(db, slug)
    access.require_manager(db, viewer, initiative.programme_id, "close an initiative")
    author = check_text("author", author, required=True)
    if initiative.case_draft_id is not None:
        raise StateConflict(f"'{slug}' is closed already; its draft case is draft {initiative.case_draft_id}")
    programme = rows.programme_by_id(db, initiative.programme_id)
    card = scorecards.load(db, initiative, figures=True)
    indicator_ids = [indicator.id for perspective in card.perspectives for factor in perspective.factors
                     for indicator in factor.indicators]
    current = measurements.current_by_indicator(db, indicator_ids)
    held = rows.load_evaluations(db, t.evaluations.c.initiative_id == initiative.id)
    doc_id = free_case_id(library, slug)
    text = case_text(initiative, card, current, held, author, (today or date.today()).year, doc_id=doc_id,
                     programme_name=programme.name, record_url=record_url)
    draft = library.create_draft("case", doc_id, text, author=viewer.user,
                                 message=f"Draft case from the observatory's record of '{initiative.name}'")
    db.execute(update(t.initiatives).where(t.initiatives.c.id == initiative.id)
               .values(status="closed", case_draft_id=draft.id, updated=time.time()))
    rows.record_audit(db, viewer.user, "observatory.initiative.close", slug, {"draft": draft.id, "case": doc_id})
    return rows.initiative_by_id(db, initiative.id), draft
