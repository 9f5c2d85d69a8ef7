"""Typed records of the initiative observatory (the contract between its store, its
analyses and the web layer).

An agency's programme holds initiatives; each initiative keeps its advisor profile,
its own participatory scorecard (perspectives -> critical success factors -> 1-3
indicators each, after the paper's balanced scorecards of Scotland and Thailand), a
measurement history per indicator and its self-evaluations with corrective actions
(the paper's Table 6). Records are pydantic models so that the JSON API, the exports
and the OpenAPI document share one declaration; the store builds them from rows it
has already checked.

Dates are ISO dates (`datetime.date`); times of recording are UNIX seconds, like the
library's revisions. Ids are the database's row ids; `slug` is the readable id used
in URLs.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

STATUSES = ("proposal", "fact-finding", "launched", "running", "closed")
Status = Literal["proposal", "fact-finding", "launched", "running", "closed"]
# How an initiative's figures are shown to peers (other initiatives' members and readers):
# with its name, as "Initiative A/B/..." or not at all. Programme managers always see all.
SHARING = ("named", "anonymous", "hidden")
Sharing = Literal["named", "anonymous", "hidden"]
DIRECTIONS = ("higher", "lower")
Direction = Literal["higher", "lower"]
EVALUATION_KINDS = ("self-evaluation", "mid-term-review", "external-evaluation")
EvaluationKind = Literal["self-evaluation", "mid-term-review", "external-evaluation"]
PARTICIPANTS = ("firms", "institutions", "facilitator", "agency")
Participant = Literal["firms", "institutions", "facilitator", "agency"]
ACTION_STATUSES = ("open", "done", "dropped")
ActionStatus = Literal["open", "done", "dropped"]
# An initiative member is a facilitator or a local actor; both record measurements and
# evaluations for their own initiatives only.
MEMBER_ROLES = ("facilitator", "local-actor")
MemberRole = Literal["facilitator", "local-actor"]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]
MAX_INDICATORS_PER_FACTOR = 3


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Programme(_Record):
    """An agency's cluster programme (for example a contest round)."""

    id: int
    slug: Slug
    name: str
    agency: str = ""
    description: str = ""
    managers: list[str] = []          # user names of its programme managers
    # Days after which an initiative without a self-evaluation is flagged on the dashboard.
    evaluation_interval_days: int = 180
    created: float


class Member(_Record):
    """A user who belongs to one initiative."""

    user: str
    role: MemberRole


class Initiative(_Record):
    """One cluster initiative of a programme, with its advisor profile."""

    id: int
    programme_id: int
    slug: Slug
    name: str
    place: str = ""
    country: str = ""
    sectors: list[str] = []
    status: Status = "proposal"
    start_date: date | None = None
    facilitators: list[str] = []       # people named as facilitators (free text)
    members: list[Member] = []         # accounts that may record for this initiative
    # The advisor's attributes (driver, approach, pressure, cooperative_culture, stage,
    # markusen, ..., funding_level, monitoring_style, activities) as the advisor form names
    # them; validated with indexer.advisor.profile.Profile.from_mapping on every write.
    profile: dict = {}
    description: str = ""
    sharing: Sharing = "named"
    case_draft_id: int | None = None   # the draft case offered when it closed
    created: float
    updated: float


class IndicatorDefinition(_Record):
    """A programme-wide indicator that initiatives link to, so benchmarks compare like with like."""

    id: int
    programme_id: int
    key: Slug
    name: str
    unit: str = ""
    direction: Direction = "higher"
    description: str = ""


class Indicator(_Record):
    """One KPI of an initiative's scorecard."""

    id: int
    initiative_id: int
    perspective: str
    factor: str                        # the critical success factor it shows
    name: str
    unit: str = ""
    direction: Direction = "higher"
    baseline_value: float | None = None
    baseline_date: date | None = None
    target_value: float | None = None
    target_date: date | None = None
    defined_by: str = ""               # who chose it (the paper: local actors do)
    definition_id: int | None = None   # link to a programme-wide IndicatorDefinition
    position: int = 0                  # order within its factor


class Measurement(_Record):
    """A value of one indicator for one period. A correction is a new Measurement that
    `supersedes` the earlier one; the earlier one stays in the history (current=False)."""

    id: int
    indicator_id: int
    period: str                        # "2027", "2027-Q1" or "2027-03"
    value: float
    measured_on: date
    evidence: str = ""
    recorded_by: str
    recorded_at: float
    supersedes: int | None = None
    current: bool = True


class Action(_Record):
    """A corrective action agreed in an evaluation."""

    id: int
    evaluation_id: int
    text: str
    owner: str = ""
    due: date | None = None
    status: ActionStatus = "open"


class Evaluation(_Record):
    """A (preferably participatory) evaluation of an initiative."""

    id: int
    initiative_id: int
    held_on: date
    kind: EvaluationKind = "self-evaluation"
    participants: list[Participant] = []
    indicator_ids: list[int] = []      # the indicators reviewed
    findings: str = ""
    actions: list[Action] = []
    recorded_by: str
    recorded_at: float


class Factor(_Record):
    """A critical success factor and its 1-3 indicators."""

    name: str
    indicators: list[Indicator] = []


class Perspective(_Record):
    """A scorecard perspective (financial, customer, internal, innovation and growth, ...)."""

    name: str
    factors: list[Factor] = []


class Scorecard(_Record):
    """An initiative's scorecard, in order."""

    initiative_id: int
    perspectives: list[Perspective] = []
    template: str | None = None        # the template it was started from, if any


class TemplateIndicator(_Record):
    name: str
    unit: str = ""
    direction: Direction = "higher"


class TemplateFactor(_Record):
    name: str
    indicators: list[TemplateIndicator] = []


class TemplatePerspective(_Record):
    name: str
    factors: list[TemplateFactor] = []


class ScorecardTemplate(_Record):
    """A starting scorecard from the paper (kb/scorecard_templates.yaml), to be adapted."""

    id: Slug
    title: str
    source: str                        # the paper's figure/section and its line numbers
    note: str = ""
    perspectives: list[TemplatePerspective] = []


class Viewer(_Record):
    """Who is looking, for access decisions: a user name (None when anonymous), whether
    the account may manage programmes, and the programmes and initiatives they belong to."""

    user: str | None = None
    account_role: str | None = None    # reader/editor/reviewer of indexer.library.accounts
    managed_programmes: frozenset[int] = frozenset()
    member_of: frozenset[int] = frozenset()
