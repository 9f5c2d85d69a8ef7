"""The documents' tables, declared on the library's `metadata` (one instance database,
one schema, one migration history: revision 0005 creates them).

A row of `documents` is one uploaded file's record: its content hash names the stored
original (several records may share one file: the same bytes uploaded to two
initiatives), its metadata is what users correct. `document_passages` holds the text
extracted from it, one row per page or headed section, in order. Dates are ISO text,
notices JSON text, times UNIX seconds, like the observatory's tables.

The indexes serve the pages: documents of an initiative or a programme, newest first;
records sharing a stored file (duplicates, and whether a file is still used).
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Column, Float, ForeignKey, Index, Integer, Table, Text

from indexer.library.tables import RowId, metadata
from indexer.observatory import tables as observatory_tables  # noqa: F401 - the tables the keys refer to

documents = Table(
    "documents", metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("sha256", Text, nullable=False),
    Column("filename", Text, nullable=False),
    Column("media_type", Text, nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("title", Text, nullable=False),
    Column("kind", Text, nullable=False, server_default="other"),
    Column("date", Text),
    Column("author", Text, nullable=False, server_default=""),
    Column("language", Text, nullable=False, server_default=""),
    Column("programme_id", RowId, ForeignKey("programmes.id")),
    Column("initiative_id", RowId, ForeignKey("initiatives.id")),
    Column("uploaded_by", Text, nullable=False),
    Column("uploaded_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("pages", Integer),
    Column("passage_count", Integer, nullable=False, server_default="0"),
    Column("ocr", Boolean(create_constraint=False), nullable=False),
    Column("notices", Text, nullable=False, server_default="[]"),
    Index("documents_sha256", "sha256"),
    Index("documents_initiative", "initiative_id", "uploaded_at"),
    Index("documents_programme", "programme_id", "uploaded_at"),
    sqlite_autoincrement=True,
)

document_passages = Table(
    "document_passages", metadata,
    Column("document_id", RowId, ForeignKey("documents.id"), primary_key=True),
    Column("number", Integer, primary_key=True, autoincrement=False),
    Column("page", Integer),
    Column("heading", Text, nullable=False, server_default=""),
    Column("text", Text, nullable=False),
    Column("ocr", Boolean(create_constraint=False), nullable=False),
)
