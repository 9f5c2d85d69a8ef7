"""Keyword search: Whoosh as the index of record, ranked by a vectorised BM25F.

Whoosh owns the schema, the analysis, phrase matching and spelling; snippets reuse
its analyzer. Ranking reads Whoosh's own postings once, at build time, into a sparse matrix of
BM25F term weights (indexer.search.bm25), so a query is a sum of a few matrix columns.
There is one ranking implementation; Whoosh's scorer is never used to order results.
What a query's words ask of an item (all of them, a prefix, a typo) is planned here
from the index's vocabulary and decided in indexer.search.matching.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

import numpy as np
from scipy import sparse
from whoosh.fields import ID, TEXT, Schema
from whoosh.filedb.filestore import FileStorage, RamStorage, Storage
from whoosh.index import Index
from whoosh.query import Or, Phrase

from indexer.search.analysis import make_analyzer, make_spelling_analyzer, terms
from indexer.search.bm25 import FREQUENCIES, BM25Matrix, FieldFrequencies  # noqa: F401 - FREQUENCIES, for callers
from indexer.search.matching import QueryPlan, Vocabulary, plan_query
from indexer.search.spelling import SpellingIndex
from indexer.search.synonyms import SynonymMatch

TEXT_FIELDS = ("title", "summary", "body", "context")
PHRASE_PATTERN = re.compile(r'"([^"]+)"')
# "Did you mean" corrects at most this many words of one query: each correction
# costs a few hundred look-ups, and a query with more unknown words is not a typo.
MAX_CORRECTED_WORDS = 8
# A prefix looks at no more library words than this before picking the most frequent.
MAX_PREFIX_SCAN = 2000
DOCNUMS = "docnums.npy"
# Units of this kind give no words to "did you mean": a reader may not be allowed to
# see them, and a suggestion would reveal a word of a document hidden from them.
UNSPELLED_KIND = "document"


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


def spelling_text(record: Mapping[str, str]) -> str:
    """The words a record gives to the spelling field: its text fields, or nothing
    for a record of a kind hidden from some readers.

    >>> spelling_text({"uid": "a", "title": "Tiles", "body": "kilns"})
    'Tiles  kilns '
    >>> spelling_text({"uid": "d", "kind": "document", "title": "Secret"})
    ''
    """
    if record.get("kind") == UNSPELLED_KIND:
        return ""
    return " ".join(record.get(name, "") for name in TEXT_FIELDS)


def add_record(writer, record: Mapping[str, str]) -> None:
    """Add one record (uid, text fields, optional kind) to a Whoosh writer."""
    writer.add_document(uid=record["uid"], **{name: record.get(name, "") for name in TEXT_FIELDS},
                        spell=spelling_text(record))


def write_whoosh(records: Iterable[Mapping[str, str]], storage: Storage) -> Index:
    """Create a Whoosh index in `storage` from records with uid, text fields and kind.

    Documents are added in order in one commit, so Whoosh docnums equal record order.
    """
    index = storage.create_index(make_schema())
    writer = index.writer(limitmb=256)
    for record in records:
        add_record(writer, record)
    writer.commit()
    return index


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
