"""Vectorised bookkeeping of one generation: which item each unit belongs to, which
facet values each unit carries, and ranked item lists built from unit scores.

A query's cost must follow its answer, not the library: at 100,000 units a Python loop
over every unit (to aggregate sections into documents, apply filters or count facets)
costs tens of milliseconds, whereas the same work as a few numpy/scipy operations
over precomputed arrays costs well under one. Everything here is built once per
generation and read by many threads; nothing is mutated after construction.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
from scipy import sparse


class ItemTable:
    """Units grouped into items (a document with its sections, or a lesson alone).

    Items are numbered in order of their first unit, so for the usual layout (each
    item's units contiguous) ordering ties by item number is ordering them by the row
    of their best unit, as the original per-row loop did."""

    def __init__(self, item_of_unit: Sequence[str]):
        numbers: dict[str, int] = {}
        item_of_row = np.fromiter((numbers.setdefault(item, len(numbers)) for item in item_of_unit),
                                  dtype=np.int64, count=len(item_of_unit))
        self._index(list(numbers), item_of_row)

    @classmethod
    def from_numbers(cls, ids: list[str], item_of_row: np.ndarray) -> "ItemTable":
        """A table from saved arrays: item ids, and each unit's item number."""
        table = cls.__new__(cls)
        table._index(ids, np.asarray(item_of_row, dtype=np.int64))
        return table

    def _index(self, ids: list[str], item_of_row: np.ndarray) -> None:
        self.ids = ids
        self.number = {item: number for number, item in enumerate(ids)}
        self.item_of_row = item_of_row
        # Rows grouped by item (stable, so each group's rows ascend) and where each group starts.
        self.grouped_rows = np.argsort(item_of_row, kind="stable")
        counts = np.bincount(item_of_row, minlength=len(self.ids))
        self.starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64) if len(self.ids) else \
            np.zeros(0, dtype=np.int64)
        self.ends = self.starts + counts
        self.first_row = self.grouped_rows[self.starts] if len(self.ids) else np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.ids)

    def rows(self, item: int) -> np.ndarray:
        """Unit rows of item number `item`, ascending."""
        return self.grouped_rows[self.starts[item]:self.ends[item]]

    def best_scores(self, scores: np.ndarray) -> np.ndarray:
        """Each item's best unit score (float64, one per item)."""
        if not len(self.ids):
            return np.zeros(0, dtype=np.float64)
        grouped = np.asarray(scores, dtype=np.float64)[self.grouped_rows]
        return np.maximum.reduceat(grouped, self.starts)

    def best_row(self, item: int, scores: np.ndarray) -> int:
        """The row of the item's best unit (the lowest row among equals)."""
        rows = self.rows(item)
        return int(rows[int(np.argmax(scores[rows]))])


@dataclass
class Ranking:
    """Items ranked by their best unit's score, best first, ties by item number.

    `order` holds the ranked item numbers: all of them, or (when only a page is
    wanted) at least the first `prefix` ones. `matched` holds every ranked item."""

    matched: np.ndarray
    best: np.ndarray
    order: np.ndarray
    complete: bool

    @classmethod
    def of(cls, best: np.ndarray, minimum: float, depth: int | None = None, prefix: int | None = None
           ) -> "Ranking":
        """Items whose best score exceeds `minimum`; at most `depth` of them; fully
        ordered unless `prefix` says only the first so many are needed."""
        matched = np.flatnonzero(best > minimum)
        if depth is not None and matched.size > depth:
            top = _ordered(matched, best, depth)
            return cls(np.sort(top), best, top, True)
        if prefix is not None and prefix < matched.size:
            return cls(matched, best, _ordered(matched, best, prefix), False)
        return cls(matched, best, _ordered(matched, best, None), True)

    def ranks(self, size: int) -> np.ndarray:
        """1-based rank of every item number below `size` in this ranking (0 = not ranked);
        needs a complete order."""
        assert self.complete
        ranks = np.zeros(size, dtype=np.int64)
        ranks[self.order] = np.arange(1, self.order.size + 1)
        return ranks

    def rank_of(self, item: int) -> int | None:
        """1-based rank of one item, or None when it is not ranked."""
        found = np.flatnonzero(self.order == item)
        if found.size:
            return int(found[0]) + 1
        if self.complete or not np.any(self.matched == item):
            return None
        values, score = self.best[self.matched], self.best[item]
        return 1 + int(np.count_nonzero(values > score)) + int(
            np.count_nonzero((values == score) & (self.matched < item)))


