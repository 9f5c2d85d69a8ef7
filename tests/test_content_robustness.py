"""What authors can get wrong is reported, located, and never raised: wrong types in
front matter, YAML syntax errors, deep nesting and a broken vocabulary."""

from __future__ import annotations

import pytest

from tests.conftest import REPO_ROOT, render, valid_case, valid_note

from indexer.checking import check_candidate, load_library
from indexer.content.frontmatter import MAX_NESTING

LESSON = valid_case()["lessons"][0]


def problems_in(tree, rel):
    return [p for p in load_library(tree.root).problems if p.path == rel]


# -- wrong types (bug 8) ------------------------------------------------------------

WRONG_TYPES = {
    "lesson sources is a number": ("lessons[0].sources", {"lessons": [dict(LESSON, sources=3)]}),
    "lessons is a mapping": ("lessons", {"lessons": {"a": 1}}),
    "applies_when is a list": ("lessons[0].applies_when", {"lessons": [dict(LESSON, applies_when=["x"])]}),
    "title is a list": ("title", {"title": [1]}),
    "location is a number": ("location", {"location": 5}),
    "sources entries are numbers": ("sources[0]", {"sources": [1, 2]}),
    "case sources is a number": ("sources", {"sources": 3}),
    "sectors hold a list": ("sectors[0]", {"sectors": [["furniture"]]}),
    "lesson topics hold a mapping": ("lessons[0].topics[0]", {"lessons": [dict(LESSON, topics=[{"a": 1}])]}),
    "condition holds a mapping": ("lessons[0].applies_when.approach",
                                  {"lessons": [dict(LESSON, applies_when={"approach": {"a": 1}})]}),
    "related notes is a text": ("related_notes", {"related_notes": "basics"}),
    "a field name is a number": ("[5]", {5: "x"}),
}


@pytest.mark.parametrize("name", list(WRONG_TYPES))
def test_a_wrong_type_is_an_error_naming_file_line_and_field(tree, name):
    field, overrides = WRONG_TYPES[name]
    front = valid_case()
    front.update(overrides)
    tree.write("case", "alpha-town", render(front))
    problems = problems_in(tree, "cases/alpha-town.md")
    located = [p for p in problems if p.field == field and p.severity == "error"]
    assert located, [str(p) for p in problems]
    assert all(p.line is not None for p in problems)


def test_lesson_topics_unknown_gives_no_topics_not_letters(tree):
    tree.case(lessons=[dict(LESSON, topics="unknown")])
    content = load_library(tree.root)
    assert content.errors == []
    assert content.lessons[0].topics == ()


def test_wrong_types_in_glossary_and_rules_are_reported(tree):
    tree.note()
    (tree.root / "kb" / "glossary.yaml").write_text(
        "terms:\n  - term: LQ\n    definition: A ratio.\n    source: [1]\n    note: [basics]\n")
    (tree.root / "kb" / "rules.yaml").write_text(
        "rules:\n  - id: [1]\n    kind: reading\n    message: m\n    note: basics\n    when: {approach: top-down}\n"
        "  - id: b\n    kind: reading\n    message: m\n    note: basics\n    when: {approach: [[x]]}\n"
        "  - id: c\n    kind: reading\n    message: m\n    note: basics\n    when: {approach: top-down}\n"
        "    evidence: {approach: 3}\n")
    fields = {(p.path, p.field) for p in load_library(tree.root).problems}
    assert {("kb/glossary.yaml", "terms[0].source"), ("kb/glossary.yaml", "terms[0].note"),
            ("kb/rules.yaml", "rules[0].id"), ("kb/rules.yaml", "rules[1].when.approach"),
            ("kb/rules.yaml", "rules[2].evidence.approach")} <= fields


# -- YAML syntax errors name the line at fault (bug 7) --------------------------------

@pytest.mark.parametrize("broken", ["title: [unclosed", 'title: "unclosed', "title: {a: 1", "title"])
def test_a_broken_title_line_is_the_line_reported(tree, broken):
    lines = render(valid_case()).splitlines()
    title = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[title] = broken
    tree.write("case", "alpha-town", "\n".join(lines) + "\n")
    (problem,) = problems_in(tree, "cases/alpha-town.md")
    assert "YAML syntax error" in problem.message
    assert problem.line == title + 1


def test_an_error_noticed_on_its_own_line_keeps_that_line(tree):
    lines = render(valid_case()).splitlines()
    summary = next(i for i, line in enumerate(lines) if line.startswith("summary:"))
    lines[summary] = "summary: a: b"
    tree.write("case", "alpha-town", "\n".join(lines) + "\n")
    (problem,) = problems_in(tree, "cases/alpha-town.md")
    assert problem.line == summary + 1


@pytest.mark.parametrize("value", ["!!int abc", "!!int", "!!float zz", "!!timestamp 2001-99-99", "x\x00y", "!foo x"])
def test_a_value_yaml_cannot_read_is_located_not_raised(tree, value):
    lines = render(valid_case()).splitlines()
    title = next(i for i, line in enumerate(lines) if line.startswith("title:"))
    lines[title] = "title: " + value
    tree.write("case", "alpha-town", "\n".join(lines) + "\n")
    (problem,) = problems_in(tree, "cases/alpha-town.md")
    assert problem.message.startswith("YAML") and problem.line == title + 1
    assert "<unicode string>" not in problem.message


