"""OCR of scanned PDFs by tesseract (English, Portuguese, Spanish), text marked as OCR.

The scans are drawn by tests/documents_fixtures.scanned_pdf; the phrases read back are
the ones drawn. Skipped, with the reason, where tesseract or its language data is
missing (CI installs them: .ci/run)."""

from __future__ import annotations

import pytest

from indexer.documents.extract import extract, extract_safely, ocr_status
from indexer.settings import DocumentLimits
from tests import documents_fixtures as fixtures

pytestmark = pytest.mark.skipif(ocr_status() is not None, reason=f"OCR unavailable: {ocr_status()}")

LIMITS = DocumentLimits()
ENGLISH = "Cluster cooperation report\nFurniture makers share training"
PORTUGUESE = "Relatório de cooperação\nAção conjunta das empresas"
SPANISH = "Informe de cooperación\nEl año de la montaña"


def _words(text: str) -> list[str]:
    return text.split()


def test_a_scanned_pdf_is_read_by_ocr_in_english_and_portuguese_with_pages_and_marks(tmp_path):
    data = fixtures.scanned_pdf(tmp_path / "scan.pdf", [ENGLISH, PORTUGUESE]).read_bytes()
    extracted = extract_safely(data, "scan.pdf", LIMITS)
    assert extracted.pages == 2 and extracted.ocr
    assert [(p.page, p.ocr) for p in extracted.passages] == [(1, True), (2, True)]
    english, portuguese = (_words(p.text) for p in extracted.passages)
    assert _words(ENGLISH) == english
    assert _words(PORTUGUESE) == portuguese
    assert extracted.notices == ["pages 1-2 have no text layer; their text was read from the page images by "
                                 "OCR (tesseract) and may contain mistakes"]


def test_spanish_accents_and_the_n_with_tilde_are_read(tmp_path):
    data = fixtures.scanned_pdf(tmp_path / "scan.pdf", SPANISH).read_bytes()
    extracted = extract(data, "scan.pdf", LIMITS)
    assert _words(extracted.passages[0].text) == _words(SPANISH)


def test_only_the_pages_without_a_text_layer_are_ocred(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for part in (fixtures.text_pdf(tmp_path / "text.pdf", 1), fixtures.scanned_pdf(tmp_path / "scan.pdf", ENGLISH)):
        writer.append(PdfReader(str(part)))
    with (tmp_path / "mixed.pdf").open("wb") as out:
        writer.write(out)
    extracted = extract((tmp_path / "mixed.pdf").read_bytes(), "mixed.pdf", LIMITS)
    assert [(p.page, p.ocr) for p in extracted.passages] == [(1, False), (2, True)]
    assert extracted.passages[0].text == fixtures.page_phrase(1)
    assert _words(extracted.passages[1].text) == _words(ENGLISH)
    assert extracted.notices[0].startswith("page 2 has no text layer; its text was read")


def test_a_blank_scan_gives_a_notice_and_no_passage(tmp_path):
    data = fixtures.scanned_pdf(tmp_path / "blank.pdf", "").read_bytes()
    extracted = extract(data, "blank.pdf", LIMITS)
    assert extracted.passages == []
    assert extracted.notices == ["page 1 has no text layer and OCR found no text in its images",
                                 "no text was found in the file"]
