"""The one service object the CLI, the web app and tests call: `Casebase`.

It owns the loaded content, the current index generation, the (lazy) encoder and the
editing library (drafts, publishing, history, accounts) with its background index
updater. Nothing here is global: each process opens its own Casebase and keeps it.

`content_version` is an int that only grows: it goes up on every reload of the
content, whether this process published or another process did (noticed by one stat
of the content stamp that every publish touches), so caches can key on it.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from pathlib import Path

import cachetools
import numpy as np

from indexer.compat import serialise_ast
from indexer.search.analysis import make_analyzer, terms
from indexer.index.build import (
    BuildReport,
    IndexMismatch,
    IndexMissing,
    build_index,
    check_manifest,
    current_generation,
    read_glossary,
    read_manifest,
    remove_stale_builds,
)
from indexer.checking import load_library
from indexer.content.loading import Content
from indexer.content.documents import Document, Lesson
from indexer.search.encoder import Encoder
from indexer.search.onnx_encoder import make_encoder
from indexer.search.searcher import PUBLIC_ONLY, Searcher, SearchOptions, SearchRequest, SearchResponse
from indexer.settings import Settings
from indexer.instance import InstanceParts
from indexer.advice import AdviceParts
from indexer.library.database import INDEX_BUILD_LOCK
from indexer.library.files import fsync_folder
from indexer.search.crosslingual import Gloss, Lexicon
from indexer.search.synonyms import SynonymExpander

log = logging.getLogger(__name__)
QUERY_CACHE_SIZE = 512
CONTENT_STAMP = "content.stamp"


class Casebase(InstanceParts, AdviceParts):
    """Content, index and search behind one object."""

    def __init__(self, settings: Settings, content: Content | None, encoder: Encoder | None,
                 options: SearchOptions = SearchOptions()):
        self.settings = settings
        # None until loaded: `open` loads it in the background, since parsing and
        # validating every file of a large library takes far longer than opening the
        # index, and searches need only the index.
        self._content = content
        self._loading = threading.Lock()
        self._reloading = threading.Lock()
        self.encoder = encoder
        self.options = options
        self._searcher: Searcher | None = None
        self._generation: str | None = None
        self._lock = threading.RLock()
        self._query_vectors: cachetools.LRUCache[str, np.ndarray] = cachetools.LRUCache(QUERY_CACHE_SIZE)
        self._vectors_lock = threading.Lock()
        self._seen_key: int | None = None
        self._content_version = 1
        self._seen_stamp = self._content_stamp()
        self._lexicon: Lexicon | None = None
        self._lexicon_version = 0
        self._init_instance_parts()
        self._init_advice_parts()

    @classmethod
    def open(cls, settings: Settings, encoder: Encoder | None = None,
             options: SearchOptions = SearchOptions(), semantic: bool = True) -> "Casebase":
        """Start loading the content in the background; the index is opened on first
        search (which does not wait for the content), the model on first semantic query.
        `semantic=False` runs without any model."""
        if encoder is None and semantic:
            encoder = make_encoder(settings.encoder_backend, settings.model_name, settings.index_dir,
                                   threads=settings.query_threads, cache_dir=settings.model_cache_dir)
        remove_stale_builds(settings.index_dir)
        serialise_ast()  # before any background thread reads an index (numpy parses .npy headers)
        casebase = cls(settings, None, encoder, options)
        threading.Thread(target=casebase._load_in_background, name="content-loader", daemon=True).start()
        return casebase

    @property
    def content(self) -> Content:
        """The loaded content (cases, notes, vocabulary, glossary, rules); the first use
        waits for the background load that `open` started."""
        content = self._content
        if content is None:
            with self._loading:
                if self._content is None:
                    loaded = load_library(self.settings.content_dir)
                    with self._lock:  # a reload that finished meanwhile is newer: keep it
                        if self._content is None:
                            self._content = loaded
                content = self._content
        return content

    def _load_in_background(self) -> None:
        # Open the index first: parsing the content holds the interpreter most of the
        # time, and the first search should not share it with that.
        try:
            self.searcher
        except (IndexMissing, IndexMismatch):
            pass  # searches report it; the content is still wanted for pages and checks
        except Exception:
            log.exception("opening the index in the background failed")
        try:
            self.content
        except Exception:  # the next use of `content` loads again and raises to its caller
            log.exception("loading the content in the background failed")

    # -- index ---------------------------------------------------------------

    def build_index(self, rebuild: bool = False, progress: bool = False, echo=lambda message: None,
                    reload: bool = True) -> BuildReport:
        """Build or update the index from the content on disk, then reload both.
        `reload=False` indexes the content as loaded (a publish has just reloaded it)."""
        if reload:
            self.reload_content()
        document_units, document_hashes = self.document_index()
        # Passed only when there are documents, so a build needs no more than the content.
        extra = {"extra_units": document_units, "extra_hashes": document_hashes} if document_hashes else {}
        report = build_index(self.settings.content_dir, self.settings.index_dir, self.encoder,
                             rebuild=rebuild, progress=progress, echo=echo, content=self.content,
                             cross_server_lock=self._cross_server_build_lock(), **extra)
        self._reopen_if_changed(content_is_current=True)
        return report

    def _cross_server_build_lock(self):
        """The database's advisory lock when servers share PostgreSQL; None on a single
        machine, where the index folder's file lock already decides (and `casebase
        index` then needs no database)."""
        if self.settings.database_url is None:
            return None
        return lambda: self.database.advisory_lock(INDEX_BUILD_LOCK, wait=False)

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

    def _reopen_if_changed(self, content_is_current: bool = False) -> None:
        """Open the current generation if it is not the one open; a switch made by another
        process also reloads the content (after the swap, outside the lock: searches go on
        meanwhile), unless `content_is_current` (this process just loaded it to build)."""
        folder = current_generation(self.settings.index_dir)
        if folder is None or folder.name == self._generation:
            return
        # The generation carries the glossary it was built with, so the first search need
        # not wait for the content (older generations: the content's). Read before taking
        # the lock: waiting for the content's load while holding it could deadlock.
        glossary = read_glossary(folder)
        if glossary is None:
            glossary = self.content.glossary
        with self._lock:
            if folder.name == self._generation:
                return
            check_manifest(read_manifest(folder), self.encoder.name if self.encoder else None)
            analyzer = make_analyzer()
            expander = SynonymExpander(glossary, lambda text: terms(analyzer, text))
            searcher = Searcher.open(folder, expander,
                                     self._encode_query if self.encoder else None, self.options)
            # The old searcher is not closed: a search that started on it may still be
            # reading; its files are released when the last such search drops it.
            old, self._searcher, self._generation = self._searcher, searcher, folder.name
        if old is not None and not content_is_current:
            self.reload_content()

    def reload_content(self) -> None:
        """Read the content files again (after a publish): only those changed since the
        last load are parsed. The index follows separately."""
        # One reload at a time: a reload that began before a publish wrote its file (a
        # reader following a generation switch) must not finish after the publish's own
        # reload and put the older text back.
        with self._reloading:
            self._set_content(load_library(self.settings.content_dir, previous=self._content))

    def _set_content(self, content: Content) -> None:
        with self._lock:
            self._content = content
            self._advisor = None
            self._kb = None
            self._content_version += 1

    @property
    def content_version(self) -> int:
        """Goes up by at least one on every reload of the content (never repeats)."""
        return self._content_version

    def refresh(self) -> None:
        """Follow a publish or a generation switch by another process (two stats when
        nothing changed)."""
        stamp = self._content_stamp()
        if stamp != self._seen_stamp:
            self._seen_stamp = stamp
            self.reload_content()
        key = self.generation_key()
        if key != self._seen_key:
            # Marked seen only once the switch is followed: a request that found the mark
            # set while another was still opening the new generation answered from the old
            # one, and the response cache kept that answer under the new generation's key.
            if self._searcher is not None:
                self._reopen_if_changed()
            self._seen_key = key

    def _stamp_path(self) -> Path:
        return self.settings.instance_dir / CONTENT_STAMP

    def _content_stamp(self) -> tuple[int, int] | None:
        try:
            status = os.stat(self._stamp_path())
        except FileNotFoundError:
            return None
        return status.st_ino, status.st_mtime_ns

    def _touch_stamp(self) -> None:
        """Tell the other processes that the content changed: a new file (new inode and
        time) replaces the stamp; this process knows it as seen already."""
        path = self._stamp_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        temporary.write_text(str(self._content_version), encoding="utf-8")
        status = os.stat(temporary)  # a rename keeps inode and time: this is the new stamp
        os.replace(temporary, path)
        fsync_folder(path.parent)
        self._seen_stamp = status.st_ino, status.st_mtime_ns

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

    @property
    def lexicon(self) -> Lexicon:
        """The content's Portuguese and Spanish search lexicon (kb/search_lexicon.yaml),
        read once per content version."""
        with self._lock:
            if self._lexicon is None or self._lexicon_version != self._content_version:
                self._lexicon = Lexicon.load(self.settings.content_dir)
                self._lexicon_version = self._content_version
            return self._lexicon

    def search_any_language(self, request: SearchRequest) -> tuple[SearchResponse, Gloss]:
        """Search a query that may be Portuguese or Spanish: its domain words are glossed
        into the English the content is written in first. Returns the answer and the
        gloss (unchanged for an English query); the answer's notices say what was searched."""
        gloss = self.lexicon.gloss(request.query)
        if not gloss.changed:
            return self.search(request), gloss
        response = self.search(dataclasses.replace(request, query=gloss.english))
        response.notices.insert(0, gloss.notice)
        return response, gloss

    def facet_counts(self, access: frozenset[str] = PUBLIC_ONLY) -> dict[str, dict[str, int]]:
        """How many items carry each facet value, over the whole index as a reader holding
        the `access` tokens sees it (by default: public documents only)."""
        return self.searcher.facet_counts(access=access)

    def _encode_query(self, text: str) -> np.ndarray:
        assert self.encoder is not None
        with self._vectors_lock:
            cached = self._query_vectors.get(text)
        if cached is not None:
            return cached
        vector = self.encoder.encode_query(text)
        with self._vectors_lock:
            self._query_vectors[text] = vector
        return vector

    def document(self, doc_id: str) -> Document | None:
        """A valid case or note by id."""
        return self.content.documents.get(doc_id)

    def lesson(self, uid: str) -> Lesson | None:
        """A lesson by '<case-id>#<lesson-id>'."""
        case_id, _, lesson_id = uid.partition("#")
        case = self.content.documents.get(case_id)
        return case.lesson(lesson_id) if case is not None and case.kind == "case" else None

    def close(self) -> None:
        """Release the index and the database pool."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
            self._generation = None
        if self._database is not None:
            self._database.dispose()
            self._database = None

