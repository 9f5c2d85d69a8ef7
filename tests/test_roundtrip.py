"""Saves that change only what changed (issue 14): every bundled file through the edit form.

The form's values are turned back into text on the file's own YAML (ruamel.yaml round trip),
so an unchanged form gives the file byte for byte and one edited field changes only the
lines that field occupied.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from werkzeug.datastructures import MultiDict

from indexer.content.frontmatter import parse_text
from indexer.content.loading import content_files
from indexer.library.roundtrip import body_sections, replace_section, replace_value, section_text, split
from webui import forms

ROOT = Path(__file__).resolve().parents[1]
FILES = content_files(ROOT)


def submitted(values: dict) -> MultiDict:
    """The form values as a browser would post them."""
    form = MultiDict()
    for name, value in values.items():
        if name == "lessons":
            for index, lesson in enumerate(value):
                prefix = f"lesson-{index}-"
                for key in ("id", "statement", "explanation", "sources"):
                    form.add(prefix + key, lesson[key])
                for topic in lesson["topics"]:
                    form.add(prefix + "topics", topic)
                for key, chosen in lesson["applies_when"].items():
                    for item in chosen:
                        form.add(f"{prefix}applies_when_{key}", item)
        elif name == "sources":
            for index, row in enumerate(value):
                for key, text in row.items():
                    form.add(f"source-{index}-{key}", text)
        elif isinstance(value, list):
            for item in value:
                form.add(name, item)
        else:
            form.add(name, value)
    return form


def changed_lines(before: str, after: str) -> set[int]:
    """0-based lines of `before` that were replaced or removed (an insertion counts its position)."""
    matcher = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    lines: set[int] = set()
    for tag, a0, a1, _, _ in matcher.get_opcodes():
        if tag != "equal":
            lines.update(range(a0, max(a1, a0 + 1)))
    return lines


def span(mapping, key) -> range:
    """0-based file lines a key's entry occupies in its mapping (up to the next key)."""
    keys = list(mapping)
    start = mapping.lc.key(key)[0]
    following = keys.index(key) + 1
    end = mapping.lc.key(keys[following])[0] if following < len(keys) else None
    return range(start + 1, (end + 1) if end is not None else start + 2)  # +1: the opening fence


def front_of(text: str):
    return YAML(typ="rt").load(split(text)[0])


def test_every_content_folder_has_files():
    assert {kind for kind, _ in FILES} == {"case", "note"}


@pytest.mark.parametrize("kind,path", FILES, ids=[path.stem for _, path in FILES])
def test_an_unchanged_form_saves_the_file_byte_for_byte(kind, path):
    text = path.read_text(encoding="utf-8")
    values = forms.text_to_form(kind, text)
    assert forms.form_to_text(kind, path.stem, submitted(values), current=text) == text


@pytest.mark.parametrize("kind,path", FILES, ids=[path.stem for _, path in FILES])
def test_a_changed_summary_changes_only_the_summary_lines(kind, path):
    text = path.read_text(encoding="utf-8")
    values = forms.text_to_form(kind, text)
    values["summary"] = values["summary"] + " Edited."
    saved = forms.form_to_text(kind, path.stem, submitted(values), current=text)
    assert parse_text(saved).data["summary"].endswith(" Edited.")
    lines = changed_lines(text, saved)
    assert lines and lines <= set(span(front_of(text), "summary"))


LESSON_FILES = [(kind, path) for kind, path in FILES
                if parse_text(path.read_text(encoding="utf-8")).data.get("lessons")]


@pytest.mark.parametrize("kind,path", LESSON_FILES, ids=[path.stem for _, path in LESSON_FILES])
def test_one_lesson_sentence_changes_one_line(kind, path):
    text = path.read_text(encoding="utf-8")
    values = forms.text_to_form(kind, text)
    lesson = values["lessons"][0]
    lesson["statement"] = lesson["statement"].rstrip(".") + ", with a second reviewer."
    saved = forms.form_to_text(kind, path.stem, submitted(values), current=text)
    before, after = parse_text(text).data, parse_text(saved).data
    assert after["lessons"][0]["statement"] == lesson["statement"]
    after["lessons"][0]["statement"] = before["lessons"][0]["statement"]
    assert after == before  # nothing else changed in the data
    lines = changed_lines(text, saved)
    first = front_of(text)["lessons"][0]
    assert lines and lines <= set(span(first, "statement"))
    added = [line for line in difflib.ndiff(text.splitlines(), saved.splitlines()) if line.startswith("+ ")]
    assert len(added) == 1  # the new sentence is written on one line


