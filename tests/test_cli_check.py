"""`casebase check` on the command line: exit codes, JSON and path selection."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.conftest import REPO_ROOT

from indexer.checking import load_library
from indexer.cli.app import main


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


def content_file_count(root: Path) -> int:
    """Cases and notes as an author counts them: *.md in cases/ and kb/, without
    templates and READMEs."""
    return sum(1 for folder in ("cases", "kb") for path in (root / folder).glob("*.md")
               if not path.name.startswith("_") and path.name.lower() != "readme.md")


def test_bundled_content_is_clean():
    content = load_library(REPO_ROOT)
    assert [str(p) for p in content.errors] == []
    assert content.files_checked == content_file_count(REPO_ROOT)
    assert content.rules


@pytest.fixture
def copied(tmp_path_factory) -> Path:
    """A copy of the bundled content with one case's title broken."""
    root = tmp_path_factory.mktemp("copy")
    for folder in ("cases", "kb"):
        shutil.copytree(REPO_ROOT / folder, root / folder)
    case = sorted(p for p in (root / "cases").glob("*.md") if not p.name.startswith("_")
                  and p.name.lower() != "readme.md")[0]
    lines = case.read_text(encoding="utf-8").splitlines(keepends=True)
    title = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[title] = "title: [broken\n"
    case.write_text("".join(lines), encoding="utf-8")
    return root


def broken_case(root: Path) -> tuple[str, int]:
    """The broken case's path relative to the root and its title line."""
    for path in sorted((root / "cases").glob("*.md")):
        lines = path.read_text(encoding="utf-8").splitlines()
        if "title: [broken" in lines:
            return path.relative_to(root).as_posix(), lines.index("title: [broken") + 1
    raise AssertionError("no broken case")


def test_a_copied_trees_folders_are_checked_not_the_default_content(copied):
    rel, line = broken_case(copied)
    result = run("check", str(copied / "cases"), str(copied / "kb"))
    assert result.exit_code == 1, result.output
    assert f"{rel}:{line}: error: YAML syntax error" in result.output
    assert f"Checked {content_file_count(copied)} files in {copied}" in result.output


def test_a_file_is_checked_in_the_tree_it_belongs_to(copied, tmp_path):
    rel, line = broken_case(copied)
    result = run("--content", str(REPO_ROOT), "check", "--json", str(copied / rel))
    assert result.exit_code == 1, result.output
    report = json.loads(result.output)
    assert report["root"] == str(copied.resolve())
    assert [(p["path"], p["line"]) for p in report["problems"]] == [(rel, line)]
    assert report["files_checked"] == 1


def test_a_file_of_another_clean_tree_is_checked_there(tmp_path, tree):
    tree.case("alpha-town")
    note = tree.note("basics", body="[[case:alpha-town#start-small]]\n")
    result = run("--content", str(REPO_ROOT), "check", str(note))
    assert result.exit_code == 0, result.output
    assert f"in {tree.root.resolve()}: clean" in result.output


@pytest.mark.parametrize("make, message", [
    (lambda base: _write(base / "stray.md", "---\nid: stray\n---\n"), "belongs to no content tree"),
    (lambda base: _write(base / "folder" / "one.md", "---\nid: one\n---\n").parent, "belongs to no content tree"),
    (lambda base: _copy(REPO_ROOT / "cases", base / "half" / "cases").parent, "holds cases/ but no kb/"),
    (lambda base: _copy(REPO_ROOT / "kb", base / "half" / "kb").parent, "holds kb/ but no cases/"),
])
def test_paths_outside_any_content_tree_are_refused(tmp_path, make, message):
    result = run("--content", str(REPO_ROOT), "check", str(make(tmp_path)))
    assert result.exit_code == 2, result.output
    assert message in result.output and "clean" not in result.output


def test_paths_from_two_trees_are_refused(copied, tree):
    tree.case()
    result = run("check", str(copied / "cases"), str(tree.root / "cases"))
    assert result.exit_code == 2, result.output
    assert "different content trees" in result.output


def test_a_file_outside_the_content_folders_is_refused(tree):
    stray = _write(tree.root / "notes" / "x.md", "---\nid: x\n---\n")
    result = run("check", str(stray))
    assert result.exit_code == 2 and "is not content of the tree" in result.output


def test_a_broken_vocabulary_is_named_whatever_was_selected(tree):
    path = tree.case()
    (tree.root / "kb" / "vocabulary.yaml").write_text("driver:\n  values: [a, b]\n", encoding="utf-8")
    result = run("check", str(path))
    assert result.exit_code == 1, result.output
    assert "kb/vocabulary.yaml:" in result.output and "Traceback" not in result.output


def test_a_lesson_whose_sources_is_a_number_is_an_error_not_a_traceback(tree):
    lessons = [{"id": "x", "statement": "S.", "explanation": "E.", "topics": ["implementation"], "sources": 3}]
    tree.case(lessons=lessons)
    result = run("check", "--json", str(tree.root))
    assert result.exit_code == 1, result.output
    fields = {p["field"] for p in json.loads(result.output)["problems"]}
    assert "lessons[0].sources" in fields


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


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


def test_templates_given_among_files_are_named_and_skipped(tree):
    case = tree.case()
    template = _write(tree.root / "cases" / "_template.md", "not valid at all")
    result = run("check", str(template), str(case))
    assert result.exit_code == 0, result.output
    assert f"Note: {template.resolve()} is not checked" in result.output
    assert "Checked 1 of" in result.output


def test_only_a_template_is_refused_not_taken_for_everything(tree):
    tree.case(sectors=["nonsense"])
    template = _write(tree.root / "cases" / "_template.md", "not valid at all")
    result = run("check", str(template))
    assert result.exit_code == 2, result.output
    assert "nothing to check" in result.output
