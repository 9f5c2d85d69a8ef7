"""Generators of document files for the tests (nothing binary is committed).

Every function writes one file at `path` (a `pathlib.Path`, usually under pytest's
`tmp_path`) and returns that path, so a test reads the bytes with `path.read_bytes()`.
The expected values of a test come from what was generated here: the phrase of a PDF
page is `page_phrase(n)`, the sections of a DOCX/ODT/Markdown file are the `sections`
given (default `SECTIONS`), the table of a DOCX is `TABLE`.

Good files:
- `text_pdf(path, pages=3, title=..., author=...)`: a PDF with a text layer; `pages` is
  a count (page n then says `page_phrase(n)`) or a list of texts, one per page.
- `scanned_pdf(path, text)`: a PDF whose pages are only images of text (no text layer),
  drawn by Pillow in a large font; `text` is one page's lines (a str with newlines) or a
  list of them, one per page.
- `docx_file(path, sections=SECTIONS, table=TABLE, title=..., author=...)`: headings by
  style ("Heading 1"), paragraphs, and a table after the last section.
- `odt_file(path, sections=SECTIONS, title=..., author=...)`: text:h headings and text:p.
- `markdown_file(path, sections=SECTIONS)`: "# heading" lines and paragraphs.
- `text_file(path, text, encoding="utf-8")`: plain text; "utf-16" writes a BOM, and
  "utf-8-sig" a UTF-8 BOM. `utf16_text_file(path, text)` is the UTF-16 one.

Bad files:
- `broken_pdf(path)`: a %PDF header followed by random bytes.
- `truncated_pdf(path)`: the first half of a real 3-page PDF.
- `encrypted_pdf(path, password="secret")`: a real PDF encrypted with a user password.
- `many_pages_pdf(path, pages)`: a real PDF with `pages` (blank) pages, cheap to make.
- `heavy_pdf(path, repeats=20_000)`: a few kB that take a reader seconds (for timeouts).
- `docx_zip_bomb(path, unpacked_bytes=...)`: a valid-looking DOCX with a member of zeros
  that compresses about 1000:1; `odt_zip_bomb` the same for an ODT.
- `docx_huge_text(path, characters)`: a DOCX whose text is one huge paragraph (memory).
- `random_bytes(path, size)`: bytes that are no format at all.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Sequence
from pathlib import Path

Sections = Sequence[tuple[str, Sequence[str]]]

# Headings and their paragraphs: distinct words per section so a test can tell them apart.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Background of the furniture cluster",
     ("The furniture makers of Alpha town met in a cooperative hall.",
      "Trust among firms was low after a failed export consortium.")),
    ("Fact-finding results",
     ("Interviews with forty firms showed a shortage of skilled carpenters.",)),
    ("Recommendations",
     ("Start with joint training before any shared marketing.",
      "Monitor the number of firms that attend each workshop.")),
)
TABLE: tuple[tuple[str, ...], ...] = (
    ("Indicator", "Baseline"),
    ("Firms trained", "twelve"),
    ("Export contracts", "three"),
)
TITLE = "Alpha furniture fact-finding report"
AUTHOR = "Regional Development Agency"

_FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)


def page_phrase(number: int) -> str:
    """The distinct phrase `text_pdf` writes on page `number` (1-based).

    >>> page_phrase(2)
    'page two speaks of tannery cooperation'
    """
    words = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
    topics = ("footwear exports", "tannery cooperation", "joint marketing", "skills training",
              "quality labels", "trade fairs", "credit guarantees", "design centres")
    name = words[number - 1] if number <= len(words) else str(number)
    return f"page {name} speaks of {topics[(number - 1) % len(topics)]}"


def text_pdf(path: Path, pages: int | Sequence[str] = 3, *, title: str = TITLE,
             author: str = AUTHOR) -> Path:
    """A PDF with a text layer; page n says `page_phrase(n)` when `pages` is a count,
    else the given texts one per page (Latin-1 text: the core Helvetica font)."""
    from fpdf import FPDF

    texts = [page_phrase(n) for n in range(1, pages + 1)] if isinstance(pages, int) else list(pages)
    pdf = FPDF()
    if title:
        pdf.set_title(title)
    if author:
        pdf.set_author(author)
    pdf.set_font("Helvetica", size=12)
    for text in texts:
        pdf.add_page()
        pdf.multi_cell(0, 8, text)
    pdf.output(str(path))
    return path


def _font(size: int):
    from PIL import ImageFont

    for candidate in _FONT_CANDIDATES:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, size)
    return ImageFont.load_default(size=size)


def scanned_pdf(path: Path, text: str | Sequence[str], *, title: str = "Scanned report") -> Path:
    """A PDF of page images only (no text layer), each page the lines of one text drawn
    black on white in a large font, as a scanner would give them; `title` is its metadata."""
    from PIL import Image, ImageDraw

    texts = [text] if isinstance(text, str) else list(text)
    font = _font(48)
    images = []
    for page_text in texts:
        image = Image.new("RGB", (1700, 2200), "white")
        draw = ImageDraw.Draw(image)
        for row, line in enumerate(page_text.splitlines()):
            draw.text((120, 150 + row * 90), line, fill="black", font=font)
        images.append(image)
    images[0].save(path, "PDF", resolution=200.0, save_all=True, append_images=images[1:], title=title)
    return path


def docx_file(path: Path, sections: Sections = SECTIONS, *, table: Sequence[Sequence[str]] | None = TABLE,
              title: str = TITLE, author: str = AUTHOR) -> Path:
    """A DOCX: each section a "Heading 1" paragraph and its body paragraphs; then `table`."""
    import docx

    document = docx.Document()
    document.core_properties.title = title
    document.core_properties.author = author
    for heading, paragraphs in sections:
        document.add_heading(heading, level=1)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    document.save(str(path))
    return path


def odt_file(path: Path, sections: Sections = SECTIONS, *, title: str = TITLE, author: str = AUTHOR) -> Path:
    """An ODT: each section a text:h heading (outline level 1) and its text:p paragraphs."""
    from odf import dc, meta
    from odf.opendocument import OpenDocumentText
    from odf.text import H, P

    document = OpenDocumentText()
    if title:
        document.meta.addElement(dc.Title(text=title))
    if author:
        document.meta.addElement(meta.InitialCreator(text=author))
        document.meta.addElement(dc.Creator(text=author))
    for heading, paragraphs in sections:
        document.text.addElement(H(outlinelevel=1, text=heading))
        for paragraph in paragraphs:
            document.text.addElement(P(text=paragraph))
    document.save(str(path))
    return path


def markdown_text(sections: Sections = SECTIONS) -> str:
    """The Markdown `markdown_file` writes: "# heading" and blank-line paragraphs."""
    blocks = []
    for heading, paragraphs in sections:
        blocks.append(f"# {heading}")
        blocks.extend(paragraphs)
    return "\n\n".join(blocks) + "\n"


def markdown_file(path: Path, sections: Sections = SECTIONS) -> Path:
    """A Markdown file of the sections (UTF-8)."""
    path.write_text(markdown_text(sections), encoding="utf-8")
    return path


def text_file(path: Path, text: str, encoding: str = "utf-8") -> Path:
    """Plain text in `encoding` ("utf-16" and "utf-8-sig" write a byte-order mark)."""
    path.write_bytes(text.encode(encoding))
    return path


def utf16_text_file(path: Path, text: str) -> Path:
    """Plain text in UTF-16 with its byte-order mark."""
    return text_file(path, text, "utf-16")


def random_bytes(path: Path, size: int = 4096, seed: int = 15) -> Path:
    """Bytes that are no known format (seeded, so a failure can be repeated)."""
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


def broken_pdf(path: Path, size: int = 4096, seed: int = 15) -> Path:
    """A %PDF header followed by random bytes: sniffed as PDF, unreadable as one."""
    path.write_bytes(b"%PDF-1.7\n" + random.Random(seed).randbytes(size))
    return path


def truncated_pdf(path: Path) -> Path:
    """The first half of a real 3-page PDF (as an interrupted upload would leave it)."""
    whole = text_pdf(path, 3).read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    return path


def encrypted_pdf(path: Path, password: str = "secret") -> Path:
    """A real 3-page PDF encrypted with a user password (pypdf's writer)."""
    from pypdf import PdfReader, PdfWriter

    buffer = io.BytesIO()
    text_pdf(path, 3)
    writer = PdfWriter(clone_from=PdfReader(str(path)))
    writer.encrypt(user_password=password, owner_password=password + "-owner", algorithm="RC4-128")
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def heavy_pdf(path: Path, repeats: int = 20_000) -> Path:
    """A small one-page PDF (a few kB) whose compressed content stream repeats the text
    of a page `repeats` times: seconds of work for a reader (about 3 s at 20,000)."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject

    writer = PdfWriter(clone_from=PdfReader(str(text_pdf(path, 1))))
    page = writer.pages[0]
    stream = DecodedStreamObject()
    stream.set_data(page.get_contents().get_data() * repeats)
    page.replace_contents(stream)
    page.compress_content_streams()
    buffer = io.BytesIO()
    writer.write(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def many_pages_pdf(path: Path, pages: int) -> Path:
    """A real PDF of `pages` blank pages (pypdf; quick even for thousands)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    with path.open("wb") as out:
        writer.write(out)
    return path


def _bomb(path: Path, real: Path, member: str, unpacked_bytes: int) -> Path:
    """Copy the archive `real` and add `member`: `unpacked_bytes` zeros, deflated ~1000:1."""
    with zipfile.ZipFile(real) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            out.writestr(info, source.read(info.filename))
        info = zipfile.ZipInfo(member)
        info.compress_type = zipfile.ZIP_DEFLATED
        chunk = b"\0" * 1_000_000
        with out.open(info, "w", force_zip64=True) as bomb:
            left = unpacked_bytes
            while left > 0:
                bomb.write(chunk[: min(left, len(chunk))])
                left -= len(chunk)
    return path


def docx_zip_bomb(path: Path, unpacked_bytes: int = 50_000_000) -> Path:
    """A DOCX (word/document.xml present, so it sniffs as DOCX) with an extra member of
    `unpacked_bytes` zeros that compresses about 1000:1."""
    real = docx_file(path.with_name(path.name + ".real.docx"))
    try:
        return _bomb(path, real, "word/media/zeros.bin", unpacked_bytes)
    finally:
        real.unlink()


def docx_huge_text(path: Path, characters: int = 300_000_000) -> Path:
    """A DOCX whose word/document.xml holds one paragraph of `characters` letters
    (compressing ~1000:1): a reader must hold it all in memory (for memory limits)."""
    real = docx_file(path.with_name(path.name + ".real.docx"), table=None)
    try:
        with zipfile.ZipFile(real) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
            for info in source.infolist():
                if info.filename != "word/document.xml":
                    out.writestr(info, source.read(info.filename))
                    continue
                head, tail = source.read(info.filename).split(b"<w:sectPr", 1)
                member = zipfile.ZipInfo(info.filename)
                member.compress_type = zipfile.ZIP_DEFLATED
                with out.open(member, "w", force_zip64=True) as document:
                    document.write(head + b"<w:p><w:r><w:t>")
                    chunk = b"a" * 1_000_000
                    for start in range(0, characters, len(chunk)):
                        document.write(chunk[: min(len(chunk), characters - start)])
                    document.write(b"</w:t></w:r></w:p><w:sectPr" + tail)
    finally:
        real.unlink()
    return path


def odt_zip_bomb(path: Path, unpacked_bytes: int = 50_000_000) -> Path:
    """An ODT (its mimetype member first) with an extra member of zeros, ~1000:1."""
    real = odt_file(path.with_name(path.name + ".real.odt"))
    try:
        return _bomb(path, real, "Pictures/zeros.bin", unpacked_bytes)
    finally:
        real.unlink()
