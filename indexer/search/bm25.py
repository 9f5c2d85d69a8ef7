"""BM25F weights as a sparse matrix: one row per unit, one column per term.

Ranking reads Whoosh's own postings once, at build time, into raw per-field term
frequencies (kept in a generation, so an update replaces only changed rows) and
folds them into BM25F weights; a query is then a sum of a few matrix columns
instead of a pure-Python walk over a matcher tree.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
from scipy import sparse
from whoosh.index import Index

from indexer.search.analysis import terms

DEFAULT_K1 = 1.2
DEFAULT_B = 0.75
FREQUENCIES = "bm25-fields.npz"


class FieldFrequencies:
    """Raw term frequencies and lengths per weighted field (one row per unit, one column
    per term), the input BM25F weights derive from. Kept in a generation so an update
    replaces the rows of changed units and derives the weights again, instead of
    re-reading every posting."""

    def __init__(self, tf: dict[str, sparse.csr_matrix], lengths: dict[str, np.ndarray],
                 vocabulary: dict[str, int]):
        self.tf = tf
        self.lengths = lengths
        self.vocabulary = vocabulary

    @classmethod
    def from_index(cls, index: Index, fields: Iterable[str]) -> "FieldFrequencies":
        """Read every posting of `fields` (row = Whoosh docnum)."""
        tf: dict[str, sparse.csr_matrix] = {}
        lengths: dict[str, np.ndarray] = {}
        vocabulary: dict[str, int] = {}
        with index.reader() as reader:
            n_docs = reader.doc_count_all()
            entries: dict[str, tuple[list[int], list[int], list[int]]] = {}
            for fieldname in fields:
                lengths[fieldname] = np.array([reader.doc_field_length(d, fieldname, 0) or 0 for d in range(n_docs)],
                                              dtype=np.float64)
                rows, cols, values = entries.setdefault(fieldname, ([], [], []))
                for term in reader.lexicon(fieldname):
                    text = term.decode("utf-8") if isinstance(term, bytes) else term
                    column = vocabulary.setdefault(text, len(vocabulary))
                    for docnum, frequency in reader.postings(fieldname, term).items_as("frequency"):
                        rows.append(docnum)
                        cols.append(column)
                        values.append(frequency)
        width = max(len(vocabulary), 1)
        for fieldname, (rows, cols, values) in entries.items():
            tf[fieldname] = sparse.csr_matrix((np.array(values, dtype=np.float64), (rows, cols)),
                                              shape=(n_docs, width))
        return cls(tf, lengths, vocabulary)

    def weights(self, field_weights: Mapping[str, float], k1: float = DEFAULT_K1,
                field_b: Mapping[str, float] | None = None) -> "BM25Matrix":
        """BM25F (Zaragoza et al. 2004): each field's term frequency is normalised by
        that field's own length, weighted, summed over fields, then saturated once
        with k1; so a title match is not drowned by a long body. Vectorised: the
        same arithmetic per entry whatever the row order."""
        field_b = field_b or {}
        n_docs = next(iter(self.tf.values())).shape[0] if self.tf else 0
        shape = (n_docs, max(len(self.vocabulary), 1))
        combined = sparse.csr_matrix(shape, dtype=np.float64)
        for fieldname, weight in field_weights.items():
            if weight == 0 or fieldname not in self.tf:
                continue
            lengths = self.lengths[fieldname]
            average = lengths.mean() if n_docs and lengths.mean() > 0 else 1.0
            b = field_b.get(fieldname, DEFAULT_B)
            divisor = 1.0 - b + b * lengths / average
            tf = self.tf[fieldname]
            if tf.shape[1] < shape[1]:
                tf = _widen(tf, shape[1])
            combined = combined + sparse.diags(weight / divisor) @ tf if n_docs else combined
        combined = combined.tocsr()
        combined.sum_duplicates()
        combined.eliminate_zeros()
        df = np.bincount(combined.indices, minlength=shape[1])
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        coo = combined.tocoo()
        data = coo.data * (k1 + 1.0) / (coo.data + k1) * idf[coo.col]
        return BM25Matrix(sparse.csc_matrix((data, (coo.row, coo.col)), shape=shape, dtype=np.float32),
                          self.vocabulary)

    def updated(self, old_rows: np.ndarray, added: Sequence[Mapping[str, str]],
                added_lengths: Mapping[str, np.ndarray], analyzer) -> "FieldFrequencies":
        """The frequencies of a new row order: row r is old row `old_rows[r]`, or (where
        that is -1) the next of `added` (records of field texts), analysed here, with its
        field lengths as Whoosh counted them."""
        vocabulary = dict(self.vocabulary)
        fresh_rows = np.flatnonzero(old_rows < 0)
        assert fresh_rows.size == len(added)
        entries: dict[str, tuple[list[int], list[int], list[float]]] = {name: ([], [], []) for name in self.tf}
        for position, record in enumerate(added):
            for fieldname, (rows, cols, values) in entries.items():
                counts: dict[int, int] = {}
                for term in terms(analyzer, record.get(fieldname, "")):
                    column = vocabulary.setdefault(term, len(vocabulary))
                    counts[column] = counts.get(column, 0) + 1
                rows.extend([position] * len(counts))
                cols.extend(counts)
                values.extend(counts.values())
        width = max(len(vocabulary), 1)
        kept = np.flatnonzero(old_rows >= 0)
        tf, lengths = {}, {}
        for fieldname, matrix in self.tf.items():
            rows, cols, values = entries[fieldname]
            fresh = sparse.csr_matrix((np.array(values, dtype=np.float64), (rows, cols)),
                                      shape=(len(added), width))
            # Below the old rows the new ones; then one gather puts every row in its place.
            source = np.where(old_rows >= 0, old_rows, 0)
            source[fresh_rows] = matrix.shape[0] + np.arange(fresh_rows.size)
            stacked = sparse.vstack([_widen(matrix, width), fresh], format="csr")
            tf[fieldname] = stacked[source]
            field_lengths = np.empty(old_rows.size, dtype=np.float64)
            field_lengths[kept] = self.lengths[fieldname][old_rows[kept]]
            field_lengths[fresh_rows] = added_lengths[fieldname]
            lengths[fieldname] = field_lengths
        return FieldFrequencies(tf, lengths, vocabulary)

    def save(self, folder: Path) -> None:
        """Write the frequencies and lengths into `folder` (beside the weights)."""
        arrays: dict[str, np.ndarray] = {}
        for fieldname, matrix in self.tf.items():
            arrays[f"{fieldname}.data"] = matrix.data.astype(np.float32)
            arrays[f"{fieldname}.indices"] = matrix.indices
            arrays[f"{fieldname}.indptr"] = matrix.indptr
            arrays[f"{fieldname}.lengths"] = self.lengths[fieldname]
        with open(folder / FREQUENCIES, "wb") as stream:
            np.savez(stream, fields=np.array(list(self.tf), dtype=str), width=np.array(max(len(self.vocabulary), 1)),
                     **arrays)

    @classmethod
    def load(cls, folder: Path, vocabulary: dict[str, int]) -> "FieldFrequencies | None":
        """Frequencies saved by `save`, or None when the generation has none."""
        if not (folder / FREQUENCIES).exists():
            return None
        tf, lengths = {}, {}
        with np.load(folder / FREQUENCIES, allow_pickle=False) as data:
            width = int(data["width"])
            for fieldname in data["fields"].tolist():
                indptr = data[f"{fieldname}.indptr"]
                tf[fieldname] = sparse.csr_matrix(
                    (data[f"{fieldname}.data"].astype(np.float64), data[f"{fieldname}.indices"], indptr),
                    shape=(indptr.size - 1, width))
                lengths[fieldname] = data[f"{fieldname}.lengths"]
        return cls(tf, lengths, vocabulary)


def _widen(matrix: sparse.csr_matrix, width: int) -> sparse.csr_matrix:
    """The same rows with more (empty) columns."""
    matrix = matrix.tocsr()
    return sparse.csr_matrix((matrix.data, matrix.indices, matrix.indptr), shape=(matrix.shape[0], width))


class BM25Matrix:
    """Precomputed BM25F weights: query scores are sums of term columns."""

    def __init__(self, weights: sparse.csc_matrix, vocabulary: dict[str, int]):
        self.weights = weights
        self.vocabulary = vocabulary

    @classmethod
    def from_index(cls, index: Index, field_weights: Mapping[str, float],
                   k1: float = DEFAULT_K1, field_b: Mapping[str, float] | None = None) -> "BM25Matrix":
        """Read every posting of the weighted fields and fold them into BM25F weights."""
        fields = [name for name, weight in field_weights.items() if weight != 0]
        return FieldFrequencies.from_index(index, fields).weights(field_weights, k1, field_b)

    def scores(self, query_terms: Iterable[str]) -> np.ndarray:
        """BM25F score of every row for the analysed query terms (duplicates count)."""
        columns = [self.vocabulary[t] for t in query_terms if t in self.vocabulary]
        if not columns:
            return np.zeros(self.weights.shape[0], dtype=np.float32)
        return np.asarray(self.weights[:, columns].sum(axis=1)).ravel()

    def save(self, folder: Path) -> None:
        """Write the matrix and its term dictionary into `folder`."""
        # Uncompressed: compressing tens of megabytes was a second of every update and
        # decompressing them a second of every open.
        sparse.save_npz(folder / "bm25.npz", self.weights, compressed=False)
        (folder / "bm25-terms.json").write_text(json.dumps(self.vocabulary), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "BM25Matrix":
        """Read a matrix written by `save`."""
        weights = sparse.load_npz(folder / "bm25.npz").tocsc()
        vocabulary = json.loads((folder / "bm25-terms.json").read_text(encoding="utf-8"))
        return cls(weights, vocabulary)
