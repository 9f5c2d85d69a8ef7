"""Editing one part of a document alone (issue 14): the summary, one lesson or one '## '
section of the body, saved through the same draft and base-revision path as the whole form,
so the file changes only in that part."""

from __future__ import annotations

import difflib
import re

import pytest

from indexer.content.frontmatter import parse_text
from indexer.library.roundtrip import body_sections

from tests.web.support import close_app, copy_content, indexed_app
from tests.web.test_edit_form import read_form
from tests.web.test_editing_web import signed_in

USERS = (("erin", "editor"), ("ed", "editor"), ("rob", "reader"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    app = indexed_app(copy_content(tmp_path_factory.mktemp("sections") / "content"), users=USERS)
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def editor(site):
    return signed_in(site, "erin")


def published(site, folder: str, doc_id: str) -> str:
    return (site.extensions["casebase"].settings.content_dir / folder / f"{doc_id}.md").read_text(encoding="utf-8")


def changed(before: str, after: str) -> list[str]:
    """The removed and added lines between two texts."""
    return [line for line in difflib.ndiff(before.splitlines(), after.splitlines()) if line[:2] in ("- ", "+ ")]


def draft_text(site, kind: str, doc_id: str) -> str:
    return site.extensions["library"].open_draft(kind, doc_id).text


def test_the_edit_form_links_to_every_part_alone(site, editor):
    text = published(site, "cases", "criciuma")
    page = editor.get("/edit/cases/criciuma").get_data(as_text=True)
    assert 'href="/edit/cases/criciuma/section/summary"' in page
    for lesson in parse_text(text).data["lessons"]:
        assert f'href="/edit/cases/criciuma/section/lesson-{lesson["id"]}"' in page
    for number, section in enumerate(body_sections(text), start=1):
        assert re.search(rf'href="/edit/cases/criciuma/section/section-{number}">{re.escape(section.heading)}</a>', page)


def test_the_summary_alone_changes_only_the_summary(site, editor):
    before = published(site, "cases", "sinos-valley")
    page = editor.get("/edit/cases/sinos-valley/section/summary").get_data(as_text=True)
    form, _ = read_form(page)
    assert set(form) == {"csrf_token", "base_revision", "summary", "message"}  # nothing but the summary
    summary = parse_text(before).data["summary"]
    form["summary"] = summary + " Checked again in 2026."
    response = editor.post("/edit/cases/sinos-valley/section/summary", data=form)
    assert response.status_code == 302 and re.match(r"/drafts/\d+$", response.location)
    after = draft_text(site, "case", "sinos-valley")
    assert parse_text(after).data["summary"] == summary + " Checked again in 2026."
    lines, new_lines = before.splitlines(), after.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("summary:"))
    end = next(i for i in range(start + 1, len(lines)) if lines[i][:1].strip())  # the next top-level key
    tail = len(lines) - end
    assert new_lines[:start] == lines[:start] and new_lines[-tail:] == lines[end:]  # only the summary's lines
    data_before, data_after = parse_text(before).data, parse_text(after).data
    data_after["summary"] = summary
    assert data_after == data_before and parse_text(after).body == parse_text(before).body


def test_one_lesson_alone_changes_only_its_lines(site, editor):
    before = published(site, "cases", "zamora-frogs")
    lessons = parse_text(before).data["lessons"]
    target = lessons[1]
    page = editor.get(f"/edit/cases/zamora-frogs/section/lesson-{target['id']}").get_data(as_text=True)
    form, _ = read_form(page)
    assert form.get("lesson-1-id") == target["id"] and "lesson-0-id" not in form and "summary" not in form
    assert sorted(form.getlist("lesson-1-topics")) == sorted(target["topics"])
    form["lesson-1-statement"] = "Let the producers set the pace of cooperation themselves."
    assert editor.post(f"/edit/cases/zamora-frogs/section/lesson-{target['id']}", data=form).status_code == 302
    after = draft_text(site, "case", "zamora-frogs")
    assert changed(before, after) == [f"-     statement: {target['statement']}",
                                      "+     statement: Let the producers set the pace of cooperation themselves."]


def test_one_body_section_alone_changes_only_that_section(site, editor):
    before = published(site, "kb", "monitoring")
    sections = body_sections(before)
    assert len(sections) >= 2
    page = editor.get("/edit/notes/monitoring/section/section-2").get_data(as_text=True)
    form, _ = read_form(page)
    lines = before.splitlines(keepends=True)
    assert form["body"] == "".join(lines[sections[1].start:sections[1].end]).rstrip("\n")
    form["body"] = form["body"] + "\n\nA sentence added to this section only (Mesopartner WP08)."
    assert editor.post("/edit/notes/monitoring/section/section-2", data=form).status_code == 302
    after = draft_text(site, "note", "monitoring")
    assert [line for line in changed(before, after)] == ["+ ", "+ A sentence added to this section only (Mesopartner WP08)."]
    assert after.startswith("".join(lines[:sections[1].end]).rstrip("\n"))


def test_an_unchanged_part_saves_the_file_byte_for_byte(site, editor):
    for part in ("summary", "section-1", "lesson-" + parse_text(published(site, "cases", "dortmund")).data["lessons"][0]["id"]):
        form, _ = read_form(editor.get(f"/edit/cases/dortmund/section/{part}").get_data(as_text=True))
        assert editor.post(f"/edit/cases/dortmund/section/{part}", data=form).status_code == 302
        assert draft_text(site, "case", "dortmund") == published(site, "cases", "dortmund"), part


def test_an_invalid_part_is_refused_in_plain_words_and_nothing_is_saved(site, editor):
    lesson = parse_text(published(site, "cases", "third-italy")).data["lessons"][0]
    url = f"/edit/cases/third-italy/section/lesson-{lesson['id']}"
    form, _ = read_form(editor.get(url).get_data(as_text=True))
    form["lesson-0-explanation"] = ""
    form["lesson-0-sources"] = "Nobody 1999"
    response = editor.post(url, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<a href="#f-lesson-0-explanation">Lesson 1: explanation: Write an explanation</a>' in page
    assert 'href="#f-lesson-0-sources"' in page and 'id="f-lesson-0-sources"' in page
    assert site.extensions["library"].open_draft("case", "third-italy") is None


def test_a_part_saved_over_a_newer_revision_is_a_conflict_and_kept(site, editor):
    other = signed_in(site, "ed")
    stale, _ = read_form(editor.get("/edit/notes/financing/section/summary").get_data(as_text=True))
    fresh, _ = read_form(other.get("/edit/notes/financing/section/summary").get_data(as_text=True))
    fresh["summary"] = fresh["summary"] + " First."
    assert other.post("/edit/notes/financing/section/summary", data=fresh).status_code == 302
    stale["summary"] = stale["summary"] + " Second."
    response = editor.post("/edit/notes/financing/section/summary", data=stale)
    assert response.status_code == 409
    assert parse_text(draft_text(site, "note", "financing")).data["summary"].endswith(" First.")
    kept = site.extensions["library"].drafts("conflict")
    assert any(parse_text(d.text).data["summary"].endswith(" Second.") for d in kept if d.doc_id == "financing")


@pytest.mark.parametrize("part", ["lesson-no-such-lesson", "section-0", "section-999", "section-１", "body", "x"])
def test_a_part_the_document_does_not_have_is_404(editor, part):
    assert editor.get(f"/edit/cases/criciuma/section/{part}").status_code == 404


def test_section_routes_need_an_editor_and_a_csrf_token(site):
    anonymous, reader, editor = site.test_client(), signed_in(site, "rob"), signed_in(site, "erin")
    url = "/edit/cases/criciuma/section/summary"
    assert anonymous.get(url).status_code == 401 and reader.get(url).status_code == 403
    assert anonymous.post(url, data={"summary": "x"}).status_code == 401
    assert reader.post(url, data={"summary": "x"}).status_code == 403
    assert editor.post(url, data={"summary": "x"}).status_code in (400, 403)  # no CSRF token
    assert site.extensions["library"].open_draft("case", "criciuma") is None
