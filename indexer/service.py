"""The one service object the CLI, the web app and tests call: `Casebase`.

It owns the loaded content, the current index generation and the (lazy) encoder.
Nothing here is global: each process opens its own Casebase and keeps it.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Mapping
import numpy as np

from indexer.search.analysis import make_analyzer, terms
from indexer.index.build import (
    BuildReport,
    IndexMissing,
    build_index,
    check_manifest,
    current_generation,
    read_manifest,
)
from indexer.content.loading import Content, load_content
from indexer.content.documents import Document, Lesson
from indexer.search.encoder import Encoder, SentenceTransformerEncoder
from indexer.search.searcher import Searcher, SearchOptions, SearchRequest, SearchResponse
from indexer.advisor.profile import Profile
from indexer.settings import Settings
from indexer.advisor.suggest import Advisor, CaseMatch, Suggestion
from indexer.search.synonyms import SynonymExpander

QUERY_CACHE_SIZE = 512


class Casebase:
    """Content, index and search behind one object."""

    def __init__(self, settings: Settings, content: Content, encoder: Encoder | None,
                 options: SearchOptions = SearchOptions()):
        self.settings = settings
        self.content = content
        self.encoder = encoder
        self.options = options
        self._searcher: Searcher | None = None
        self._generation: str | None = None
        self._lock = threading.RLock()
        self._query_vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._advisor: Advisor | None = None
        self._seen_key: int | None = None

    @classmethod
    def open(cls, settings: Settings, encoder: Encoder | None = None,
             options: SearchOptions = SearchOptions(), semantic: bool = True) -> "Casebase":
        """Load the content; the index is opened on first search, the model on first
        semantic query. `semantic=False` runs without any model."""
        if encoder is None and semantic:
            encoder = SentenceTransformerEncoder(settings.model_name, threads=settings.query_threads)
        return cls(settings, load_content(settings.content_dir), encoder, options)

    # -- index ---------------------------------------------------------------

    def build_index(self, rebuild: bool = False, progress: bool = False, echo=lambda message: None) -> BuildReport:
        """Build or update the index from the content on disk, then reload both."""
        self.content = load_content(self.settings.content_dir)
        report = build_index(self.settings.content_dir, self.settings.index_dir, self.encoder,
                             rebuild=rebuild, progress=progress, echo=echo, content=self.content)
        self._reopen_if_changed()
        return report

    @property
    def searcher(self) -> Searcher:
        """The searcher of the current generation, reopened when a build switched it.

        Once open, a switch is noticed by one stat of CURRENT, not by reading it."""
        if self._searcher is None:
            self._reopen_if_changed()
        else:
            self.refresh()
        if self._searcher is None:
            raise IndexMissing(f"no index in {self.settings.index_dir}; run 'casebase index' first")
        return self._searcher

    def _reopen_if_changed(self) -> None:
        folder = current_generation(self.settings.index_dir)
        if folder is None or folder.name == self._generation:
            return
        with self._lock:
            if folder.name == self._generation:
                return
            check_manifest(read_manifest(folder), self.encoder.name if self.encoder else None)
            analyzer = make_analyzer()
            expander = SynonymExpander(self.content.glossary, lambda text: terms(analyzer, text))
            searcher = Searcher.open(folder, expander,
                                     self._encode_query if self.encoder else None, self.options)
            old, self._searcher, self._generation = self._searcher, searcher, folder.name
            if folder.name and old is not None:
                self.content = load_content(self.settings.content_dir)
                old.close()

    def reload_content(self) -> None:
        """Read the content files again (after a publish); the index follows separately."""
        self.content = load_content(self.settings.content_dir)
        self._advisor = None

    def warm(self) -> None:
        """Open the index and load the model now, so the first user does not wait."""
        searcher = self.searcher
        if self.encoder is not None and searcher.semantic_available:
            self._encode_query("warm up")

    def refresh(self) -> None:
        """Follow a generation switched by another process (a stat when nothing changed)."""
        key = self.generation_key()
        if key != self._seen_key:
            self._seen_key = key
            if self._searcher is not None:
                self._reopen_if_changed()

    def generation_key(self) -> int | None:
        """Changes whenever a build switches generations (one stat, no file read)."""
        try:
            return os.stat(self.settings.index_dir / "CURRENT").st_mtime_ns
        except FileNotFoundError:
            return None

    def index_status(self) -> dict:
        """Current generation and its manifest (without the content hashes)."""
        folder = current_generation(self.settings.index_dir)
        if folder is None:
            return {"generation": None}
        manifest = read_manifest(folder)
        manifest.pop("hashes", None)
        return {"generation": folder.name, **manifest}

    # -- queries -------------------------------------------------------------

    def search(self, request: SearchRequest) -> SearchResponse:
        """Search the current generation."""
        return self.searcher.search(request)

    def facet_counts(self) -> dict[str, dict[str, int]]:
        """How many items carry each facet value, over the whole index."""
        return self.searcher.facet_counts()

    def _encode_query(self, text: str) -> np.ndarray:
        assert self.encoder is not None
        with self._lock:
            cached = self._query_vectors.get(text)
            if cached is not None:
                self._query_vectors.move_to_end(text)
                return cached
        vector = self.encoder.encode([text])[0]
        with self._lock:
            self._query_vectors[text] = vector
            if len(self._query_vectors) > QUERY_CACHE_SIZE:
                self._query_vectors.popitem(last=False)
        return vector

    def advisor(self) -> Advisor:
        """The case-based advisor over the current generation."""
        searcher = self.searcher
        if self._advisor is None or self._advisor.searcher is not searcher:
            self._advisor = Advisor(self.content, searcher, self._encode_query if self.encoder else None)
        return self._advisor

    def suggest(self, data: Mapping) -> Suggestion:
        """Suggestions for a new initiative described by `data` (raises ProfileError)."""
        assert self.content.vocabulary is not None
        profile = Profile.from_mapping(data, self.content.vocabulary)
        return self.advisor().suggest(profile)

    def similar(self, case_id: str, limit: int = 5) -> list[CaseMatch]:
        """Cases most like an existing case (KeyError when there is no such case)."""
        document = self.content.documents.get(case_id)
        if document is None or document.kind != "case":
            raise KeyError(case_id)
        return self.advisor().similar(case_id, limit)

    def document(self, doc_id: str) -> Document | None:
        """A valid case or note by id."""
        return self.content.documents.get(doc_id)

    def lesson(self, uid: str) -> Lesson | None:
        """A lesson by '<case-id>#<lesson-id>'."""
        case_id, _, lesson_id = uid.partition("#")
        case = self.content.documents.get(case_id)
        return case.lesson(lesson_id) if case is not None and case.kind == "case" else None

    def close(self) -> None:
        """Release the index."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
            self._generation = None

