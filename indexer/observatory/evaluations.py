"""Evaluations (the paper's Table 6: frequent, simple, participatory) and the corrective
actions agreed in them."""

from __future__ import annotations

import json
import time
from typing import Any, Mapping

from sqlalchemy import Connection, insert, select, update

from indexer.errors import InvalidInput, NotFound
from indexer.observatory import access, rows
from indexer.observatory import tables as t
from indexer.observatory.models import ACTION_STATUSES, EVALUATION_KINDS, PARTICIPANTS, Action, Evaluation, Viewer
from indexer.observatory.validation import (
    MAX_TEXT, check_choice, check_keys, check_list, check_row_id, check_text, iso, parse_date,
)

EVALUATION_FIELDS = ("held_on", "kind", "participants", "indicator_ids", "findings", "actions")
ACTION_FIELDS = ("text", "owner", "due")
MAX_ACTIONS = 50


def _actions(raw: Any) -> list[dict]:
    """The agreed actions, each checked (fields named actions[i].text and so on)."""
    if raw in (None, ""):
        return []
    if not isinstance(raw, (list, tuple)):
        raise InvalidInput("actions", "must be a list of {text, owner, due}")
    if len(raw) > MAX_ACTIONS:
        raise InvalidInput("actions", f"has more than {MAX_ACTIONS} actions")
    checked = []
    for index, action in enumerate(raw):
        where = f"actions[{index}]"
        if not isinstance(action, Mapping):
            raise InvalidInput(where, "must be a mapping of text, owner and due")
        for key in action:
            if key not in ACTION_FIELDS:
                raise InvalidInput(f"{where}.{key}", "is not a field of an action; fields: " + ", ".join(ACTION_FIELDS))
        checked.append({"text": check_text(f"{where}.text", action.get("text"), required=True, limit=MAX_TEXT),
                        "owner": check_text(f"{where}.owner", action.get("owner")),
                        "due": iso(parse_date(f"{where}.due", action.get("due"), required=False))})
    return checked


def record(db: Connection, viewer: Viewer, slug: str, data: Mapping) -> Evaluation:
    """Record an evaluation with its findings and agreed actions (the initiative's members
    and managers may); the indicators reviewed must be the initiative's own."""
    initiative = rows.initiative_by_slug(db, slug)
    access.require_insider(db, viewer, initiative, "record its evaluations")
    check_keys(data, EVALUATION_FIELDS, "an evaluation")
    held_on = iso(parse_date("held_on", data.get("held_on")))
    kind = check_choice("kind", data.get("kind") or "self-evaluation", EVALUATION_KINDS)
    participants = check_list("participants", data.get("participants"), PARTICIPANTS)
    findings = check_text("findings", data.get("findings"), limit=MAX_TEXT)
    raw_ids = data.get("indicator_ids") or []
    if not isinstance(raw_ids, (list, tuple)):
        raise InvalidInput("indicator_ids", "must be a list of indicator ids")
    indicator_ids = list(dict.fromkeys(check_row_id(f"indicator_ids[{index}]", value)
                                       for index, value in enumerate(raw_ids)))
    own = set(db.execute(select(t.indicators.c.id).where(t.indicators.c.initiative_id == initiative.id)).scalars())
    for index, indicator_id in enumerate(indicator_ids):
        if indicator_id not in own:
            raise InvalidInput(f"indicator_ids[{index}]", f"indicator {indicator_id} is not on the scorecard of '{slug}'")
    actions = _actions(data.get("actions"))
    now = time.time()
    evaluation_id = db.execute(insert(t.evaluations).values(
        initiative_id=initiative.id, held_on=held_on, kind=kind, participants=json.dumps(participants),
        findings=findings, recorded_by=viewer.user, recorded_at=now)).inserted_primary_key[0]
    for indicator_id in indicator_ids:
        db.execute(insert(t.evaluation_indicators).values(evaluation_id=evaluation_id, indicator_id=indicator_id))
    for action in actions:
        db.execute(insert(t.actions).values(evaluation_id=evaluation_id, status="open", updated=now, **action))
    rows.record_audit(db, viewer.user, "observatory.evaluation.add", slug,
                      {"evaluation": evaluation_id, "kind": kind, "actions": len(actions)})
    return rows.load_evaluations(db, t.evaluations.c.id == evaluation_id)[0]


def update_action(db: Connection, viewer: Viewer, action_id: int, status: str) -> Action:
    """Mark an agreed action open, done or dropped (the initiative's members and managers may)."""
    row = db.execute(select(t.actions.c.id, t.evaluations.c.initiative_id)
                     .join(t.evaluations, t.evaluations.c.id == t.actions.c.evaluation_id)
                     .where(t.actions.c.id == action_id)).mappings().first()
    if row is None:
        raise NotFound(f"no action {action_id}")
    initiative = rows.initiative_by_id(db, row["initiative_id"])
    access.require_insider(db, viewer, initiative, "update its actions")
    check_choice("status", status, ACTION_STATUSES)
    db.execute(update(t.actions).where(t.actions.c.id == action_id).values(status=status, updated=time.time()))
    rows.record_audit(db, viewer.user, "observatory.action.status", initiative.slug,
                      {"action": action_id, "status": status})
    return rows.action_record(db.execute(select(t.actions).where(t.actions.c.id == action_id)).mappings().one())
