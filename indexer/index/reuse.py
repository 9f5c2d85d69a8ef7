"""The units of the next generation, reusing those of unchanged documents.

An update's cost must follow the change: regenerating, serialising and hashing the
units of 9,000 documents to find that one of them changed was most of a publish. A
generation therefore records, per document, the hash it was built from, its title,
the documents whose titles its units show (links without a label), and where its
units lie in units.jsonl (rows and bytes). The next build makes units again only for
documents whose hash changed, documents that show a title that changed (or a
document that appeared or went), and the extra units (which the caller made anyway);
every other document's lines, keys and rows are copied from the current generation.
A vocabulary or glossary change (facets, synonyms) makes every unit again. A program
change that alters units must raise the index format, as it always had to.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

from indexer.content.documents import Document
from indexer.content.links import LINK_PATTERN
from indexer.content.loading import Content
from indexer.search.units import Unit, units_for

DOCUMENT_ROWS = "document-rows.json"
UNIT_KEYS = "unit-keys.npz"
# Inputs every unit depends on: when one changed, no document's units are copied.
SHARED_INPUTS = ("kb/vocabulary.yaml", "kb/glossary.yaml")
EXTRA_GROUP = "extra:"


def unit_line(unit: Unit) -> str:
    """A unit as one line of units.jsonl."""
    return json.dumps(unit.to_dict(), ensure_ascii=False)


def unit_key(text: str) -> str:
    """The key of a stored line or an embedded text: equal keys, equal texts.

    >>> unit_key("a") == unit_key("a") != unit_key("b")
    True
    """
    return hashlib.blake2b(text.encode("utf-8"), digest_size=12).hexdigest()


def shown_titles(document: Document) -> list[str]:
    """Ids of the documents whose titles this document's units show: the targets of
    its links without a label (a label is shown instead of the title)."""
    texts = [section.text for section in document.sections] + [lesson.explanation for lesson in document.lessons]
    return sorted({match["id"] for text in texts for match in LINK_PATTERN.finditer(text) if not match["label"]})


@dataclass
class Group:
    """The units of one document (or the extra units) in a generation."""

    key: str
    hash: str
    title: str
    shows: list[str]
    rows: tuple[int, int]
    bytes: tuple[int, int]


@dataclass
class Assembly:
    """Every row of the next generation: its uid and keys, and either the current
    generation's row it equals (`old_rows`, -1 when it is new or changed) or, for
    rows made now, the unit itself. `pieces` spell units.jsonl: byte ranges of the
    current one and lines made now."""

    uids: np.ndarray
    keys: np.ndarray
    text_keys: np.ndarray
    old_rows: np.ndarray
    # The current row with the same uid (its vector may still hold), -1 when none.
    previous: np.ndarray
    made: dict[int, Unit]
    pieces: list[tuple[int, int] | bytes]
    groups: list[Group]
    documents: int
    old_count: int = 0
    reused_documents: int = 0

    @property
    def complete(self) -> bool:
        """True when every row's unit was made now (a full build can use them)."""
        return len(self.made) == len(self.uids)

    def units(self) -> list[Unit]:
        """Every unit in row order; only for a complete assembly."""
        assert self.complete
        return [self.made[row] for row in range(len(self.uids))]

    def fresh_rows(self) -> np.ndarray:
        """Rows that are new or changed since the current generation."""
        return np.flatnonzero(self.old_rows < 0)

    def removed_rows(self) -> np.ndarray:
        """Current rows that no row of the next generation equals."""
        taken = np.zeros(self.old_count, dtype=bool)
        taken[self.old_rows[self.old_rows >= 0]] = True
        return np.flatnonzero(~taken)


@dataclass
class _Current:
    """What the current generation says about its rows."""

    folder: Path
    uids: np.ndarray
    keys: np.ndarray
    text_keys: np.ndarray
    groups: dict[str, Group] = field(default_factory=dict)


def _read_current(folder: Path | None) -> _Current | None:
    if folder is None or not (folder / UNIT_KEYS).exists():
        return None
    with np.load(folder / UNIT_KEYS, allow_pickle=False) as saved:
        current = _Current(folder, saved["uids"], saved["keys"], saved["text_keys"])
    if (folder / DOCUMENT_ROWS).exists():
        entries = json.loads((folder / DOCUMENT_ROWS).read_text(encoding="utf-8"))
        current.groups = {entry["key"]: Group(entry["key"], entry["hash"], entry["title"], entry["shows"],
                                              tuple(entry["rows"]), tuple(entry["bytes"])) for entry in entries}
    return current