def _ordered(matched: np.ndarray, best: np.ndarray, count: int | None) -> np.ndarray:
    """The first `count` (or all) of `matched` (ascending item numbers) by descending
    score, ties by item number. Ties at the cut are all kept before cutting, so the
    result equals a full stable sort's prefix."""
    values = best[matched]
    if count is not None and count < matched.size:
        threshold = np.partition(values, matched.size - count)[matched.size - count]
        keep = values >= threshold
        matched, values = matched[keep], values[keep]
    order = matched[np.argsort(-values, kind="stable")]
    return order if count is None else order[:count]


class FacetTable:
    """Facet values of every unit as sparse 0/1 matrices, for filtering and counting."""

    def __init__(self, facets: Sequence[str], unit_values: Sequence[Mapping[str, Iterable[str]]],
                 items: ItemTable):
        self.facets = tuple(facets)
        columns: dict[tuple[str, str], int] = {}
        row_index: list[int] = []
        column_index: list[int] = []
        # Units of one document share their facet mapping; remember its columns once.
        seen: dict[int, list[int]] = {}
        for row, values in enumerate(unit_values):
            known = seen.get(id(values))
            if known is None:
                known = sorted({columns.setdefault((name, value), len(columns))
                                for name in self.facets for value in values.get(name, ())})
                seen[id(values)] = known
            row_index.extend([row] * len(known))
            column_index.extend(known)
        self._index(list(columns), np.array(row_index, dtype=np.int64), np.array(column_index, dtype=np.int64),
                    len(unit_values), items)

    @classmethod
    def from_entries(cls, facets: Sequence[str], values: list[tuple[str, str]], rows: np.ndarray,
                     columns: np.ndarray, units: int, items: ItemTable) -> "FacetTable":
        """A table from saved arrays: (facet, value) per column and the (row, column) entries."""
        table = cls.__new__(cls)
        table.facets = tuple(facets)
        table._index(values, rows, columns, units, items)
        return table

    def _index(self, values: list[tuple[str, str]], row_index: np.ndarray, column_index: np.ndarray,
               units: int, items: ItemTable) -> None:
        self.values = values
        columns = {value: column for column, value in enumerate(values)}
        shape = (units, max(1, len(columns)))
        ones = np.ones(len(row_index), dtype=np.float32)
        self.by_row = sparse.csc_matrix((ones, (row_index, column_index)), shape=shape)
        # Counting reads each item's first unit (all of an item's units share its facets).
        self.by_item = sparse.csr_matrix(self.by_row.tocsr()[items.first_row]).T.tocsr() if len(items) \
            else sparse.csr_matrix((shape[1], 0), dtype=np.float32)
        self.columns = columns
        self._facet_columns = {name: np.array([column for (facet, _), column in columns.items() if facet == name],
                                              dtype=np.int64) for name in self.facets}

    def mask(self, wanted: Mapping[str, Iterable[str]]) -> np.ndarray | None:
        """True for units that carry at least one accepted value of every named facet
        (OR within a facet, AND across facets); None when nothing is filtered."""
        mask: np.ndarray | None = None
        for facet, accepted in wanted.items():
            accepted = tuple(accepted)
            if not accepted:
                continue
            cols = [self.columns[(facet, value)] for value in accepted if (facet, value) in self.columns]
            if cols:
                hits = np.asarray(self.by_row[:, cols].sum(axis=1)).ravel() > 0
            else:
                hits = np.zeros(self.by_row.shape[0], dtype=bool)
            mask = hits if mask is None else mask & hits
        return mask

    def counts(self, items: np.ndarray, size: int) -> dict[str, dict[str, int]]:
        """Per facet, how many of `items` (item numbers) carry each value; values by
        descending count, then name; values no item carries are left out."""
        indicator = np.zeros(size, dtype=np.float32)
        indicator[items] = 1.0
        totals = np.rint(self.by_item @ indicator).astype(np.int64) if size else \
            np.zeros(self.by_item.shape[0], dtype=np.int64)
        counts: dict[str, dict[str, int]] = {}
        for name in self.facets:
            cols = self._facet_columns[name]
            present = [(self.values[c][1], int(totals[c])) for c in cols[totals[cols] > 0].tolist()]
            counts[name] = dict(sorted(present, key=lambda pair: (-pair[1], pair[0])))
        return counts


READ_MODEL = "read-model.npz"
_SEPARATOR = "\x1f"


