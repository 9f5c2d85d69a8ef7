"""Who may do what in the observatory: the one place its access rules live.

The rules (issue 11):
- anyone who may read the casebase (readers; anonymous visitors when the instance
  allows them, which the web layer decides) sees programmes, initiatives' names,
  status and profile, and the FIGURES of an initiative only as its `sharing` allows:
  "named" with its name, "anonymous" only inside benchmarks and counts without any
  name, slug, place or members, "hidden" not at all;
- an initiative's members (facilitators and local actors) see and change everything of
  their own initiative and nothing of another;
- a programme's managers see and change everything of its initiatives;
- creating a programme takes an editor or reviewer account;
- writes are always refused to anonymous visitors.

Decisions are made from the memberships in the database at the time of the request
(read in the caller's transaction), not from the Viewer's snapshot, so a manager
who just created a programme can use it at once and a removed member loses access
at once.
"""

from __future__ import annotations

from sqlalchemy import Connection, select

from indexer.errors import Refused
from indexer.library.accounts import ROLE_RANK
from indexer.observatory import tables as t
from indexer.observatory.models import Initiative, Viewer

PROGRAMME_CREATOR_ROLE = "editor"
NAMED, ANONYMOUS, HIDDEN = "named", "anonymous", "hidden"


def load_viewer(db: Connection, user_name: str | None, account_role: str | None) -> Viewer:
    """The Viewer of a user (None: anonymous) with the programmes they manage and the
    initiatives they belong to."""
    if user_name is None:
        return Viewer()
    managed = db.execute(select(t.programme_managers.c.programme_id)
                         .where(t.programme_managers.c.user_name == user_name)).scalars().all()
    member_of = db.execute(select(t.initiative_members.c.initiative_id)
                           .where(t.initiative_members.c.user_name == user_name)).scalars().all()
    return Viewer(user=user_name, account_role=account_role, managed_programmes=frozenset(managed),
                  member_of=frozenset(member_of))


def manages(db: Connection, viewer: Viewer, programme_id: int) -> bool:
    """True when the viewer is a manager of the programme."""
    if viewer.user is None:
        return False
    query = select(t.programme_managers.c.user_name).where(t.programme_managers.c.programme_id == programme_id,
                                                           t.programme_managers.c.user_name == viewer.user)
    return db.execute(query).first() is not None


def is_member(db: Connection, viewer: Viewer, initiative_id: int) -> bool:
    """True when the viewer is a member (facilitator or local actor) of the initiative."""
    if viewer.user is None:
        return False
    query = select(t.initiative_members.c.user_name).where(t.initiative_members.c.initiative_id == initiative_id,
                                                           t.initiative_members.c.user_name == viewer.user)
    return db.execute(query).first() is not None


def insider(db: Connection, viewer: Viewer, initiative: Initiative) -> bool:
    """True for the initiative's members and its programme's managers (who see and change all of it)."""
    return is_member(db, viewer, initiative.id) or manages(db, viewer, initiative.programme_id)


def require_signed_in(viewer: Viewer, doing: str) -> None:
    """Refused for anonymous visitors: every write needs an account."""
    if viewer.user is None:
        raise Refused(f"sign in to {doing}")


def require_programme_creator(viewer: Viewer) -> None:
    """Refused unless the account may create programmes (editor or reviewer)."""
    require_signed_in(viewer, "create a programme")
    if ROLE_RANK.get(viewer.account_role or "", -1) < ROLE_RANK[PROGRAMME_CREATOR_ROLE]:
        raise Refused("creating a programme takes an editor or reviewer account")


def require_manager(db: Connection, viewer: Viewer, programme_id: int, doing: str) -> None:
    """Refused unless the viewer manages the programme."""
    require_signed_in(viewer, doing)
    if not manages(db, viewer, programme_id):
        raise Refused(f"only the programme's managers may {doing}")


def require_insider(db: Connection, viewer: Viewer, initiative: Initiative, doing: str) -> None:
    """Refused unless the viewer is a member of the initiative or manages its programme."""
    require_signed_in(viewer, doing)
    if not insider(db, viewer, initiative):
        raise Refused(f"only members of '{initiative.slug}' and its programme's managers may {doing}")


def visibility(db: Connection, viewer: Viewer, initiative: Initiative) -> str:
    """How this viewer may see the initiative's figures: "named" (insiders always),
    else the initiative's own choice ("named", "anonymous" or "hidden")."""
    if insider(db, viewer, initiative):
        return NAMED
    return initiative.sharing


class Visibility:
    """Visibility decisions for many initiatives with two queries (dashboards, benchmarks,
    exports), equal to `visibility` for each."""

    def __init__(self, db: Connection, viewer: Viewer):
        self.viewer = viewer
        if viewer.user is None:
            self._managed, self._member_of = frozenset(), frozenset()
        else:
            current = load_viewer(db, viewer.user, viewer.account_role)
            self._managed, self._member_of = current.managed_programmes, current.member_of

    def insider(self, initiative: Initiative) -> bool:
        """True for the initiative's members and its programme's managers."""
        return initiative.id in self._member_of or initiative.programme_id in self._managed

    def manages(self, programme_id: int) -> bool:
        """True when the viewer manages the programme."""
        return programme_id in self._managed

    def __call__(self, initiative: Initiative) -> str:
        return NAMED if self.insider(initiative) else initiative.sharing

    def figures_on_its_page(self, initiative: Initiative) -> bool:
        """True when figures may be shown next to the initiative's name (its own page, its
        API record, its exports): insiders, or sharing "named"; an "anonymous" initiative's
        figures appear only in benchmarks and counts, where nothing names it."""
        return self(initiative) == NAMED


def require_figures(db: Connection, viewer: Viewer, initiative: Initiative) -> None:
    """Refused unless the viewer may see the initiative's figures next to its name."""
    if not Visibility(db, viewer).figures_on_its_page(initiative):
        shared = "only anonymously, in benchmarks" if initiative.sharing == ANONYMOUS else "with nobody outside it"
        raise Refused(f"'{initiative.slug}' shares its figures {shared}")


def public_view(initiative: Initiative, visible: Visibility) -> Initiative:
    """The initiative as the viewer may see it: members' account names only for insiders
    (who may record for an initiative is not readers' business)."""
    if visible.insider(initiative):
        return initiative
    return initiative.model_copy(update={"members": []})
