"""The IATI results export parses back with the 2.03 element names, escapes text, and
shows initiatives only as their sharing allows."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date, datetime, timezone

from indexer.observatory.iati import iati_results_xml
from tests.observatory_records import Records, scorecard

WHEN = datetime(2028, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def _programme():
    make = Records()
    programme = make.programme(agency="Ministry <of> Industry & Trade")
    food = make.initiative("rayong-food", description='Food firms & "friends"', sharing="named")
    silk = make.initiative("chiang-mai-silk", sharing="anonymous", description="secret silk plans")
    ceramics = make.initiative("korat-ceramics", sharing="hidden")
    satisfaction = make.indicator(food, name="Customer satisfaction <%>", unit="%")
    loans = make.indicator(food, perspective="Financial", factor="Loans", name="Non-performing loans",
                           unit="loans", direction="lower", baseline_value=40, target_value=20)
    woven = make.indicator(silk, name="Weavers trained", unit="people")
    kilns = make.indicator(ceramics, name="Kilns", unit="kilns")
    entries = [
        (food, scorecard(food, satisfaction, loans),
         {satisfaction.id: [make.measurement(satisfaction, "2027-Q2", 55, evidence="survey & <notes>"),
                            make.measurement(satisfaction, "2027-Q1", 52)],
          loans.id: [make.measurement(loans, "2027", 31)]}),
        (silk, scorecard(silk, woven), {woven.id: [make.measurement(woven, "2027-03", 12)]}),
        (ceramics, scorecard(ceramics, kilns), {kilns.id: [make.measurement(kilns, "2027-03", 3)]}),
    ]
    return programme, entries


def _parsed(visibility=lambda initiative: initiative.sharing):
    programme, entries = _programme()
    text = iati_results_xml(programme, entries, visibility, org_ref="XM-DAC-7", generated=WHEN)
    return text, ET.fromstring(text.encode("utf-8"))


def test_the_document_has_the_iati_results_shape():
    _, root = _parsed()
    assert root.tag == "iati-activities" and root.get("version") == "2.03"
    food = root.find("iati-activity")
    assert food.findtext("iati-identifier") == "XM-DAC-7-round-2027-rayong-food"
    assert food.find("reporting-org").get("ref") == "XM-DAC-7"
    assert food.find("activity-status").get("code") == "2"
    results = food.findall("result")
    assert [r.findtext("title/narrative") for r in results] == ["Customer: Quality", "Financial: Loans"]
    indicator = results[0].find("indicator")
    assert indicator.get("measure") == "2" and indicator.get("ascending") == "1"
    baseline = indicator.find("baseline")
    assert (baseline.get("year"), baseline.get("iso-date"), baseline.get("value")) == ("2027", "2027-01-01", "50")
    periods = indicator.findall("period")
    assert [(p.find("period-start").get("iso-date"), p.find("period-end").get("iso-date"),
             p.find("target").get("value"), p.find("actual").get("value")) for p in periods] == [
        ("2027-01-01", "2027-03-31", "70", "52"), ("2027-04-01", "2027-06-30", "70", "55")]
    loans = results[1].find("indicator")
    assert loans.get("ascending") == "0" and loans.get("measure") == "1"
    assert loans.find("period/period-end").get("iso-date") == "2027-12-31"


def test_text_is_escaped_and_comes_back_unchanged():
    text, root = _parsed()
    assert "<of>" not in text and "&lt;of&gt;" in text
    food = root.find("iati-activity")
    assert food.findtext("reporting-org/narrative") == "Ministry <of> Industry & Trade"
    assert food.findtext("description/narrative") == 'Food firms & "friends"'
    assert food.findtext("result/indicator/title/narrative") == "Customer satisfaction <%>"
    assert food.findtext("result/indicator/period[2]/actual/comment/narrative") == "survey & <notes>"


def test_sharing_hides_and_anonymises_activities():
    text, root = _parsed()
    titles = [a.findtext("title/narrative") for a in root.findall("iati-activity")]
    assert titles == ["Rayong Food", "Initiative A"]
    assert "korat" not in text.lower() and "Kilns" not in text
    assert "silk" not in text.lower() and "secret" not in text
    anonymous = root.findall("iati-activity")[1]
    assert anonymous.findtext("iati-identifier") == "XM-DAC-7-round-2027-A"
    assert anonymous.find("result/indicator/period/actual").get("value") == "12"


def test_a_manager_sees_every_initiative_named():
    _, root = _parsed(lambda initiative: "named")
    assert [a.findtext("iati-identifier").rsplit("-2027-", 1)[1] for a in root.findall("iati-activity")] == [
        "rayong-food", "chiang-mai-silk", "korat-ceramics"]
    assert root.get("generated-datetime") == "2028-01-02T03:04:05+00:00"
    assert root.find("iati-activity").get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert date.fromisoformat(root.find("iati-activity/result/indicator/period/period-start").get("iso-date"))


def test_characters_xml_cannot_hold_do_not_break_the_document():
    make = Records()
    programme = make.programme(agency="Agency\x00")
    initiative = make.initiative("x", name="Bell\x07 cluster", description="tab\tand\x1bescape")
    indicator = make.indicator(initiative, name="Firms \ud800 counted")
    entries = [(initiative, scorecard(initiative, indicator),
                {indicator.id: [make.measurement(indicator, "2027-01", 1, evidence="form feed\x0c")]})]
    text = iati_results_xml(programme, entries, lambda i: "named", generated=WHEN)
    root = ET.fromstring(text.encode("utf-8"))
    activity = root.find("iati-activity")
    assert activity.findtext("title/narrative") == "Bell\ufffd cluster"
    assert activity.findtext("description/narrative") == "tab\tand\ufffdescape"
    assert activity.findtext("result/indicator/period/actual/comment/narrative") == "form feed\ufffd"
