"""Index lifecycle: build a generation, switch to it atomically, open the current one.

Layout of the index folder:

    CURRENT                 name of the generation readers use (replaced atomically)
    build.lock              held by the one writer
    embeddings.npz          embedding cache by model and text hash, shared by builds
    generations/<name>/     manifest.json, units.jsonl, read-model.npz, glossary.json, whoosh/, bm25.*, vectors.npy

A build writes a complete generation under a temporary name, renames it into place
and only then replaces CURRENT, so a reader never sees half an index and a crash
mid-build leaves the previous generation in use.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, ContextManager, Iterator, Mapping, Sequence

from indexer.advisor.casestore import save_case_table
from indexer.checking import load_library
from indexer.content.loading import Content, GlossaryTerm
from indexer.errors import Unavailable
from indexer.search.encoder import Encoder, ModelUnavailable
from indexer.index.incremental import record_of, update_generation
from indexer.index.reuse import Assembly, assemble, write_units
from indexer.search.items import save_read_model, save_updated_read_model
from indexer.search.keyword import KeywordIndex
from indexer.content.schema import REGISTRY, SCHEMA_VERSION
from indexer.documents.fields import search_facets
from indexer.search.units import FIELD_B, FIELD_WEIGHTS, Unit
from indexer.search.vectors import EmbeddingCache, NumpyVectorStore

# 5: units store document ids and anchors, not URLs (older folders must be rebuilt).
# 6: the read model holds the internal facet of interpreted values.
INDEX_FORMAT = 6
KEEP_GENERATIONS = 2
GLOSSARY = "glossary.json"


class IndexProblem(Unavailable):
    """Base for index problems that the user can act on; the message says how."""


class IndexLocked(IndexProblem):
    """Another process is building the index."""


class IndexMissing(IndexProblem):
    """No index has been built yet."""


class IndexMismatch(IndexProblem):
    """The index was built with another model or schema."""


@dataclass
class BuildReport:
    """What a build did."""

    generation: str | None
    built: bool
    units: int = 0
    embedded: int = 0
    semantic: bool = False
    seconds: float = 0.0
    # True when the generation was derived from the previous one, touching `changed` units.
    incremental: bool = False
    changed: int = 0
    # Documents whose units were copied from the previous generation, not made again.
    copied_documents: int = 0
    warnings: list[str] = field(default_factory=list)


class BuildLock:
    """An exclusive, non-blocking lock file; the holder's pid is written inside."""

    def __init__(self, path: Path):
        self.path = path
        self._handle = None

    def __enter__(self) -> "BuildLock":
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            handle.close()
            if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise IndexLocked(
                    f"another index build is running (pid {holder}; lock {self.path}); "
                    "wait for it to finish and try again"
                ) from None
            raise
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._handle = handle
        return self

    def __exit__(self, *exc_info) -> None:
        assert self._handle is not None
        fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None


@contextmanager
def _always_held() -> Iterator[bool]:
    yield True


def current_generation(index_dir: Path) -> Path | None:
    """Folder of the generation readers should use, or None."""
    pointer = index_dir / "CURRENT"
    if not pointer.exists():
        return None
    folder = index_dir / "generations" / pointer.read_text(encoding="utf-8").strip()
    return folder if (folder / "manifest.json").exists() else None


def read_glossary(folder: Path) -> list[GlossaryTerm] | None:
    """The glossary a generation was built with (its query synonyms), or None when the
    generation predates storing it."""
    path = folder / GLOSSARY
    if not path.exists():
        return None
    return [GlossaryTerm(entry["term"], tuple(entry["aliases"]), entry["definition"], entry["note"],
                         entry["source"]) for entry in json.loads(path.read_text(encoding="utf-8"))]


def read_manifest(folder: Path) -> dict:
    """The manifest of one generation."""
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def check_manifest(manifest: dict, model_name: str | None) -> None:
    """Raise IndexMismatch when an index cannot be read by this version or model."""
    if manifest.get("format") != INDEX_FORMAT or manifest.get("schema_version") != SCHEMA_VERSION:
        raise IndexMismatch(
            f"the index was built by another version (format {manifest.get('format')}, schema "
            f"{manifest.get('schema_version')}; this program uses format {INDEX_FORMAT}, schema "
            f"{SCHEMA_VERSION}); run 'casebase index --rebuild'"
        )
    built_with = manifest.get("model")
    if model_name and built_with and built_with != model_name:
        raise IndexMismatch(
            f"the index was built with the model '{built_with}' but '{model_name}' is configured; "
            "run 'casebase index --rebuild'"
        )


