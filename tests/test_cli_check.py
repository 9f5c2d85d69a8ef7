"""`casebase check` on the command line: exit codes, JSON and path selection."""

from __future__ import annotations

import json

from click.testing import CliRunner
from tests.conftest import REPO_ROOT

from indexer.cli.app import main
from indexer.content.loading import load_content


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_clean_tree_exits_zero(tree):
    tree.case()
    result = run("check", str(tree.root))
    assert result.exit_code == 0, result.output
    assert "Checked 1 files" in result.output and "clean" in result.output


def test_errors_exit_one_and_json_lists_every_problem(tree):
    tree.case("alpha-town", sectors=["nonsense"])
    tree.note(body="[[note:ghost]]\n")
    result = run("--content", str(tree.root), "check", "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["errors"] == 2
    assert {p["path"] for p in report["problems"]} == {"cases/alpha-town.md", "kb/basics.md"}
    assert report["counts"]["notes"] == 1


def test_paths_restrict_the_report_but_links_resolve_against_everything(tree):
    tree.case("alpha-town", sectors=["nonsense"])
    note = tree.note(body="[[case:alpha-town]]\n")
    result = run("--content", str(tree.root), "check", "--json", str(note))
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["problems"] == []


def test_bundled_content_is_clean():
    content = load_content(REPO_ROOT)
    assert [str(p) for p in content.errors] == []
    assert content.files_checked >= 20


def test_user_add_prompts_for_the_password_and_stores_a_hash(tree, tmp_path):
    from indexer.library.accounts import Accounts

    index = tmp_path / "instance" / "index"
    result = CliRunner().invoke(main, ["--content", str(tree.root), "--index", str(index), "user", "add", "rita",
                                       "--role", "reviewer"], input="a long enough secret\na long enough secret\n")
    assert result.exit_code == 0, result.output
    accounts = Accounts(tmp_path / "instance" / "casebase.sqlite3")
    assert accounts.authenticate("rita", "a long enough secret", "127.0.0.1").role == "reviewer"
    short = CliRunner().invoke(main, ["--index", str(index), "user", "add", "ed", "--role", "editor"],
                               input="short\nshort\n")
    assert short.exit_code == 2 and "at least 10 characters" in short.output
