"""Bad files cost one clear error naming the file, and never the caller: broken,
truncated, encrypted, too many pages, zip bombs, too large, too slow, too hungry."""

from __future__ import annotations

import dataclasses
import io
import random
import subprocess
import time
import zipfile

import pytest

from indexer.documents import sandbox
from indexer.documents.archives import MAX_DEPTH, MAX_MEMBERS, check_archive
from indexer.documents.extract import extract, extract_safely
from indexer.errors import InvalidInput, TooLarge
from indexer.settings import DocumentLimits
from tests import documents_fixtures as fixtures

LIMITS = DocumentLimits()
BOTH = pytest.mark.parametrize("extractor", [extract, extract_safely], ids=["in-process", "child"])


def _refusal(extractor, data: bytes, filename: str, limits: DocumentLimits = LIMITS) -> str:
    """The message of the InvalidInput that extraction raises (anything else fails the test)."""
    with pytest.raises(InvalidInput) as caught:
        extractor(data, filename, limits)
    assert caught.value.field == "file"
    assert caught.value.message.startswith(f"{filename}: ")
    return caught.value.message


@BOTH
@pytest.mark.parametrize("maker, expected", [
    (fixtures.broken_pdf, "is not a readable PDF file; it is damaged or incomplete"),
    (fixtures.truncated_pdf, "is not a readable PDF file; it is damaged or incomplete"),
    (fixtures.encrypted_pdf, "is protected by a password; save a copy without the password"),
    (fixtures.random_bytes, "is not UTF-8 text"),
], ids=["broken", "truncated", "encrypted", "random"])
def test_a_bad_file_is_one_clear_error_naming_it(tmp_path, extractor, maker, expected):
    data = maker(tmp_path / "bad").read_bytes()
    assert expected in _refusal(extractor, data, "upload.pdf")


def test_a_pdf_encrypted_with_an_empty_user_password_is_opened(tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(str(fixtures.text_pdf(tmp_path / "open.pdf", 2))))
    writer.encrypt(user_password="", owner_password="owner-only", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    extracted = extract_safely(buffer.getvalue(), "open.pdf", LIMITS)
    assert [p.text for p in extracted.passages] == [fixtures.page_phrase(1), fixtures.page_phrase(2)]


@BOTH
def test_more_pages_than_the_limit_is_refused_before_reading_them(tmp_path, extractor):
    data = fixtures.many_pages_pdf(tmp_path / "long.pdf", 60).read_bytes()
    message = _refusal(extractor, data, "long.pdf", dataclasses.replace(LIMITS, pages=50))
    assert message == "long.pdf: has 60 pages, more than the limit of 50"
    assert extractor(data, "long.pdf", dataclasses.replace(LIMITS, pages=60)).pages == 60


@BOTH
@pytest.mark.parametrize("maker", [fixtures.docx_zip_bomb, fixtures.odt_zip_bomb], ids=["docx", "odt"])
def test_a_zip_bomb_is_refused_by_its_ratio(tmp_path, extractor, maker):
    data = maker(tmp_path / "bomb").read_bytes()
    message = _refusal(extractor, data, "bomb.docx")
    assert "times its packed size (the limit is 100); it looks like a zip bomb" in message


def test_a_zip_bomb_is_refused_by_its_unpacked_size_when_the_ratio_is_allowed(tmp_path):
    path = fixtures.docx_zip_bomb(tmp_path / "bomb.docx", unpacked_bytes=30_000_000)
    with zipfile.ZipFile(path) as archive:
        unpacked = sum(member.file_size for member in archive.infolist())
    limits = dataclasses.replace(LIMITS, unpack_ratio=10_000.0, unpacked_bytes=20_000_000)
    message = _refusal(extract_safely, path.read_bytes(), "bomb.docx", limits)
    assert message == f"bomb.docx: would unpack to {unpacked / 1e6:,.1f} MB, more than the limit of 20.0 MB"


def test_the_archive_check_reads_the_directory_and_unpacks_nothing(tmp_path, monkeypatch):
    data = fixtures.docx_zip_bomb(tmp_path / "bomb.docx").read_bytes()

    def no_unpacking(*args, **kwargs):
        raise AssertionError("a member was opened")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_unpacking)
    with pytest.raises(InvalidInput, match="zip bomb"):
        check_archive(data, "bomb.docx", LIMITS)


