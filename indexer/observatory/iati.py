"""Results in the IATI shape (IATI Activity Standard 2.03), the standard development
agencies already publish in: one iati-activity per initiative, one result per
critical success factor, its indicators with baseline, and per period the target and
the actual value.

Built with xml.etree, so every text and attribute is escaped. The facade passes only
what the viewer may see: hidden initiatives never arrive here, anonymous ones are
written as "Initiative A", ... with no name, place, description or members.
"""

from __future__ import annotations

import hashlib
import re
import xml.etree.ElementTree as ET
from calendar import monthrange
from datetime import date, datetime, timezone
from typing import Callable, Mapping

from .benchmarking import anonymous_label
from .csvio import number_text
from .dashboard import in_order, period_end
from .models import Indicator, Initiative, Measurement, Programme, Scorecard

IATI_VERSION = "2.03"
# IATI ActivityStatus codes: 1 pipeline/identification, 2 implementation, 4 closed.
ACTIVITY_STATUS = {"proposal": "1", "fact-finding": "1", "launched": "2", "running": "2", "closed": "4"}
RESULT_OUTCOME = "2"                    # IATI ResultType: the factors are outcomes of the initiative
MEASURE_UNIT, MEASURE_PERCENTAGE = "1", "2"
# The agency's own organisation identifier belongs here; this placeholder says so.
DEFAULT_ORG_REF = "XX-CASEBASE"

Entry = tuple[Initiative, Scorecard, Mapping[int, list[Measurement]]]
# Characters XML 1.0 cannot carry at all, not even escaped (control characters, lone
# surrogates, U+FFFE/U+FFFF): a document holding one would not parse.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` with the characters XML cannot hold replaced by U+FFFD.

    >>> xml_text("a\x01b\ufffe"), xml_text("fine & <ok>")
    ('a\ufffdb\ufffd', 'fine & <ok>')
    """
    return _NOT_XML.sub("\ufffd", text)


def period_dates(period: str) -> tuple[date, date]:
    """First and last day of a period "YYYY", "YYYY-Qn" or "YYYY-MM".

    >>> period_dates("2027-Q2"), period_dates("2028-02")[1], period_dates("2027")[0]
    ((datetime.date(2027, 4, 1), datetime.date(2027, 6, 30)), datetime.date(2028, 2, 29), datetime.date(2027, 1, 1))
    """
    year, last_month = period_end(period)
    if len(period) == 4:
        first_month = 1
    elif "-Q" in period:
        first_month = last_month - 2
    else:
        first_month = last_month
    return date(year, first_month, 1), date(year, last_month, monthrange(year, last_month)[1])


def _narrative(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    ET.SubElement(element, "narrative").text = xml_text(text)
    return element


def _indicator(result: ET.Element, indicator: Indicator, measurements: list[Measurement]) -> None:
    measure = MEASURE_PERCENTAGE if indicator.unit.strip() == "%" else MEASURE_UNIT
    element = ET.SubElement(result, "indicator", measure=measure,
                            ascending="1" if indicator.direction == "higher" else "0")
    _narrative(element, "title", indicator.name)
    if indicator.unit:
        who = indicator.defined_by or "not stated"
        _narrative(element, "description", f"Unit: {indicator.unit}. Defined by: {who}.")
    if indicator.baseline_value is not None:
        when = indicator.baseline_date
        attributes = {"year": str(when.year if when else (measurements[0].measured_on.year if measurements
                                                          else date.today().year))}
        if when:
            attributes["iso-date"] = when.isoformat()
        attributes["value"] = number_text(indicator.baseline_value)
        ET.SubElement(element, "baseline", attributes)
    for measurement in measurements:
        start, end = period_dates(measurement.period)
        period = ET.SubElement(element, "period")
        ET.SubElement(period, "period-start", {"iso-date": start.isoformat()})
        ET.SubElement(period, "period-end", {"iso-date": end.isoformat()})
        if indicator.target_value is not None:
            target = ET.SubElement(period, "target", value=number_text(indicator.target_value))
            by = f" for {indicator.target_date.isoformat()}" if indicator.target_date else ""
            _narrative(target, "comment", f"The initiative's target{by}, repeated in each period.")
        actual = ET.SubElement(period, "actual", value=number_text(measurement.value))
        if measurement.evidence:
            _narrative(actual, "comment", measurement.evidence)


def _activity(root: ET.Element, programme: Programme, initiative: Initiative, scorecard: Scorecard,
              current: Mapping[int, list[Measurement]], label: str | None, org_ref: str,
              updated: str) -> None:
    named = label is None
    identifier = f"{org_ref}-{programme.slug}-" + (initiative.slug if named else label.split()[-1])
    activity = ET.SubElement(root, "iati-activity", {"last-updated-datetime": updated,
                                                     "{http://www.w3.org/XML/1998/namespace}lang": "en"})
    ET.SubElement(activity, "iati-identifier").text = xml_text(identifier)
    reporting = ET.SubElement(activity, "reporting-org", ref=xml_text(org_ref), type="10")   # 10: government
    ET.SubElement(reporting, "narrative").text = xml_text(programme.agency or programme.name)
    _narrative(activity, "title", initiative.name if named else label)
    if named and initiative.description:
        _narrative(activity, "description", initiative.description)
    ET.SubElement(activity, "activity-status", code=ACTIVITY_STATUS[initiative.status])
    for perspective in scorecard.perspectives:
        for factor in perspective.factors:
            if not factor.indicators:
                continue
            result = ET.SubElement(activity, "result", type=RESULT_OUTCOME, **{"aggregation-status": "0"})
            _narrative(result, "title", f"{perspective.name}: {factor.name}")
            for indicator in factor.indicators:
                _indicator(result, indicator, in_order(current.get(indicator.id, [])))


def iati_results_xml(programme: Programme, entries: list[Entry], visibility: Callable[[Initiative], str],
                     org_ref: str = DEFAULT_ORG_REF, generated: datetime | None = None, salt: str = "") -> str:
    """The IATI activities document of `entries` (initiative, scorecard, measurements
    by indicator id), each shown as `visibility(initiative)` allows this viewer."""
    generated = generated or datetime.now(timezone.utc)
    stamp = generated.replace(microsecond=0).isoformat()
    root = ET.Element("iati-activities", version=IATI_VERSION, **{"generated-datetime": stamp})
    shown = [(entry, visibility(entry[0])) for entry in entries]
    shown = [(entry, how) for entry, how in shown if how != "hidden"]
    # Anonymous activities are numbered in an order no one can recompute (salted hash),
    # not by creation or name.
    anonymous = sorted((entry[0].id for entry, how in shown if how == "anonymous"),
                       key=lambda i: hashlib.sha256(f"{salt}:{programme.id}:{i}".encode()).hexdigest())
    labels = {initiative_id: anonymous_label(n) for n, initiative_id in enumerate(anonymous)}
    # Named activities in the order given, then anonymous ones by label: their place in
    # the document must not tell either.
    shown.sort(key=lambda item: (item[1] != "named", labels.get(item[0][0].id, "")))
    for (initiative, scorecard, current), how in shown:
        _activity(root, programme, initiative, scorecard, current,
                  None if how == "named" else labels[initiative.id], org_ref, stamp)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
