"""The initiative observatory: programmes, initiatives, scorecards, measurements,
evaluations and corrective actions (issue 11), and the observatory's instance settings
(the secret that orders anonymous peers).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01

New tables only, so nothing existing changes. Every column is spelled out here (not
read from indexer/observatory/tables.py) so this revision keeps meaning what it means
when that file changes. Dates are ISO text, lists and profiles JSON text. The partial
unique index on measurements (WHERE is_current, on SQLite and PostgreSQL alike) keeps
one current value per indicator and period while corrections keep the earlier rows.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ROW_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")  # INTEGER PRIMARY KEY on SQLite
AUTOINCREMENT = {"sqlite_autoincrement": True}


def _id() -> sa.Column:
    return sa.Column("id", ROW_ID, primary_key=True, autoincrement=True)


def _reference(name: str, target: str, nullable: bool = False, primary_key: bool = False) -> sa.Column:
    return sa.Column(name, ROW_ID, sa.ForeignKey(target), nullable=nullable, primary_key=primary_key)


def _text(name: str, default: str | None = None, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.Text, nullable=nullable, **({"server_default": default} if default is not None else {}))


def upgrade() -> None:
    op.create_table(
        "programmes", _id(), _text("slug"), _text("name"), _text("agency", ""), _text("description", ""),
        sa.Column("evaluation_interval_days", sa.Integer, nullable=False, server_default="180"),
        sa.Column("created", sa.Float, nullable=False), sa.UniqueConstraint("slug"), **AUTOINCREMENT)
    op.create_table(
        "programme_managers", _reference("programme_id", "programmes.id", primary_key=True),
        sa.Column("user_name", sa.Text, primary_key=True))
    op.create_index("programme_managers_user", "programme_managers", ["user_name"])
    op.create_table(
        "initiatives", _id(), _reference("programme_id", "programmes.id"), _text("slug"), _text("name"),
        _text("place", ""), _text("country", ""), _text("sectors", "[]"), _text("status", "proposal"),
        _text("start_date", nullable=True), _text("facilitators", "[]"), _text("profile", "{}"),
        _text("description", ""), _text("sharing", "named"), _text("template", nullable=True),
        sa.Column("case_draft_id", ROW_ID), sa.Column("created", sa.Float, nullable=False),
        sa.Column("updated", sa.Float, nullable=False), sa.UniqueConstraint("slug"), **AUTOINCREMENT)
    op.create_index("initiatives_programme", "initiatives", ["programme_id", "status"])
    op.create_table(
        "initiative_members", _reference("initiative_id", "initiatives.id", primary_key=True),
        sa.Column("user_name", sa.Text, primary_key=True), _text("role"))
    op.create_index("initiative_members_user", "initiative_members", ["user_name"])
    op.create_table(
        "indicator_definitions", _id(), _reference("programme_id", "programmes.id"), _text("key"), _text("name"),
        _text("unit", ""), _text("direction", "higher"), _text("description", ""),
        sa.UniqueConstraint("programme_id", "key", name="indicator_definitions_key"), **AUTOINCREMENT)
    op.create_table(
        "indicators", _id(), _reference("initiative_id", "initiatives.id"), _text("perspective"), _text("factor"),
        _text("name"), _text("unit", ""), _text("direction", "higher"), sa.Column("baseline_value", sa.Float),
        _text("baseline_date", nullable=True), sa.Column("target_value", sa.Float),
        _text("target_date", nullable=True), _text("defined_by", ""),
        _reference("definition_id", "indicator_definitions.id", nullable=True),
        sa.Column("position", sa.Integer, nullable=False, server_default="0"), **AUTOINCREMENT)
    op.create_index("indicators_initiative", "indicators", ["initiative_id"])
    op.create_index("indicators_definition", "indicators", ["definition_id"])
    op.create_table(
        "measurements", _id(), _reference("indicator_id", "indicators.id"), _text("period"),
        sa.Column("value", sa.Float, nullable=False), _text("measured_on"), _text("evidence", ""),
        _text("recorded_by"), sa.Column("recorded_at", sa.Float, nullable=False),
        _reference("supersedes", "measurements.id", nullable=True),
        sa.Column("is_current", sa.Boolean(create_constraint=False), nullable=False), **AUTOINCREMENT)
    op.create_index("measurements_one_current", "measurements", ["indicator_id", "period"], unique=True,
                    sqlite_where=sa.text("is_current"), postgresql_where=sa.text("is_current"))
    op.create_index("measurements_indicator", "measurements", ["indicator_id", "is_current", "period"])
    op.create_table(
        "evaluations", _id(), _reference("initiative_id", "initiatives.id"), _text("held_on"), _text("kind"),
        _text("participants", "[]"), _text("findings", ""), _text("recorded_by"),
        sa.Column("recorded_at", sa.Float, nullable=False), **AUTOINCREMENT)
    op.create_index("evaluations_initiative", "evaluations", ["initiative_id", "held_on"])
    op.create_table(
        "evaluation_indicators", _reference("evaluation_id", "evaluations.id", primary_key=True),
        _reference("indicator_id", "indicators.id", primary_key=True))
    op.create_index("evaluation_indicators_indicator", "evaluation_indicators", ["indicator_id"])
    op.create_table(
        "actions", _id(), _reference("evaluation_id", "evaluations.id"), _text("text"), _text("owner", ""),
        _text("due", nullable=True), _text("status", "open"), sa.Column("updated", sa.Float, nullable=False),
        **AUTOINCREMENT)
    op.create_index("actions_evaluation", "actions", ["evaluation_id", "status"])
    op.create_table("observatory_settings", sa.Column("name", sa.Text, primary_key=True), _text("value"))


def downgrade() -> None:
    # Children before parents (the foreign keys); dropping a table drops its indexes.
    for name in ("observatory_settings", "actions", "evaluation_indicators", "evaluations", "measurements", "indicators",
                 "indicator_definitions", "initiative_members", "initiatives", "programme_managers", "programmes"):
        op.drop_table(name)
