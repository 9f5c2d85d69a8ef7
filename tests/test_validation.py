"""The validator: one test per kind of problem, on small fixture trees."""

from __future__ import annotations

import time

from tests.conftest import render, valid_case

from indexer.content.loading import load_content


def problems_of(tree):
    return load_content(tree.root).problems


def only(problems, fragment):
    matching = [p for p in problems if fragment in p.message]
    assert matching, f"no problem mentions {fragment!r}: {[str(p) for p in problems]}"
    return matching[0]


def test_valid_tree_has_no_problems_and_yields_documents(tree):
    tree.case()
    tree.note(body="See [[case:alpha-town#start-small]] and [[case:alpha-town|Alpha]].\n")
    content = load_content(tree.root)
    assert content.problems == []
    assert [d.id for d in content.cases] == ["alpha-town"]
    assert content.lessons[0].uid == "alpha-town#start-small"
    assert content.lessons[0].applies_when == {"approach": ("bottom-up",)}


def test_malformed_yaml_names_file_and_line(tree):
    tree.write("case", "broken", "---\nid: broken\ntitle: [unclosed\nsummary: x\n---\nBody\n")
    problem = only(problems_of(tree), "YAML syntax error")
    assert problem.path == "cases/broken.md"
    assert problem.line == 3  # the title line, where the bracket opens


def test_missing_front_matter_fence(tree):
    tree.write("note", "plain", "Just text, no front matter.\n")
    problem = only(problems_of(tree), "must start with a '---' line")
    assert (problem.path, problem.line) == ("kb/plain.md", 1)


def test_unknown_vocabulary_value_suggests_closest(tree):
    case = valid_case()
    case["initiative"]["approach"] = "botom-up"
    tree.write("case", "alpha-town", render(case))
    problem = only(problems_of(tree), "unknown value 'botom-up'")
    assert problem.field == "initiative.approach"
    assert "closest first: bottom-up, top-down" in problem.message
    assert problem.line == render(case).splitlines().index("  approach: botom-up") + 1


def test_unknown_sector_in_list_is_located_by_index(tree):
    tree.case(sectors=["furniture", "footware"])
    problem = only(problems_of(tree), "unknown value 'footware'")
    assert problem.field == "sectors[1]"
    assert "closest first: footwear" in problem.message


def test_unknown_country_suggests_closest(tree):
    case = valid_case()
    case["location"]["country"] = "Brasil"
    tree.write("case", "alpha-town", render(case))
    problem = only(problems_of(tree), "unknown country 'Brasil'")
    assert "closest first: Brazil" in problem.message


def test_missing_required_field_and_unknown_field_typo(tree):
    case = valid_case()
    del case["summary"]
    case["outcome"] = case.pop("outcomes")
    tree.write("case", "alpha-town", render(case))
    problems = problems_of(tree)
    assert only(problems, "required field is missing").field == "summary"
    assert "did you mean 'outcomes'" in only(problems, "unknown field 'outcome'").message


def test_unknown_text_is_refused_where_a_value_must_be_written(tree):
    tree.case(title="unknown")
    assert only(problems_of(tree), "'unknown' is not allowed").field == "title"


def test_id_must_equal_file_name(tree):
    tree.write("case", "other-name", render(valid_case("alpha-town")))
    assert "must equal the file name 'other-name'" in only(problems_of(tree), "must equal").message


def test_duplicate_ids_across_files(tree):
    tree.case("alpha-town")
    tree.note("alpha-town")
    problem = only(problems_of(tree), "already used by cases/alpha-town.md")
    assert problem.path == "kb/alpha-town.md"


def test_broken_links_are_reported_with_their_line(tree):
    tree.case()
    body = "Intro.\n\nSee [[note:missing-note]].\nAlso [[case:alpha-town#no-such-lesson]] and [[Case:Bad]].\n"
    path = tree.note(body=body)
    problems = problems_of(tree)
    missing = only(problems, "no note with id 'missing-note'")
    body_start = path.read_text().splitlines().index("Intro.") + 1
    assert missing.line == body_start + 2
    assert "its lessons: start-small" in only(problems, "has no lesson 'no-such-lesson'").message
    assert only(problems, "malformed link [[Case:Bad]]").line == body_start + 3


def test_related_ids_must_exist(tree):
    tree.case(related_notes=["nowhere"])
    assert only(problems_of(tree), "no note with id 'nowhere'").field == "related_notes"


def test_lesson_ids_unique_within_case(tree):
    lesson = valid_case()["lessons"][0]
    tree.case(lessons=[lesson, dict(lesson)])
    assert only(problems_of(tree), "used twice").field == "lessons[1].id"


def test_lesson_citation_must_match_a_case_source(tree):
    lesson = dict(valid_case()["lessons"][0], sources=["Schmitz 1998"])
    tree.case(lessons=[lesson])
    assert only(problems_of(tree), "matches none of the case's sources").field == "lessons[0].sources[0]"


def test_lesson_condition_keys_and_values_are_checked(tree):
    lesson = dict(valid_case()["lessons"][0], applies_when={"aproach": "top-down", "pressure": "fine"})
    tree.case(lessons=[lesson])
    problems = problems_of(tree)
    assert "did you mean 'approach'" in only(problems, "unknown condition 'aproach'").message
    assert only(problems, "unknown value 'fine'").field == "lessons[0].applies_when.pressure"


