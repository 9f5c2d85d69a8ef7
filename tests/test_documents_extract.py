"""Extraction of each format: passages, page numbers, headings, title and author, with
the expected values taken from what tests/documents_fixtures.py generated."""

from __future__ import annotations

import pytest

from indexer.documents import models
from indexer.documents.extract import extract, extract_safely, sniff
from indexer.documents.passages import TARGET_CHARACTERS, Section, section_passages, text_passages
from indexer.documents.text import markdown_sections
from indexer.errors import InvalidInput
from indexer.settings import DocumentLimits
from tests import documents_fixtures as fixtures

LIMITS = DocumentLimits()


def _sections_seen(extracted: models.Extracted) -> list[tuple[str, list[str]]]:
    """The (heading, paragraphs) an extraction gives, to compare with the fixture's sections."""
    return [(passage.heading, passage.text.split("\n\n")) for passage in extracted.passages]


def _expected_sections(sections=fixtures.SECTIONS) -> list[tuple[str, list[str]]]:
    return [(heading, list(paragraphs)) for heading, paragraphs in sections]


def test_a_text_pdf_gives_one_passage_per_page_with_its_number_and_metadata(tmp_path):
    data = fixtures.text_pdf(tmp_path / "report.pdf", 3).read_bytes()
    extracted = extract(data, "report.pdf", LIMITS)
    assert extracted.media_type == models.PDF and extracted.pages == 3
    assert [(p.number, p.page, p.text) for p in extracted.passages] == [
        (n - 1, n, fixtures.page_phrase(n)) for n in (1, 2, 3)]
    assert (extracted.title, extracted.author) == (fixtures.TITLE, fixtures.AUTHOR)
    assert not extracted.ocr and not any(p.ocr for p in extracted.passages)
    assert extracted.notices == []


def test_pdf_pages_without_text_are_skipped_and_numbers_stay_those_of_the_pages(tmp_path):
    texts = ["first page words", "", "third page words"]
    data = fixtures.text_pdf(tmp_path / "gap.pdf", texts).read_bytes()
    extracted = extract(data, "gap.pdf", LIMITS)
    assert extracted.pages == 3
    assert [(p.number, p.page, p.text) for p in extracted.passages] == [(0, 1, texts[0]), (1, 3, texts[2])]


def test_a_pdf_without_metadata_has_no_title_or_author(tmp_path):
    data = fixtures.text_pdf(tmp_path / "bare.pdf", 1, title="", author="").read_bytes()
    extracted = extract(data, "bare.pdf", LIMITS)
    assert (extracted.title, extracted.author) == ("", "")


def test_a_docx_gives_a_passage_per_heading_and_its_table_text(tmp_path):
    data = fixtures.docx_file(tmp_path / "report.docx").read_bytes()
    extracted = extract(data, "report.docx", LIMITS)
    assert extracted.media_type == models.DOCX and extracted.pages is None
    expected = _expected_sections()
    # The table follows the last section's paragraphs, one line per row.
    expected[-1][1].append("\n".join(" | ".join(row) for row in fixtures.TABLE))
    assert _sections_seen(extracted) == expected
    assert [p.page for p in extracted.passages] == [None] * len(expected)
    assert (extracted.title, extracted.author) == (fixtures.TITLE, fixtures.AUTHOR)


def test_a_docx_without_a_title_is_named_by_its_first_heading(tmp_path):
    data = fixtures.docx_file(tmp_path / "untitled.docx", table=None, title="", author="").read_bytes()
    extracted = extract(data, "untitled.docx", LIMITS)
    assert extracted.title == fixtures.SECTIONS[0][0]
    assert extracted.author == ""


def test_an_odt_gives_a_passage_per_text_h_heading(tmp_path):
    data = fixtures.odt_file(tmp_path / "report.odt").read_bytes()
    extracted = extract(data, "report.odt", LIMITS)
    assert extracted.media_type == models.ODT
    assert _sections_seen(extracted) == _expected_sections()
    assert (extracted.title, extracted.author) == (fixtures.TITLE, fixtures.AUTHOR)


