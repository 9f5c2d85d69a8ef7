"""Who may see, upload and change documents: the one place these rules live, built on
the observatory's (indexer.observatory.access decides insiders and sharing).

- See: a document attached to an initiative is seen by the initiative's insiders
  (members, the programme's managers) always, and by anybody who may read the
  casebase while the initiative's sharing is "named"; a document attached to a
  programme only, or to nothing, by whoever may read the casebase. A document the
  viewer may not see does not exist for them: NotFound, never Refused (which would
  say it exists).
- Upload: signed-in editors and reviewers (to anything they may see), and an
  initiative's insiders to their initiative (a programme's managers to their programme).
- Change (metadata, replace, delete): the uploader, the initiative's insiders, the
  programme's managers and reviewers, of a document they may see.

Decisions read the memberships and sharing in the caller's transaction, so a change of
sharing or membership counts at once.
"""

from __future__ import annotations

from sqlalchemy import Connection

from indexer.documents.models import PUBLIC, DocumentRecord, access_token
from indexer.documents.records import not_found_message
from indexer.errors import NotFound, Refused
from indexer.library.accounts import ROLE_RANK
from indexer.observatory import access, rows
from indexer.observatory.access import NAMED
from indexer.observatory.models import Initiative, Programme, Viewer

UPLOADER_ROLE = "editor"
REVIEWER_ROLE = "reviewer"


def _has_role(viewer: Viewer, role: str) -> bool:
    return viewer.user is not None and ROLE_RANK.get(viewer.account_role or "", -1) >= ROLE_RANK[role]


def visible_initiatives(db: Connection, viewer: Viewer) -> frozenset[int]:
    """Ids of the initiatives whose documents the viewer may see (insiders, or sharing "named")."""
    visible = access.Visibility(db, viewer)
    return frozenset(initiative.id for initiative in rows.load_initiatives(db) if visible(initiative) == NAMED)


def tokens(db: Connection, viewer: Viewer) -> frozenset[str]:
    """The search index's access tokens of the documents this viewer may find."""
    return frozenset({PUBLIC, *(access_token(initiative_id) for initiative_id in visible_initiatives(db, viewer))})


def may_see(db: Connection, viewer: Viewer, record: DocumentRecord) -> bool:
    """True when the viewer may see the document."""
    if record.initiative_id is None:
        return True
    return access.visibility(db, viewer, rows.initiative_by_id(db, record.initiative_id)) == NAMED


def require_visible(db: Connection, viewer: Viewer, record: DocumentRecord) -> DocumentRecord:
    """The record when the viewer may see it; else NotFound, as for a document that does not exist."""
    if not may_see(db, viewer, record):
        raise NotFound(not_found_message(record.id))
    return record


def may_change(db: Connection, viewer: Viewer, record: DocumentRecord) -> bool:
    """True when the viewer may correct, replace or delete the (visible) document."""
    if viewer.user is None or not may_see(db, viewer, record):
        return False
    if record.uploaded_by == viewer.user or _has_role(viewer, REVIEWER_ROLE):
        return True
    if record.initiative_id is not None:
        return access.insider(db, viewer, rows.initiative_by_id(db, record.initiative_id))
    return record.programme_id is not None and access.manages(db, viewer, record.programme_id)


def require_change(db: Connection, viewer: Viewer, record: DocumentRecord, doing: str) -> None:
    """NotFound when the viewer may not see the document; Refused when they see it but may not change it."""
    require_visible(db, viewer, record)
    access.require_signed_in(viewer, doing)
    if not may_change(db, viewer, record):
        raise Refused(f"only the uploader, the insiders of what it is attached to and reviewers may {doing}")


def require_attach(db: Connection, viewer: Viewer, programme: Programme | None, initiative: Initiative | None,
                   doing: str) -> None:
    """Refused unless the viewer may put a document on this programme and initiative
    (both None: the casebase at large)."""
    access.require_signed_in(viewer, doing)
    if initiative is not None:
        if access.insider(db, viewer, initiative):
            return
        if not _has_role(viewer, UPLOADER_ROLE):
            raise Refused(f"only members of '{initiative.slug}', its programme's managers, editors and reviewers "
                          f"may {doing}")
        if access.visibility(db, viewer, initiative) != NAMED:
            raise Refused(f"'{initiative.slug}' shares its documents with its members and managers only; "
                          f"only they may {doing}")
        return
    if programme is not None and access.manages(db, viewer, programme.id):
        return
    if not _has_role(viewer, UPLOADER_ROLE):
        raise Refused(f"only editors, reviewers and the members of an initiative may {doing}")


def require_case_author(viewer: Viewer) -> None:
    """Refused unless the viewer may start a draft case (an editor or reviewer account)."""
    access.require_signed_in(viewer, "start a case")
    if not _has_role(viewer, UPLOADER_ROLE):
        raise Refused("starting a case takes an editor or reviewer account")
