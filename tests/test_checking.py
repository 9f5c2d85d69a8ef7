"""The one validation path: a candidate text is judged exactly as the same text on disk."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import REPO_ROOT, ContentTree, render, valid_case, valid_note

from indexer.checking import check_candidate, load_library
from indexer.content.loading import FOLDERS


def key(problem):
    return (problem.path, problem.line, problem.field, problem.message, problem.severity)


@pytest.fixture
def library(tree: ContentTree) -> ContentTree:
    """A small clean tree: one case, one note linking to the case's lesson."""
    tree.case("alpha-town")
    tree.note("basics", body="See [[case:alpha-town#start-small]].\n")
    assert load_library(tree.root).problems == []
    return tree


LESSON = valid_case()["lessons"][0]

CANDIDATES = {
    "valid edit": ("case", "alpha-town", render(valid_case(title="A new title"))),
    "valid new note": ("note", "fresh", render(valid_note("fresh", related_cases=["alpha-town"]))),
    "unknown related note": ("case", "alpha-town", render(valid_case(related_notes=["no-such-note"]))),
    "unknown related case": ("note", "basics", render(valid_note(related_cases=["nowhere"]))),
    "case takes a note's id": ("case", "basics", render(valid_case("basics"))),
    "note takes a case's id": ("note", "alpha-town", render(valid_note("alpha-town"))),
    "broken body link": ("note", "fresh", render(valid_note("fresh"), "See [[note:ghost]].\n")),
    "malformed body link": ("note", "fresh", render(valid_note("fresh"), "See [[Note:Bad]].\n")),
    "self link to a missing lesson": ("case", "alpha-town",
                                      render(valid_case(), "See [[case:alpha-town#no-lesson]].\n")),
    "lesson removed that a note links to": ("case", "alpha-town",
                                            render(valid_case(lessons=[dict(LESSON, id="renamed")]))),
    "yaml syntax error": ("case", "alpha-town", "---\nid: alpha-town\ntitle: [oops\nsummary: x\n---\n"),
    "wrong type": ("case", "alpha-town", render(valid_case(lessons=[dict(LESSON, sources=3)]))),
    "id differs from file name": ("case", "alpha-town", render(valid_case("beta-city"))),
}


@pytest.mark.parametrize("name", list(CANDIDATES))
def test_candidate_is_judged_as_the_same_text_on_disk(library, tmp_path_factory, name):
    kind, doc_id, text = CANDIDATES[name]
    candidate = check_candidate(load_library(library.root), kind, doc_id, text)
    copy = tmp_path_factory.mktemp("copy") / "content"
    shutil.copytree(library.root, copy)
    rel = f"{FOLDERS[kind]}/{doc_id}.md"
    (copy / rel).write_text(text, encoding="utf-8")
    on_disk = load_library(copy).problems
    # The candidate's own file: the very same problems.
    assert sorted(map(key, (p for p in candidate if p.path == rel))) == \
        sorted(map(key, (p for p in on_disk if p.path == rel)))
    # Everything the candidate reports happens on disk, and errors on disk mean a refusal.
    assert set(map(key, candidate)) <= set(map(key, on_disk))
    assert any(p.severity == "error" for p in candidate) == any(p.severity == "error" for p in on_disk)


def test_unknown_related_note_is_refused_on_the_field(library):
    problems = check_candidate(load_library(library.root), "case", "alpha-town",
                               render(valid_case(related_notes=["no-such-note"])))
    assert [(p.field, p.severity) for p in problems] == [("related_notes", "error")]
    assert "no note with id 'no-such-note'" in problems[0].message


def test_a_new_case_may_not_take_the_id_of_a_note(library):
    problems = check_candidate(load_library(library.root), "case", "basics", render(valid_case("basics")))
    assert [(p.path, p.field) for p in problems] == [("cases/basics.md", "id")]
    assert "already used by kb/basics.md" in problems[0].message


def test_removing_a_linked_lesson_names_the_file_it_breaks(library):
    problems = check_candidate(load_library(library.root), "case", "alpha-town",
                               render(valid_case(lessons=[dict(LESSON, id="renamed")])))
    assert [p.path for p in problems] == ["kb/basics.md"]
    assert "has no lesson 'start-small'" in problems[0].message


def test_load_library_reports_rule_problems_and_fills_rules(library):
    (library.root / "kb" / "rules.yaml").write_text(
        "rules:\n"
        "  - id: read-basics\n    kind: reading\n    message: Read it.\n    note: basics\n"
        "    when: {approach: bottom-up}\n"
        "  - id: ghost\n    kind: reading\n    message: Read it.\n    note: ghost\n"
        "    when: {approach: bottom-up}\n"
    )
    content = load_library(library.root)
    assert [rule.id for rule in content.rules] == ["read-basics"]
    assert [(p.path, p.field) for p in content.problems] == [("kb/rules.yaml", "rules[1].note")]


def test_a_broken_vocabulary_refuses_every_candidate(library):
    (library.root / "kb" / "vocabulary.yaml").write_text("driver: [1, 2\n")
    content = load_library(library.root)
    assert content.vocabulary is None
    problems = check_candidate(content, "case", "alpha-town", render(valid_case()))
    assert problems and all(p.path == "kb/vocabulary.yaml" and p.severity == "error" for p in problems)


def test_every_bundled_document_checks_as_it_loads():
    content = load_library(REPO_ROOT)
    assert content.documents
    for document in content.documents.values():
        rel = document.path.relative_to(REPO_ROOT).as_posix()
        text = document.path.read_text(encoding="utf-8")
        expected = sorted(key(p) for p in content.problems if p.path == rel)
        assert sorted(map(key, check_candidate(content, document.kind, document.id, text))) == expected, rel