def test_an_odt_without_metadata_is_named_by_its_first_heading(tmp_path):
    data = fixtures.odt_file(tmp_path / "untitled.odt", title="", author="").read_bytes()
    assert extract(data, "untitled.odt", LIMITS).title == fixtures.SECTIONS[0][0]


def test_markdown_gives_a_passage_per_heading_and_its_first_heading_as_title(tmp_path):
    data = fixtures.markdown_file(tmp_path / "notes.md").read_bytes()
    extracted = extract(data, "notes.md", LIMITS)
    assert extracted.media_type == models.MARKDOWN
    assert _sections_seen(extracted) == _expected_sections()
    assert extracted.title == fixtures.SECTIONS[0][0]


def test_markdown_markup_is_taken_away_and_html_is_never_kept_as_markup():
    text = ("---\ntitle: From the front matter\nauthor: Ana Souza\n---\n"
            "Intro line\n\n# A *first* heading #\n\n"
            "Some **bold** and _light_ text with [a link](https://example.org) and `code`.\n"
            "<script>alert(1)</script> &amp; ![a chart](chart.png)\n\n"
            "> quoted line\n- listed item\n1. numbered item\n\n"
            "| Firms | Jobs |\n|---|---|\n| 12 | 40 |\n\n"
            "```\n# not a heading\n```\n\n"
            "Second heading\n--------------\n\nlast words\n")
    meta, sections = markdown_sections(text)
    assert meta == {"title": "From the front matter", "author": "Ana Souza"}
    assert [(s.heading, s.paragraphs) for s in sections] == [
        ("", ["Intro line"]),
        ("A first heading", [
            "Some bold and light text with a link and code.\nalert(1) & a chart",
            "quoted line\nlisted item\nnumbered item",
            "Firms | Jobs\n12 | 40",
            "# not a heading"]),
        ("Second heading", ["last words"]),
    ]
    extracted = extract(text.encode(), "notes.md", LIMITS)
    assert (extracted.title, extracted.author) == ("From the front matter", "Ana Souza")
    assert not any("<" in p.text for p in extracted.passages)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-be"])
def test_plain_text_in_utf8_or_with_a_byte_order_mark_is_read(tmp_path, encoding):
    text = "Cooperação entre empresas.\n\nCooperación de pymes."
    raw = text.encode(encoding)
    if encoding == "utf-16-be":
        raw = b"\xfe\xff" + raw  # big-endian with its byte-order mark
    (tmp_path / "notes.txt").write_bytes(raw)
    extracted = extract(raw, "notes.txt", LIMITS)
    assert extracted.media_type == models.PLAIN
    assert [p.text for p in extracted.passages] == [text]
    assert extracted.title == ""


def test_the_utf16_fixture_reads_as_plain_text(tmp_path):
    text = "Fábrica de móveis\n\nsegundo bloco"
    data = fixtures.utf16_text_file(tmp_path / "u.txt", text).read_bytes()
    assert [p.text for p in extract(data, "u.txt", LIMITS).passages] == [text]


def test_text_in_another_encoding_is_refused_with_the_line():
    data = "first line\nsecond line\nCooperação\n".encode("latin-1")
    with pytest.raises(InvalidInput) as caught:
        extract(data, "old.txt", LIMITS)
    assert caught.value.field == "file"
    assert caught.value.message.startswith("old.txt: line 3 is not UTF-8 text")


def test_plain_text_is_cut_at_blank_lines_near_the_target_size():
    paragraphs = [f"Paragraph {n} " + "word " * 60 for n in range(30)]
    passages = text_passages("\n\n".join(paragraphs))
    assert len(passages) > 1
    assert [p.number for p in passages] == list(range(len(passages)))
    assert all(len(p.text) <= TARGET_CHARACTERS for p in passages)
    # Nothing lost, nothing cut inside a paragraph.
    assert [para for p in passages for para in p.text.split("\n\n")] == [para.strip() for para in paragraphs]


