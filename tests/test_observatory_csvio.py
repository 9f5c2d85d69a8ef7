"""CSV import names every bad row by line and column; exports are real CSV and JSON and import again."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from indexer.observatory.csvio import (EXPORT_ONLY_COLUMNS, IMPORT_COLUMNS, measurements_csv, measurements_json,
                                       parse_measurements)
from tests.observatory_records import Records


def _indicators():
    make = Records()
    initiative = make.initiative("rayong-food")
    loans = make.indicator(initiative, name="Non-performing loans", unit="loans", direction="lower")
    plans = make.indicator(initiative, name="Companies with business plans", unit="companies")
    return make, [loans, plans]


def test_good_rows_by_id_and_by_name_with_quoted_commas_and_line_breaks():
    _, (loans, plans) = _indicators()
    text = ("indicator,period,value,measured_on,evidence\r\n"
            f"{loans.id},2027-01,12,2027-01-31,bank report\r\n"
            '  companies WITH business plans ,2027-Q1,3.5,2027-03-31,"minutes, signed\nby the chair"\r\n'
            "\r\n"
            f"{plans.id},2027,-2,2027-12-31,\r\n")
    rows, problems = parse_measurements(text, [loans, plans])
    assert problems == []
    assert [(r.line, r.indicator_id, r.period, r.value) for r in rows] == [
        (2, loans.id, "2027-01", 12.0), (3, plans.id, "2027-Q1", 3.5), (6, plans.id, "2027", -2.0)]
    assert rows[1].evidence == "minutes, signed\nby the chair" and rows[0].measured_on == date(2027, 1, 31)


def test_every_bad_row_is_named_by_line_and_column():
    _, (loans, plans) = _indicators()
    text = ("indicator,period,value,measured_on,evidence\n"
            f"{loans.id},2027-13,12,2027-01-31,\n"          # 2: bad month
            "Unknown KPI,2027-02,1,2027-02-28,\n"          # 3: no such indicator
            f"{loans.id},2027-03,\"1,5\",31/03/2027,\n"      # 4: decimal comma and a day-first date
            f"{loans.id},2027-04,nan,2027-04-30,\n"         # 5: not finite
            f"{plans.id},2027-05,4\n"                       # 6: too few cells
            f"{plans.id},2027-06,4,2027-06-30,\n"           # 7: good
            f"{plans.id},2027-06,5,2027-06-30,\n")          # 8: the same period again
    rows, problems = parse_measurements(text, [loans, plans])
    assert [(p.line, p.column) for p in problems] == [
        (2, "period"), (3, "indicator"), (4, "value"), (4, "measured_on"), (5, "value"), (6, ""), (8, "period")]
    assert "decimals" in problems[2].message and "line 7" in problems[-1].message
    assert str(problems[0]) == "line 2, column period: '2027-13' is not a period as YYYY, YYYY-Qn or YYYY-MM"
    assert [r.line for r in rows] == [7]


def test_header_problems_stop_before_any_row():
    _, indicators = _indicators()
    rows, problems = parse_measurements("indicator,when,value\n1,2027,3\n", indicators)
    assert rows == []
    assert {(p.line, p.column) for p in problems} == {(1, "when"), (1, "period"), (1, "measured_on")}
    assert parse_measurements("", indicators)[1][0].line == 1


def test_a_name_two_indicators_share_asks_for_the_id():
    make, (loans, _) = _indicators()
    twin = make.indicator(make.initiative("x"), name=loans.name)
    _, problems = parse_measurements(f"indicator,period,value,measured_on\n{loans.name},2027,1,2027-12-31\n",
                                     [loans, twin])
    assert problems[0].column == "indicator" and str(twin.id) in problems[0].message


def test_the_export_is_csv_that_imports_again_unchanged_and_defuses_formulas():
    make, (loans, plans) = _indicators()
    measurements = [make.measurement(loans, "2027-02", 11.0, evidence="=HYPERLINK(\"x\")"),
                    make.measurement(loans, "2027-01", 12.0, evidence='says "late", twice'),
                    make.measurement(plans, "2027-01", 0.25)]
    text = measurements_csv([loans, plans], measurements)
    table = list(csv.DictReader(io.StringIO(text)))
    assert list(table[0]) == list(IMPORT_COLUMNS + EXPORT_ONLY_COLUMNS)
    assert [(row["indicator"], row["period"]) for row in table] == [
        (str(loans.id), "2027-01"), (str(loans.id), "2027-02"), (str(plans.id), "2027-01")]
    assert table[1]["evidence"].startswith("'=")     # a spreadsheet shows it, does not run it
    rows, problems = parse_measurements(text, [loans, plans])
    assert problems == []
    assert [(r.indicator_id, r.period, r.value, r.evidence) for r in rows] == [
        (loans.id, "2027-01", 12.0, 'says "late", twice'), (loans.id, "2027-02", 11.0, '=HYPERLINK("x")'),
        (plans.id, "2027-01", 0.25, "")]


def test_the_json_export_holds_baseline_target_history_and_latest():
    make, (loans, plans) = _indicators()
    old = make.measurement(loans, "2027-01", 14.0, current=False)
    new = make.measurement(loans, "2027-01", 12.0, supersedes=old.id)
    document = json.loads(measurements_json([loans, plans], {loans.id: [old, new]}))
    first = document["indicators"][0]
    assert first["baseline_value"] == loans.baseline_value and first["target_date"] == loans.target_date.isoformat()
    assert [m["value"] for m in first["measurements"]] == [14.0, 12.0]
    assert first["latest"]["value"] == 12.0
    assert document["indicators"][1]["measurements"] == [] and document["indicators"][1]["latest"] is None


def test_semicolon_and_tab_files_from_spreadsheets_with_decimal_commas():
    _, (loans, plans) = _indicators()
    semicolon = ("\ufeffindicator;period;value;measured_on;evidence\r\n"
                 f"{loans.id};2027-01;12,5;2027-01-31;ata, assinada\r\n"
                 f"{plans.id};2027-01;3;2027-01-31;\r\n")
    rows, problems = parse_measurements(semicolon, [loans, plans])
    assert problems == []
    assert [(r.value, r.evidence) for r in rows] == [(12.5, "ata, assinada"), (3.0, "")]
    tabbed = f"indicator\tperiod\tvalue\tmeasured_on\n{loans.id}\t2027-02\t0,25\t2027-02-28\n"
    assert [r.value for r in parse_measurements(tabbed, [loans])[0]] == [0.25]


def test_only_plain_numbers_are_values():
    _, (loans, _) = _indicators()
    text = "indicator,period,value,measured_on\n" + "".join(
        f"{loans.id},2027-{month:02d},{value},2027-{month:02d}-28\n"
        for month, value in enumerate(["1_000", "0x10", "1e400", " 7 ", "-3.5e2"], start=1))
    rows, problems = parse_measurements(text, [loans])
    assert [(p.line, p.column) for p in problems] == [(2, "value"), (3, "value"), (4, "value")]
    assert [r.value for r in rows] == [7.0, -350.0]
