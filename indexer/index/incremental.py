"""Updating a generation instead of rebuilding it: only the changed units are touched.

A new generation is still written as a whole folder and switched to atomically (see
build.py), but from the current one: Whoosh's immutable segment files are hard-linked
and the changed units are deleted and added in one new segment; the BM25F weights are
derived again from the kept per-field frequencies with the changed rows replaced; the
vectors of unchanged units are copied and only changed text is embedded. Each row's
key (a hash of the unit as stored) says what changed, so any input that alters a unit
(its text, its facets through the vocabulary, a linked title) is caught the same way.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
from whoosh.filedb.filestore import FileStorage

from indexer.search.analysis import make_analyzer
from indexer.search.encoder import Encoder
from indexer.search.keyword import DOCNUMS, FieldFrequencies, add_record
from indexer.search.units import Unit

UNIT_KEYS = "unit-keys.npz"
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


def unit_line(unit: Unit) -> str:
    """A unit as one line of units.jsonl."""
    return json.dumps(unit.to_dict(), ensure_ascii=False)


def _key(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def save_unit_keys(folder: Path, units: Sequence[Unit], lines: Sequence[str]) -> None:
    """Write each row's uid, the key of its stored form and the key of its embedded text."""
    with open(folder / UNIT_KEYS, "wb") as stream:
        np.savez(stream, uids=np.array([unit.uid for unit in units], dtype=str),
                 keys=np.array([_key(line) for line in lines], dtype=str),
                 text_keys=np.array([_key(unit.semantic_text()) for unit in units], dtype=str))
        stream.flush()
        os.fsync(stream.fileno())


def update_generation(current: Path, building: Path, units: Sequence[Unit], lines: Sequence[str],
                      records: Sequence[Mapping[str, str]], encoder: Encoder | None,
                      field_weights: Mapping[str, float], field_b: Mapping[str, float]) -> Update | None:
    """Write into `building` the generation for `units` derived from `current`, or return
    None (having written nothing) when a full build is needed or no cheaper: a
    generation from before keys were kept, too many changes, or vectors wanted but
    missing. May raise ModelUnavailable before writing anything."""
    if not (current / UNIT_KEYS).exists() or not (current / "bm25-terms.json").exists():
        return None
    with np.load(current / UNIT_KEYS, allow_pickle=False) as saved:
        old_uids, old_keys, old_text_keys = (saved[name].tolist() for name in ("uids", "keys", "text_keys"))
    vocabulary = json.loads((current / "bm25-terms.json").read_text(encoding="utf-8"))
    frequencies = FieldFrequencies.load(current, vocabulary)
    if frequencies is None or (encoder is not None and not (current / "vectors.npy").exists()):
        return None
    old_row_of = {uid: row for row, uid in enumerate(old_uids)}
    keys = [_key(line) for line in lines]
    old_rows = np.array([old_row_of.get(unit.uid, -1) for unit in units], dtype=np.int64)
    for row, key in enumerate(keys):
        if old_rows[row] >= 0 and old_keys[old_rows[row]] != key:
            old_rows[row] = -1
    removed = np.setdiff1d(np.arange(len(old_uids)), old_rows[old_rows >= 0])
    fresh = np.flatnonzero(old_rows < 0)
    if fresh.size + removed.size > MAX_CHANGED_SHARE * max(len(units), 1):
        return None
    segments = len(FileStorage(str(current / "whoosh")).open_index()._segments())  # no public count

    vectors, embedded = None, 0
    if encoder is not None:  # first, so a model that fails leaves nothing half-written
        vectors, embedded = _updated_vectors(current, units, old_rows, old_row_of, old_text_keys, encoder)

    old_docnums = np.load(current / DOCNUMS) if (current / DOCNUMS).exists() else np.arange(len(old_uids))
    (building / "whoosh").mkdir(parents=True)
    for path in (current / "whoosh").iterdir():
        if path.is_file() and not path.name.endswith("LOCK"):
            os.link(path, building / "whoosh" / path.name)  # segments are never rewritten
    index = FileStorage(str(building / "whoosh")).open_index()
    base = index.doc_count_all()
    writer = index.writer(limitmb=64)
    for old_row in removed.tolist():  # old versions of changed units, and units now gone
        writer.delete_document(int(old_docnums[old_row]))
    for row in fresh.tolist():
        add_record(writer, records[row])
    docnums = np.empty(len(units), dtype=np.int64)
    kept = old_rows >= 0
    if segments + 1 < MAX_SEGMENTS:
        writer.commit(merge=False)  # new docs get docnums after every existing one
        docnums[kept] = old_docnums[old_rows[kept]]
        docnums[fresh] = base + np.arange(fresh.size)
    else:
        # Merging the small segments renumbers documents: read the numbers back by uid.
        writer.commit(merge=True)
        with index.reader() as reader:
            docnum_of = {fields["uid"]: docnum for docnum, fields in reader.iter_docs()}
        docnums[:] = [docnum_of[unit.uid] for unit in units]
    fresh_docnums = docnums[fresh]
    with index.reader() as reader:
        lengths = {name: np.array([reader.doc_field_length(int(docnum), name, 0) or 0 for docnum in fresh_docnums],
                                  dtype=np.float64) for name in frequencies.tf}
    updated = frequencies.updated(old_rows, [records[row] for row in fresh.tolist()], lengths, make_analyzer())
    updated.weights(field_weights, field_b=field_b).save(building)
    updated.save(building)
    np.save(building / DOCNUMS, docnums)
    if vectors is not None:
        np.save(building / "vectors.npy", vectors)
    return Update(added=int(fresh.size), removed=int(removed.size), embedded=embedded)


def _updated_vectors(current: Path, units: Sequence[Unit], old_rows: np.ndarray, old_row_of: dict[str, int],
                     old_text_keys: list[str], encoder: Encoder) -> tuple[np.ndarray, int]:
    """Old rows' vectors for units whose embedded text is unchanged; the rest encoded."""
    old = np.load(current / "vectors.npy", mmap_mode="r")
    source = old_rows.copy()
    for row in np.flatnonzero(source < 0).tolist():
        previous = old_row_of.get(units[row].uid)
        if previous is not None and old_text_keys[previous] == _key(units[row].semantic_text()):
            source[row] = previous  # same text, other facets: the vector still holds
    vectors = np.zeros((len(units), old.shape[1] if old.ndim == 2 else encoder.dimension), dtype=np.float32)
    reuse = source >= 0
    vectors[reuse] = old[source[reuse]]
    missing = np.flatnonzero(~reuse)
    if missing.size:
        vectors[missing] = encoder.encode([units[row].semantic_text() for row in missing.tolist()])
    return vectors, int(missing.size)
