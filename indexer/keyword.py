"""Keyword search: Whoosh as the index of record, ranked by a vectorised BM25F.

Whoosh owns the schema, the analysis, phrase matching, highlighting and spelling.
Ranking reads Whoosh's own postings once, at build time, into a sparse matrix of
BM25F term weights (one row per unit, one column per term), so a query is a sum of
a few matrix columns instead of a pure-Python walk over a matcher tree. There is one
ranking implementation; Whoosh's scorer is never used to order results.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
from scipy import sparse
from whoosh import highlight
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage, RamStorage, Storage
from whoosh.index import Index
from whoosh.query import Or, Phrase

from .analysis import make_analyzer, make_spelling_analyzer, terms

TEXT_FIELDS = ("title", "summary", "body")
PHRASE_PATTERN = re.compile(r'"([^"]+)"')
DEFAULT_K1 = 1.2
DEFAULT_B = 0.75


def make_schema() -> Schema:
    """Whoosh schema for units: id, three weighted text fields, a spelling field."""
    analyzer = make_analyzer()
    return Schema(
        uid=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, phrase=True),
        summary=TEXT(analyzer=analyzer, phrase=True),
        body=TEXT(analyzer=analyzer, phrase=True),
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
    """Create a Whoosh index in `storage` from records with uid/title/summary/body.

    Documents are added in order in one commit, so Whoosh docnums equal record order.
    """
    index = storage.create_index(make_schema())
    writer = index.writer(limitmb=256)
    for record in records:
        writer.add_document(
            uid=record["uid"], title=record.get("title", ""), summary=record.get("summary", ""),
            body=record.get("body", ""),
            spell=" ".join(record.get(name, "") for name in TEXT_FIELDS),
        )
    writer.commit()
    return index


class BM25Matrix:
    """Precomputed BM25F weights: query scores are sums of term columns."""

    def __init__(self, weights: sparse.csc_matrix, vocabulary: dict[str, int]):
        self.weights = weights
        self.vocabulary = vocabulary

    @classmethod
    def from_index(cls, index: Index, field_weights: Mapping[str, float],
                   k1: float = DEFAULT_K1, b: float = DEFAULT_B) -> "BM25Matrix":
        """Read every posting of the weighted fields and fold them into BM25F weights.

        BM25F as in Robertson et al.: term frequencies and lengths are summed over
        fields with their weights, then saturated once with k1 and normalised with b.
        """
        with index.reader() as reader:
            n_docs = reader.doc_count_all()
            vocabulary: dict[str, int] = {}
            rows: list[int] = []
            cols: list[int] = []
            values: list[float] = []
            lengths = np.zeros(n_docs, dtype=np.float64)
            for fieldname, weight in field_weights.items():
                if weight == 0:
                    continue
                for docnum in range(n_docs):
                    lengths[docnum] += weight * (reader.doc_field_length(docnum, fieldname, 0) or 0)
                for term in reader.lexicon(fieldname):
                    text = term.decode("utf-8") if isinstance(term, bytes) else term
                    column = vocabulary.setdefault(text, len(vocabulary))
                    postings = reader.postings(fieldname, term)
                    for docnum, frequency in postings.items_as("frequency"):
                        rows.append(docnum)
                        cols.append(column)
                        values.append(weight * frequency)
        tf = sparse.csr_matrix((values, (rows, cols)), shape=(n_docs, max(len(vocabulary), 1)))
        tf.sum_duplicates()
        df = np.diff(tf.tocsc().indptr)
        idf = np.log(1.0 + (n_docs - df + 0.5) / (df + 0.5))
        average = lengths.mean() if n_docs else 1.0
        norm = k1 * (1.0 - b + b * lengths / (average or 1.0))
        coo = tf.tocoo()
        data = coo.data * (k1 + 1.0) / (coo.data + norm[coo.row]) * idf[coo.col]
        weights = sparse.csc_matrix((data, (coo.row, coo.col)), shape=tf.shape, dtype=np.float32)
        return cls(weights, vocabulary)

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

    def __init__(self, index: Index, matrix: BM25Matrix):
        self.index = index
        self.matrix = matrix
        self.analyzer = make_analyzer()
        self._spell_analyzer = make_spelling_analyzer()
        self._searcher = index.searcher()

    @classmethod
    def build(cls, records: list[Mapping[str, str]], field_weights: Mapping[str, float],
              folder: Path | None = None) -> "KeywordIndex":
        """Index records in `folder` (on disk) or in memory when folder is None."""
        storage: Storage
        if folder is None:
            storage = RamStorage()
        else:
            (folder / "whoosh").mkdir(parents=True, exist_ok=True)
            storage = FileStorage(str(folder / "whoosh"))
        index = write_whoosh(records, storage)
        matrix = BM25Matrix.from_index(index, field_weights)
        if folder is not None:
            matrix.save(folder)
        return cls(index, matrix)

    @classmethod
    def open(cls, folder: Path) -> "KeywordIndex":
        """Open an index written by `build(folder=...)`."""
        index = FileStorage(str(folder / "whoosh")).open_index()
        return cls(index, BM25Matrix.load(folder))

    def close(self) -> None:
        """Release the Whoosh searcher's files."""
        self._searcher.close()

    def query_terms(self, query: ParsedQuery) -> list[str]:
        """Analysed terms of the whole query, phrases included, duplicates kept."""
        text = " ".join((query.words,) + query.phrases)
        return terms(self.analyzer, text)

    def scores(self, query: ParsedQuery) -> np.ndarray:
        """BM25F scores of every unit; units missing a quoted phrase score 0."""
        scores = self.matrix.scores(self.query_terms(query))
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
        for docnum in query.docs(self._searcher):
            mask[docnum] = 1.0
        return mask

    def highlight(self, text: str, query: ParsedQuery, html: bool = False, top: int = 2) -> str:
        """Best fragments of `text` around the query's terms, or '' when none match.

        With html=True the text is escaped and matches are wrapped in <mark>.
        """
        wanted = set(self.query_terms(query))
        if not wanted or not text:
            return ""
        formatter = (highlight.HtmlFormatter(tagname="mark", classname="", termclass="")
                     if html else _PlainFormatter())
        fragmenter = highlight.ContextFragmenter(maxchars=220, surround=60)
        return highlight.highlight(text, wanted, self.analyzer, fragmenter, formatter, top=top)

    def unknown_words(self, query: ParsedQuery) -> list[str]:
        """Query words (accent-folded, unstemmed) that occur nowhere in the index."""
        with self.index.reader() as reader:
            return [word for word in terms(self._spell_analyzer, query.words)
                    if not reader.frequency("spell", word)]

    def suggest(self, query: ParsedQuery) -> str | None:
        """A corrected query when some words are unknown and have a close known word."""
        unknown = set(self.unknown_words(query))
        if not unknown:
            return None
        with self.index.reader() as reader:
            corrector = reader.corrector("spell")
            replacements = {}
            for word in unknown:
                found = corrector.suggest(word, limit=1, maxdist=2)
                if found:
                    replacements[word] = found[0]
        if not replacements:
            return None

        def replace(match: re.Match) -> str:
            folded = terms(self._spell_analyzer, match.group(0))
            return replacements.get(folded[0], match.group(0)) if folded else match.group(0)

        return re.sub(r"\w+", replace, query.words)


class _PlainFormatter(highlight.Formatter):
    """Fragments as plain text with matches between square brackets."""

    between = " … "

    def format_token(self, text, token, replace=False):  # noqa: D401 - Whoosh API
        return "[" + highlight.get_text(text, token, replace) + "]"

