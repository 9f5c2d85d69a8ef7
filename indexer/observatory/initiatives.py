"""Initiatives: their record and advisor profile, status and members."""

from __future__ import annotations

import json
import time
from typing import Any, Callable, Mapping

from sqlalchemy import Connection, delete, insert, update

from indexer.advisor.profile import TEXT_ATTRIBUTES, Profile, ProfileError
from indexer.content.vocabulary import Vocabulary
from indexer.errors import InvalidInput, NotFound, Unavailable
from indexer.observatory import access, rows
from indexer.observatory import tables as t
from indexer.observatory.models import MEMBER_ROLES, SHARING, STATUSES, Initiative, Viewer
from indexer.observatory.programmes import free_slug
from indexer.observatory.validation import (
    MAX_TEXT, check_choice, check_keys, check_list, check_text, iso, parse_date,
)

CREATE_FIELDS = ("slug", "name", "place", "country", "sectors", "status", "start_date", "facilitators", "profile",
                 "description", "sharing")
UPDATE_FIELDS = tuple(name for name in CREATE_FIELDS if name != "slug")  # slugs are in links: they stay
VocabularySource = Callable[[], Vocabulary | None]


def check_profile(vocabulary: Vocabulary | None, profile: Any) -> dict:
    """The profile as the advisor reads it (validated, normalised, unknowns dropped);
    InvalidInput naming `profile.<attribute>`."""
    if profile in (None, {}):
        return {}
    if vocabulary is None:
        raise Unavailable("the vocabulary (kb/vocabulary.yaml) could not be loaded, so profiles cannot be checked; "
                          "run 'casebase check'")
    if not isinstance(profile, Mapping):
        raise InvalidInput("profile", "must be a mapping of attribute: value")
    for key in TEXT_ATTRIBUTES:
        if profile.get(key):  # refused, not dropped: the text would be lost without a word
            raise InvalidInput(f"profile.{key}", f"goes in the initiative's own field ('description' or 'name'), "
                                                 "not in its profile")
    try:
        checked = Profile.from_mapping({key: value for key, value in profile.items() if key not in TEXT_ATTRIBUTES},
                                       vocabulary)
    except ProfileError as exc:
        raise InvalidInput(f"profile.{exc.field}", exc.message) from None
    return checked.to_dict()


def _sectors_and_country(vocabulary: Vocabulary | None, values: dict) -> None:
    """The initiative's own sectors and country, checked against the vocabulary like the
    profile's (the benchmark filters on them, so they must be the vocabulary's terms)."""
    probe = {key: values[key] for key in ("sectors", "country") if values.get(key)}
    if not probe:
        return
    if vocabulary is None:
        raise Unavailable("the vocabulary (kb/vocabulary.yaml) could not be loaded, so sectors and countries "
                          "cannot be checked; run 'casebase check'")
    try:
        checked = Profile.from_mapping(probe, vocabulary)
    except ProfileError as exc:
        raise InvalidInput(exc.field, exc.message) from None
    if "sectors" in probe:
        values["sectors"] = list(checked.sectors)
    if "country" in probe:
        values["country"] = checked.country or ""


def _values(data: Mapping, fields: tuple[str, ...], vocabulary: Vocabulary | None) -> dict:
    """Column values for the given fields of `data`, each checked."""
    check_keys(data, fields, "an initiative")
    values: dict[str, Any] = {}
    for name in ("name", "place", "country"):
        if name in data:
            values[name] = check_text(name, data[name], required=name == "name")
    if "description" in data:
        values["description"] = check_text("description", data["description"], limit=MAX_TEXT)
    if "sectors" in data:
        values["sectors"] = check_list("sectors", data["sectors"])
    if "facilitators" in data:
        values["facilitators"] = json.dumps(check_list("facilitators", data["facilitators"]))
    if "status" in data:
        values["status"] = check_choice("status", data["status"], STATUSES)
    if "sharing" in data:
        values["sharing"] = check_choice("sharing", data["sharing"], SHARING)
    if "start_date" in data:
        values["start_date"] = iso(parse_date("start_date", data["start_date"], required=False))
    if "profile" in data:
        values["profile"] = json.dumps(check_profile(vocabulary, data["profile"]), sort_keys=True)
    _sectors_and_country(vocabulary, values)
    if "sectors" in values:
        values["sectors"] = json.dumps(values["sectors"])
    return values


def _needs_vocabulary(data: Mapping) -> bool:
    return any(data.get(key) for key in ("profile", "sectors", "country"))


