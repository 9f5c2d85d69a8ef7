"""Revisions credit people; drafts remember everyone who changed them.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

revisions gain:
- editor           who wrote the published text (the draft's author; `author` stays the
                   reviewer who published it). Old revisions get editor = author: the
                   only name they recorded.
- editor_message   the editor's message on the draft ('' for old revisions);
- reviewer_message the reviewer's message when publishing ('' for old revisions; their
                   one `message` column is kept as it was);
- restored_from    the revision id a restore published again (NULL otherwise);
- restore_reason   why it was restored ('' otherwise).

drafts gain `contributors`: a JSON list (text) of everyone who saved the draft, in the
order they first did, so four eyes can refuse every one of them, not only the last.
Old drafts get [author]. A reviewer may send an open draft back to its author:
`sent_back_by` (NULL: the draft waits for review), `sent_back_note` (what to change)
and `sent_back_at`; the author's next save clears them, which submits it again.

Plain ADD COLUMN on both backends (SQLite adds a NOT NULL column with a default
without copying the table); every statement is spelled out here so this revision
keeps meaning what it means when tables.py changes.
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    row_id = "INTEGER" if sqlite else "BIGINT"
    op.execute("ALTER TABLE revisions ADD COLUMN editor TEXT NOT NULL DEFAULT ''")
    op.execute("ALTER TABLE revisions ADD COLUMN editor_message TEXT NOT NULL DEFAULT ''")
    op.execute("ALTER TABLE revisions ADD COLUMN reviewer_message TEXT NOT NULL DEFAULT ''")
    op.execute(f"ALTER TABLE revisions ADD COLUMN restored_from {row_id}")
    op.execute("ALTER TABLE revisions ADD COLUMN restore_reason TEXT NOT NULL DEFAULT ''")
    op.execute("UPDATE revisions SET editor = author")
    op.execute("ALTER TABLE drafts ADD COLUMN contributors TEXT NOT NULL DEFAULT '[]'")
    if sqlite:
        op.execute("UPDATE drafts SET contributors = json_array(author)")
    else:
        op.execute("UPDATE drafts SET contributors = json_build_array(author)::text")
    op.execute("ALTER TABLE drafts ADD COLUMN sent_back_by TEXT")
    op.execute("ALTER TABLE drafts ADD COLUMN sent_back_note TEXT NOT NULL DEFAULT ''")
    op.execute(f"ALTER TABLE drafts ADD COLUMN sent_back_at {'REAL' if sqlite else 'DOUBLE PRECISION'}")


def downgrade() -> None:
    # DROP COLUMN: PostgreSQL, and SQLite from 3.35 (Python 3.11's is newer).
    for column in ("sent_back_at", "sent_back_note", "sent_back_by", "contributors"):
        op.execute(f"ALTER TABLE drafts DROP COLUMN {column}")
    for column in ("restore_reason", "restored_from", "reviewer_message", "editor_message", "editor"):
        op.execute(f"ALTER TABLE revisions DROP COLUMN {column}")