def assemble(content: Content, extra_units: Sequence[Unit], hashes: Mapping[str, str],
             current: Path | None = None, old_hashes: Mapping[str, str] | None = None) -> Assembly:
    """The rows of the next generation for `content` and `extra_units`; with the
    `current` generation (built from `old_hashes`), unchanged documents are copied."""
    previous = _read_current(current)
    reuse = previous is not None and bool(previous.groups) and old_hashes is not None and all(
        old_hashes.get(name) == hashes.get(name) for name in SHARED_INPUTS)
    builder = _Builder(previous)
    documents = content.cases + content.notes
    titles = {document.id: document.title for document in documents}
    retitled: set[str] = set()
    if reuse:
        assert previous is not None
        old_titles = {key: group.title for key, group in previous.groups.items() if not key.startswith(EXTRA_GROUP)}
        retitled = {doc_id for doc_id in old_titles.keys() | titles.keys() if old_titles.get(doc_id) != titles.get(doc_id)}
    for document in documents:
        group = previous.groups.get(document.id) if reuse and previous is not None else None
        if group is not None and group.hash == document.content_hash and retitled.isdisjoint(group.shows):
            builder.copy(group)
        else:
            assert content.vocabulary is not None  # documents exist only with a vocabulary
            builder.make(document.id, document.content_hash, document.title, shown_titles(document),
                         units_for(document, content.vocabulary, titles), group)
    if extra_units:
        group = previous.groups.get(EXTRA_GROUP) if reuse and previous is not None else None
        builder.make(EXTRA_GROUP, "", "", [], list(extra_units), group)
    return builder.finish(len(documents), full_lookup=not reuse)


