"""The edit form people can use (issue 14): checkbox groups, lessons and sources as rows that
can be added, moved and removed without script, a Save/Cancel bar, the id suggested from the
title, labels from the registry, and every error at once in plain words with a linked summary."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from werkzeug.datastructures import MultiDict

from indexer.content.frontmatter import parse_text
from indexer.content.schema import CONDITION, REGISTRY

from tests.web.support import close_app, copy_content, indexed_app
from tests.web.test_editing_web import signed_in

USERS = (("erin", "editor"), ("rita", "reviewer"), ("rob", "reader"))


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An app over a private copy of the content (each test edits a document of its own)."""
    app = indexed_app(copy_content(tmp_path_factory.mktemp("edit-form") / "content"), users=USERS)
    yield app
    close_app(app)


@pytest.fixture(scope="module")
def editor(site):
    return signed_in(site, "erin")


class _FormReader(HTMLParser):
    """What a browser posts for one form: checked boxes only, the selected option, textareas;
    nothing inside <template> (script copies it)."""

    def __init__(self, form_id: str):
        super().__init__(convert_charrefs=True)
        self.form_id, self.inside, self.template = form_id, False, 0
        self.values: list[tuple[str, str]] = []
        self.select: str | None = None
        self.options: list[tuple[str, bool]] = []
        self.textarea: str | None = None
        self.text: list[str] = []
        self.submit_buttons: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and attributes.get("id") == self.form_id:
            self.inside = True
        if not self.inside:
            return
        if tag == "template":
            self.template += 1
        if self.template:
            return
        name = attributes.get("name")
        if tag == "input" and name and attributes.get("type") not in ("checkbox", "submit") or (
                tag == "input" and attributes.get("type") == "checkbox" and "checked" in attributes):
            self.values.append((name, attributes.get("value", "on" if attributes.get("type") == "checkbox" else "")))
        elif tag == "select":
            self.select, self.options = name, []
        elif tag == "option" and self.select:
            self.options.append((attributes.get("value", ""), "selected" in attributes))
        elif tag == "textarea":
            self.textarea, self.text = name, []
        elif tag == "button" and attributes.get("type", "submit") == "submit":
            self.submit_buttons.append(attributes)

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "template":
            self.template -= 1
        elif self.template:
            return
        elif tag == "form":
            self.inside = False
        elif tag == "select" and self.select:
            chosen = [value for value, selected in self.options if selected] or [self.options[0][0]]
            self.values += [(self.select, value) for value in chosen]
            self.select = None
        elif tag == "textarea" and self.textarea:
            text = "".join(self.text)
            self.values.append((self.textarea, text[1:] if text.startswith("\n") else text))
            self.textarea = None

    def handle_data(self, data):
        if self.textarea and not self.template:
            self.text.append(data)


def read_form(page: str, form_id: str = "edit-form") -> tuple[MultiDict, list[dict]]:
    """(the values a browser would post, the form's submit buttons in order)."""
    reader = _FormReader(form_id)
    reader.feed(page)
    return MultiDict(reader.values), reader.submit_buttons


