"""Word (DOCX, python-docx) and OpenDocument text (ODT, odfpy) as headed sections.

Headings come from the paragraph styles ("Heading 1".."Heading 9", "Title") in DOCX and
from text:h elements in ODT; tables are read row by row, cells joined by " | ", in
their place in the text. The archives were checked against zip bombs before these
readers run (indexer.documents.archives).
"""

from __future__ import annotations

import io

from indexer.documents.models import DOCX, ODT, Extracted
from indexer.documents.passages import Section, clean, section_passages

CELL_SEPARATOR = " | "


def _heading_style(paragraph) -> bool:
    """Whether a python-docx paragraph is a heading by its style (or its style's base)."""
    style = paragraph.style
    while style is not None:
        name = (style.name or "").lower()
        if name == "title" or name.startswith("heading"):
            return True
        style = style.base_style
    return False


def _row_texts(rows) -> list[str]:
    """Rows of cell texts as lines, empty cells left out.

    >>> _row_texts([["Firms", " twelve "], ["", ""]])
    ['Firms | twelve']
    """
    lines = []
    for cells in rows:
        values = [text for text in (clean(value).replace("\n", " ") for value in cells) if text]
        if values:
            lines.append(CELL_SEPARATOR.join(values))
    return lines


def _docx_cells(row) -> list:
    """A python-docx row's cells, a merged cell (returned once per grid column) once."""
    cells, seen = [], set()
    for cell in row.cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            cells.append(cell)
    return cells


def read_docx(data: bytes) -> Extracted:
    """A DOCX's sections (headings by style), table text in place, title and author."""
    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(data))
    sections = [Section("")]
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            rows = [[cell.text for cell in _docx_cells(row)] for row in block.rows]
            table = "\n".join(_row_texts(rows))
            if table:
                sections[-1].paragraphs.append(table)
        elif _heading_style(block) and block.text.strip():
            sections.append(Section(clean(block.text)))
        else:
            sections[-1].paragraphs.append(block.text)
    properties = document.core_properties
    first_heading = next((section.heading for section in sections if section.heading), "")
    return Extracted(media_type=DOCX, passages=section_passages(sections),
                     title=clean(properties.title or "") or first_heading, author=clean(properties.author or ""))


def _odf_blocks(element, sections: list[Section]) -> None:
    """Walk an ODF body in document order: text:h starts a section, text:p is a
    paragraph, tables give their rows; lists, sections and frames are walked into."""
    from odf import teletype
    from odf.namespaces import TABLENS, TEXTNS

    for child in element.childNodes:
        if child.nodeType != child.ELEMENT_NODE:
            continue
        if child.qname == (TEXTNS, "h"):
            heading = clean(teletype.extractText(child))
            if heading:
                sections.append(Section(heading))
        elif child.qname == (TEXTNS, "p"):
            sections[-1].paragraphs.append(teletype.extractText(child))
        elif child.qname == (TABLENS, "table"):
            rows = [[teletype.extractText(cell) for cell in row.childNodes
                     if cell.nodeType == cell.ELEMENT_NODE and cell.qname[1] == "table-cell"]
                    for row in _table_rows(child)]
            table = "\n".join(_row_texts(rows))
            if table:
                sections[-1].paragraphs.append(table)
        else:
            _odf_blocks(child, sections)


def _table_rows(table) -> list:
    """The table:table-row elements of a table, inside row groups and header rows too."""
    from odf.namespaces import TABLENS

    rows = []
    for child in table.childNodes:
        if child.nodeType != child.ELEMENT_NODE:
            continue
        if child.qname == (TABLENS, "table-row"):
            rows.append(child)
        elif child.qname[0] == TABLENS and child.qname[1] in ("table-rows", "table-header-rows", "table-row-group"):
            rows.extend(_table_rows(child))
    return rows


def _odf_meta(document, name: str) -> str:
    """The first value of a dc:/meta: element of the document's meta.xml, or ""."""
    from odf import dc, meta, teletype

    element_type = {"title": dc.Title, "creator": dc.Creator, "initial-creator": meta.InitialCreator}[name]
    found = document.meta.getElementsByType(element_type)
    return clean(teletype.extractText(found[0])) if found else ""


def read_odt(data: bytes) -> Extracted:
    """An ODT's sections (text:h headings), table text in place, title and author."""
    from odf.opendocument import load

    document = load(io.BytesIO(data))
    sections = [Section("")]
    _odf_blocks(document.text, sections)
    first_heading = next((section.heading for section in sections if section.heading), "")
    return Extracted(media_type=ODT, passages=section_passages(sections),
                     title=_odf_meta(document, "title") or first_heading,
                     author=_odf_meta(document, "initial-creator") or _odf_meta(document, "creator"))