def _docx_with(tmp_path, names: list[str]) -> bytes:
    """A real DOCX with extra small members of the given names."""
    real = fixtures.docx_file(tmp_path / "real.docx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(real) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info, source.read(info.filename))
        for name in names:
            out.writestr(zipfile.ZipInfo(name), b"x")
    return buffer.getvalue()


@pytest.mark.parametrize("name, expected", [
    ("../../outside.xml", "has a path that leaves the archive"),
    ("/etc/passwd", "has a path that leaves the archive"),
    ("/".join(["deep"] * (MAX_DEPTH + 1)), f"is nested {MAX_DEPTH + 1} folders deep"),
])
def test_member_paths_that_leave_the_archive_or_nest_deeply_are_refused(tmp_path, name, expected):
    assert expected in _refusal(extract_safely, _docx_with(tmp_path, [name]), "odd.docx")


def test_an_archive_with_too_many_members_is_refused(tmp_path):
    data = _docx_with(tmp_path, [f"word/media/part{n}.bin" for n in range(MAX_MEMBERS)])
    assert "more than the 5000 a document may have" in _refusal(extract_safely, data, "many.docx")


@pytest.mark.parametrize("content, expected", [
    ({"notes.txt": b"hello"}, "is a ZIP archive, not a Word (DOCX) or OpenDocument text (ODT) file"),
    ({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
     "is an OpenDocument file of another kind (application/vnd.oasis.opendocument.spreadsheet)"),
])
def test_other_zip_archives_are_refused_by_their_content(content, expected):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, value in content.items():
            archive.writestr(name, value)
    assert expected in _refusal(extract_safely, buffer.getvalue(), "sheet.docx")


def test_a_damaged_docx_is_one_clear_error(tmp_path):
    whole = fixtures.docx_file(tmp_path / "whole.docx").read_bytes()
    message = _refusal(extract_safely, whole[: len(whole) // 2], "half.docx")
    assert "damaged" in message


def test_an_image_is_refused_naming_its_type(tmp_path):
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "PNG")
    message = _refusal(extract_safely, buffer.getvalue(), "photo.pdf")
    assert message.startswith("photo.pdf: is a PNG file (image/png); documents may be PDF")


def test_an_empty_file_is_refused():
    assert _refusal(extract_safely, b"", "empty.pdf") == "empty.pdf: the file is empty"


def test_a_file_over_the_size_limit_is_too_large_before_anything_else(tmp_path):
    data = fixtures.text_pdf(tmp_path / "big.pdf", 1).read_bytes()
    limits = dataclasses.replace(LIMITS, file_bytes=len(data) - 1)
    with pytest.raises(TooLarge) as caught:
        extract_safely(data, "big.pdf", limits)
    assert caught.value.limit == len(data) - 1
    assert caught.value.message.startswith("big.pdf: is 0.0 MB, more than the limit of 0.0 MB per file")


class _RecordingPopen(subprocess.Popen):
    """subprocess.Popen that remembers its instances, to see that the child is gone."""

    started: list[subprocess.Popen] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _RecordingPopen.started.append(self)


def test_a_child_over_the_time_limit_is_killed_and_the_caller_gets_one_error(tmp_path, monkeypatch):
    data = fixtures.heavy_pdf(tmp_path / "slow.pdf", repeats=40_000).read_bytes()
    started: list[subprocess.Popen] = []
    monkeypatch.setattr(_RecordingPopen, "started", started)
    monkeypatch.setattr(sandbox.subprocess, "Popen", _RecordingPopen)
    limits = dataclasses.replace(LIMITS, seconds=1.0)
    begun = time.monotonic()
    message = _refusal(extract_safely, data, "slow.pdf", limits)
    waited = time.monotonic() - begun
    assert "limit of 1 seconds" in message and "stopped" in message
    assert waited < 5, "the caller waited for the child instead of stopping it"
    assert len(started) == 1 and started[0].returncode is not None  # the child is gone


def test_a_child_over_the_memory_limit_is_one_error(tmp_path):
    data = fixtures.docx_huge_text(tmp_path / "huge.docx", characters=300_000_000).read_bytes()
    # The archive limits let it through, so that the child's memory limit is what stops it.
    limits = dataclasses.replace(LIMITS, memory_bytes=200_000_000, unpack_ratio=1e9, unpacked_bytes=10**12)
    message = _refusal(extract_safely, data, "huge.docx", limits)
    assert message == "huge.docx: reading it needed more than the memory limit of 200 MB"


def test_a_crashed_child_is_one_error_naming_the_file():
    with pytest.raises(InvalidInput) as caught:
        sandbox._answer(-11, b"", b"Segmentation fault", "crash.pdf", LIMITS)
    assert caught.value.message == ("crash.pdf: reading it crashed the reader (SIGSEGV); "
                                    "the file is probably damaged")
    with pytest.raises(InvalidInput, match=r"^file: odd.pdf: reading it failed unexpectedly \(boom\)$"):
        sandbox._answer(1, b"", b"Traceback\nboom", "odd.pdf", LIMITS)


def test_the_page_count_is_refused_before_any_page_is_read(tmp_path, monkeypatch):
    from pypdf import PageObject

    def no_reading(*args, **kwargs):
        raise AssertionError("a page was read")

    monkeypatch.setattr(PageObject, "extract_text", no_reading)
    data = fixtures.many_pages_pdf(tmp_path / "long.pdf", 11).read_bytes()
    assert "more than the limit of 10" in _refusal(extract, data, "long.pdf", dataclasses.replace(LIMITS, pages=10))


def test_a_document_with_more_text_than_a_document_may_have_is_refused(tmp_path, monkeypatch):
    from indexer.documents import formats

    data = fixtures.text_pdf(tmp_path / "wordy.pdf", 2).read_bytes()
    characters = len(fixtures.page_phrase(1)) + len(fixtures.page_phrase(2))
    monkeypatch.setattr(formats, "MAX_TEXT_CHARACTERS", characters - 1)
    message = _refusal(extract, data, "wordy.pdf")
    assert message == (f"wordy.pdf: holds {characters} characters of text, more than the {characters - 1} "
                       "a document may have")


def test_the_child_sees_none_of_the_servers_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("CASEBASE_DATABASE_URL", "postgresql://app:secret@db/casebase")
    monkeypatch.setenv("LANG", "C.UTF-8")
    environment = sandbox._environment(str(tmp_path))
    assert "CASEBASE_DATABASE_URL" not in environment
    assert environment["LANG"] == "C.UTF-8" and environment["TMPDIR"] == str(tmp_path)
    assert environment["PYTHONPATH"].split(":")[0] == str(sandbox.PACKAGE_ROOT)


def test_no_process_to_start_is_unavailable_not_the_files_fault(tmp_path, monkeypatch):
    from indexer.errors import Unavailable

    def no_processes(*args, **kwargs):
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(sandbox.subprocess, "Popen", no_processes)
    data = fixtures.text_pdf(tmp_path / "fine.pdf", 1).read_bytes()
    with pytest.raises(Unavailable, match="no process could be started"):
        extract_safely(data, "fine.pdf", LIMITS)


def test_utf16_without_a_byte_order_mark_is_refused_with_a_hint():
    data = "plain words".encode("utf-16-le")
    message = _refusal(extract_safely, data, "notes.txt")
    assert "holds a NUL character, so this is not a text file (or it is UTF-16 without a byte-order mark)" in message


@pytest.mark.parametrize("maker, suffix", [
    (lambda p: fixtures.text_pdf(p, 3), "pdf"), (fixtures.docx_file, "docx"), (fixtures.odt_file, "odt"),
    (fixtures.markdown_file, "md"),
], ids=["pdf", "docx", "odt", "markdown"])
def test_damaged_copies_of_good_files_give_an_extraction_or_one_clear_error(tmp_path, maker, suffix):
    """Seeded random byte changes (a damaged download, a bad disk): never anything but
    InvalidInput naming the file. (Seed 0 of the ODT once escaped as a ValueError.)"""
    good = maker(tmp_path / f"good.{suffix}").read_bytes()
    for seed in range(60):
        chance = random.Random(seed)
        damaged = bytearray(good)
        for _ in range(chance.randint(1, 30)):
            damaged[chance.randrange(len(damaged))] = chance.randrange(256)
        name = f"damaged-{seed}.{suffix}"
        try:
            extract(bytes(damaged), name, LIMITS)
        except InvalidInput as error:
            assert error.field == "file" and error.message.startswith(f"{name}: ")


def test_a_scanned_book_fits_the_memory_limit_page_by_page(tmp_path):
    # 40 page images of 1700x2200 RGB are about 450 MB decoded; they must never all be held at once.
    data = fixtures.scanned_pdf(tmp_path / "book.pdf", [f"page {n}" for n in range(1, 41)]).read_bytes()
    limits = dataclasses.replace(LIMITS, memory_bytes=250_000_000)
    extracted = extract_safely(data, "book.pdf", limits, ocr=False)
    assert extracted.pages == 40 and extracted.passages == []
    assert extracted.notices[0].startswith("pages 1-40 have no text layer and cannot be read (OCR was not asked for)")
