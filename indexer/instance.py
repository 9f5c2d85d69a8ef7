"""The instance's state beside content and index: the database, accounts, the editing
library, the index updater, the observatory and uploaded documents.

`Casebase` inherits these parts; they are opened on first use (a process that only
searches never opens the database) and each is built once per process under the
Casebase's lock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from indexer.index.updater import IndexUpdater
from indexer.library.accounts import Accounts
from indexer.library.database import Database
from indexer.library.editing import Library

if TYPE_CHECKING:
    from indexer.documents.service import Documents
    from indexer.search.units import Unit


class InstanceParts:
    """Database, accounts, library, updater, observatory and documents of one Casebase."""

    def _init_instance_parts(self) -> None:
        self._library: Library | None = None
        self._accounts: Accounts | None = None
        self._database: Database | None = None
        self._updater: IndexUpdater | None = None
        self._observatory = None
        self._documents: "Documents | None" = None

    @property
    def database(self) -> Database:
        """The instance database (the SQLite file, or CASEBASE_DATABASE_URL): one pool
        shared by accounts and library."""
        with self._lock:
            if self._database is None:
                self._database = Database.open(self.settings.database)
            return self._database

    @property
    def accounts(self) -> Accounts:
        """Users, sessions, login throttling and the audit log of this installation."""
        with self._lock:
            if self._accounts is None:
                self._accounts = Accounts(self.database)
            return self._accounts

    @property
    def updater(self) -> IndexUpdater:
        """The background index updater that publishing asks for new generations."""
        with self._lock:
            if self._updater is None:
                # Every publish reloads the content before asking, so the update indexes
                # that content instead of reading every file a second time.
                self._updater = IndexUpdater(lambda: self.build_index(reload=False))
            return self._updater

    @property
    def library(self) -> Library:
        """Drafts, review, publishing and history. Opening it finishes any publish a
        killed process left behind; every publish reloads the content here at once,
        touches the content stamp for the other processes and asks for an index update."""
        with self._lock:
            if self._library is None:
                accounts = self.accounts
                self._library = Library(self.settings.content_dir, self.database,
                                        single_maintainer=self.settings.single_maintainer,
                                        after_publish=self._published, audit=accounts.record)
            return self._library

    @property
    def observatory(self):
        """The initiative observatory (programmes, initiatives, scorecards, measurements,
        evaluations) in the same database; it asks this Casebase's advisor for warnings
        and its library for the draft case an initiative leaves when it closes."""
        from indexer.observatory.service import Observatory  # its tables load only when used

        with self._lock:
            if self._observatory is None:
                self._observatory = Observatory(self.database, suggest=self.suggest, library=self.library,
                                                vocabulary=lambda: self.content.vocabulary,
                                                warnings=self.warnings,
                                                content_version=lambda: self.content_version)
            return self._observatory

    def _published(self) -> None:
        """After a publish or restore: this process reloads now, the others on their next
        refresh (the stamp), and the index follows in the background."""
        self.reload_content()
        self._touch_stamp()
        self.updater.request()

    @property
    def documents(self) -> "Documents":
        """Uploaded documents (proposals, fact-finding reports, minutes, evaluations) in
        the same database; a change asks the index updater for an incremental update,
        and "start a case" drafts through the library with the advisor's reading."""
        from indexer.documents.service import Documents  # its tables load only when used

        with self._lock:
            if self._documents is None:
                self._documents = Documents(self.database, self.settings.documents_dir,
                                            self.settings.document_limits, read_profile=self._read_text,
                                            library=self.library, on_change=self._documents_changed)
            return self._documents

    def document_index(self) -> "tuple[list[Unit], dict[str, str]]":
        """The search units of every uploaded document and their fingerprint, for a build;
        none while the instance has no database (a fresh checkout's `casebase index`
        creates none)."""
        if self.settings.database_url is None and not self.settings.database_path.exists():
            return [], {}
        from indexer.documents.units import document_units

        documents, hashes = self.documents.indexed()
        return [unit for document in documents for unit in document_units(document)], hashes

    def _read_text(self, text: str):
        """The advisor's reading of a document's text (attributes with their sentences)."""
        from indexer.advisor.profile import Profile

        advisor = self.advisor()
        assert advisor.content.vocabulary is not None
        return advisor.read(Profile.from_mapping({"description": text}, advisor.content.vocabulary))

    def _documents_changed(self) -> None:
        """After a document was added, corrected, replaced or deleted: its passages follow
        in the background (the other servers see the new generation by its pointer)."""
        self.updater.request()