def test_case_needs_at_least_one_source(tree):
    tree.case(sources=[])
    assert only(problems_of(tree), "at least one source").field == "sources"


def test_source_year_must_be_a_year_or_nd(tree):
    tree.case(sources=[{"author": "Author", "year": "recent"}])
    assert only(problems_of(tree), "must be a year").field == "sources[0].year"


def test_comma_split_flow_mapping_gets_a_quoting_hint(tree):
    text = render(valid_case()).replace(
        "- author: Author\n  year: 2001",
        "- {author: Meyer-Stamer, Maggi and Seibel, year: 2001}",
    )
    tree.write("case", "alpha-town", text)
    assert "put the previous value in quotes" in only(problems_of(tree), "unknown field 'Maggi and Seibel'").message


def test_yaml_alias_bomb_is_refused_quickly(tree):
    bomb = ["---", "id: bomb", 'a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    for level in range(1, 9):
        previous = chr(ord("a") + level - 1)
        current = chr(ord("a") + level)
        bomb.append(f"{current}: &{current} [*{previous},*{previous},*{previous},*{previous},"
                    f"*{previous},*{previous},*{previous},*{previous},*{previous},*{previous}]")
    bomb += ["---", "Body"]
    tree.write("case", "bomb", "\n".join(bomb) + "\n")
    started = time.perf_counter()
    problem = only(problems_of(tree), "expands to more than")
    assert time.perf_counter() - started < 5
    assert problem.path == "cases/bomb.md"


def test_a_few_small_aliases_are_fine(tree):
    text = render(valid_case()).replace("activities:\n- training", "activities: &acts\n- training")
    tree.write("case", "alpha-town", text)
    assert problems_of(tree) == []


def test_oversized_file_is_refused_unread(tree):
    tree.write("case", "huge", "---\nid: huge\n---\n" + "x" * (600 * 1024))
    assert only(problems_of(tree), "the limit is").path == "cases/huge.md"


def test_templates_and_readmes_are_not_content(tree):
    (tree.root / "cases" / "_template.md").write_text("not valid at all")
    (tree.root / "kb" / "README.md").write_text("# Authors' guide")
    assert load_content(tree.root).files_checked == 0


def test_glossary_entries_are_checked(tree):
    tree.note()
    (tree.root / "kb" / "glossary.yaml").write_text(
        "terms:\n"
        "  - term: location quotient\n    aliases: [LQ]\n    definition: A ratio.\n    note: basics\n"
        "  - term: BDS\n    definition: Business development services.\n    note: nowhere\n"
        "  - term: nothing defined\n"
    )
    content = load_content(tree.root)
    assert [t.term for t in content.glossary] == ["location quotient", "BDS"]
    assert only(content.problems, "no note with id 'nowhere'").line == 8
    assert only(content.problems, "needs a term and a definition").field == "terms[2]"


def test_an_id_longer_than_the_limit_is_a_located_validation_error(tmp_path):
    """Over-long ids became file names too long for the file system (a 500 on save)."""
    from indexer.content.schema import MAX_ID_LENGTH, SLUG_PATTERN

    assert SLUG_PATTERN.match("a" * MAX_ID_LENGTH)
    assert not SLUG_PATTERN.match("a" * (MAX_ID_LENGTH + 1))
    assert not SLUG_PATTERN.match("a-" * 40 + "b")


def test_every_error_of_a_file_is_reported_in_one_pass(tree):
    """Issue 14: the id, the summary, the sources and each lesson's problems all at once, not in rounds."""
    case = valid_case("Bad Id", summary="", sources=[{"author": "", "year": "last year"}])
    case["lessons"] = [
        {"id": "one", "statement": "", "explanation": "x (Author 2001).", "topics": ["nonsense"], "sources": ["Author 2001"]},
        {"id": "two", "statement": "Do it.", "explanation": "", "topics": [], "sources": [],
         "applies_when": {"approach": "sideways"}},
    ]
    tree.write("case", "bad-id", render(case))
    problems = [p for p in problems_of(tree) if p.severity == "error"]
    fields = {p.field for p in problems}
    assert {"id", "summary", "sources[0].author", "sources[0].year", "lessons[0].statement", "lessons[0].topics[0]",
            "lessons[1].explanation", "lessons[1].applies_when.approach"} <= fields
    assert all(p.path == "cases/bad-id.md" and p.line for p in problems)


def test_the_messages_a_form_rewords_are_the_validators_own(tree):
    """webui/forms rewords these messages by their constants; they must stay what the checker says."""
    from indexer.content import validate

    tree.case(summary="", sources=[])
    messages = {p.field: p.message for p in problems_of(tree)}
    assert messages["summary"] == validate.EMPTY_TEXT and messages["sources"] == validate.NO_SOURCES


def test_an_interpretation_mark_must_name_a_case_field_and_a_value_it_holds(tree):
    from indexer.content.loading import load_content

    tree.case("alpha-town", sectors=["furniture"], interpreted=["sectors=furniture", "sectors=software", "colour"])
    problems = [p for p in load_content(tree.root).problems if p.field and p.field.startswith("interpreted")]
    assert [(p.field, p.line is not None) for p in problems] == [("interpreted[1]", True), ("interpreted[2]", True)]
    assert "software" in problems[0].message and "colour" in problems[1].message
