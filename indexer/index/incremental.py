"""Updating a generation instead of rebuilding it: only the changed units are touched.

A new generation is still written as a whole folder and switched to atomically (see
build.py), but from the current one: Whoosh's immutable segment files are hard-linked
and the changed units are deleted and added in one new segment; the BM25F weights are
derived again from the kept per-field frequencies with the changed rows replaced; the
vectors of unchanged units are copied and only changed text is embedded. Which rows
changed is decided by indexer.index.reuse (each row's key is a hash of the unit as
stored, so any input that alters a unit is caught the same way).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import numpy as np
from numpy.lib import format as np_format
from whoosh.filedb.filestore import FileStorage

from indexer.search.analysis import make_analyzer
from indexer.search.encoder import Encoder
from indexer.search.keyword import DOCNUMS, FieldFrequencies, add_record
from indexer.index.reuse import UNIT_KEYS, Assembly
from indexer.search.units import Unit

# Beyond this share of changed units a full build is as cheap and leaves one segment.
MAX_CHANGED_SHARE = 0.25
# Each update adds a Whoosh segment; at this many, the update merges the small ones.
MAX_SEGMENTS = 8


@dataclass
class Update:
    """What an update changed."""

    added: int
    removed: int
    embedded: int


def update_generation(current: Path, building: Path, assembly: Assembly, encoder: Encoder | None,
                      field_weights: Mapping[str, float], field_b: Mapping[str, float]) -> Update | None:
    """Write into `building` the keyword index and vectors of `assembly` derived from
    `current`, or return None (having written nothing) when a full build is needed or
    no cheaper: a generation from before keys were kept, too many changes, or vectors
    wanted but missing. May raise ModelUnavailable before writing anything."""
    if assembly.old_count == 0 or not (current / "bm25-terms.json").exists():
        return None
    fresh, removed = assembly.fresh_rows(), assembly.removed_rows()
    if fresh.size + removed.size > MAX_CHANGED_SHARE * max(len(assembly.uids), 1):
        return None
    if encoder is not None and not (current / "vectors.npy").exists():
        return None
    vocabulary = json.loads((current / "bm25-terms.json").read_text(encoding="utf-8"))
    frequencies = FieldFrequencies.load(current, vocabulary)
    if frequencies is None:
        return None
    segments = len(FileStorage(str(current / "whoosh")).open_index()._segments())  # no public count

    vectors, embedded = None, 0
    if encoder is not None:  # first, so a model that fails leaves nothing half-written
        vectors, embedded = _updated_vectors(current, assembly, encoder)

    old_rows = assembly.old_rows
    old_docnums = np.load(current / DOCNUMS) if (current / DOCNUMS).exists() else np.arange(assembly.old_count)
    (building / "whoosh").mkdir(parents=True)
    for path in (current / "whoosh").iterdir():
        if path.is_file() and not path.name.endswith("LOCK"):
            os.link(path, building / "whoosh" / path.name)  # segments are never rewritten
    index = FileStorage(str(building / "whoosh")).open_index()
    base = index.doc_count_all()
    writer = index.writer(limitmb=64)
    for old_row in removed.tolist():  # old versions of changed units, and units now gone
        writer.delete_document(int(old_docnums[old_row]))
    records = [record_of(assembly.made[row]) for row in fresh.tolist()]
    for record in records:
        add_record(writer, record)
    docnums = np.empty(len(assembly.uids), dtype=np.int64)
    kept = old_rows >= 0
    if segments + 1 < MAX_SEGMENTS:
        writer.commit(merge=False)  # new docs get docnums after every existing one
        docnums[kept] = old_docnums[old_rows[kept]]
        docnums[fresh] = base + np.arange(fresh.size)
    else:
        before = _segment_starts(index)
        writer.commit(merge=True)
        index = FileStorage(str(building / "whoosh")).open_index()
        docnums[:] = _renumbered(index, before, old_docnums, assembly)
    fresh_docnums = docnums[fresh]
    with index.reader() as reader:
        lengths = {name: np.array([reader.doc_field_length(int(docnum), name, 0) or 0 for docnum in fresh_docnums],
                                  dtype=np.float64) for name in frequencies.tf}
    updated = frequencies.updated(old_rows, records, lengths, make_analyzer())
    updated.weights(field_weights, field_b=field_b).save(building)
    updated.save(building)
    np.save(building / DOCNUMS, docnums)
    if vectors is not None:
        vectors.save(building / "vectors.npy")
    return Update(added=int(fresh.size), removed=int(removed.size), embedded=embedded)


def _segment_starts(index) -> dict[str, tuple[int, int]]:
    """Each segment's id -> (first docnum, documents), deleted ones included."""
    starts, start = {}, 0
    for segment in index._segments():  # no public listing
        starts[segment.segment_id()] = (start, segment.doc_count_all())
        start += segment.doc_count_all()
    return starts