EXTRA_PREFIX = "extra:"


def fingerprint(content: Content, extra_hashes: Mapping[str, str] | None = None) -> dict[str, str]:
    """Hash of every input a build depends on (documents, vocabulary, glossary, and the
    sources of extra units, namespaced so they never collide with a document id)."""
    from indexer.content.documents import content_hash

    hashes = {doc_id: doc.content_hash for doc_id, doc in sorted(content.documents.items())}
    for name in ("kb/vocabulary.yaml", "kb/glossary.yaml"):
        path = content.root / name
        hashes[name] = content_hash(path.read_text(encoding="utf-8")) if path.exists() else ""
    for key, value in sorted((extra_hashes or {}).items()):
        hashes[EXTRA_PREFIX + key] = value
    return hashes


def build_index(content_dir: Path, index_dir: Path, encoder: Encoder | None, rebuild: bool = False,
                progress: bool = False, echo: Callable[[str], None] = lambda message: None,
                content: Content | None = None,
                cross_server_lock: Callable[[], ContextManager[bool]] | None = None,
                extra_units: Sequence[Unit] = (), extra_hashes: Mapping[str, str] | None = None) -> BuildReport:
    """Build a new generation when the content changed (or always with `rebuild`).

    `extra_units` (say, the passages of uploaded documents) are indexed after the
    content's units; `extra_hashes` (one hash per source of those units) join the
    fingerprint, so a change of an extra source alone triggers an update.

    Embeddings are reused from the cache unless `rebuild`; a missing model yields a
    keyword-only index and a warning rather than a failure. `cross_server_lock` (the
    database's advisory lock when servers share PostgreSQL) keeps builds on different
    machines apart, where a file lock on shared storage may not.
    """
    started = time.perf_counter()
    index_dir.mkdir(parents=True, exist_ok=True)
    with BuildLock(index_dir / "build.lock"), (cross_server_lock or _always_held)() as held:
        if not held:
            raise IndexLocked("another server is building the index (advisory lock 'index.build'); "
                              "try again in a moment")
        content = content or load_library(content_dir)
        report = BuildReport(generation=None, built=False)
        if content.errors:
            report.warnings.append(
                f"{len(content.errors)} content error(s): files with errors are left out of the index "
                "(run 'casebase check')"
            )
        hashes = fingerprint(content, extra_hashes)
        model_name = encoder.name if encoder is not None else None
        current = current_generation(index_dir)
        compatible = False
        if current is not None and not rebuild:
            manifest = read_manifest(current)
            compatible = (manifest.get("format") == INDEX_FORMAT and manifest.get("schema_version") == SCHEMA_VERSION
                          and manifest.get("model") == model_name and manifest.get("field_weights") == FIELD_WEIGHTS
                          and manifest.get("field_b") == FIELD_B)
            if compatible and manifest.get("hashes") == hashes:
                report.generation = current.name
                report.units = manifest.get("units", 0)
                report.semantic = bool(manifest.get("semantic"))
                report.seconds = time.perf_counter() - started
                return report
        _remove_stale_builds(index_dir)
        name = time.strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
        building = index_dir / "generations" / f".building-{name}"
        building.mkdir(parents=True)
        assembly = assemble(content, extra_units, hashes, current if compatible else None,
                            manifest.get("hashes") if compatible else None)
        report.units, report.copied_documents = len(assembly.uids), assembly.reused_documents
        update = None
        if compatible and current is not None:
            try:
                update = update_generation(current, building, assembly, encoder, FIELD_WEIGHTS, FIELD_B)
            except ModelUnavailable:
                update = None  # the full build below says so and goes on without vectors
        if update is not None:
            echo(f"Updated {update.added} and removed {update.removed} of {report.units} units "
                 f"({assembly.reused_documents} of {assembly.documents} documents copied)")
            report.incremental, report.changed = True, update.added + update.removed
            report.embedded, report.semantic = update.embedded, encoder is not None
            if not _save_updated_read_model(current, building, assembly):
                assembly = assemble(content, extra_units, hashes)  # the same rows, every unit made
                _save_read_model(building, assembly)
        else:
            if not assembly.complete:
                assembly = assemble(content, extra_units, hashes)
            report.copied_documents = 0
            units = assembly.units()
            echo(f"Indexing {len(units)} units from {len(content.documents)} documents")
            KeywordIndex.build([record_of(unit) for unit in units], FIELD_WEIGHTS, building, FIELD_B).close()
            report.changed = len(units)
            if encoder is not None:
                try:
                    report.embedded = _write_vectors(index_dir, building, units, encoder, rebuild, progress)
                    report.semantic = True
                except ModelUnavailable as exc:
                    report.warnings.append(f"semantic search disabled: {exc}")
                    model_name = None
            _save_read_model(building, assembly)
        write_units(assembly, current if update is not None else None, building)
        _write_file(building / GLOSSARY, json.dumps([asdict(term) for term in content.glossary], ensure_ascii=False))
        # The advisor's cases (one line per case, keyed by id and content hash), so a
        # serving process suggests without parsing the content; an update copies the
        # lines of unchanged cases from the current generation.
        save_case_table(building, content, current if update is not None else None)
        manifest = {
            "format": INDEX_FORMAT,
            "schema_version": SCHEMA_VERSION,
            "model": model_name,
            "semantic": report.semantic,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "units": report.units,
            "documents": len(content.documents),
            "field_weights": FIELD_WEIGHTS,
            "field_b": FIELD_B,
            "hashes": hashes,
            "updated_from": current.name if update is not None and current is not None else None,
        }
        _write_file(building / "manifest.json", json.dumps(manifest, indent=2))
        final = index_dir / "generations" / name
        os.replace(building, final)
        _fsync_dir(final.parent)
        _write_file(index_dir / "CURRENT", name)
        _prune(index_dir, keep=name)
        report.generation = name
        report.built = True
        report.seconds = time.perf_counter() - started
        return report


