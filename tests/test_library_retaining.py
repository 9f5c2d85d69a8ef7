"""A draft case from an advisor profile validates, and follows the field registry."""

from __future__ import annotations

from indexer.checking import check_candidate, load_library
from indexer.content.frontmatter import parse_text
from indexer.content.schema import REGISTRY, FieldSpec
from indexer.library.retaining import case_from_profile


def test_a_retained_profile_is_a_valid_case(tree):
    tree.note("basics")
    profile = {"description": "Furniture makers want joint training.", "country": "Kenya",
               "sectors": ["furniture"], "approach": "bottom-up", "pressure": "under-pressure"}
    text = case_from_profile("nairobi-furniture", "Nairobi furniture", profile, "erin", 2026)
    problems = [p for p in check_candidate(load_library(tree.root), "case", "nairobi-furniture", text)
                if p.severity == "error"]
    assert problems == []
    data = parse_text(text).data
    assert data["initiative"]["approach"] == "bottom-up" and data["situation"]["pressure"] == "under-pressure"
    assert data["situation"]["stage"] == "unknown" and data["obstacles"] == []


def test_a_field_added_to_the_registry_is_written_from_the_profile():
    registry = REGISTRY.with_field(FieldSpec("situation.export_orientation", "term", vocabulary="export",
                                             roles=frozenset({"attribute"})))
    text = case_from_profile("x-town", "X", {"export_orientation": "export-led"}, "erin", 2026, registry)
    assert parse_text(text).data["situation"]["export_orientation"] == "export-led"
    plain = case_from_profile("x-town", "X", {"export_orientation": "export-led"}, "erin", 2026)
    assert "export_orientation" not in parse_text(plain).data["situation"]
