"""`casebase suggest` and `casebase similar` on the command line (keyword-only index)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from tests.test_suggest import advisor_tree  # noqa: F401 - fixture reuse

from indexer.cli.app import main


@pytest.fixture
def run(advisor_tree, tmp_path):  # noqa: F811
    base = ["--content", str(advisor_tree.root), "--index", str(tmp_path / "index")]
    assert CliRunner().invoke(main, base + ["index", "--no-semantic"]).exit_code == 0

    def invoke(*args, input=None):
        return CliRunner().invoke(main, base + list(args), input=input)

    return invoke


def test_suggest_json_has_the_documented_shape(run):
    result = run("suggest", "--sector", "leather-goods", "--driver", "private", "--approach", "bottom-up",
                 "--pressure", "under-pressure", "--cooperative-culture", "non-cooperative", "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert set(answer) >= {"profile", "cases", "lessons", "notes", "warnings"}
    assert answer["profile"]["sectors"] == ["leather-goods"]
    case = answer["cases"][0]
    assert case["id"] == "shoe-valley" and set(case) >= {"id", "title", "score", "explanation", "passage"}
    assert set(case["explanation"][0]) == {"attribute", "query_value", "case_value", "similarity", "weight", "label",
                                          "imputed", "interpreted"}
    assert case["reason"].startswith(f"compared on {case['compared']} of {case['comparable']}")
    assert set(answer["lessons"][0]) >= {"id", "case_id", "text", "score", "why"}
    assert answer["warnings"][0]["rule"] == "unlikely"
    assert set(answer["warnings"][0]) >= {"rule", "message", "evidence", "note_id"}


def test_profile_file_and_options_combine(run, tmp_path):
    profile = tmp_path / "profile.yaml"
    profile.write_text("sectors: [software]\ndriver: private\n")
    result = run("suggest", "--profile", str(profile), "--driver", "public", "--approach", "top-down", "--json")
    answer = json.loads(result.output)
    assert answer["profile"]["driver"] == "public" and answer["cases"][0]["id"] == "chip-city"


def test_batch_answers_each_line_and_reports_bad_ones(run):
    lines = [json.dumps({"sectors": ["footwear"]}), "not json", json.dumps({"pressure": "sideways"})]
    result = run("suggest", "--batch", "-", input="\n".join(lines) + "\n")
    answers = [json.loads(line) for line in result.output.splitlines()]
    assert answers[0]["cases"][0]["id"] == "shoe-valley"
    assert answers[1]["error"]["line"] == 2 and "invalid JSON" in answers[1]["error"]["message"]
    assert answers[2]["error"]["field"] == "pressure"


def test_invalid_value_exits_with_the_field_named(run):
    result = run("suggest", "--approach", "sideways")
    assert result.exit_code == 2
    assert "approach: 'sideways' is not a value of Approach; valid values, closest first:" in result.output


def test_human_output_and_similar(run):
    human = run("suggest", "--driver", "public", "--approach", "top-down", "--activity", "training")
    assert "What the method says" in human.output and "Similar cases" in human.output
    assert "chip-city" in human.output
    similar = run("similar", "shoe-valley", "--json")
    assert json.loads(similar.output)["similar"][0]["id"] == "chip-city"
    missing = run("similar", "nowhere")
    assert missing.exit_code == 2 and "no case with id 'nowhere'" in missing.output


def test_the_warnings_section_is_always_shown_with_what_could_not_be_judged(run):
    result = run("suggest", "--pressure", "under-pressure")
    assert result.exit_code == 0, result.output
    assert "What the method says about this situation" in result.output
    assert "No warning fires on what is known." in result.output
    assert "Could not judge" in result.output and "Cooperative culture" in result.output
    assert "Non-cooperative local culture" in result.output  # labels, not keys


def test_conditions_of_the_new_warnings_are_given_as_attribute_value(run):
    result = run("suggest", "--condition", "stage=decline", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["given"] == ["stage"]
    bad = run("suggest", "--condition", "stage")
    assert bad.exit_code != 0 and "ATTRIBUTE=VALUE" in bad.output
