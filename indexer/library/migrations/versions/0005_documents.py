"""Uploaded documents (issue 15): one record per uploaded file (its content hash, its
correctable metadata, what it is attached to) and the passages extracted from it.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01

New tables only, so nothing existing changes. Every column is spelled out here (not
read from indexer/documents/tables.py) so this revision keeps meaning what it means
when that file changes. The original files live in the instance's documents folder
under their SHA-256, never in the database.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # INTEGER PRIMARY KEY on SQLite


def _text(name: str, default: str | None = None, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=nullable, **({"server_default": default} if default is not None else {}))


def upgrade() -> None:
    op.create_table(
        "documents", sa.Column("id", ROW_ID, primary_key=True, autoincrement=True), _text("sha256"),
        _text("filename"), _text("media_type"), sa.Column("size", sa.BigInteger, nullable=False), _text("title"),
        _text("kind", "other"), _text("date", nullable=True), _text("author", ""), _text("language", ""),
        sa.Column("programme_id", ROW_ID, sa.ForeignKey("programmes.id"), nullable=True),
        sa.Column("initiative_id", ROW_ID, sa.ForeignKey("initiatives.id"), nullable=True),
        _text("uploaded_by"), sa.Column("uploaded_at", sa.Float, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False), sa.Column("pages", sa.Integer, nullable=True),
        sa.Column("passage_count", sa.Integer, nullable=False, server_default="0"),
        sa.Column("ocr", sa.Boolean(create_constraint=False), nullable=False), _text("notices", "[]"),
        sqlite_autoincrement=True)
    op.create_index("documents_sha256", "documents", ["sha256"])
    op.create_index("documents_initiative", "documents", ["initiative_id", "uploaded_at"])
    op.create_index("documents_programme", "documents", ["programme_id", "uploaded_at"])
    op.create_table(
        "document_passages",
        sa.Column("document_id", ROW_ID, sa.ForeignKey("documents.id"), primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("page", sa.Integer, nullable=True), _text("heading", ""), _text("text"),
        sa.Column("ocr", sa.Boolean(create_constraint=False), nullable=False))


def downgrade() -> None:
    op.drop_table("document_passages")  # before its parent (the foreign key)
    op.drop_table("documents")