def _save_read_model(folder: Path, assembly: Assembly) -> None:
    units = assembly.units()
    save_read_model(folder, [unit.item_id for unit in units], [unit.facets for unit in units], search_facets(REGISTRY))


def _save_updated_read_model(current: Path, folder: Path, assembly: Assembly) -> bool:
    """The read model from the current one plus the changed rows; False when the
    current generation has none to start from."""
    if assembly.complete:
        _save_read_model(folder, assembly)
        return True
    fresh = [assembly.made[row] for row in assembly.fresh_rows().tolist()]
    return save_updated_read_model(current, folder, assembly.old_rows, [unit.item_id for unit in fresh],
                                   [unit.facets for unit in fresh], search_facets(REGISTRY))


def _write_vectors(index_dir: Path, folder: Path, units: list[Unit], encoder: Encoder,
                   rebuild: bool, progress: bool) -> int:
    cache_path = index_dir / "embeddings.npz"
    if rebuild and cache_path.exists():
        cache_path.unlink()
    cache = EmbeddingCache(cache_path, encoder.name, encoder.dimension)
    texts = [unit.semantic_text() for unit in units]
    matrix, encoded = cache.embed(texts, lambda batch: encoder.encode(batch, progress=progress))
    NumpyVectorStore(matrix).save(folder / "vectors.npy")
    cache.save(keep=texts)
    return encoded


def _write_file(path: Path, text: str) -> None:
    """Write text atomically: temporary file, fsync, rename."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with open(temporary, "w", encoding="utf-8") as stream:
        stream.write(text)
        stream.flush()
        os.fsync(stream.fileno())
    os.replace(temporary, path)
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _remove_stale_builds(index_dir: Path) -> list[Path]:
    """Remove folders of builds that crashed (we hold the lock, so none is running)."""
    stale = list((index_dir / "generations").glob(".building-*"))
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return stale


def remove_stale_builds(index_dir: Path) -> list[Path]:
    """On start: remove the folders of killed builds, unless a build holds the lock now
    (its folder is not stale). Returns what was removed."""
    if not (index_dir / "generations").is_dir():
        return []
    try:
        with BuildLock(index_dir / "build.lock"):
            return _remove_stale_builds(index_dir)
    except IndexLocked:
        return []


def _prune(index_dir: Path, keep: str) -> None:
    """Keep the newest generations; a reader may still hold the previous one open."""
    generations = sorted(p for p in (index_dir / "generations").iterdir()
                         if p.is_dir() and not p.name.startswith("."))
    for folder in generations[:-KEEP_GENERATIONS]:
        if folder.name != keep:
            shutil.rmtree(folder, ignore_errors=True)
