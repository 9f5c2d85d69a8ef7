"""A closing initiative's draft case validates as a case and carries its indicators,
findings and a source naming the initiative's record."""

from __future__ import annotations

from datetime import date

from indexer.checking import check_candidate, load_library
from indexer.content.frontmatter import parse_text
from indexer.observatory.retain import case_text
from tests.observatory_records import Records, scorecard


def _closing():
    make = Records()
    initiative = make.initiative(
        "rayong-food", name="Rayong food cluster", place="Rayong", country="Thailand", sectors=["food-processing"],
        start_date=date(2026, 3, 1), status="closed", description="Food processors share a test kitchen.",
        profile={"approach": "bottom-up", "pressure": "under-pressure"})
    satisfaction = make.indicator(initiative)
    untouched = make.indicator(initiative, perspective="Financial", factor="Loans", name="Loans granted",
                               unit="loans", target_value=None)
    measurements = {satisfaction.id: [make.measurement(satisfaction, "2026-06", 55.0),
                                      make.measurement(satisfaction, "2026-12", 63.0)]}
    evaluations = [
        make.evaluation(initiative, date(2026, 9, 1), participants=["firms", "facilitator"],
                        findings="Banks joined only after firms wrote plans. The plans took three months.",
                        actions=[{"text": "Invite two banks", "status": "done"}]),
        make.evaluation(initiative, date(2026, 9, 1), findings="A second group met the same day."),
        make.evaluation(initiative, date(2026, 12, 1), findings="   "),
    ]
    return initiative, scorecard(initiative, satisfaction, untouched), measurements, evaluations


def test_the_draft_is_a_valid_case(tree):
    tree.note("basics")
    initiative, card, measurements, evaluations = _closing()
    text = case_text(initiative, card, measurements, evaluations, "lina", 2027, programme_name="2027 round")
    problems = [p for p in check_candidate(load_library(tree.root), "case", "rayong-food", text)
                if p.severity == "error"]
    assert problems == []


def test_profile_place_period_and_indicators_as_outcomes():
    initiative, card, measurements, evaluations = _closing()
    data = parse_text(case_text(initiative, card, measurements, evaluations, "lina", 2027)).data
    assert data["id"] == "rayong-food" and data["title"] == "Rayong food cluster"
    assert data["location"] == {"country": "Thailand", "place": "Rayong", "region": "unknown"}
    assert data["sectors"] == ["food-processing"] and data["initiative"]["approach"] == "bottom-up"
    assert data["period"] == "2026-2027"
    assert data["outcomes"] == ("Customer satisfaction: baseline 50% (2027-01-01), latest 63% (2026-12), "
                                "target 70% by 2027-12-31; Loans granted: baseline 50 loans (2027-01-01), "
                                "not measured, no target set")
    assert "2026-09-01" in data["monitoring"] and "2 indicators" in data["monitoring"]


def test_findings_become_candidate_lessons_citing_the_record():
    initiative, card, measurements, evaluations = _closing()
    data = parse_text(case_text(initiative, card, measurements, evaluations, "lina", 2027,
                                programme_name="2027 round")).data
    assert [lesson["id"] for lesson in data["lessons"]] == ["finding-2026-09-01", "finding-2026-09-01-2"]
    first = data["lessons"][0]
    assert first["statement"] == "Banks joined only after firms wrote plans."
    assert "firms, facilitator" in first["explanation"] and first["sources"] == ["lina 2027"]
    record = data["sources"][-1]
    assert "rayong-food" in record["title"] and "2027 round" in record["title"] and record["author"] == "lina"


def test_the_body_names_the_record_and_links_it_when_the_web_layer_gives_a_url():
    initiative, card, measurements, evaluations = _closing()
    plain = case_text(initiative, card, measurements, evaluations, "lina", 2027)
    assert "## Record" in plain and "(rayong-food)" in plain and "<http" not in plain
    assert "Action (done): Invite two banks" in plain
    linked = case_text(initiative, card, measurements, evaluations, "lina", 2027, doc_id="rayong-food-2027",
                       record_url="https://casebase.example/observatory/initiatives/rayong-food")
    assert "<https://casebase.example/observatory/initiatives/rayong-food>" in linked
    assert parse_text(linked).data["id"] == "rayong-food-2027"


def test_an_initiative_with_nothing_recorded_still_gives_a_valid_case(tree):
    tree.note("basics")
    make = Records()
    bare = make.initiative("empty-start", country="", status="closed")
    text = case_text(bare, None, {}, [], "lina", 2027)
    assert [p for p in check_candidate(load_library(tree.root), "case", "empty-start", text)
            if p.severity == "error"] == []
    assert parse_text(text).data["lessons"] == []


def test_a_country_or_sector_the_vocabulary_lacks_moves_to_the_text(tree):
    tree.note("basics")
    content = load_library(tree.root)
    make = Records()
    odd = make.initiative("far-away", country="narnia", sectors=["food-processing", "dragon-taming"],
                          status="closed")
    text = case_text(odd, None, {}, [], "lina", 2027, vocabulary=content.vocabulary)
    assert [p for p in check_candidate(content, "case", "far-away", text) if p.severity == "error"] == []
    data = parse_text(text).data
    assert data["location"]["country"] == "unknown" and data["sectors"] == ["food-processing"]
    assert "country as recorded: narnia" in text and "sector as recorded: dragon-taming" in text
    spelled = case_text(make.initiative("t", country="thailand"), None, {}, [], "lina", 2027,
                        vocabulary=content.vocabulary)
    assert parse_text(spelled).data["location"]["country"] == "Thailand"