def _renumbered(index, before: Mapping[str, tuple[int, int]], old_docnums: np.ndarray,
                assembly: Assembly) -> np.ndarray:
    """Every row's docnum after a commit that merged the small segments: a segment that
    survived the merge keeps its documents in order but may move, so its docnums shift
    by its move; only the documents of the merged (small) segments are read back by uid."""
    after = _segment_starts(index)
    old_starts = np.array(sorted(start for start, _ in before.values()), dtype=np.int64)
    shift = np.full(old_starts.size, -1, dtype=np.int64)  # per old segment: its move, or -1 when merged
    moved = np.zeros(old_starts.size, dtype=bool)
    for segment_id, (start, _count) in before.items():
        position = int(np.searchsorted(old_starts, start))
        if segment_id in after:
            shift[position], moved[position] = after[segment_id][0] - start, True
    docnums = np.full(len(assembly.uids), -1, dtype=np.int64)
    kept = np.flatnonzero(assembly.old_rows >= 0)
    old = old_docnums[assembly.old_rows[kept]]
    segment = np.searchsorted(old_starts, old, side="right") - 1
    surviving = moved[segment]
    docnums[kept[surviving]] = old[surviving] + shift[segment[surviving]]
    missing = np.flatnonzero(docnums < 0)
    if missing.size:
        survived = set(before) & set(after)
        with index.reader() as reader:
            docnum_of = {reader.stored_fields(docnum)["uid"]: docnum
                         for segment_id, (start, count) in after.items() if segment_id not in survived
                         for docnum in range(start, start + count) if not reader.is_deleted(docnum)}
        docnums[missing] = [docnum_of[uid] for uid in assembly.uids[missing].tolist()]
    return docnums


def record_of(unit: Unit) -> dict[str, str]:
    """The fields of a unit the keyword index reads (its kind decides its spelling words)."""
    return {"uid": unit.uid, "kind": unit.kind, "title": unit.title, "summary": unit.summary,
            "body": unit.body, "context": unit.context}


@dataclass(frozen=True)
class VectorRows:
    """Where each row of the new vector matrix comes from: `source[row]` is the old row
    whose vector still holds, or -1 for a row whose vector is in `encoded` (in row order)."""

    old: np.ndarray
    source: np.ndarray
    encoded: np.ndarray

    def save(self, path: Path) -> None:
        """Write the matrix as a .npy file, streaming unchanged rows from the old file in
        contiguous runs: no 100,000-row matrix is assembled in memory first (touching that
        much fresh memory cost more than the update's whole keyword side)."""
        source, missing = self.source, self.source < 0
        dimension = self.old.shape[1] if self.old.ndim == 2 else self.encoded.shape[1]
        starts_run = np.ones(len(source), dtype=bool)
        starts_run[1:] = (missing[1:] != missing[:-1]) | (~missing[1:] & (np.diff(source) != 1))
        starts = np.flatnonzero(starts_run)
        encoded_at = np.cumsum(missing) - 1
        with open(path, "wb") as stream:
            np_format.write_array_header_1_0(stream, {"descr": np_format.dtype_to_descr(np.dtype(np.float32)),
                                                      "fortran_order": False, "shape": (len(source), dimension)})
            for start, end in zip(starts.tolist(), [*starts[1:].tolist(), len(source)]):
                if missing[start]:
                    block = self.encoded[encoded_at[start]:encoded_at[start] + end - start]
                else:
                    block = self.old[source[start]:source[start] + end - start]
                stream.write(memoryview(np.ascontiguousarray(block, dtype=np.float32)))


def _updated_vectors(current: Path, assembly: Assembly, encoder: Encoder) -> tuple[VectorRows, int]:
    """Old rows' vectors for units whose embedded text is unchanged; the rest encoded."""
    old = np.load(current / "vectors.npy", mmap_mode="r")
    with np.load(current / UNIT_KEYS, allow_pickle=False) as saved:
        old_text_keys = saved["text_keys"]
    source = assembly.old_rows.copy()
    for row in np.flatnonzero(source < 0).tolist():
        previous = int(assembly.previous[row])
        if previous >= 0 and old_text_keys[previous] == assembly.text_keys[row]:
            source[row] = previous  # same text, other facets: the vector still holds
    missing = np.flatnonzero(source < 0)
    dimension = old.shape[1] if old.ndim == 2 else encoder.dimension
    encoded = np.zeros((0, dimension), dtype=np.float32)
    if missing.size:
        encoded = np.asarray(encoder.encode([assembly.made[row].semantic_text() for row in missing.tolist()]),
                             dtype=np.float32)
    return VectorRows(old, source, encoded), int(missing.size)

