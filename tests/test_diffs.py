"""Word-level review diffs: words, fields by label, lessons by id, the size bound."""

from __future__ import annotations

from pathlib import Path

from indexer.library.diffs import MAX_WORD_DIFF_BYTES, field_changes, word_diff

CRICIUMA = (Path(__file__).resolve().parents[1] / "cases" / "criciuma.md").read_text(encoding="utf-8")


def test_one_changed_word_gives_one_delete_and_insert_pair():
    runs = word_diff("Act on the crisis early.", "Act on the crisis quickly.")
    changed = [run for run in runs if run[0] != "equal"]
    assert changed == [("delete", "early"), ("insert", "quickly")]
    # The equal runs put the text back together on either side.
    assert "".join(text for op, text in runs if op != "insert") == "Act on the crisis early."
    assert "".join(text for op, text in runs if op != "delete") == "Act on the crisis quickly."


def test_a_field_change_is_reported_by_its_registry_label():
    changed = CRICIUMA.replace("place: Criciúma", "place: Criciúma city", 1)
    changes = field_changes(CRICIUMA, changed, "case")
    assert [(c["label"], c["before"], c["after"]) for c in changes["fields"]] == [
        ("Place", "Criciúma", "Criciúma city")]
    assert changes["lessons"] == [] and changes["body"] is None and changes["fallback"] is None


def _case(*lessons: tuple[str, str]) -> str:
    items = "".join(f"  - id: {lesson_id}\n    statement: {statement}\n" for lesson_id, statement in lessons)
    return f"---\nid: c\ntitle: C\nlessons:\n{items}---\nBody.\n"


def test_lessons_are_compared_by_id_not_by_position():
    before = _case(("first", "Act early."), ("second", "Plan ahead."))
    # Reordering lessons changes nothing a reviewer needs to read.
    assert field_changes(before, _case(("second", "Plan ahead."), ("first", "Act early.")), "case")["lessons"] == []
    changes = field_changes(before, _case(("second", "Plan further ahead."), ("first", "Act early.")), "case")
    assert [(c["label"], c["before"], c["after"]) for c in changes["lessons"]] == [
        ("Lesson second: Statement", "Plan ahead.", "Plan further ahead.")]
    assert [(op, text.strip()) for op, text in changes["lessons"][0]["words"] if op != "equal"] == [
        ("insert", "further")]
    removed = field_changes(before, _case(("first", "Act early.")), "case")["lessons"]
    assert [(c["label"], c["after"]) for c in removed] == [("Lesson second: Statement", "")]


def test_body_changes_and_the_size_bound():
    changes = field_changes(CRICIUMA, CRICIUMA + "\nOne more sentence.\n", "case")
    assert changes["fields"] == []
    assert [(op, text.strip()) for op, text in changes["body"] if op != "equal"] == [("insert", "One more sentence.")]
    huge = CRICIUMA + "x" * MAX_WORD_DIFF_BYTES
    assert "larger than" in field_changes(CRICIUMA, huge, "case")["fallback"]


def test_a_new_document_and_an_unparsable_one():
    new = field_changes("", CRICIUMA, "case")
    assert ("Title", "", "Criciúma tile cluster") in [(c["label"], c["before"], c["after"]) for c in new["fields"]]
    broken = field_changes(CRICIUMA, "---\ntitle: [unclosed\n---\n", "case")
    assert "does not parse" in broken["fallback"]
