"""Interpretation marks (issue 9): values a case's codifier read into the source rather
than found stated in it are listed under `interpreted` in the front matter, and the
advisor's explanation says so where a match rests on one."""

from __future__ import annotations

import pytest
import yaml
from tests.conftest import REPO_ROOT

from indexer.content.schema import REGISTRY, interpretation_marks, interpretation_problems, is_interpreted
from indexer.search.encoder import HashingEncoder
from indexer.service import Casebase
from indexer.settings import Settings
from tests.test_suggest import advisor_tree  # noqa: F401 - fixture reuse

# The values a fact-check of the cases against the paper found to be interpretations.
EXPECTED_MARKS = {
    "blumenau-software": [("initiative.driver", "public")],
    "criciuma": [("sectors", "ceramic-tiles"), ("situation.cooperative_culture", "mixed"),
                 ("obstacles", "costs-and-risks")],
    "dortmund": [("situation.stage", "emergence"), ("sectors", "ict")],
    "germany-contest-programmes": [("sectors", "biotechnology")],
    "scotland-scottish-enterprise": [("location.country", "United Kingdom"), ("sectors", "multi-sector"),
                                     ("sectors", "biotechnology"), ("activities", "investment-promotion")],
    "sinos-valley": [("situation.cooperative_culture", "mixed"), ("obstacles", "sme-association-relations")],
    "thailand-food-textiles": [("initiative.driver", "public"), ("initiative.approach", "top-down"),
                               ("activities", "stakeholder-engagement")],
    "third-italy": [("typology.markusen", "italianate")],
    "zamora-frogs": [("situation.cooperative_culture", "cooperative")],
}


def front_matter(case_id: str) -> dict:
    text = (REPO_ROOT / "cases" / f"{case_id}.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("\n---", 1)[0].lstrip("-\n"))


def held(meta: dict, path: str) -> list[str]:
    value: object = meta
    for key in path.split("."):
        value = value.get(key) if isinstance(value, dict) else None
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


@pytest.mark.parametrize("case_id", sorted(EXPECTED_MARKS))
def test_the_bundled_interpretations_are_marked_and_name_values_the_case_holds(case_id):
    meta = front_matter(case_id)
    assert interpretation_problems(meta) == []
    marks = interpretation_marks(meta)
    for path, value in EXPECTED_MARKS[case_id]:
        assert value in held(meta, path), (case_id, path, value)
        assert is_interpreted(marks, path, value), (case_id, path, value)


def test_a_stated_value_is_not_marked():
    marks = interpretation_marks(front_matter("dortmund"))
    assert not is_interpreted(marks, "sectors", "logistics") and not is_interpreted(marks, "initiative.driver")


def test_marks_that_name_no_field_or_a_value_not_held_are_problems():
    meta = {"sectors": ["footwear"], "initiative": {"driver": "public"},
            "interpreted": ["initiative.driver", "sectors=software", "initiative.colour", "interpreted"]}
    assert [entry for entry, _ in interpretation_problems(meta)] == ["sectors=software", "initiative.colour",
                                                                     "interpreted"]
    assert REGISTRY.by_path("interpreted") is not None  # a known field: the validator accepts it


def test_the_advisor_says_when_a_match_rests_on_an_interpretation(advisor_tree, tmp_path):  # noqa: F811
    path = advisor_tree.root / "cases" / "chip-city.md"
    text = path.read_text(encoding="utf-8")
    head, body = text.split("\n---", 1)
    path.write_text(head + "\ninterpreted:\n  - initiative.driver\n---" + body, encoding="utf-8")
    settings = Settings.from_env(content_dir=advisor_tree.root, index_dir=tmp_path / "index", environ={})
    service = Casebase.open(settings, encoder=HashingEncoder())
    try:
        service.build_index()
        answer = service.suggest({"driver": "public", "approach": "top-down", "sectors": ["software"]})
        chip = next(match for match in answer.cases if match.id == "chip-city")
        shoe = next(match for match in answer.cases if match.id == "shoe-valley")
        initiative = next(part for part in chip.explanation if part.attribute == "initiative")
        assert initiative.interpreted and "(the codifier's interpretation)" in chip.reason
        assert not any(part.interpreted for part in shoe.explanation)
        assert "interpretation" not in shoe.reason
        sectors = next(part for part in chip.explanation if part.attribute == "sectors")
        assert not sectors.interpreted
        typed = {part.attribute: part.interpreted for part in chip.to_model().explanation}
        assert typed["initiative"] and not typed["sectors"]  # the JSON and the API say so too
    finally:
        service.close()