def save_read_model(folder: Path, item_of_unit: Sequence[str],
                    unit_facets: Sequence[Mapping[str, Iterable[str]]], facets: Sequence[str]) -> None:
    """Write the arrays `load_read_model` needs into a generation folder, so a serving
    process opens the generation without parsing its units."""
    items = ItemTable(item_of_unit)
    table = FacetTable(facets, unit_facets, items)
    rows = table.by_row.tocoo()
    with open(folder / READ_MODEL, "wb") as stream:
        np.savez(stream, item_ids=np.array(items.ids, dtype=str), item_of_row=items.item_of_row,
                 facet_rows=rows.row.astype(np.int32), facet_columns=rows.col.astype(np.int32),
                 facet_values=np.array([f"{facet}{_SEPARATOR}{value}" for facet, value in table.values], dtype=str),
                 facets=np.array(table.facets, dtype=str), units=np.array(len(item_of_unit)))
        stream.flush()
        os.fsync(stream.fileno())


def load_read_model(folder: Path, facets: Sequence[str]) -> tuple[ItemTable, FacetTable] | None:
    """The item and facet tables saved in `folder`, or None when it has none or they
    were saved for other facets (an older generation: the caller builds them from units)."""
    path = folder / READ_MODEL
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as data:
        if tuple(data["facets"].tolist()) != tuple(facets):
            return None
        items = ItemTable.from_numbers(data["item_ids"].tolist(), data["item_of_row"])
        values = [tuple(text.split(_SEPARATOR, 1)) for text in data["facet_values"].tolist()]
        table = FacetTable.from_entries(facets, values, data["facet_rows"], data["facet_columns"],
                                        int(data["units"]), items)
    return items, table


def save_updated_read_model(current: Path, folder: Path, old_rows: np.ndarray, fresh_items: Sequence[str],
                            fresh_facets: Sequence[Mapping[str, Iterable[str]]], facets: Sequence[str]) -> bool:
    """Write into `folder` the read model of a new row order derived from `current`'s:
    row r is old row `old_rows[r]`, or (where that is -1) the next of the fresh rows,
    given by item id and facet values. Costs follow the change plus a few vectorised
    passes; False (nothing written) when `current` has no read model for `facets`."""
    path = current / READ_MODEL
    if not path.exists():
        return False
    with np.load(path, allow_pickle=False) as data:
        if tuple(data["facets"].tolist()) != tuple(facets):
            return False
        old_ids, old_item_of_row = data["item_ids"], data["item_of_row"]
        values = data["facet_values"].tolist()
        old_units = int(data["units"])
        old_entries = sparse.csr_matrix((np.ones(data["facet_rows"].size, dtype=np.int8),
                                         (data["facet_rows"], data["facet_columns"])),
                                        shape=(old_units, max(1, len(values))))
    kept = np.flatnonzero(old_rows >= 0)
    fresh = np.flatnonzero(old_rows < 0)
    assert fresh.size == len(fresh_items) == len(fresh_facets)
    item_of_unit = np.empty(old_rows.size, dtype=object)
    item_of_unit[kept] = old_ids[old_item_of_row[old_rows[kept]]]
    item_of_unit[fresh] = list(fresh_items)
    item_of_unit = item_of_unit.astype(str)
    # Items numbered by first appearance, as ItemTable numbers them.
    unique, first, inverse = np.unique(item_of_unit, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    number = np.empty(order.size, dtype=np.int64)
    number[order] = np.arange(order.size)
    item_ids, item_of_row = unique[order], number[inverse.ravel()]

    column_of = {value: column for column, value in enumerate(values)}
    fresh_rows: list[int] = []
    fresh_columns: list[int] = []
    for position, unit_values in enumerate(fresh_facets):
        known = {column_of.setdefault(f"{name}{_SEPARATOR}{value}", len(column_of))
                 for name in facets for value in unit_values.get(name, ())}
        fresh_rows.extend([int(fresh[position])] * len(known))
        fresh_columns.extend(sorted(known))
    taken = old_entries[old_rows[kept]].tocoo()
    rows = np.concatenate((kept[taken.row], np.array(fresh_rows, dtype=np.int64)))
    columns = np.concatenate((taken.col.astype(np.int64), np.array(fresh_columns, dtype=np.int64)))
    # Drop values no row carries any more (a full build would not know them).
    used, columns = np.unique(columns, return_inverse=True)
    all_values = list(column_of)
    with open(folder / READ_MODEL, "wb") as stream:
        np.savez(stream, item_ids=item_ids, item_of_row=item_of_row,
                 facet_rows=rows.astype(np.int32), facet_columns=columns.ravel().astype(np.int32),
                 facet_values=np.array([all_values[column] for column in used.tolist()], dtype=str),
                 facets=np.array(tuple(facets), dtype=str), units=np.array(old_rows.size))
        stream.flush()
        os.fsync(stream.fileno())
    return True
