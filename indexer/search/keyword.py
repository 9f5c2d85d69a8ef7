"""Keyword search: Whoosh as the index of record, ranked by a vectorised BM25F.

Whoosh owns the schema, the analysis, phrase matching and spelling; snippets reuse
its analyzer. Ranking reads Whoosh's own postings once, at build time, into a sparse matrix of
BM25F term weights (one row per unit, one column per term), so a query is a sum of
a few matrix columns instead of a pure-Python walk over a matcher tree. There is one
ranking implementation; Whoosh's scorer is never used to order results.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
from scipy import sparse
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage, RamStorage, Storage
from whoosh.index import Index
from whoosh.query import Or, Phrase

from indexer.search.analysis import make_analyzer, make_spelling_analyzer, terms
from indexer.search.matching import QueryPlan, Vocabulary, plan_query
from indexer.search.spelling import SpellingIndex
from indexer.search.synonyms import SynonymMatch

TEXT_FIELDS = ("title", "summary", "body", "context")
PHRASE_PATTERN = re.compile(r'"([^"]+)"')
DEFAULT_K1 = 1.2
DEFAULT_B = 0.75
# "Did you mean" corrects at most this many words of one query: each correction
# costs a few hundred look-ups, and a query with more unknown words is not a typo.
MAX_CORRECTED_WORDS = 8
# A prefix looks at no more library words than this before picking the most frequent.
MAX_PREFIX_SCAN = 2000
FREQUENCIES = "bm25-fields.npz"
DOCNUMS = "docnums.npy"


def make_schema() -> Schema:
    """Whoosh schema for units: id, four weighted text fields, a spelling field."""
    analyzer = make_analyzer()
    return Schema(
        uid=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, phrase=True),
        summary=TEXT(analyzer=analyzer, phrase=True),
        body=TEXT(analyzer=analyzer, phrase=True),
        context=TEXT(analyzer=analyzer, phrase=True),
        spell=TEXT(analyzer=make_spelling_analyzer(), phrase=False),
    )


@dataclass(frozen=True)
class ParsedQuery:
    """A query split into quoted phrases and free words."""

    phrases: tuple[str, ...]
    words: str

    @classmethod
    def parse(cls, text: str) -> "ParsedQuery":
        """Split out "quoted phrases".

        >>> ParsedQuery.parse('tile "cooperation collapsed" crisis')
        ParsedQuery(phrases=('cooperation collapsed',), words='tile crisis')
        """
        phrases = tuple(p.strip() for p in PHRASE_PATTERN.findall(text) if p.strip())
        return cls(phrases, " ".join(PHRASE_PATTERN.sub(" ", text).replace('"', " ").split()))


def write_whoosh(records: Iterable[Mapping[str, str]], storage: Storage) -> Index:
    """Create a Whoosh index in `storage` from records with uid and text fields.

    Documents are added in order in one commit, so Whoosh docnums equal record order.
    """
    index = storage.create_index(make_schema())
    writer = index.writer(limitmb=256)
    for record in records:
        writer.add_document(
            uid=record["uid"], **{name: record.get(name, "") for name in TEXT_FIELDS},
            spell=" ".join(record.get(name, "") for name in TEXT_FIELDS),
        )
    writer.commit()
    return index


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
        # Stack the kept old rows and the new ones, then put every row in its place.
        place = np.empty(old_rows.size, dtype=np.int64)
        place[kept] = np.arange(kept.size)
        place[fresh_rows] = kept.size + np.arange(fresh_rows.size)
        inverse = np.argsort(place)  # stacked position -> new row
        order = np.argsort(inverse)  # new row -> stacked position
        tf, lengths = {}, {}
        for fieldname, matrix in self.tf.items():
            rows, cols, values = entries[fieldname]
            fresh = sparse.csr_matrix((np.array(values, dtype=np.float64), (rows, cols)),
                                      shape=(len(added), width))
            stacked = sparse.vstack([_widen(matrix[old_rows[kept]], width), fresh], format="csr")
            tf[fieldname] = stacked[order]
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
        sparse.save_npz(folder / "bm25.npz", self.weights)
        (folder / "bm25-terms.json").write_text(json.dumps(self.vocabulary), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> "BM25Matrix":
        """Read a matrix written by `save`."""
        weights = sparse.load_npz(folder / "bm25.npz").tocsc()
        vocabulary = json.loads((folder / "bm25-terms.json").read_text(encoding="utf-8"))
        return cls(weights, vocabulary)


class KeywordIndex:
    """Keyword ranking, phrase filtering, highlighting and spelling over one index."""

    def __init__(self, index: Index, matrix: BM25Matrix, docnums: np.ndarray | None = None):
        self.index = index
        self.matrix = matrix
        # Whoosh docnum of each row, when an update made them differ (None: the same).
        self._row_of_docnum: np.ndarray | None = None
        if docnums is not None:
            self._row_of_docnum = np.full(int(docnums.max(initial=-1)) + 1, -1, dtype=np.int64)
            self._row_of_docnum[docnums] = np.arange(docnums.size)
        self.analyzer = make_analyzer()
        self._spell_analyzer = make_spelling_analyzer()
        self._searcher = index.searcher()
        self._spelling: SpellingIndex | None = None
        self._sorted_words: list[str] | None = None
        # Row-major copy for "which terms does this unit hold", made on the first such
        # question rather than on open (a second copy of the matrix costs start time).
        self._rows: sparse.csr_matrix | None = None

    @classmethod
    def build(cls, records: list[Mapping[str, str]], field_weights: Mapping[str, float],
              folder: Path | None = None, field_b: Mapping[str, float] | None = None) -> "KeywordIndex":
        """Index records in `folder` (on disk) or in memory when folder is None.

        `field_b` sets BM25's length normalisation per field (default 0.75)."""
        storage: Storage
        if folder is None:
            storage = RamStorage()
        else:
            (folder / "whoosh").mkdir(parents=True, exist_ok=True)
            storage = FileStorage(str(folder / "whoosh"))
        index = write_whoosh(records, storage)
        frequencies = FieldFrequencies.from_index(index, [name for name, weight in field_weights.items() if weight])
        matrix = frequencies.weights(field_weights, field_b=field_b)
        if folder is not None:
            matrix.save(folder)
            frequencies.save(folder)
        return cls(index, matrix)

    @classmethod
    def open(cls, folder: Path) -> "KeywordIndex":
        """Open an index written by `build(folder=...)`."""
        index = FileStorage(str(folder / "whoosh")).open_index()
        docnums = np.load(folder / DOCNUMS) if (folder / DOCNUMS).exists() else None
        return cls(index, BM25Matrix.load(folder), docnums)

    def close(self) -> None:
        """Release the Whoosh searcher's files."""
        self._searcher.close()

    def query_terms(self, query: ParsedQuery) -> list[str]:
        """Analysed terms of the whole query, phrases included, duplicates kept."""
        text = " ".join((query.words,) + query.phrases)
        return terms(self.analyzer, text)

    def scores(self, query: ParsedQuery, extra_terms: Iterable[str] = ()) -> np.ndarray:
        """BM25F scores of every unit (with `extra_terms`, analysed terms a query plan
        adds: prefix completions, typo fixes); units missing a quoted phrase score 0."""
        scores = self.matrix.scores(self.query_terms(query) + list(extra_terms))
        for phrase in query.phrases:
            scores = scores * self.phrase_mask(phrase)
        return scores

    def phrase_mask(self, phrase: str) -> np.ndarray:
        """1.0 for units that contain `phrase` in any text field, else 0.0."""
        words = terms(self.analyzer, phrase)
        mask = np.zeros(self.matrix.weights.shape[0], dtype=np.float32)
        if not words:
            return mask + 1.0
        if len(words) == 1:
            column = self.matrix.vocabulary.get(words[0])
            if column is not None:
                mask[self.matrix.weights[:, column].nonzero()[0]] = 1.0
            return mask
        query = Or([Phrase(name, words) for name in TEXT_FIELDS])
        docnums = np.fromiter(query.docs(self._searcher), dtype=np.int64)
        if self._row_of_docnum is not None:
            docnums = self._row_of_docnum[docnums[docnums < self._row_of_docnum.size]]
            docnums = docnums[docnums >= 0]
        mask[docnums] = 1.0
        return mask

    def plan(self, words: str, synonyms: Iterable[SynonymMatch] = ()) -> QueryPlan:
        """The concepts of a query's free words (see indexer.search.matching);
        `synonyms` are the glossary and variant mentions found in the same text."""
        spans = [(token.text, token.startchar, token.endchar)
                 for token in self._spell_analyzer(words, chars=True, positions=False)]
        vocabulary = Vocabulary(stem=lambda text: terms(self.analyzer, text),
                                known=lambda term: term in self.matrix.vocabulary,
                                completions=self.completions, correction=self._correction)
        return plan_query(spans, vocabulary, synonyms, typed_words=len(re.findall(r"\w+", words)))

    def term_rows(self, term: str) -> np.ndarray:
        """Rows of the units that contain the analysed `term` (in a weighted field)."""
        column = self.matrix.vocabulary.get(term)
        if column is None:
            return np.zeros(0, dtype=np.int64)
        weights = self.matrix.weights
        return weights.indices[weights.indptr[column]:weights.indptr[column + 1]]

    def completions(self, prefix: str, limit: int) -> list[str]:
        """Library words (folded, unstemmed) that start with `prefix` and are longer,
        the most frequent first, at most `limit`."""
        spelling = self._spelling_index()
        if self._sorted_words is None:
            self._sorted_words = sorted(spelling.frequency)  # two racing threads sort equal copies
        words = self._sorted_words
        start = bisect_left(words, prefix)
        found = []
        for word in words[start:start + MAX_PREFIX_SCAN]:
            if not word.startswith(prefix):
                break
            if word != prefix:
                found.append(word)
        found.sort(key=lambda word: (-spelling.frequency[word], word))
        return found[:limit]

    def _correction(self, word: str) -> str | None:
        return self._spelling_index().suggest(word)

    def tokens(self, text: str) -> list[tuple[str, int, int]]:
        """(analysed term, start, end) of every token of `text`, for highlighting."""
        return [(token.text, token.startchar, token.endchar)
                for token in self.analyzer(text, chars=True, positions=False)]

    def row_has_any(self, row: int, query_terms: Iterable[str]) -> bool:
        """Does unit `row` contain at least one of the analysed terms?"""
        columns = [self.matrix.vocabulary[t] for t in query_terms if t in self.matrix.vocabulary]
        if not columns:
            return False
        if self._rows is None:
            self._rows = self.matrix.weights.tocsr()  # two racing threads build equal copies
        held = self._rows.indices[self._rows.indptr[row]:self._rows.indptr[row + 1]].tolist()
        return not set(columns).isdisjoint(held)

    def unknown_words(self, query: ParsedQuery) -> list[str]:
        """Query words that match nothing in the index, even after stemming."""
        unknown = []
        for word in terms(self._spell_analyzer, query.words):
            stemmed = terms(self.analyzer, word)
            if stemmed and all(term not in self.matrix.vocabulary for term in stemmed):
                unknown.append(word)
        return unknown

    def suggest(self, query: ParsedQuery, skip: Iterable[str] = ()) -> str | None:
        """The query with unknown words replaced by the closest indexed words, or None.

        Candidates lie within two edits; the nearest wins, then the most frequent. Only
        the first MAX_CORRECTED_WORDS unknown words are corrected.
        """
        skipped = {word.casefold() for word in skip}
        unknown = [word for word in self.unknown_words(query) if word not in skipped][:MAX_CORRECTED_WORDS]
        if not unknown:
            return None
        spelling = self._spelling_index()
        replacements = {word: found for word in unknown if (found := spelling.suggest(word))}
        if not replacements:
            return None

        def replace(match: re.Match) -> str:
            folded = terms(self._spell_analyzer, match.group(0))
            return replacements.get(folded[0], match.group(0)) if folded else match.group(0)

        return re.sub(r"\w+", replace, query.words)

    def _spelling_index(self) -> SpellingIndex:
        if self._spelling is None:
            with self.index.reader() as reader:
                words = [(term.decode("utf-8") if isinstance(term, bytes) else term,
                          reader.doc_frequency("spell", term)) for term in reader.lexicon("spell")]
            self._spelling = SpellingIndex(words)
        return self._spelling
