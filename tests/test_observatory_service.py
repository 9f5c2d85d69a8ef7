"""The observatory behind Casebase: the dashboard's warnings are the advisor's warnings
alone, cached per profile and content version (a first dashboard of many initiatives must
not rank cases for each of them), and ids out of range are refused by name."""

from __future__ import annotations

from datetime import date

from tests.observatory_store_fixtures import casebase, people, world  # noqa: F401

PROFILE = {"monitoring_style": "external-inspection", "sectors": ["furniture"],
           "description": "Furniture makers who distrust each other; the ministry will inspect them yearly."}


def test_warnings_alone_are_the_warnings_of_a_whole_suggestion(casebase):
    assert casebase.warnings(PROFILE) == casebase.suggest(PROFILE).warnings
    assert [w["rule"] for w in casebase.warnings(PROFILE)] == ["inspection-kills-learning"]


def test_the_dashboard_asks_the_advisor_once_per_profile_until_the_content_changes(casebase, people, world,
                                                                                    monkeypatch):
    observatory = casebase.observatory
    programme = world["programme"].slug
    observatory.create_initiative(people.mona, programme, {"name": "Newcomer", "profile": {
        "monitoring_style": "external-inspection"}})
    asked = []
    original = casebase.warnings

    def counting(data):
        asked.append(data.get("monitoring_style"))
        return original(data)

    monkeypatch.setattr(observatory, "_warn", counting)
    for _ in range(3):
        board = observatory.dashboard(people.mona, programme, today=date(2027, 9, 1))
    initiatives = board.initiatives
    assert len(asked) == initiatives  # once per initiative, not once per view
    assert {s.slug: s.warnings for s in board.summaries}["newcomer"] == [
        "External inspection instead of self-evaluation"]
    casebase.reload_content()  # new content may hold new rules
    observatory.dashboard(people.mona, programme, today=date(2027, 9, 1))
    assert len(asked) == 2 * initiatives
    assert all(s.warnings == [] for s in board.summaries if s.slug != "newcomer")


def test_an_indicator_linked_to_an_id_beyond_64_bits_is_refused_naming_the_field(casebase, people, world):
    import pytest

    from indexer.errors import InvalidInput

    with pytest.raises(InvalidInput) as refused:
        casebase.observatory.add_indicator(people.lina, world["a"][0].slug, {
            "perspective": "Customers", "factor": "Quality", "name": "Complaints",
            "definition_id": "9999999999999999999"})
    assert refused.value.field == "definition_id"