def test_a_long_section_is_split_and_keeps_its_heading():
    sentences = " ".join(f"Sentence number {n} tells about clusters." for n in range(200))
    passages = section_passages([Section("Long part", [sentences]), Section("Short", ["tail"])])
    long_ones = [p for p in passages if p.heading == "Long part"]
    assert len(long_ones) > 1 and all(len(p.text) <= TARGET_CHARACTERS for p in long_ones)
    assert " ".join(p.text for p in long_ones) == sentences
    assert passages[-1].heading == "Short" and passages[-1].text == "tail"


@pytest.mark.parametrize("maker, wrong_name, media_type", [
    (lambda p: fixtures.text_pdf(p, 1), "report.txt", models.PDF),
    (fixtures.docx_file, "report.pdf", models.DOCX),
    (fixtures.odt_file, "report.docx", models.ODT),
    (fixtures.markdown_file, "report.txt", models.MARKDOWN),
    (lambda p: fixtures.text_file(p, "just words, no headings"), "report.md.pdf", models.PLAIN),
])
def test_the_type_is_told_by_content_not_by_the_file_name(tmp_path, maker, wrong_name, media_type):
    data = maker(tmp_path / "file").read_bytes()
    assert sniff(data, wrong_name) == media_type


def test_markdown_without_headings_is_markdown_by_its_extension():
    assert sniff(b"just some words", "notes.md") == models.MARKDOWN
    assert sniff(b"just some words", "notes.txt") == models.PLAIN


def test_text_starting_with_letters_that_are_a_magic_number_is_still_text():
    # "BM" is a bitmap's magic number to filetype.
    assert sniff(b"BMW suppliers in the region", "notes.txt") == models.PLAIN


def test_the_child_process_gives_the_same_extraction_as_in_process(tmp_path):
    data = fixtures.docx_file(tmp_path / "report.docx").read_bytes()
    assert extract_safely(data, "report.docx", LIMITS) == extract(data, "report.docx", LIMITS)
    pdf = fixtures.text_pdf(tmp_path / "report.pdf", 4).read_bytes()
    assert extract_safely(pdf, "report.pdf", LIMITS) == extract(pdf, "report.pdf", LIMITS)


def test_messages_name_the_file_without_its_folders():
    with pytest.raises(InvalidInput) as caught:
        extract(b"\x00\x01\x02", "C:\\fakepath\\scan.bin", LIMITS)
    assert caught.value.message.startswith("scan.bin: ")


def test_without_tesseract_the_notice_names_the_pages_that_are_not_searchable(tmp_path, monkeypatch):
    data = fixtures.scanned_pdf(tmp_path / "scan.pdf", ["first scanned page", "second scanned page"]).read_bytes()
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))  # the child finds no tesseract
    extracted = extract_safely(data, "scan.pdf", LIMITS)
    assert extracted.pages == 2 and extracted.passages == [] and not extracted.ocr
    assert extracted.notices[0] == ("pages 1-2 have no text layer and cannot be read (tesseract is not "
                                    "installed; install Debian's tesseract-ocr tesseract-ocr-por "
                                    "tesseract-ocr-spa); they are not searchable")


def test_with_ocr_turned_off_scanned_pages_are_named_and_not_read(tmp_path):
    texts = ["words on a page", "scanned words"]
    data = fixtures.text_pdf(tmp_path / "mixed.pdf", texts).read_bytes()
    scan = fixtures.scanned_pdf(tmp_path / "scan.pdf", "scanned words").read_bytes()
    extracted = extract(scan, "scan.pdf", LIMITS, ocr=False)
    assert extracted.passages == []
    assert extracted.notices[0].startswith("page 1 has no text layer and cannot be read (OCR was not asked for)")
    assert extract(data, "mixed.pdf", LIMITS, ocr=False).notices == []
