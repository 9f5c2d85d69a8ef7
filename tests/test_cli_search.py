"""`casebase index` and `casebase search` on the command line (keyword only: no model)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from indexer.cli.app import main


def invoke(tree, tmp_path, *args, input=None):
    base = ["--content", str(tree.root), "--index", str(tmp_path / "index")]
    return CliRunner().invoke(main, base + list(args), input=input)


def test_index_then_search_json(tree, tmp_path):
    tree.case("alpha-town", title="Alpha town furniture cluster")
    tree.case("beta-city", title="Beta city textiles", sectors=["textiles"],
              location={"place": "Beta", "region": "unknown", "country": "Peru"})
    built = invoke(tree, tmp_path, "index", "--no-semantic")
    assert built.exit_code == 0, built.output
    assert "Built generation" in built.output
    again = invoke(tree, tmp_path, "index", "--no-semantic")
    assert "Index is up to date" in again.output

    result = invoke(tree, tmp_path, "search", "textiles", "--mode", "keyword", "--json")
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["query"] == "textiles" and answer["mode"] == "keyword"
    first = answer["results"][0]
    assert first["id"] == "beta-city" and first["doc_id"] == "beta-city" and first["kind"] == "case"
    assert set(first) >= {"id", "kind", "title", "score", "snippet", "section", "doc_id", "anchor"}
    assert answer["facets"]["country"]["Peru"] >= 1

    filtered = invoke(tree, tmp_path, "search", "cluster", "--mode", "keyword", "--json",
                      "--filter", "country=Peru", "--kind", "case")
    assert [hit["id"] for hit in json.loads(filtered.output)["results"]] == ["beta-city"]


def test_batch_answers_one_json_line_per_query(tree, tmp_path):
    tree.case("alpha-town", title="Alpha town furniture cluster")
    invoke(tree, tmp_path, "index", "--no-semantic")
    result = invoke(tree, tmp_path, "search", "--batch", "-", "--mode", "keyword",
                    input="furniture\n\nnothing-matches-this\n")
    lines = [json.loads(line) for line in result.output.splitlines()]
    assert [line["query"] for line in lines] == ["furniture", "nothing-matches-this"]
    assert lines[0]["results"][0]["id"] == "alpha-town" and lines[1]["total"] == 0


def test_human_output_and_errors(tree, tmp_path):
    tree.case("alpha-town", title="Alpha town furniture cluster")
    missing = invoke(tree, tmp_path, "search", "furniture", "--mode", "keyword")
    assert missing.exit_code == 2 and "run 'casebase index' first" in missing.output
    invoke(tree, tmp_path, "index", "--no-semantic")
    human = invoke(tree, tmp_path, "search", "furnitur", "--mode", "keyword", "--explain")
    assert "[case] Alpha town furniture cluster" in human.output and "keyword #1" in human.output
    bad = invoke(tree, tmp_path, "search", "x", "--mode", "keyword", "--filter", "colour")
    assert bad.exit_code == 2 and "is not FIELD=VALUE" in bad.output
    unknown = invoke(tree, tmp_path, "search", "x", "--mode", "keyword", "--filter", "colour=red")
    assert unknown.exit_code == 2 and "unknown facet 'colour'" in unknown.output


def test_a_portuguese_query_is_glossed_on_the_command_line_too(tmp_path):
    """The CLI searches the English the bundled content is written in and says so."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    runner = CliRunner()
    base = ["--content", str(root), "--index", str(tmp_path / "index")]
    assert runner.invoke(main, [*base, "index", "--no-semantic"]).exit_code == 0
    result = runner.invoke(main, [*base, "search", "móveis", "--mode", "keyword", "--json"])
    assert result.exit_code == 0, result.output
    answer = json.loads(result.output)
    assert answer["notices"][0] == "Searched in English for: móveis → furniture" and answer["total"] > 0


def test_the_kind_choices_are_the_searchers_kinds():
    """The command spells its --kind choices out (importing the searcher would slow
    `casebase --help`); they must stay the searcher's."""
    from indexer.cli.searching import search
    from indexer.search.searcher import KINDS

    (kind,) = [option for option in search.params if option.name == "kinds"]
    assert tuple(kind.type.choices) == KINDS