def ids_in(page: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', page))


def published(site, folder: str, doc_id: str) -> str:
    return (site.extensions["casebase"].settings.content_dir / folder / f"{doc_id}.md").read_text(encoding="utf-8")


def draft_data(site, kind: str, doc_id: str) -> dict:
    return parse_text(site.extensions["library"].open_draft(kind, doc_id).text).data


# ------------------------------------------------------------------------ choices

def test_lists_of_values_are_checkbox_groups_and_every_checked_box_is_saved(site, editor):
    page = editor.get("/edit/cases/zamora-frogs").get_data(as_text=True)
    assert not re.search(r"<select[^>]*multiple", page)
    for name in ("sectors", "related_notes", "activities", "obstacles", "lesson-0-topics",
                 "lesson-0-applies_when_approach"):
        assert re.search(rf'type="checkbox"[^>]*name="{name}"', page), name
    form, _ = read_form(page)
    before = parse_text(published(site, "cases", "zamora-frogs")).data
    assert sorted(form.getlist("related_notes")) == sorted(before["related_notes"])  # only the checked boxes
    extra = next(note for note in ("financing", "monitoring", "what-is-a-cluster") if note not in before["related_notes"])
    form.add("related_notes", extra)  # one more click: the others stay chosen
    assert editor.post("/edit/cases/zamora-frogs", data=form).status_code == 302
    assert draft_data(site, "case", "zamora-frogs")["related_notes"] == before["related_notes"] + [extra]


def test_sectors_are_grouped_under_their_broadest_sector(editor):
    page = editor.get("/edit/cases/sinos-valley").get_data(as_text=True)
    sectors = page[page.index('id="f-sectors"'):page.index("</fieldset>", page.index('id="f-sectors"') + 2000)]
    manufacturing = sectors[sectors.index("<legend>Manufacturing</legend>"):]
    assert 'value="footwear"' in manufacturing.split("</fieldset>")[0]


def test_conditions_and_topics_carry_the_registry_and_vocabulary_labels(site, editor):
    page = editor.get("/edit/cases/criciuma").get_data(as_text=True)
    vocabulary = site.extensions["casebase"].content.vocabulary
    assert "altenburg meyer stamer" not in page.lower().replace("altenburg / meyer-stamer", "")
    for spec in REGISTRY.with_role(CONDITION):
        if spec.vocabulary:
            assert f"Applies when: {spec.title}" in page
            for value in vocabulary.values(spec.vocabulary):
                assert f"> {vocabulary.label(spec.vocabulary, value)}</label>".replace("'", "&#39;") in page


# ------------------------------------------------------------------------ lessons and sources

def test_lessons_are_moved_added_and_removed_without_script_and_nothing_is_saved(site, editor):
    page = editor.get("/edit/cases/dortmund").get_data(as_text=True)
    form, _ = read_form(page)
    ids = [lesson["id"] for lesson in parse_text(published(site, "cases", "dortmund")).data["lessons"]]
    assert len(ids) >= 2 and 'formaction="/edit/cases/dortmund/rearrange"' in page

    moved = editor.post("/edit/cases/dortmund/rearrange", data={**form.to_dict(flat=False), "form_action": "up-lesson-1"})
    assert moved.status_code == 200
    moved_form, _ = read_form(moved.get_data(as_text=True))
    assert [moved_form.get(f"lesson-{i}-id") for i in range(len(ids))] == [ids[1], ids[0], *ids[2:]]
    assert moved_form.getlist("lesson-0-topics") == form.getlist("lesson-1-topics")  # the whole group moved

    added = editor.post("/edit/cases/dortmund/rearrange", data={**moved_form.to_dict(flat=False), "form_action": "add-lesson"})
    added_page = added.get_data(as_text=True)
    assert re.search(rf'id="f-lesson-{len(ids)}-id" name="lesson-{len(ids)}-id" value=""[^>]* autofocus', added_page)

    removed = editor.post("/edit/cases/dortmund/rearrange", data={**moved_form.to_dict(flat=False),
                                                                  "form_action": "remove-lesson-0"})
    removed_form, _ = read_form(removed.get_data(as_text=True))
    assert [removed_form.get(f"lesson-{i}-id") for i in range(len(ids) - 1)] == [ids[0], *ids[2:]]
    assert removed_form.get(f"lesson-{len(ids) - 1}-id") is None
    assert site.extensions["library"].open_draft("case", "dortmund") is None  # reshaping saves nothing

    # Saving the reordered form writes the lessons in their new order, each unchanged.
    assert editor.post("/edit/cases/dortmund", data=moved_form).status_code == 302
    saved = draft_data(site, "case", "dortmund")["lessons"]
    lessons = parse_text(published(site, "cases", "dortmund")).data["lessons"]
    assert saved == [lessons[1], lessons[0], *lessons[2:]]


def test_an_unknown_form_action_is_refused(editor):
    form, _ = read_form(editor.get("/edit/cases/dortmund").get_data(as_text=True))
    for action in ("up-lesson-99", "explode", ""):
        response = editor.post("/edit/cases/dortmund/rearrange", data={**form.to_dict(flat=False), "form_action": action})
        assert response.status_code == 400, action


def test_sources_are_rows_and_changing_one_year_changes_one_line(site, editor):
    page = editor.get("/edit/notes/monitoring").get_data(as_text=True)
    assert "{author:" not in page and "Author | Year" not in page
    form, _ = read_form(page)
    sources = parse_text(published(site, "kb", "monitoring")).data["sources"]
    assert [form.get(f"source-{i}-author") for i in range(len(sources))] == [s["author"] for s in sources]
    row = next(i for i, source in enumerate(sources) if isinstance(source["year"], int))
    form[f"source-{row}-year"] = str(sources[row]["year"] + 1)
    assert editor.post("/edit/notes/monitoring", data=form).status_code == 302
    before = published(site, "kb", "monitoring").splitlines()
    after = site.extensions["library"].open_draft("note", "monitoring").text.splitlines()
    changed = [(a, b) for a, b in zip(before, after) if a != b]
    assert len(before) == len(after) and len(changed) == 1 and str(sources[row]["year"] + 1) in changed[0][1]


def test_a_source_row_is_added_and_an_empty_one_is_not_saved(site, editor):
    form, _ = read_form(editor.get("/edit/cases/third-italy").get_data(as_text=True))
    count = len(parse_text(published(site, "cases", "third-italy")).data["sources"])
    page = editor.post("/edit/cases/third-italy/rearrange",
                       data={**form.to_dict(flat=False), "form_action": "add-source"}).get_data(as_text=True)
    assert re.search(rf'id="f-source-{count}-author"[^>]* autofocus', page)
    grown, _ = read_form(page)
    assert editor.post("/edit/cases/third-italy", data=grown).status_code == 302
    assert len(draft_data(site, "case", "third-italy")["sources"]) == count


# ------------------------------------------------------------------------ bar, id, labels

def test_the_save_bar_saves_by_default_and_cancel_returns(editor):
    page = editor.get("/edit/cases/criciuma").get_data(as_text=True)
    bar = page[page.index('class="save-bar"'):]
    assert ">Save draft</button>" in bar and '<a class="button secondary" href="/cases/criciuma">Cancel</a>' in bar
    _, buttons = read_form(page)
    assert "name" not in buttons[0]  # Enter in a text box saves: the first submit button is a plain save
    assert 'href="/static/editor.css"' in page and 'src="/static/editor.js"' in page
    new_page = editor.get("/edit/new/cases").get_data(as_text=True)
    assert '<a class="button secondary" href="/drafts">Cancel</a>' in new_page


def test_the_id_of_a_new_document_is_suggested_from_its_title(editor):
    page = editor.get("/edit/new/notes").get_data(as_text=True)
    assert re.search(r'id="f-id" name="id" value=""[^>]*data-suggest-from="f-title"', page)
    form, _ = read_form(page)
    form["title"] = "Cooperação em Ubá: lessons"
    page = editor.post("/edit/new/notes", data=form).get_data(as_text=True)
    assert re.search(r'id="f-id" name="id" value="cooperacao-em-uba-lessons"', page)


# ------------------------------------------------------------------------ errors

def test_every_error_is_reported_at_once_in_plain_words_with_links_to_the_fields(site, editor):
    before = published(site, "cases", "criciuma")
    form, _ = read_form(editor.get("/edit/cases/criciuma").get_data(as_text=True))
    form["summary"] = ""
    form["title"] = "unknown"
    form["lesson-0-explanation"] = ""
    form["lesson-1-statement"] = ""
    form["source-0-year"] = "last year"
    form["lesson-0-sources"] = "Nobody 1999"
    response = editor.post("/edit/cases/criciuma", data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    summary = page[page.index('id="error-summary"'):page.index("</div>", page.index('id="error-summary"'))]
    assert 'tabindex="-1" autofocus' in summary
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    wanted = {"f-title", "f-summary", "f-lesson-0-explanation", "f-lesson-1-statement", "f-source-0-year",
              "f-lesson-0-sources"}
    assert wanted <= {target for target, _ in links}
    assert {target for target, _ in links} <= ids_in(page)  # every link lands on a field
    assert "Summary: Write a summary" in summary and "Lesson 1: explanation: Write an explanation" in summary
    assert "must be a non-empty text" not in page
    for target in wanted:
        assert re.search(rf'id="{target}"[^>]*aria-invalid="true"', page), target
    assert published(site, "cases", "criciuma") == before


def test_removing_every_source_says_to_add_one(editor):
    form, _ = read_form(editor.get("/edit/notes/financing").get_data(as_text=True))
    for key in [key for key in form if key.startswith("source-")]:
        del form[key]
    page = editor.post("/edit/notes/financing", data=form).get_data(as_text=True)
    assert '<a href="#f-sources">Sources: Add at least one source: its author and year</a>' in page


def test_a_new_document_with_a_bad_id_gets_every_other_error_too(editor):
    form, _ = read_form(editor.get("/edit/new/cases").get_data(as_text=True))
    form.update({"id": "Not An Id", "title": "A case"})
    page = editor.post("/edit/new/cases", data=form).get_data(as_text=True)
    assert '<a href="#f-id">' in page and '<a href="#f-summary">' in page and '<a href="#f-sources">' in page


def test_the_rearrange_routes_need_an_editor_and_a_csrf_token(site):
    anonymous, reader = site.test_client(), signed_in(site, "rob")
    for url in ("/edit/cases/dortmund/rearrange", "/edit/new/cases/rearrange"):
        assert anonymous.post(url, data={"form_action": "add-lesson"}).status_code == 401
        assert reader.post(url, data={"form_action": "add-lesson"}).status_code == 403
        assert signed_in(site, "erin").post(url, data={"form_action": "add-lesson"}).status_code in (400, 403)


def test_the_helper_for_a_new_document_with_a_bad_id_names_every_error(site):
    """What webui/editor.py should answer for a bad id : every error at once."""
    from webui import forms
    from webui.form_errors import new_document_errors

    form = MultiDict({"id": "Not An Id", "title": "A case", "summary": "", "location_country": "Peru",
                      "body": "## Context\n\nText.\n"})
    text = forms.form_to_text("case", form["id"], form)
    errors = new_document_errors(site.extensions["casebase"].content, "case", form["id"], text)
    assert {"id", "summary", "sources"} <= set(errors)
    assert forms.chosen_id(MultiDict({"id": "", "title": "Lima bakeries"})) == "lima-bakeries"


@pytest.mark.parametrize("digit", ["①", "²⁰⁰¹"])
def test_unicode_digits_in_a_source_row_year_are_a_422_naming_that_year(site, editor, digit):
    form, _ = read_form(editor.get("/edit/notes/balanced-scorecard").get_data(as_text=True))
    form["source-0-year"] = digit
    response = editor.post("/edit/notes/balanced-scorecard", data=form)
    assert response.status_code == 422
    assert '<a href="#f-source-0-year">Source 1: year: Write the year as a number' in response.get_data(as_text=True)
    assert site.extensions["library"].open_draft("note", "balanced-scorecard") is None


def test_an_optional_choice_left_unknown_is_not_written_into_the_file(site, editor):
    # The select posts "unknown" for a choice the case does not record (criciuma names no
    # lead body): saving the form once wrote "lead_body: unknown" into its file.
    from webui.forms import field_name

    optional = [spec for spec in REGISTRY.form_fields("case") if not spec.required and spec.vocabulary
                and not spec.many]
    assert optional
    before = published(site, "cases", "criciuma")
    form, _ = read_form(editor.get("/edit/cases/criciuma").get_data(as_text=True))
    assert all(form.get(field_name(spec.path)) == "unknown" for spec in optional)
    form["title"] = form["title"] + " (edited)"
    assert editor.post("/edit/cases/criciuma", data=form).status_code == 302
    draft = site.extensions["library"].open_draft("case", "criciuma").text
    changed = [(a, b) for a, b in zip(before.splitlines(), draft.splitlines()) if a != b]
    assert len(before.splitlines()) == len(draft.splitlines()) and len(changed) == 1 and "(edited)" in changed[0][1]