def test_a_missing_top_level_field_is_located_at_the_front_matter(tree):
    front = valid_case()
    del front["id"]
    tree.write("case", "alpha-town", render(front))
    (problem,) = problems_in(tree, "cases/alpha-town.md")
    assert (problem.field, problem.line) == ("id", 1)


# -- deep nesting (bug 11) ------------------------------------------------------------

@pytest.mark.parametrize("value", ["[" * 5000 + "]" * 5000, "{a: " * 5000 + "}" * 5000])
def test_deep_nesting_is_reported_and_the_file_left_out(tree, value):
    tree.case("alpha-town")
    tree.note("basics")
    text = render(valid_case("beta-city")).replace("title: beta-city cluster", "title: " + value)
    path = tree.write("case", "beta-city", text)
    content = load_library(tree.root)
    (problem,) = [p for p in content.problems if p.path == "cases/beta-city.md"]
    assert f"more than {MAX_NESTING} levels" in problem.message
    assert problem.line == path.read_text().splitlines().index("title: " + value) + 1
    assert set(content.documents) == {"alpha-town", "basics"}
    assert check_candidate(content, "case", "beta-city", text) == [problem]


def test_deep_nesting_through_aliases_is_reported(tree):
    anchors = ["a0: &a0 x"] + [f"a{i}: &a{i} " + "[" * 10 + f"*a{i - 1}" + "]" * 10 for i in range(1, 120)]
    tree.write("case", "alias-deep", "---\n" + "\n".join(anchors) + "\n---\n")
    (problem,) = problems_in(tree, "cases/alias-deep.md")
    assert f"more than {MAX_NESTING} levels" in problem.message


def test_a_recursive_alias_is_reported(tree):
    tree.write("case", "loop", "---\nid: loop\nx: &x [*x]\n---\n")
    assert "recursive alias" in problems_in(tree, "cases/loop.md")[0].message


def test_nesting_within_the_bound_is_loaded(tree):
    depth = MAX_NESTING - 2  # the front matter mapping and the title key take two levels
    text = render(valid_case()).replace("title: alpha-town cluster", "title: " + "[" * depth + "]" * depth)
    tree.write("case", "alpha-town", text)
    (problem,) = problems_in(tree, "cases/alpha-town.md")
    assert problem.field == "title" and problem.message == "must be a non-empty text"


# -- a broken vocabulary (bug 6) ------------------------------------------------------

def _vocabulary_with(tree, old, new):
    path = tree.root / "kb" / "vocabulary.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return text.replace(old, new, 1).splitlines()


BROKEN_VOCABULARIES = {
    "a list where a mapping is expected": ("approach:\n  label:", "approach: [a, b]\nx:\n  label:", "approach"),
    "a missing vocabulary": ("\ndriver:\n", "\ndrivers:\n", "driver"),
    "values of the wrong type": ("  footwear: {label: Footwear, parents: [leather-and-footwear], words:",
                                 "  footwear: {label: [Footwear], parents: leather, words:", "sectors.footwear.label"),
    "an entry that is a list": ("  Brazil: {region: latin-america, context: developing}", "  Brazil: [x]",
                                "countries.Brazil"),
    "an unknown sector parent": ("parents: [leather-and-footwear], words:", "parents: [nowhere], words:",
                                 "sectors.footwear.parents"),
    "a label cut at an unquoted comma": ("    mixed: {label: Public and private together}",
                                         "    mixed: {label: Public, private together}",
                                         "driver.values.mixed.private together"),
    "a YAML syntax error": ("\ndriver:\n", "\ndriver: [\n", None),
}


@pytest.mark.parametrize("name", list(BROKEN_VOCABULARIES))
def test_a_broken_vocabulary_is_a_located_problem(tree, name):
    old, new, field = BROKEN_VOCABULARIES[name]
    tree.case()
    lines = _vocabulary_with(tree, old, new)
    content = load_library(tree.root)
    assert content.vocabulary is None and content.documents == {}
    assert content.problems and all(p.path == "kb/vocabulary.yaml" for p in content.problems)
    assert all(p.line is not None and 1 <= p.line <= len(lines) for p in content.problems)
    if field is not None:
        assert field in {p.field for p in content.problems}, [str(p) for p in content.problems]


def test_the_bundled_vocabulary_loads(tree):
    assert load_library(REPO_ROOT).vocabulary is not None


def test_a_note_candidate_under_a_broken_vocabulary_is_refused_not_raised(tree):
    tree.note()
    _vocabulary_with(tree, "\ntopics:\n", "\ntopic:\n")
    content = load_library(tree.root)
    problems = check_candidate(content, "note", "basics", render(valid_note()))
    assert problems and {p.path for p in problems} == {"kb/vocabulary.yaml"}