class _Builder:
    """Collects the rows of an assembly, document by document."""

    def __init__(self, current: _Current | None):
        self.current = current
        self.uids: list[np.ndarray] = []
        self.keys: list[np.ndarray] = []
        self.text_keys: list[np.ndarray] = []
        self.old_rows: list[np.ndarray] = []
        self.previous: list[np.ndarray] = []
        self.made: dict[int, Unit] = {}
        self.pieces: list[tuple[int, int] | bytes] = []
        self.groups: list[Group] = []
        self.row = 0
        self.offset = 0
        self.reused = 0
        # (uid, new row, key, text key) of made rows, matched to current rows at the end.
        self._made_rows: list[tuple[str, int, str, str, Group | None]] = []
        # Current rows [start, end) being copied in one piece.
        self._run: tuple[int, int] | None = None

    def _close_run(self) -> None:
        if self._run is None:
            return
        assert self.current is not None
        start, end = self._run
        self.uids.append(self.current.uids[start:end])
        self.keys.append(self.current.keys[start:end])
        self.text_keys.append(self.current.text_keys[start:end])
        self.old_rows.append(np.arange(start, end, dtype=np.int64))
        self.previous.append(np.arange(start, end, dtype=np.int64))
        self._run = None

    def copy(self, group: Group) -> None:
        assert self.current is not None
        start, end = group.rows
        count = end - start
        if self._run is not None and self._run[1] == start:
            self._run = (self._run[0], end)  # most documents follow their predecessor: one slice for all
        else:
            self._close_run()
            self._run = (start, end)
        if self.pieces and isinstance(self.pieces[-1], tuple) and self.pieces[-1][1] == group.bytes[0]:
            self.pieces[-1] = (self.pieces[-1][0], group.bytes[1])  # adjacent: one copy
        else:
            self.pieces.append(group.bytes)
        size = group.bytes[1] - group.bytes[0]
        self.groups.append(Group(group.key, group.hash, group.title, group.shows,
                                 (self.row, self.row + count), (self.offset, self.offset + size)))
        self.row += count
        self.offset += size
        self.reused += 1

    def make(self, key: str, source_hash: str, title: str, shows: list[str], units: list[Unit],
             old_group: Group | None) -> None:
        self._close_run()
        lines = [unit_line(unit).encode("utf-8") + b"\n" for unit in units]
        keys = [unit_key(line[:-1].decode("utf-8")) for line in lines]
        text_keys = [unit_key(unit.semantic_text()) for unit in units]
        for position, unit in enumerate(units):
            self.made[self.row + position] = unit
            self._made_rows.append((unit.uid, self.row + position, keys[position], text_keys[position], old_group))
        self.uids.append(np.array([unit.uid for unit in units], dtype=str))
        self.keys.append(np.array(keys, dtype=str))
        self.text_keys.append(np.array(text_keys, dtype=str))
        self.old_rows.append(np.full(len(units), -1, dtype=np.int64))
        self.previous.append(np.full(len(units), -1, dtype=np.int64))
        text = b"".join(lines)
        self.pieces.append(text)
        self.groups.append(Group(key, source_hash, title, shows, (self.row, self.row + len(units)),
                                 (self.offset, self.offset + len(text))))
        self.row += len(units)
        self.offset += len(text)

    def finish(self, documents: int, full_lookup: bool) -> Assembly:
        self._close_run()
        def joined(parts: list[np.ndarray], dtype) -> np.ndarray:
            return np.concatenate(parts) if parts else np.zeros(0, dtype=dtype)

        assembly = Assembly(joined(self.uids, str), joined(self.keys, str), joined(self.text_keys, str),
                            joined(self.old_rows, np.int64), joined(self.previous, np.int64), self.made,
                            self.pieces, self.groups, documents,
                            old_count=len(self.current.uids) if self.current is not None else 0,
                            reused_documents=self.reused)
        if self.current is not None:
            self._match(assembly, full_lookup)
        return assembly

    def _match(self, assembly: Assembly, full_lookup: bool) -> None:
        """Point each made row at the current row with its uid, and reuse that row when
        the stored line is the same (an edit of one section leaves its siblings alone)."""
        assert self.current is not None
        current = self.current
        everywhere = {uid: row for row, uid in enumerate(current.uids.tolist())} if full_lookup else None
        for uid, row, key, _text_key, old_group in self._made_rows:
            if everywhere is not None:
                old_row = everywhere.get(uid)
            elif old_group is not None:
                start, end = old_group.rows
                old_row = _find(current.uids, uid, start, end)
            else:
                old_row = None
            if old_row is None:
                continue
            assembly.previous[row] = old_row
            if current.keys[old_row] == key:
                assembly.old_rows[row] = old_row


def _find(uids: np.ndarray, uid: str, start: int, end: int) -> int | None:
    found = np.flatnonzero(uids[start:end] == uid)
    return int(found[0]) + start if found.size else None


def write_units(assembly: Assembly, current: Path | None, folder: Path) -> None:
    """Write units.jsonl, unit keys and document rows of `assembly` into `folder`."""
    source = open(current / "units.jsonl", "rb") if current is not None and any(
        isinstance(piece, tuple) for piece in assembly.pieces) else None
    try:
        with open(folder / "units.jsonl", "wb") as stream:
            for piece in assembly.pieces:
                if isinstance(piece, bytes):
                    stream.write(piece)
                    continue
                assert source is not None
                start, end = piece
                stream.flush()
                written = 0
                while written < end - start:  # a kernel copy: no bytes through Python
                    copied = os.copy_file_range(source.fileno(), stream.fileno(), end - start - written,
                                                start + written)
                    if copied == 0:
                        raise OSError(f"{current / 'units.jsonl'} ends before byte {end}: rebuild the index")
                    written += copied
                stream.seek(0, os.SEEK_END)
            stream.flush()
            os.fsync(stream.fileno())
    finally:
        if source is not None:
            source.close()
    with open(folder / UNIT_KEYS, "wb") as stream:
        np.savez(stream, uids=assembly.uids, keys=assembly.keys, text_keys=assembly.text_keys)
        stream.flush()
        os.fsync(stream.fileno())
    entries = [{"key": group.key, "hash": group.hash, "title": group.title, "shows": group.shows,
                "rows": list(group.rows), "bytes": list(group.bytes)} for group in assembly.groups]
    with open(folder / DOCUMENT_ROWS, "w", encoding="utf-8") as stream:
        stream.write(json.dumps(entries, ensure_ascii=False))  # json.dump writes in thousands of pieces
        stream.flush()
        os.fsync(stream.fileno())