def create(db: Connection, viewer: Viewer, programme_slug: str, data: Mapping,
           vocabulary: VocabularySource) -> Initiative:
    """A new initiative of a programme (its managers may); the slug is made from the
    name when `data` has none."""
    programme = rows.programme_by_slug(db, programme_slug)
    access.require_manager(db, viewer, programme.id, "create initiatives")
    check_keys(data, CREATE_FIELDS, "an initiative")
    if "name" not in data:
        raise InvalidInput("name", "is required")
    values = _values({key: value for key, value in data.items() if key != "slug"}, UPDATE_FIELDS,
                     vocabulary() if _needs_vocabulary(data) else None)
    slug = free_slug(db, t.initiatives, data.get("slug"), values["name"])
    now = time.time()
    initiative_id = db.execute(insert(t.initiatives).values(
        programme_id=programme.id, slug=slug, created=now, updated=now, **values)).inserted_primary_key[0]
    rows.record_audit(db, viewer.user, "observatory.initiative.create", slug, {"programme": programme.slug})
    return rows.initiative_by_id(db, initiative_id)


def update_record(db: Connection, viewer: Viewer, slug: str, data: Mapping, vocabulary: VocabularySource) -> Initiative:
    """Change an initiative's record or profile (its members and managers may; the status
    only its managers)."""
    initiative = rows.initiative_by_slug(db, slug)
    access.require_insider(db, viewer, initiative, "change this initiative")
    if "status" in check_keys(data, UPDATE_FIELDS, "an initiative"):
        access.require_manager(db, viewer, initiative.programme_id, "set an initiative's status")
    values = _values(data, UPDATE_FIELDS,
                     vocabulary() if _needs_vocabulary(data) else None)
    if values:
        db.execute(update(t.initiatives).where(t.initiatives.c.id == initiative.id).values(updated=time.time(),
                                                                                           **values))
        rows.record_audit(db, viewer.user, "observatory.initiative.update", slug, {"fields": sorted(values)})
    return rows.initiative_by_id(db, initiative.id)


def set_status(db: Connection, viewer: Viewer, slug: str, status: str) -> Initiative:
    """Move an initiative along proposal > fact-finding > launched > running > closed
    (its programme's managers may)."""
    initiative = rows.initiative_by_slug(db, slug)
    access.require_manager(db, viewer, initiative.programme_id, "set an initiative's status")
    check_choice("status", status, STATUSES)
    if status != initiative.status:
        db.execute(update(t.initiatives).where(t.initiatives.c.id == initiative.id)
                   .values(status=status, updated=time.time()))
        rows.record_audit(db, viewer.user, "observatory.initiative.status", slug,
                          {"from": initiative.status, "to": status})
    return rows.initiative_by_id(db, initiative.id)


def add_member(db: Connection, viewer: Viewer, slug: str, user_name: str, role: str) -> Initiative:
    """Let an account record for the initiative, as facilitator or local actor (managers may);
    adding an existing member changes their role."""
    initiative = rows.initiative_by_slug(db, slug)
    access.require_manager(db, viewer, initiative.programme_id, "add members")
    check_choice("role", role, MEMBER_ROLES)
    if not rows.user_exists(db, user_name):
        raise InvalidInput("user_name", f"there is no account '{user_name}'")
    db.execute(delete(t.initiative_members).where(t.initiative_members.c.initiative_id == initiative.id,
                                                  t.initiative_members.c.user_name == user_name))
    db.execute(insert(t.initiative_members).values(initiative_id=initiative.id, user_name=user_name, role=role))
    rows.record_audit(db, viewer.user, "observatory.member.add", slug, {"user": user_name, "role": role})
    return rows.initiative_by_id(db, initiative.id)


def remove_member(db: Connection, viewer: Viewer, slug: str, user_name: str) -> Initiative:
    """Take an account off the initiative (managers may); NotFound when it is not a member."""
    initiative = rows.initiative_by_slug(db, slug)
    access.require_manager(db, viewer, initiative.programme_id, "remove members")
    removed = db.execute(delete(t.initiative_members).where(t.initiative_members.c.initiative_id == initiative.id,
                                                            t.initiative_members.c.user_name == user_name)).rowcount
    if not removed:
        raise NotFound(f"'{user_name}' is not a member of '{slug}'")
    rows.record_audit(db, viewer.user, "observatory.member.remove", slug, {"user": user_name})
    return rows.initiative_by_id(db, initiative.id)


def advice_profile(initiative: Initiative) -> dict:
    """What the advisor reads for an initiative: its profile, its own sectors and country
    where the profile has none, and its description."""
    profile = dict(initiative.profile)
    if initiative.sectors and not profile.get("sectors"):
        profile["sectors"] = list(initiative.sectors)
    if initiative.country and not profile.get("country"):
        profile["country"] = initiative.country
    text = " ".join(part for part in (initiative.name, initiative.description) if part)
    if text:
        profile["description"] = text[:5000]
    return profile

