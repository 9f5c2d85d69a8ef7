"""Case and note pages guide the reader (issue 13): a table of contents, unstated facts
folded, human labels, topics as links, previous/next along the learning path, the
glossary page A-Z."""

from __future__ import annotations

import html
import re

from indexer.content.vocabulary import UNKNOWN

from indexer.content.schema import ATTRIBUTE, REGISTRY

from webui import reading
from webui.presenters import value_label, vocabulary_of


def test_case_page_has_a_table_of_contents_to_its_sections(client, bundled_casebase):
    case = bundled_casebase.content.documents["sinos-valley"]
    page = client.get("/cases/sinos-valley").get_data(as_text=True)
    toc = page[page.index('class="toc"'):page.index("</nav>", page.index('class="toc"'))]
    headed = [s for s in case.sections if s.heading]
    assert headed
    for section in headed:
        assert f'href="#{section.anchor}"' in toc and f'id="{section.anchor}"' in page


def test_unknown_facts_are_folded_under_not_stated(client, bundled_casebase):
    case = bundled_casebase.content.documents["sinos-valley"]
    page = client.get("/cases/sinos-valley").get_data(as_text=True)
    detail = client.get("/cases/sinos-valley?format=json").get_json()
    unknown = [row["label"] for row in detail["fact_sheet"] if all(v["value"] == UNKNOWN for v in row["values"])]
    assert unknown, "Sinos Valley has unstated facts"
    assert f"Not stated in the sources ({len(unknown)})" in page
    sheet = page[page.index("<dl>"):page.index("</dl>")]
    assert "Unknown" not in sheet and "unknown" not in sheet
    assert case.title in page


def test_lesson_metadata_uses_labels_and_topic_links(client, bundled_casebase):
    content = bundled_casebase.content
    case = next(c for c in content.cases if any(lesson.applies_when for lesson in c.lessons))
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    lesson = next(lesson for lesson in case.lessons if lesson.applies_when)
    block = page[page.index(f'id="lesson-{lesson.id}"'):]
    block = block[:block.index("</section>")]
    conditions = re.sub(r"<[^>]+>", "", block.split("Applies when:")[1]).split(" · Sources")[0]
    vocabulary = content.vocabulary
    for key, values in lesson.applies_when.items():
        spec = next(spec for spec in REGISTRY.with_role(ATTRIBUTE) if spec.key == key)
        assert spec.title.lower() in conditions
        for value in values:
            assert value_label(vocabulary, vocabulary_of(spec), value) in conditions
    for topic in lesson.topics:
        assert f'href="/search?topic={topic}"' in block


def test_notes_have_previous_and_next_along_the_path(client, bundled_casebase):
    notes = reading.path_notes(bundled_casebase.content)
    assert len(notes) >= 3
    middle = client.get(f"/notes/{notes[1].id}").get_data(as_text=True)
    assert f'rel="prev" href="/notes/{notes[0].id}"' in middle and f'rel="next" href="/notes/{notes[2].id}"' in middle
    first = client.get(f"/notes/{notes[0].id}").get_data(as_text=True)
    assert 'rel="prev"' not in first.split('class="path-nav"')[1]
    assert f"note 2 of {len(notes)}" in middle


def test_glossary_page_is_a_to_z_with_links_to_the_explaining_notes(client, bundled_casebase):
    glossary = bundled_casebase.content.glossary
    page = client.get("/glossary").get_data(as_text=True)
    initials = sorted({t.term[0].upper() for t in glossary})
    for initial in initials:
        assert f'href="#letter-{initial}"' in page
    explained = [t for t in glossary if t.note]
    assert page.count("Read the note:") == len(explained)
    assert "Read more" not in page


def test_reading_minutes_grow_with_the_text(bundled_casebase):
    notes = sorted(bundled_casebase.content.notes, key=lambda n: len(n.body))
    assert reading.reading_minutes(notes[0]) <= reading.reading_minutes(notes[-1])
    assert reading.reading_minutes(notes[-1]) >= 2


def _tooltips(page: str) -> list[str]:
    return re.findall(r'<span class="tip" role="tooltip">(.*?)</span></span>', page, re.S)


def test_glossary_tooltips_link_to_the_explaining_note_and_the_glossary_entry(client, bundled_casebase):
    """On every note page, each tooltip ends with a link to the term's glossary entry
    (an anchor the glossary page has) and, for a term another note explains, to that note."""
    content = bundled_casebase.content
    glossary_page = client.get("/glossary").get_data(as_text=True)
    by_term = {term.term: term for term in content.glossary}
    checked_note_links = 0
    for note in content.notes:
        for tip in _tooltips(client.get(f"/notes/{note.id}").get_data(as_text=True)):
            term = by_term[html.unescape(tip.split(":", 1)[0])]
            anchor = re.search(r'href="/glossary#([^"]+)">Glossary entry</a>', tip).group(1)
            assert f'id="{anchor}"' in glossary_page
            if term.note and term.note != note.id:
                assert f'href="/notes/{term.note}">Read the note: ' in tip
                checked_note_links += 1
            else:
                assert "Read the note" not in tip  # never a link to the page being read
    assert checked_note_links > 0
