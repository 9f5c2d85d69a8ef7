"""The paper's starting scorecards load as data, match the paper, and a broken file is
reported with its file, line and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from indexer.checking import library_files
from indexer.observatory.models import MAX_INDICATORS_PER_FACTOR
from indexer.observatory.templates import DEFAULT_PATH, TemplateError, counts, load_templates

SEED = Path("/work/shared/seed/000_b4d05f898ae1a9b1.txt")
REPO_ROOT = Path(__file__).resolve().parent.parent


def _paper_kpis() -> dict[str, list[str]]:
    """The Thai KPI list as the paper prints it: factor -> indicator names (wrapped lines joined)."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if "Key Performance Indicators linked" in line)
    factors: dict[str, list[str]] = {}
    current = None
    for line in lines[start + 1:]:
        text = line.strip()
        if re.match(r"^\d+\.\d+$", text):
            break
        if text.startswith("CSF - "):
            current = factors.setdefault(text[len("CSF - "):], [])
        elif text.startswith("o ") and current is not None:
            current.append(text[2:])
        elif text and current is not None and current and not text.endswith("Perspective"):
            current[-1] += " " + text
    return factors


@pytest.mark.skipif(not SEED.exists(), reason="the paper's text is not in this checkout")
def test_the_thai_template_lists_the_papers_factors_and_kpis_word_for_word():
    template = load_templates()["thai-food-cluster"]
    ours = {factor.name: [ind.name for ind in factor.indicators]
            for perspective in template.perspectives for factor in perspective.factors}
    assert ours == _paper_kpis()
    assert counts(template) == (len(ours), sum(len(v) for v in ours.values()))
    assert str(counts(template)[1]) in template.note   # the note states the count the paper gives


def test_every_template_names_its_source_with_line_numbers_and_respects_the_kpi_limit():
    templates = load_templates()
    assert set(templates) == {"thai-food-cluster", "scottish-enterprise", "dti-framework"}
    for template in templates.values():
        assert re.search(r"lines? \d+", template.source), template.id
        for perspective in template.perspectives:
            for factor in perspective.factors:
                assert len(factor.indicators) <= MAX_INDICATORS_PER_FACTOR


def test_scotland_has_factors_but_no_kpis_and_says_so():
    template = load_templates()["scottish-enterprise"]
    factors, indicators = counts(template)
    assert factors > 0 and indicators == 0
    assert "no KPIs" in template.note


def test_dti_names_the_three_drivers():
    template = load_templates()["dti-framework"]
    drivers = next(p for p in template.perspectives if p.name == "Drivers")
    assert [f.name for f in drivers.factors] == ["Innovation and R&D", "Human resources", "Networks and partnerships"]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "scorecard_templates.yaml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD_HEAD = "templates:\n  - id: t\n    title: T\n    source: paper, lines 1-2\n    perspectives:\n"


def test_a_bad_direction_names_the_file_line_and_key(tmp_path):
    path = _write(tmp_path, GOOD_HEAD + "      - name: P\n        factors:\n          - name: F\n"
                  "            indicators:\n              - name: I\n                direction: sideways\n")
    with pytest.raises(TemplateError) as caught:
        load_templates(path)
    assert caught.value.line == 11
    assert caught.value.key == "templates[0].perspectives[0].factors[0].indicators[0].direction"
    assert f"{path}, line 11" in str(caught.value)


def test_a_missing_source_and_a_fourth_indicator_are_refused(tmp_path):
    no_source = _write(tmp_path, "templates:\n  - id: t\n    title: T\n")
    with pytest.raises(TemplateError) as caught:
        load_templates(no_source)
    assert caught.value.key == "templates[0].source" and caught.value.line == 2
    four = "".join(f"              - name: I{n}\n" for n in range(MAX_INDICATORS_PER_FACTOR + 1))
    crowded = _write(tmp_path, GOOD_HEAD + "      - name: P\n        factors:\n          - name: F\n"
                     "            indicators:\n" + four)
    with pytest.raises(TemplateError, match="at most 3 indicators") as caught:
        load_templates(crowded)
    assert caught.value.line == 9   # the "indicators:" key of factor F


def test_duplicate_ids_syntax_errors_and_a_missing_file_are_reported(tmp_path):
    twice = _write(tmp_path, "templates:\n  - {id: t, title: T, source: s}\n  - {id: t, title: U, source: s}\n")
    with pytest.raises(TemplateError, match="used twice") as caught:
        load_templates(twice)
    assert caught.value.line == 3
    broken = _write(tmp_path, "templates:\n  - id: [t\n")
    with pytest.raises(TemplateError) as caught:
        load_templates(broken)
    assert caught.value.line is not None and "syntax" in str(caught.value)
    with pytest.raises(TemplateError, match="missing"):
        load_templates(tmp_path / "nowhere.yaml")


def test_the_templates_file_is_not_mistaken_for_content():
    assert DEFAULT_PATH == REPO_ROOT / "kb" / "scorecard_templates.yaml"
    assert "kb/scorecard_templates.yaml" not in library_files(REPO_ROOT)
