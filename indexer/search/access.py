"""Which units of a generation a reader may find, as a boolean row mask.

Uploaded documents' passages carry an `access` facet value (indexer/documents/models.py
access_token); units without one (cases, notes, lessons) are visible to everybody. The
mask is made from the facet table's access columns, so asking costs a few slices of a
sparse column index, never a loop over units.
"""

from __future__ import annotations

import numpy as np

from indexer.documents.units import ACCESS_FACET
from indexer.search.items import FacetTable, ItemTable


class AccessRows:
    """Which units a reader may find, from the facet table's access column: units
    without an access token (cases, notes, lessons) always; a document's passages when
    the reader holds their token. Built once per generation, asked once per request."""

    def __init__(self, facets: FacetTable):
        self._size = facets.by_row.shape[0]
        self._columns = {value: column for (facet, value), column in facets.columns.items() if facet == ACCESS_FACET}
        self._by_row = facets.by_row.tocsc()  # column-major (no copy when it is): a column's rows are one slice
        self._guarded: np.ndarray | None = None
        if self._columns:
            guarded = np.zeros(self._size, dtype=bool)
            for column in self._columns.values():
                guarded[self._rows_of(column)] = True
            self._guarded = guarded

    def _rows_of(self, column: int) -> np.ndarray:
        start, end = self._by_row.indptr[column], self._by_row.indptr[column + 1]
        return self._by_row.indices[start:end]

    def rows(self, tokens: frozenset[str]) -> np.ndarray | None:
        """True for every unit a reader holding `tokens` may find; None when the index
        holds no unit with a token (nothing to mask)."""
        if self._guarded is None:
            return None
        visible = ~self._guarded
        for token in tokens:
            column = self._columns.get(token)
            if column is not None:
                visible[self._rows_of(column)] = True
        return visible

    def items(self, tokens: frozenset[str], items: ItemTable) -> np.ndarray | None:
        """True for every item a reader holding `tokens` may find (None: every item);
        an item's units share its access, so its first unit speaks for it."""
        visible = self.rows(tokens)
        return None if visible is None else visible[items.first_row]