def test_comments_and_keys_the_form_does_not_show_are_kept():
    kind, path = next((kind, path) for kind, path in FILES if kind == "case")
    text = path.read_text(encoding="utf-8")
    # A comment and a key the form does not show survive the save.
    text = text.replace("---\n", "---\n# kept: a maintainer's comment\nx_private: keep me\n", 1)
    values = forms.text_to_form(kind, text)
    saved = forms.form_to_text(kind, path.stem, submitted(values), current=text)
    assert saved == text
    assert "# kept: a maintainer's comment" in saved and parse_text(saved).data["x_private"] == "keep me"


def test_a_file_without_front_matter_is_written_afresh():
    values = forms.text_to_form("note", None)
    values.update(title="A note", summary="Short.")
    saved = forms.form_to_text("note", "a-note", submitted(values), current="no front matter here\n")
    assert parse_text(saved).data["title"] == "A note"


def test_a_multiple_select_keeps_the_files_order_and_removing_one_choice_removes_its_line():
    kind, path = next((kind, path) for kind, path in FILES
                      if len(parse_text(path.read_text(encoding="utf-8")).data.get("related_notes") or []) > 2)
    text = path.read_text(encoding="utf-8")
    values = forms.text_to_form(kind, text)
    notes = values["related_notes"]
    values["related_notes"] = sorted(notes[:1] + notes[2:])  # the browser posts the options' order
    saved = forms.form_to_text(kind, path.stem, submitted(values), current=text)
    assert parse_text(saved).data["related_notes"] == notes[:1] + notes[2:]
    removed = [line for line in difflib.ndiff(text.splitlines(), saved.splitlines()) if line[:2] in ("- ", "+ ")]
    assert removed == [f"-   - {notes[1]}"]


# ------------------------------------------------------------------------ one section at a time

@pytest.mark.parametrize("kind,path", FILES, ids=[path.stem for _, path in FILES])
def test_every_part_replaced_by_itself_gives_the_file_byte_for_byte(kind, path):
    text = path.read_text(encoding="utf-8")
    sections = body_sections(text)
    assert sections, "every bundled file has a body section"
    for section in sections:
        assert replace_section(text, section, section_text(text, section)) == text, section.heading
    data = parse_text(text).data
    assert replace_value(text, ("summary",), data["summary"]) == text
    for index, lesson in enumerate(data.get("lessons") or []):
        assert replace_value(text, ("lessons", index), lesson) == text


@pytest.mark.parametrize("kind,path", FILES, ids=[path.stem for _, path in FILES])
def test_an_edited_body_section_changes_only_that_section(kind, path):
    text = path.read_text(encoding="utf-8")
    sections = body_sections(text)
    section = sections[-1]
    edited = replace_section(text, section, section_text(text, section) + "\n\nOne more sentence.")
    lines = text.splitlines(keepends=True)
    assert edited.startswith("".join(lines[:section.start]))
    assert edited.endswith("".join(lines[section.end:]))
    assert [line for line in difflib.ndiff(text.splitlines(), edited.splitlines()) if line[:2] in ("- ", "+ ")] == [
        "+ ", "+ One more sentence."]
    assert "One more sentence." in edited and parse_text(edited).data == parse_text(text).data


def test_a_heading_inside_fenced_code_is_not_a_section():
    text = "---\nid: a\n---\n\n## Real\n\n```\n## not a heading\n```\n\n## Second\nx\n"
    assert [section.heading for section in body_sections(text)] == ["Real", "Second"]


def test_a_lesson_replaced_keeps_the_files_topic_order_and_changes_its_lines_only():
    kind, path = next((kind, path) for kind, path in LESSON_FILES
                      if len(parse_text(path.read_text(encoding="utf-8")).data["lessons"][0].get("topics") or []) > 1)
    text = path.read_text(encoding="utf-8")
    lesson = dict(parse_text(text).data["lessons"][0])
    lesson["topics"] = sorted(lesson["topics"], reverse=True)  # a form posts its options' order
    lesson["explanation"] = lesson["explanation"] + " More."
    saved = replace_value(text, ("lessons", 0), lesson,
                          unordered=lambda p: len(p) > 2 and p[2] in ("topics", "applies_when"))
    after = parse_text(saved).data["lessons"][0]
    assert after["topics"] == parse_text(text).data["lessons"][0]["topics"]
    assert after["explanation"].endswith(" More.")
    assert changed_lines(text, saved) <= set(span(front_of(text)["lessons"][0], "explanation"))


def test_nothing_at_the_path_or_no_front_matter_gives_none():
    assert replace_value("no front matter\n", ("summary",), "x") is None
    assert replace_value("---\nid: a\nlessons: []\n---\n", ("lessons", 3), {}) is None
