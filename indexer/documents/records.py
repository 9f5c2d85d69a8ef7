"""Database rows to the documents' typed records (models.py), and the queries that load
them. Every function takes an open connection, so a facade method reads and writes in
one transaction."""

from __future__ import annotations

import json
from datetime import date

from sqlalchemy import Connection, func, select

from indexer.documents import tables as t
from indexer.documents.models import DocumentRecord, Passage
from indexer.errors import NotFound


def document_record(row) -> DocumentRecord:
    """A DocumentRecord from its row."""
    return DocumentRecord(
        id=row["id"], sha256=row["sha256"], filename=row["filename"], media_type=row["media_type"],
        size=row["size"], title=row["title"], kind=row["kind"],
        date=date.fromisoformat(row["date"]) if row["date"] else None, author=row["author"],
        language=row["language"], programme_id=row["programme_id"], initiative_id=row["initiative_id"],
        uploaded_by=row["uploaded_by"], uploaded_at=row["uploaded_at"], updated_at=row["updated_at"],
        pages=row["pages"], passages=row["passage_count"], ocr=bool(row["ocr"]), notices=json.loads(row["notices"]))


def passage_record(row) -> Passage:
    """A Passage from its row."""
    return Passage(number=row["number"], page=row["page"], heading=row["heading"], text=row["text"],
                   ocr=bool(row["ocr"]))


def load_documents(db: Connection, where=None) -> list[DocumentRecord]:
    """Documents (all, or those matching `where`), newest upload first."""
    query = select(t.documents).order_by(t.documents.c.uploaded_at.desc(), t.documents.c.id.desc())
    if where is not None:
        query = query.where(where)
    return [document_record(row) for row in db.execute(query).mappings()]


def document_by_id(db: Connection, document_id: int) -> DocumentRecord:
    """The document with this id (NotFound otherwise, in the words used for one not visible)."""
    found = load_documents(db, t.documents.c.id == document_id)
    if not found:
        raise NotFound(not_found_message(document_id))
    return found[0]


def not_found_message(document_id: int) -> str:
    """What a missing document and one the viewer may not see are both called.

    >>> not_found_message(7)
    'no document 7'
    """
    return f"no document {document_id}"


def load_passages(db: Connection, document_id: int) -> list[Passage]:
    """The document's passages in order."""
    query = (select(t.document_passages).where(t.document_passages.c.document_id == document_id)
             .order_by(t.document_passages.c.number))
    return [passage_record(row) for row in db.execute(query).mappings()]


def passages_by_document(db: Connection) -> dict[int, list[Passage]]:
    """Every document's passages in order, by document id (one query, for the index)."""
    query = select(t.document_passages).order_by(t.document_passages.c.document_id, t.document_passages.c.number)
    found: dict[int, list[Passage]] = {}
    for row in db.execute(query).mappings():
        found.setdefault(row["document_id"], []).append(passage_record(row))
    return found


def users_of_file(db: Connection, sha256: str) -> int:
    """How many records point at the stored file of this hash."""
    return db.execute(select(func.count()).select_from(t.documents).where(t.documents.c.sha256 == sha256)).scalar_one()
