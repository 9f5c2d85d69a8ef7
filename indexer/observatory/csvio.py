"""Measurements in and out as CSV and JSON.

Import is checked whole before anything is written: `parse_measurements` returns the
rows it understood and a problem for every bad cell, named by line and column, and
the facade writes only when there are no problems (a dry run never writes). The
export carries the import's columns first, so an exported file imports again
unchanged; text cells that a spreadsheet would run as a formula are prefixed with an
apostrophe, which the import takes off again.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from datetime import date
from typing import Iterable, Mapping

from pydantic import BaseModel, ConfigDict

from .dashboard import in_order, period_end
from .models import Indicator, Measurement

IMPORT_COLUMNS = ("indicator", "period", "value", "measured_on", "evidence")
REQUIRED_COLUMNS = ("indicator", "period", "value", "measured_on")
# Columns the export adds for readers; the import accepts and ignores them.
EXPORT_ONLY_COLUMNS = ("indicator_name", "perspective", "factor", "unit", "direction", "recorded_by",
                       "recorded_at", "current", "supersedes", "measurement_id")
MAX_ROWS = 10_000
MAX_EVIDENCE_CHARS = 2_000
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
DELIMITERS = (",", ";", "\t")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


class _Row(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RowProblem(_Row):
    """A cell (or a whole row when `column` is empty) the import cannot use."""

    line: int                          # 1-based line of the file where the row starts
    column: str = ""
    message: str

    def __str__(self) -> str:
        return f"line {self.line}" + (f", column {self.column}" if self.column else "") + f": {self.message}"


class MeasurementRow(_Row):
    """One understood row of an import."""

    line: int
    indicator_id: int
    period: str
    value: float
    measured_on: date
    evidence: str = ""


class ImportReport(_Row):
    """What an import found and did: nothing is written when `problems` is not empty."""

    dry_run: bool
    rows: list[MeasurementRow] = []
    problems: list[RowProblem] = []
    written: int = 0


def defuse(text: str) -> str:
    """A text cell safe to open in a spreadsheet (no formula runs).

    >>> defuse("=HYPERLINK(1)"), defuse("ok"), undefuse(defuse("-3 firms"))
    ("'=HYPERLINK(1)", 'ok', '-3 firms')
    """
    return "'" + text if text.startswith(_FORMULA_START) else text


def undefuse(text: str) -> str:
    """The text `defuse` protected, as it was."""
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_START) else text


def _lookup(indicators: Iterable[Indicator]) -> tuple[dict[str, Indicator], dict[str, list[Indicator]]]:
    by_id = {str(indicator.id): indicator for indicator in indicators}
    by_name: dict[str, list[Indicator]] = {}
    for indicator in by_id.values():
        by_name.setdefault(" ".join(indicator.name.split()).casefold(), []).append(indicator)
    return by_id, by_name


def _indicator(cell: str, by_id: dict, by_name: dict) -> tuple[Indicator | None, str]:
    if cell in by_id:
        return by_id[cell], ""
    named = by_name.get(" ".join(cell.split()).casefold(), [])
    if len(named) == 1:
        return named[0], ""
    if named:
        ids = ", ".join(str(indicator.id) for indicator in named)
        return None, f"'{cell}' names {len(named)} indicators; give the id instead ({ids})"
    if not cell:
        return None, "is empty; give the indicator's id or name"
    return None, f"no indicator of this initiative has the id or name '{cell}'"


def delimiter_of(text: str) -> str:
    """The delimiter of a CSV file, judged by its header line: a comma, or the semicolon
    or tab that spreadsheets in many languages write.

    >>> delimiter_of("indicator;period;value\\n"), delimiter_of("indicator,period\\n"), delimiter_of("")
    (';', ',', ',')
    """
    header = text.split("\n", 1)[0]
    counts = {delimiter: header.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _number(cell: str, decimal_comma: bool = False) -> tuple[float | None, str]:
    """A plain decimal number (a decimal comma too where the comma is not the delimiter).

    >>> _number("12.5"), _number("1,5", decimal_comma=True), _number("1,5")[1]
    ((12.5, ''), (1.5, ''), "'1,5' is not a number (use a point for decimals, no thousands separators)")
    """
    text = cell.replace(",", ".", 1) if decimal_comma and cell.count(",") == 1 and "." not in cell else cell
    if not _NUMBER.match(text):
        hint = " (use a point for decimals, no thousands separators)" if "," in cell else ""
        return None, f"'{cell}' is not a number{hint}"
    value = float(text)
    if not math.isfinite(value):
        return None, f"'{cell}' is too large a number"
    return value, ""


def _date(cell: str) -> tuple[date | None, str]:
    try:
        return date.fromisoformat(cell), ""
    except ValueError:
        return None, f"'{cell}' is not a date as YYYY-MM-DD"


def parse_measurements(text: str, indicators: Iterable[Indicator]) -> tuple[list[MeasurementRow], list[RowProblem]]:
    """The rows of a measurements CSV (header: indicator, period, value, measured_on,
    evidence; indicator by id or name; comma-, semicolon- or tab-separated) and a
    problem for each bad row and cell."""
    by_id, by_name = _lookup(indicators)
    text = text.removeprefix("\ufeff")
    delimiter = delimiter_of(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    problems: list[RowProblem] = []
    try:
        header = [cell.strip().casefold() for cell in next(reader)]
    except StopIteration:
        return [], [RowProblem(line=1, message="the file is empty; the first line names the columns "
                                               + ", ".join(IMPORT_COLUMNS))]
    except csv.Error as error:
        return [], [RowProblem(line=1, message=f"the header cannot be read as CSV ({error})")]
    known = set(IMPORT_COLUMNS) | set(EXPORT_ONLY_COLUMNS)
    for name in header:
        if name not in known:
            problems.append(RowProblem(line=1, column=name or "(empty)", message="unknown column; the columns are "
                                       + ", ".join(IMPORT_COLUMNS)))
    for name in REQUIRED_COLUMNS:
        if name not in header:
            problems.append(RowProblem(line=1, column=name, message="this column is missing"))
    for name in set(header):
        if header.count(name) > 1:
            problems.append(RowProblem(line=1, column=name, message="this column appears twice"))
    if problems:
        return [], problems
    rows: list[MeasurementRow] = []
    seen: dict[tuple[int, str], int] = {}
    line = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(RowProblem(line=line, message=f"this row cannot be read as CSV ({error})"))
            break
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in record):
            continue
        if len(rows) + len(problems) >= MAX_ROWS:
            problems.append(RowProblem(line=start, message=f"an import holds at most {MAX_ROWS:,} rows"))
            break
        row = _row(start, header, record, by_id, by_name, problems, decimal_comma=delimiter != ",")
        if row is None:
            continue
        key = (row.indicator_id, row.period)
        if key in seen:
            problems.append(RowProblem(line=start, column="period", message=(
                f"period {row.period} of this indicator is also on line {seen[key]}; "
                "a file gives one value per indicator and period (a later import corrects it)")))
            continue
        seen[key] = start
        rows.append(row)
    return rows, problems


def _row(line: int, header: list[str], record: list[str], by_id: dict, by_name: dict,
         problems: list[RowProblem], decimal_comma: bool) -> MeasurementRow | None:
    if len(record) != len(header):
        problems.append(RowProblem(line=line, message=f"has {len(record)} cells; the header has {len(header)}"))
        return None
    cells = {name: cell.strip() for name, cell in zip(header, record)}
    found: list[RowProblem] = []
    indicator, message = _indicator(undefuse(cells["indicator"]), by_id, by_name)
    if message:
        found.append(RowProblem(line=line, column="indicator", message=message))
    period = cells["period"]
    try:
        period_end(period)
    except ValueError:
        found.append(RowProblem(line=line, column="period",
                                message=f"'{period}' is not a period as YYYY, YYYY-Qn or YYYY-MM"))
    value, message = _number(cells["value"], decimal_comma)
    if message:
        found.append(RowProblem(line=line, column="value", message=message))
    measured_on, message = _date(cells["measured_on"])
    if message:
        found.append(RowProblem(line=line, column="measured_on", message=message))
    evidence = undefuse(cells.get("evidence", ""))
    if len(evidence) > MAX_EVIDENCE_CHARS:
        found.append(RowProblem(line=line, column="evidence",
                                message=f"is {len(evidence):,} characters; at most {MAX_EVIDENCE_CHARS:,}"))
    problems.extend(found)
    if found:
        return None
    return MeasurementRow(line=line, indicator_id=indicator.id, period=period, value=value,
                          measured_on=measured_on, evidence=evidence)


def _grouped(measurements: Iterable[Measurement] | Mapping[int, list[Measurement]]) -> dict[int, list[Measurement]]:
    flat = [m for ms in measurements.values() for m in ms] if isinstance(measurements, Mapping) else list(measurements)
    grouped: dict[int, list[Measurement]] = {}
    for measurement in flat:
        grouped.setdefault(measurement.indicator_id, []).append(measurement)
    return grouped


def _history_order(measurements: list[Measurement]) -> list[Measurement]:
    return sorted(measurements, key=lambda m: (period_end(m.period), m.period, m.recorded_at, m.id))


def number_text(value: float) -> str:
    """A value as written to CSV: whole numbers without '.0'.

    >>> number_text(12.0), number_text(0.25)
    ('12', '0.25')
    """
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def measurements_csv(indicators: Iterable[Indicator],
                     measurements: Iterable[Measurement] | Mapping[int, list[Measurement]]) -> str:
    """The measurements of `indicators` as CSV, indicator by indicator in scorecard
    order and period by period; the import's columns first (indicator = its id)."""
    grouped = _grouped(measurements)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(IMPORT_COLUMNS + EXPORT_ONLY_COLUMNS)
    for indicator in indicators:
        for m in _history_order(grouped.get(indicator.id, [])):
            writer.writerow([
                indicator.id, m.period, number_text(m.value), m.measured_on.isoformat(), defuse(m.evidence),
                defuse(indicator.name), defuse(indicator.perspective), defuse(indicator.factor),
                defuse(indicator.unit), indicator.direction, defuse(m.recorded_by), m.recorded_at,
                "true" if m.current else "false", "" if m.supersedes is None else m.supersedes, m.id])
    return out.getvalue()


def measurements_json(indicators: Iterable[Indicator],
                      measurements: Iterable[Measurement] | Mapping[int, list[Measurement]]) -> str:
    """The indicators with their baselines, targets and measurements as JSON."""
    grouped = _grouped(measurements)
    document = {"indicators": [
        {**indicator.model_dump(mode="json"),
         "measurements": [m.model_dump(mode="json") for m in _history_order(grouped.get(indicator.id, []))],
         "latest": next((m.model_dump(mode="json") for m in reversed(in_order(grouped.get(indicator.id, [])))),
                        None)}
        for indicator in indicators]}
    return json.dumps(document, ensure_ascii=False, indent=2)
