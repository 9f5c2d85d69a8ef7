"""The advisor's part of a Casebase: the advisor over the open generation, and warming
it up. Its cases come from the generation's case table, so that suggestions need not
wait for the content of a large library to load.

`Casebase` inherits these methods; the state they use (`_advisor`, `_case_table`,
`_kb`, the searcher and the content) is the Casebase's.
"""

from __future__ import annotations

import logging
import threading
from typing import Mapping

from indexer.advisor.casestore import load_case_table
from indexer.advisor.casetable import CaseTable
from indexer.advisor.profile import Profile
from indexer.advisor.rules import load_rules
from indexer.advisor.suggest import Advisor, CaseMatch, Suggestion
from indexer.content.loading import VOCABULARY_FILE, Content
from indexer.content.vocabulary import Vocabulary, VocabularyError
from indexer.index.build import current_generation
from indexer.search.searcher import Searcher

log = logging.getLogger(__name__)


class AdviceParts:
    """The advisor of one Casebase, built once per generation and content version."""

    def _init_advice_parts(self) -> None:
        self._advisor: Advisor | None = None
        # The open generation's case table (None: it has none), read on first advice.
        self._case_table: tuple[Searcher, CaseTable | None] | None = None
        self._kb: Content | None = None

    # -- warming up ---------------------------------------------------------

    def warm(self, wait: bool = True) -> None:
        """Open the index, then load the model and prepare the advisor, so the first user
        does not wait. With `wait=False` only the index is opened before returning (keyword
        searches answer at once) and the rest goes on in a background thread; semantic
        queries meanwhile wait for the model."""
        searcher = self.searcher
        if wait:
            self._warm_advice(searcher)
        else:
            threading.Thread(target=self._warm_in_background, args=(searcher,), name="warm-up", daemon=True).start()

    def _warm_advice(self, searcher: Searcher) -> None:
        if self.encoder is not None and searcher.semantic_available:
            self._encode_query("warm up")
        # The advisor's case table is read, and its example sentences embedded, once
        # per process: at start, not on the first user's request.
        self.advisor().reader()

    def _warm_in_background(self, searcher: Searcher) -> None:
        try:
            self._warm_advice(searcher)
        except Exception:  # the first semantic query or suggestion reports it to its caller
            log.exception("warming up in the background failed")

    # -- the advisor ---------------------------------------------------------

    def advisor(self) -> Advisor:
        """The case-based advisor over the current generation. Its cases come from the
        generation's case table when that was made from the loaded content (or while the
        content is still loading: the table is what was indexed), else from the content."""
        searcher = self.searcher
        content = self._content
        advisor = self._advisor
        if advisor is not None and advisor.searcher is searcher and (content is None or advisor.content is content):
            return advisor
        table = self._generation_case_table(searcher)
        basis = content
        if basis is None and table is not None:
            basis = self._knowledge(table)
        if basis is None:
            basis = content = self.content  # waits for the load
        if content is not None and table is not None and not table.matches(content):
            table = None  # published since the build: the advisor reads the content
        advisor = Advisor(basis, searcher, self._encode_query if self.encoder else None, table=table)
        with self._lock:
            if self._searcher is searcher:
                self._advisor = advisor
        return advisor

    def _generation_case_table(self, searcher: Searcher) -> CaseTable | None:
        """The case table of the generation `searcher` reads, read once."""
        known = self._case_table
        if known is not None and known[0] is searcher:
            return known[1]
        folder = current_generation(self.settings.index_dir)
        table = load_case_table(folder) if folder is not None and folder.name == self._generation else None
        self._case_table = searcher, table
        return table

    def _knowledge(self, table: CaseTable) -> Content | None:
        """The content's knowledge base alone (vocabulary and rules, no documents), what
        the advisor needs beside a case table; None when the vocabulary cannot be read
        (the content's load reports why)."""
        kb = self._kb
        if kb is None:
            root = self.settings.content_dir
            try:
                vocabulary = Vocabulary.load(root / VOCABULARY_FILE)
            except (OSError, VocabularyError):
                return None
            rules, _ = load_rules(root, vocabulary, {note_id for note_id, _ in table.notes})
            kb = self._kb = Content(root, vocabulary, rules=rules)
        return kb

    @property
    def vocabulary(self) -> Vocabulary | None:
        """The vocabulary: the loaded content's, or while it loads the knowledge base's;
        None when the vocabulary file cannot be read (pages then say so)."""
        content = self._content
        if content is not None:
            return content.vocabulary
        try:
            return self.advisor().content.vocabulary
        except VocabularyError:
            return None

    def suggest(self, data: Mapping) -> Suggestion:
        """Suggestions for a new initiative described by `data` (raises ProfileError)."""
        advisor = self.advisor()
        assert advisor.content.vocabulary is not None
        return advisor.suggest(Profile.from_mapping(data, advisor.content.vocabulary))

    def warnings(self, data: Mapping) -> list[dict]:
        """The method's warnings alone for a profile (raises ProfileError), as `suggest`
        gives them."""
        advisor = self.advisor()
        assert advisor.content.vocabulary is not None
        return advisor.warnings(Profile.from_mapping(data, advisor.content.vocabulary))

    def similar(self, case_id: str, limit: int = 5) -> list[CaseMatch]:
        """Cases most like an existing case (KeyError when there is no such case)."""
        document = self.content.documents.get(case_id)
        if document is None or document.kind != "case":
            raise KeyError(case_id)
        return self.advisor().similar(case_id, limit)

