"""The observatory's tables, declared on the library's `metadata` (one instance database,
one schema, one migration history: revision 0004 creates them).

Dates are ISO text ("2027-03-31": orders and compares as dates on both backends),
lists and the advisor profile are JSON text, times of recording UNIX seconds. A
measurement is never updated in place except to clear `is_current` when a correction
supersedes it; the partial unique index keeps one current value per indicator and period.

The indexes serve the dashboard and the initiative page: initiatives of a programme,
indicators of an initiative, current measurements of an indicator in period order,
evaluations of an initiative by date, open actions of an evaluation, and the
memberships of a user (every viewer is built from them).
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, ForeignKey, Index, Integer, Table, Text, UniqueConstraint, text

from indexer.library.tables import RowId, metadata

programmes = Table(
    "programmes", metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("slug", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("agency", Text, nullable=False, server_default=""),
    Column("description", Text, nullable=False, server_default=""),
    Column("evaluation_interval_days", Integer, nullable=False, server_default="180"),
    Column("created", Float, nullable=False),
    sqlite_autoincrement=True,
)

programme_managers = Table(
    "programme_managers", metadata,
    Column("programme_id", RowId, ForeignKey("programmes.id"), primary_key=True),
    Column("user_name", Text, primary_key=True),
    Index("programme_managers_user", "user_name"),
)

initiatives = Table(
    "initiatives", metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("programme_id", RowId, ForeignKey("programmes.id"), nullable=False),
    Column("slug", Text, nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("place", Text, nullable=False, server_default=""),
    Column("country", Text, nullable=False, server_default=""),
    Column("sectors", Text, nullable=False, server_default="[]"),
    Column("status", Text, nullable=False, server_default="proposal"),
    Column("start_date", Text),
    Column("facilitators", Text, nullable=False, server_default="[]"),
    Column("profile", Text, nullable=False, server_default="{}"),
    Column("description", Text, nullable=False, server_default=""),
    Column("sharing", Text, nullable=False, server_default="named"),
    Column("template", Text),
    Column("case_draft_id", RowId),
    Column("created", Float, nullable=False),
    Column("updated", Float, nullable=False),
    Index("initiatives_programme", "programme_id", "status"),
    sqlite_autoincrement=True,
)

initiative_members = Table(
    "initiative_members", metadata,
    Column("initiative_id", RowId, ForeignKey("initiatives.id"), primary_key=True),
    Column("user_name", Text, primary_key=True),
    Column("role", Text, nullable=False),
    Index("initiative_members_user", "user_name"),
)

indicator_definitions = Table(
    "indicator_definitions", metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("programme_id", RowId, ForeignKey("programmes.id"), nullable=False),
    Column("key", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("unit", Text, nullable=False, server_default=""),
    Column("direction", Text, nullable=False, server_default="higher"),
    Column("description", Text, nullable=False, server_default=""),
    UniqueConstraint("programme_id", "key", name="indicator_definitions_key"),
    sqlite_autoincrement=True,
)

indicators = Table(
    "indicators", metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("initiative_id", RowId, ForeignKey("initiatives.id"), nullable=False),
    Column("perspective", Text, nullable=False),
    Column("factor", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("unit", Text, nullable=False, server_default=""),
    Column("direction", Text, nullable=False, server_default="higher"),
    Column("baseline_value", Float),
    Column("baseline_date", Text),
    Column("target_value", Float),
    Column("target_date", Text),
    Column("defined_by", Text, nullable=False, server_default=""),
    Column("definition_id", RowId, ForeignKey("indicator_definitions.id")),
    Column("position", Integer, nullable=False, server_default="0"),
    Index("indicators_initiative", "initiative_id"),
    Index("indicators_definition", "definition_id"),
    sqlite_autoincrement=True,
)

measurements = Table(
    "measurements", metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("indicator_id", RowId, ForeignKey("indicators.id"), nullable=False),
    Column("period", Text, nullable=False),
    Column("value", Float, nullable=False),
    Column("measured_on", Text, nullable=False),
    Column("evidence", Text, nullable=False, server_default=""),
    Column("recorded_by", Text, nullable=False),
    Column("recorded_at", Float, nullable=False),
    Column("supersedes", RowId, ForeignKey("measurements.id")),
    Column("is_current", Boolean(create_constraint=False), nullable=False),
    # One current value per indicator and period; corrections keep the earlier rows.
    Index("measurements_one_current", "indicator_id", "period", unique=True,
          sqlite_where=text("is_current"), postgresql_where=text("is_current")),
    Index("measurements_indicator", "indicator_id", "is_current", "period"),
    sqlite_autoincrement=True,
)

evaluations = Table(
    "evaluations", metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("initiative_id", RowId, ForeignKey("initiatives.id"), nullable=False),
    Column("held_on", Text, nullable=False),
    Column("kind", Text, nullable=False),
    Column("participants", Text, nullable=False, server_default="[]"),
    Column("findings", Text, nullable=False, server_default=""),
    Column("recorded_by", Text, nullable=False),
    Column("recorded_at", Float, nullable=False),
    Index("evaluations_initiative", "initiative_id", "held_on"),
    sqlite_autoincrement=True,
)

evaluation_indicators = Table(
    "evaluation_indicators", metadata,
    Column("evaluation_id", RowId, ForeignKey("evaluations.id"), primary_key=True),
    Column("indicator_id", RowId, ForeignKey("indicators.id"), primary_key=True),
    Index("evaluation_indicators_indicator", "indicator_id"),
)

actions = Table(
    "actions", metadata,
    Column("id", RowId, primary_key=True, autoincrement=True),
    Column("evaluation_id", RowId, ForeignKey("evaluations.id"), nullable=False),
    Column("text", Text, nullable=False),
    Column("owner", Text, nullable=False, server_default=""),
    Column("due", Text),
    Column("status", Text, nullable=False, server_default="open"),
    Column("updated", Float, nullable=False),
    Index("actions_evaluation", "evaluation_id", "status"),
    sqlite_autoincrement=True,
)

# Instance-wide values of the observatory: "anonymity_salt", the secret that orders
# anonymous peers ("Initiative A", ...) so that nobody can recompute which is which;
# the same for every server sharing the database, made on first use.
observatory_settings = Table(
    "observatory_settings", metadata,
    Column("name", Text, primary_key=True),
    Column("value", Text, nullable=False),
)
