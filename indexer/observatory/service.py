"""The initiative observatory's facade: the one object pages, API, exports and the
command line call (`Casebase.observatory`).

Every method takes the `viewer` first and decides access here, engine-side
(access.py), so that pages, API and exports cannot differ. Every write is one
`database.transaction()`. The analyses (dashboard, benchmark, CSV/JSON, IATI, the case
draft on closing) are pure functions of indexer/observatory/{dashboard, benchmarking,
csvio, iati, retain}.py; this class loads the rows the viewer may see and calls them.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import date
from pathlib import Path
from typing import Any, Callable, Mapping

from cachetools import LRUCache

from indexer.content.loading import VOCABULARY_FILE
from indexer.content.vocabulary import Vocabulary, VocabularyError
from indexer.errors import InvalidInput, Refused
from indexer.library.database import Database
from indexer.observatory import (
    access, evaluations, exchange, initiatives, measurements, programmes, reports, rows, scorecards,
)
from indexer.observatory import tables as t
from indexer.observatory.models import (
    Action, Evaluation, Indicator, IndicatorDefinition, Initiative, Measurement, Programme, Scorecard,
    ScorecardTemplate, Viewer,
)
from indexer.observatory.validation import check_row_id

log = logging.getLogger(__name__)
WARNINGS_CACHED = 4096  # profiles whose warnings are kept (per content version)
TEMPLATES_FILE = "kb/scorecard_templates.yaml"
PROFILE_OUTDATED = "profile-outdated"  # the dashboard's warning for a profile the advisor refuses


class Observatory:
    """Programmes, initiatives, scorecards, measurements and evaluations in the instance
    database. `suggest(profile_mapping)` is the advisor (Casebase.suggest) and
    `warnings(profile_mapping)` its warnings alone (default: suggest's); `library` takes the
    draft case an initiative leaves when it closes; `vocabulary()` returns the vocabulary
    profiles are checked against (default: the library's content folder's);
    `content_version()` changes whenever the content (and so the rules) does."""

    def __init__(self, database: Database, suggest: Callable[[Mapping], Any] | None = None, library=None,
                 vocabulary: Callable[[], Vocabulary | None] | None = None, templates_path: Path | None = None,
                 warnings: Callable[[Mapping], list[dict]] | None = None,
                 content_version: Callable[[], int] | None = None):
        self.database = database
        self._suggest = suggest
        self._warn = warnings or (lambda profile: list(suggest(profile).warnings) if suggest else [])
        self._content_version = content_version or (lambda: 0)
        self._library = library
        self._vocabulary_source = vocabulary
        self._vocabulary_cache: tuple[float, Vocabulary] | None = None
        self._templates_path = templates_path
        # Keyed by the content version too: new rules or cases give new warnings, and a
        # changed profile is a new key, so nothing needs to expire by age.
        self._warnings: LRUCache = LRUCache(maxsize=WARNINGS_CACHED)
        self._warnings_lock = threading.Lock()  # cachetools caches are not thread-safe

    # -- who is looking ---------------------------------------------------------

    def viewer(self, user) -> Viewer:
        """The Viewer of an accounts User (None: an anonymous visitor)."""
        if user is None:
            return Viewer()
        with self.database.reading() as db:
            return access.load_viewer(db, user.name, user.role)

    def visibility(self, viewer: Viewer, slug: str) -> str:
        """How this viewer sees the initiative's figures: "named", "anonymous" or "hidden"."""
        with self.database.reading() as db:
            return access.visibility(db, viewer, rows.initiative_by_slug(db, slug))

    def may_change(self, viewer: Viewer, slug: str) -> bool:
        """True when the viewer may record for and edit the initiative (members, managers)."""
        with self.database.reading() as db:
            return viewer.user is not None and access.insider(db, viewer, rows.initiative_by_slug(db, slug))

    def may_manage(self, viewer: Viewer, programme_slug: str) -> bool:
        """True when the viewer manages the programme."""
        with self.database.reading() as db:
            return access.manages(db, viewer, rows.programme_by_slug(db, programme_slug).id)

    # -- programmes ---------------------------------------------------------------

    def create_programme(self, viewer: Viewer, name: str, slug: str | None = None, agency: str = "",
                         description: str = "", evaluation_interval_days: int = 180) -> Programme:
        """A new programme (editor or reviewer accounts); its creator becomes its manager."""
        with self.database.transaction() as db:
            return programmes.create(db, viewer, name, slug, agency, description, evaluation_interval_days)

    def programmes(self, viewer: Viewer) -> list[Programme]:
        """Every programme, by name (anyone who may read the casebase sees them)."""
        with self.database.reading() as db:
            return rows.load_programmes(db)

    def programme(self, viewer: Viewer, slug: str) -> Programme:
        """One programme by slug (NotFound)."""
        with self.database.reading() as db:
            return rows.programme_by_slug(db, slug)

    def add_manager(self, viewer: Viewer, programme_slug: str, user_name: str) -> Programme:
        """Make an account a manager of the programme (its managers may)."""
        with self.database.transaction() as db:
            return programmes.add_manager(db, viewer, programme_slug, user_name)

    def define_indicator(self, viewer: Viewer, programme_slug: str, data: Mapping) -> IndicatorDefinition:
        """A programme-wide indicator (key, name, unit, direction, description; managers may)."""
        with self.database.transaction() as db:
            return programmes.define_indicator(db, viewer, programme_slug, data)

    def definitions(self, viewer: Viewer, programme_slug: str) -> list[IndicatorDefinition]:
        """The programme's indicator definitions, by name."""
        with self.database.reading() as db:
            programme = rows.programme_by_slug(db, programme_slug)
            return rows.load_definitions(db, t.indicator_definitions.c.programme_id == programme.id)

    # -- initiatives ----------------------------------------------------------------

    def create_initiative(self, viewer: Viewer, programme_slug: str, data: Mapping) -> Initiative:
        """A new initiative of the programme (its managers may); `data` keys are Initiative
        fields, the profile is checked as the advisor reads it."""
        with self.database.transaction() as db:
            return initiatives.create(db, viewer, programme_slug, data, self._vocabulary)

    def update_initiative(self, viewer: Viewer, slug: str, data: Mapping) -> Initiative:
        """Change an initiative's record, profile or sharing (members and managers; status: managers)."""
        with self.database.transaction() as db:
            return initiatives.update_record(db, viewer, slug, data, self._vocabulary)

    def set_status(self, viewer: Viewer, slug: str, status: str) -> Initiative:
        """Set an initiative's status (its programme's managers may)."""
        with self.database.transaction() as db:
            return initiatives.set_status(db, viewer, slug, status)

    def initiatives(self, viewer: Viewer, programme_slug: str | None = None) -> list[Initiative]:
        """Initiatives (of one programme, or all), by name; members' account names only
        for those who may change the initiative."""
        with self.database.reading() as db:
            where = None
            if programme_slug is not None:
                where = t.initiatives.c.programme_id == rows.programme_by_slug(db, programme_slug).id
            visible = access.Visibility(db, viewer)
            return [access.public_view(initiative, visible) for initiative in rows.load_initiatives(db, where)]

    def initiative(self, viewer: Viewer, slug: str) -> Initiative:
        """One initiative by slug (NotFound), as the viewer may see it."""
        with self.database.reading() as db:
            return access.public_view(rows.initiative_by_slug(db, slug), access.Visibility(db, viewer))

    def add_member(self, viewer: Viewer, slug: str, user_name: str, role: str) -> Initiative:
        """Let an account record for the initiative as facilitator or local-actor (managers may)."""
        with self.database.transaction() as db:
            return initiatives.add_member(db, viewer, slug, user_name, role)

    def remove_member(self, viewer: Viewer, slug: str, user_name: str) -> Initiative:
        """Take an account off the initiative (managers may)."""
        with self.database.transaction() as db:
            return initiatives.remove_member(db, viewer, slug, user_name)

    def advice(self, viewer: Viewer, slug: str):
        """The advisor on the initiative's profile and description (similar cases, lessons,
        warnings), computed now, so it follows every change of the profile."""
        initiative = self.initiative(viewer, slug)
        if self._suggest is None:
            raise Refused("this observatory has no advisor attached")
        return self._suggest(initiatives.advice_profile(initiative))

    # -- scorecards ------------------------------------------------------------------

    def scorecard(self, viewer: Viewer, slug: str) -> Scorecard:
        """The initiative's scorecard; baseline and target values only when the viewer may
        see its figures next to its name (insiders, or sharing "named")."""
        with self.database.reading() as db:
            initiative = rows.initiative_by_slug(db, slug)
            return scorecards.load(db, initiative, access.Visibility(db, viewer).figures_on_its_page(initiative))

    def templates(self) -> list[ScorecardTemplate]:
        """The starting scorecards from the paper (the content's kb/scorecard_templates.yaml,
        else the bundled one), in file order."""
        from indexer.observatory.templates import load_templates

        return list(load_templates(self._templates_file()).values())

    def start_from_template(self, viewer: Viewer, slug: str, template_id: str, defined_by: str) -> Scorecard:
        """Copy a template into the initiative's empty scorecard (members and managers);
        StateConflict when it already has indicators."""
        chosen = {template.id: template for template in self.templates()}.get(template_id)
        if chosen is None:
            raise InvalidInput("template_id", f"there is no template '{template_id}'")
        with self.database.transaction() as db:
            return scorecards.start_from_template(db, viewer, slug, chosen, defined_by)

    def add_indicator(self, viewer: Viewer, slug: str, data: Mapping) -> Indicator:
        """A new indicator (at most 3 per factor; members and managers)."""
        with self.database.transaction() as db:
            return scorecards.add_indicator(db, viewer, slug, data)

    def update_indicator(self, viewer: Viewer, indicator_id: int, data: Mapping) -> Indicator:
        """Change an indicator (members and managers of its initiative)."""
        with self.database.transaction() as db:
            return scorecards.update_indicator(db, viewer, check_row_id("indicator_id", indicator_id), data)

    def remove_indicator(self, viewer: Viewer, indicator_id: int) -> None:
        """Remove an indicator that has no measurements or evaluations (StateConflict otherwise)."""
        with self.database.transaction() as db:
            scorecards.remove_indicator(db, viewer, check_row_id("indicator_id", indicator_id))

    # -- measurements -----------------------------------------------------------------

    def record_measurement(self, viewer: Viewer, indicator_id: int, period: str, value: float,
                           measured_on: date | str, evidence: str = "") -> Measurement:
        """Record a value for a period; a second value for the period is a correction that
        keeps the first in the history."""
        with self.database.transaction() as db:
            return measurements.record(db, viewer, check_row_id("indicator_id", indicator_id), period, value,
                                       measured_on, evidence)

    def measurements(self, viewer: Viewer, indicator_id: int, history: bool = False) -> list[Measurement]:
        """An indicator's current values by period (with the superseded ones when `history`);
        Refused when the viewer may not see the initiative's figures next to its name."""
        with self.database.reading() as db:
            indicator = rows.indicator_by_id(db, check_row_id("indicator_id", indicator_id))
            access.require_figures(db, viewer, rows.initiative_by_id(db, indicator.initiative_id))
            return measurements.of_indicator(db, indicator.id, history)

    # -- evaluations -------------------------------------------------------------------

    def record_evaluation(self, viewer: Viewer, slug: str, data: Mapping) -> Evaluation:
        """Record an evaluation with findings and agreed actions (members and managers)."""
        with self.database.transaction() as db:
            return evaluations.record(db, viewer, slug, data)

    def update_action(self, viewer: Viewer, action_id: int, status: str) -> Action:
        """Set an agreed action's status: open, done or dropped (members and managers)."""
        with self.database.transaction() as db:
            return evaluations.update_action(db, viewer, check_row_id("action_id", action_id), status)

    def evaluations(self, viewer: Viewer, slug: str) -> list[Evaluation]:
        """The initiative's evaluations, newest first (as its figures: insiders, or sharing "named")."""
        with self.database.reading() as db:
            initiative = rows.initiative_by_slug(db, slug)
            access.require_figures(db, viewer, initiative)
            return rows.load_evaluations(db, t.evaluations.c.initiative_id == initiative.id)

    # -- analyses and exchange ------------------------------------------------------------

    def dashboard(self, viewer: Viewer, programme_slug: str, today: date | None = None):
        """The programme dashboard (analytics.dashboard.Dashboard): pipeline, indicators
        defined, progress, overdue evaluations, open actions, warnings; figures only of
        initiatives the viewer sees named."""
        with self.database.reading() as db:
            return reports.dashboard(db, viewer, programme_slug, self._warnings_of, today)

    def benchmark(self, viewer: Viewer, programme_slug: str, definition_id: int, sector: str | None = None,
                  country: str | None = None, status: str | None = None, stage: str | None = None,
                  subject_slug: str | None = None):
        """Peers on one programme-wide indicator (benchmarking.Benchmark), as sharing allows."""
        salt = reports.anonymity_salt(self.database)
        with self.database.reading() as db:
            return reports.benchmark(db, viewer, programme_slug, check_row_id("definition_id", definition_id),
                                     sector, country, status, stage, subject_slug, salt)

    def import_measurements(self, viewer: Viewer, slug: str, csv_text: str, dry_run: bool = True):
        """Check a measurements CSV and report every bad row by line and column
        (csvio.ImportReport); writes only a clean file, and never on a dry run."""
        with self.database.transaction() as db:
            return exchange.import_measurements(db, viewer, slug, csv_text, dry_run)

    def export_measurements(self, viewer: Viewer, slug: str, format: str = "csv") -> str:
        """The initiative's indicators and measurements, corrections included, as CSV or JSON."""
        with self.database.reading() as db:
            return exchange.export_measurements(db, viewer, slug, format)

    def export_iati(self, viewer: Viewer, programme_slug: str) -> str:
        """The programme's results as IATI XML, of what the viewer may see."""
        salt = reports.anonymity_salt(self.database)
        with self.database.reading() as db:
            return reports.iati(db, viewer, programme_slug, salt)

    def close(self, viewer: Viewer, slug: str, author: str, record_url: str | None = None,
              today: date | None = None):
        """Close the initiative (its managers may) and return it with the draft case made
        from its record (library.create_draft), for an editor to complete and a reviewer
        to publish; `record_url` (the web layer's) links the case back to the record."""
        if self._library is None:
            raise Refused("this observatory has no library attached to take the draft case")
        if self._library.database is not self.database:
            raise Refused("the library must share the observatory's database (one transaction closes and drafts)")
        with self.database.transaction() as db:
            return exchange.close(db, viewer, slug, author, self._library, record_url, today)

    # -- helpers -------------------------------------------------------------------------

    def _vocabulary(self) -> Vocabulary | None:
        """The vocabulary profiles are checked against (reloaded when its file changes)."""
        if self._vocabulary_source is not None:
            return self._vocabulary_source()
        if self._library is None:
            return None
        path = Path(self._library.content_dir) / VOCABULARY_FILE
        try:
            stamp = path.stat().st_mtime
        except FileNotFoundError:
            return None
        if self._vocabulary_cache is None or self._vocabulary_cache[0] != stamp:
            try:
                self._vocabulary_cache = (stamp, Vocabulary.load(path))
            except VocabularyError as exc:
                log.warning("vocabulary %s cannot be loaded: %s", path, exc)
                return None
        return self._vocabulary_cache[1]

    def _templates_file(self) -> Path | None:
        if self._templates_path is not None:
            return self._templates_path
        if self._library is not None and (Path(self._library.content_dir) / TEMPLATES_FILE).exists():
            return Path(self._library.content_dir) / TEMPLATES_FILE
        return None  # the bundled file

    def _warnings_of(self, initiative: Initiative) -> list[dict]:
        """The advisor's warnings on an initiative's profile (cached by profile and content version)."""
        if self._suggest is None:
            return []
        profile = initiatives.advice_profile(initiative)
        key = (self._content_version(), json.dumps(profile, sort_keys=True))
        with self._warnings_lock:
            found = self._warnings.get(key)
        if found is None:
            try:
                found = list(self._warn(profile))
            except InvalidInput as exc:
                # A profile the vocabulary no longer accepts (a value was renamed since it
                # was saved) must not take the whole dashboard down: its line says so.
                found = [{"rule": PROFILE_OUTDATED, "kind": "warning",
                          "title": f"The profile needs updating ({exc.field}: {exc.message})"}]
            with self._warnings_lock:
                self._warnings[key] = found
        return found
