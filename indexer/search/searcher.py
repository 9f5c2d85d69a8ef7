"""Searching one index generation: keyword, semantic and hybrid, with facets.

Units are scored, then aggregated to items (a document, or a lesson on its own):
the best unit of an item stands for it and its other matching units are listed.
Hybrid mode fuses the keyword and semantic item rankings by reciprocal rank fusion
and every hit carries both ranks and scores, so a ranking can be explained.

Uploaded documents' passages carry an access token (indexer/documents/models.py); a
request carries the tokens its reader holds, and every unit whose token is not among
them is masked out before anything is scored or counted: hits, totals, facet counts,
snippets, the all-words rule's word counts and its "nothing matches" notices describe
the index as if those passages were not there. Cases and notes have no token and are
always visible. The mask is one boolean row vector made from the facet table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from indexer import models
from indexer.content.schema import INTERPRETED_FACET, REGISTRY, FieldRegistry
from indexer.documents.fields import DOCUMENT_FACETS, public_facets, search_facets
from indexer.documents.models import PUBLIC, SEARCH_KIND
from indexer.documents.units import ACCESS_FACET
from indexer.errors import InvalidInput
from indexer.search.encoder import ModelUnavailable
from indexer.search.fusion import DEFAULT_K, fuse_ranked_arrays
from indexer.search.access import AccessRows
from indexer.search.items import FacetTable, ItemTable, Ranking, load_read_model
from indexer.search.keyword import KeywordIndex, ParsedQuery
from indexer.search.matching import QueryPlan, WordsRanking, all_words_first, visible_plan, words_held
from indexer.search.snippets import SnippetMaker
from indexer.search.synonyms import SynonymExpander
from indexer.search.units import Unit, UnitTable
from indexer.search.vectors import NumpyVectorStore

MODES = ("hybrid", "keyword", "semantic")
KINDS = ("case", "note", "lesson", SEARCH_KIND)
# Facets a request may filter on: the field registry's and the documents' (never the
# internal access facet); kept under this name for old callers.
FACETS: tuple[str, ...] = public_facets(REGISTRY)
PUBLIC_ONLY = frozenset({PUBLIC})


class SearchError(InvalidInput):
    """A request that cannot be answered as asked; `parameter` names the parameter."""


@dataclass(frozen=True)
class SearchOptions:
    """Tunable ranking parameters."""

    rrf_k: int = DEFAULT_K
    keyword_weight: float = 1.0
    semantic_weight: float = 1.0
    semantic_threshold: float = 0.3
    semantic_depth: int = 200


@dataclass
class SearchRequest:
    """What a user asked for. Filters map a facet to accepted values (OR within a
    facet, AND across facets). `access` holds the reader's document access tokens
    (Documents.access_tokens); by default only public documents are found."""

    query: str
    mode: str = "hybrid"
    kinds: tuple[str, ...] = ()
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    limit: int = 10
    offset: int = 0
    access: frozenset[str] = PUBLIC_ONLY

    def validate(self, facets: tuple[str, ...] = FACETS) -> None:
        """Raise SearchError naming the first bad parameter; `facets` are those filters may name."""
        if self.mode not in MODES:
            raise SearchError("mode", f"'{self.mode}' is not one of {', '.join(MODES)}")
        for kind in self.kinds:
            if kind not in KINDS:
                raise SearchError("kind", f"'{kind}' is not one of {', '.join(KINDS)}")
        shown = tuple(facet for facet in facets if facet != ACCESS_FACET)
        for facet in self.filters:
            if facet not in shown:
                raise SearchError("filter", f"unknown facet '{facet}'; facets: {', '.join(shown)}")
        if not isinstance(self.access, frozenset) or not all(isinstance(token, str) for token in self.access):
            raise SearchError("access", "must be a frozenset of access tokens")
        if not 1 <= self.limit <= models.MAX_LIMIT:
            raise SearchError("limit", f"must be between 1 and {models.MAX_LIMIT}")
        if self.offset < 0:
            raise SearchError("offset", "must not be negative")
        if len(self.query) > models.MAX_QUERY:
            raise SearchError("q", f"is longer than {models.MAX_QUERY} characters")


@dataclass
class Hit:
    """One result item, with the unit that matched best and how it was scored."""

    id: str
    kind: str
    title: str
    score: float
    snippet: str
    snippet_html: str
    section: str
    doc_id: str
    explanation: dict
    other_matches: list[dict] = field(default_factory=list)
    anchor: str | None = None

    def to_model(self) -> models.Hit:
        """The typed answer (built without validation: the searcher made every value)."""
        return models.Hit.model_construct(
            id=self.id, kind=self.kind, title=self.title, score=self.score, snippet=self.snippet,
            snippet_html=self.snippet_html, section=self.section, doc_id=self.doc_id,
            anchor=self.anchor,
            explanation=models.Explanation.model_construct(**self.explanation),
            other_matches=[models.OtherMatch.model_construct(**other) for other in self.other_matches])

    def to_dict(self) -> dict:
        """JSON-ready form, produced by the typed model."""
        return self.to_model().model_dump()


@dataclass
class SearchResponse:
    """A page of results with facet counts over all matching items."""

    query: str
    mode: str
    total: int
    results: list[Hit]
    facets: dict[str, dict[str, int]]
    suggestion: str | None
    expanded_query: str
    notices: list[str] = field(default_factory=list)
    # Facet -> value -> how many of the counted items hold it as an interpretation.
    interpreted: dict[str, dict[str, int]] = field(default_factory=dict)

    def to_model(self) -> models.SearchResponse:
        """The typed answer (built without validation: the searcher made every value)."""
        return models.SearchResponse.model_construct(
            query=self.query, mode=self.mode, total=self.total,
            results=[hit.to_model() for hit in self.results], facets=self.facets,
            suggestion=self.suggestion, expanded_query=self.expanded_query, notices=self.notices,
            interpreted=self.interpreted)

    def to_dict(self) -> dict:
        """JSON-ready form (the CLI's --json and the API's shape), produced by the typed model."""
        return self.to_model().model_dump()


class Searcher:
    """Answers search requests over one generation. Thread-safe for reading."""

    def __init__(self, units: Sequence[Unit], keyword: KeywordIndex, vectors: NumpyVectorStore | None,
                 expander: SynonymExpander, encode_query: Callable[[str], np.ndarray] | None,
                 options: SearchOptions = SearchOptions(), registry: FieldRegistry = REGISTRY,
                 tables: tuple[ItemTable, FacetTable] | None = None):
        self.units = units
        self.keyword = keyword
        self.vectors = vectors
        self.expander = expander
        self.encode_query = encode_query
        self.options = options
        if tables is None:
            items = ItemTable([unit.item_id for unit in units])
            tables = items, FacetTable(search_facets(registry), [unit.facets for unit in units], items)
        self.items, self.facet_table = tables
        self.access = AccessRows(self.facet_table)
        # Filters may name every facet but access, also a document facet of an index that
        # holds no document yet (it then matches nothing); answers show the registry's
        # facets, and the documents' once the index holds any.
        self.filterable = public_facets(registry)
        holds_documents = (("kind", SEARCH_KIND) in self.facet_table.columns)
        self.facets = tuple(registry.facets) + tuple(
            facet.name for facet in DOCUMENT_FACETS
            if holds_documents and not facet.internal and facet.name not in registry.facets)
        self.snippets = SnippetMaker(keyword.tokens)

    @classmethod
    def open(cls, folder: Path, expander: SynonymExpander,
             encode_query: Callable[[str], np.ndarray] | None,
             options: SearchOptions = SearchOptions()) -> "Searcher":
        """Open the generation in `folder`: its saved item and facet arrays and a lazy
        unit table when it has them, else (an older generation) every unit parsed."""
        tables = load_read_model(folder, search_facets(REGISTRY))
        units: Sequence[Unit]
        if tables is not None:
            units = UnitTable(folder / "units.jsonl")
        else:
            with open(folder / "units.jsonl", encoding="utf-8") as stream:
                units = [Unit.from_dict(json.loads(line)) for line in stream]
        vectors_path = folder / "vectors.npy"
        vectors = NumpyVectorStore.load(vectors_path) if vectors_path.exists() else None
        return cls(units, KeywordIndex.open(folder), vectors, expander,
                   encode_query if vectors is not None else None, options, tables=tables)

    def close(self) -> None:
        """Release index files."""
        self.keyword.close()

    def facet_counts(self, access: frozenset[str] = PUBLIC_ONLY) -> dict[str, dict[str, int]]:
        """Facet counts over every item in the index that a reader holding the `access`
        tokens may find (by default: public documents only)."""
        visible = self.access.items(access, self.items)
        every = np.arange(len(self.items)) if visible is None else np.flatnonzero(visible)
        return self._shown_counts(every)[0]

    def rows_of(self, item_id: str) -> list[int]:
        """Unit rows of one item (a document's own unit and sections, or a lesson)."""
        number = self.items.number.get(item_id)
        return [] if number is None else self.items.rows(number).tolist()

    @property
    def semantic_available(self) -> bool:
        """True when this generation has vectors and a query encoder."""
        return self.vectors is not None and self.encode_query is not None

    def search(self, request: SearchRequest) -> SearchResponse:
        """Run one request."""
        request.validate(self.filterable)
        visible = self.access.rows(request.access)
        notices: list[str] = []
        mode = request.mode
        if mode != "keyword" and not self.semantic_available:
            if mode == "semantic":
                raise SearchError("mode", "semantic search is unavailable: the index has no vectors "
                                          "or the model cannot be loaded; use mode=keyword")
            notices.append("semantic search is unavailable; showing keyword results only")
            mode = "keyword"
        expanded = self.expander.expand(request.query)
        parsed = ParsedQuery.parse(expanded)
        typed = ParsedQuery.parse(request.query).words
        plan = self.keyword.plan(typed, self.expander.matches(typed))
        if visible is not None:
            plan = visible_plan(plan, lambda term: bool(visible[self.keyword.term_rows(term)].any()))
        mask = self._mask(request, visible)
        wanted = request.offset + request.limit
        rankings: dict[str, Ranking] = {}
        unit_scores: dict[str, np.ndarray] = {}
        # Items a short query's answer keeps to, in every mode (None: no such limit).
        all_words: np.ndarray | None = None
        if mode in ("keyword", "hybrid") and (parsed.words or parsed.phrases):
            scores = self.keyword.scores(parsed, plan.extra_terms)
            if mask is not None:
                scores = scores * mask
            unit_scores["keyword"] = scores
            ranked = self._all_words_first(self.items.best_scores(scores), plan, visible)
            if ranked.narrowed:
                all_words = ranked.scores > 0
            notices.extend(_matching_notices(plan, ranked))
            # Alone, keyword needs only its page ordered; fusion needs every rank.
            rankings["keyword"] = Ranking.of(ranked.scores, 0.0, prefix=wanted if mode == "keyword" else None)
        if mode in ("semantic", "hybrid") and request.query.strip():
            try:
                scores = self._semantic_scores(parsed, mask)
            except ModelUnavailable as exc:
                if mode == "semantic":
                    raise SearchError("mode", f"semantic search is unavailable: {exc}") from exc
                notices.append(f"semantic search is unavailable ({exc}); showing keyword results only")
                mode = "keyword"
            else:
                unit_scores["semantic"] = scores
                best = self.items.best_scores(scores)
                if all_words is not None:  # meaning reorders the all-words set, never widens it
                    best = np.where(all_words, best, -np.inf)
                rankings["semantic"] = Ranking.of(best, self.options.semantic_threshold,
                                                  depth=self.options.semantic_depth)
        if mode == "hybrid":
            weights = {"keyword": self.options.keyword_weight, "semantic": self.options.semantic_weight}
            matched, fused = fuse_ranked_arrays([(ranking.order, weights[name]) for name, ranking in rankings.items()],
                                                len(self.items), k=self.options.rrf_k)
            page = list(zip(matched[request.offset:wanted].tolist(), fused[request.offset:wanted].tolist()))
        elif mode in rankings:
            # A single retriever: order by its own score, reported as the score.
            only = rankings[mode]
            matched = only.matched
            page = [(item, round(float(only.best[item]), 6)) for item in only.order[request.offset:wanted].tolist()]
        else:
            matched, page = np.zeros(0, dtype=np.int64), []
        wanted_terms = set(self.keyword.query_terms(parsed)) if page else set()
        hits = [self._hit(item, score, rankings, unit_scores, wanted_terms) for item, score in page]
        suggestion = None
        if request.query.strip():
            # Words the glossary knows (abbreviations such as LQ) are not misspellings.
            known = [word for word in request.query.split() if self.expander.expansions(word)]
            suggestion = self.keyword.suggest(ParsedQuery.parse(request.query), skip=known)
        shown, interpreted = self._shown_counts(matched)
        return SearchResponse(
            query=request.query, mode=request.mode, total=int(matched.size), results=hits,
            facets=shown, suggestion=suggestion,
            expanded_query=expanded,
            notices=notices, interpreted=interpreted,
        )

    # -- internals ---------------------------------------------------------------

    def _shown_counts(self, items: np.ndarray) -> tuple[dict[str, dict[str, int]], dict[str, dict[str, int]]]:
        """Facet counts of `items` for the facets answers show (never the access facet),
        and per shown facet and value how many of them hold it as an interpretation."""
        counts = self.facet_table.counts(items, len(self.items))
        interpreted: dict[str, dict[str, int]] = {}
        for entry, count in counts.get(INTERPRETED_FACET, {}).items():
            facet, _, value = entry.partition("=")
            if facet in self.facets:
                interpreted.setdefault(facet, {})[value] = count
        return {facet: counts.get(facet, {}) for facet in self.facets}, interpreted

    def _items_holding(self, term: str, visible: np.ndarray | None = None) -> np.ndarray:
        """True for every item with a unit (a `visible` one) that contains the analysed `term`."""
        rows = self.keyword.term_rows(term)
        if visible is not None:
            rows = rows[visible[rows]]
        present = np.zeros(len(self.items), dtype=bool)
        present[self.items.item_of_row[rows]] = True
        return present

    def _all_words_first(self, best: np.ndarray, plan: QueryPlan, visible: np.ndarray | None) -> WordsRanking:
        """The all-words rule over the items the reader may see: which words are common,
        and how many words the best items hold, are counted among those items only."""
        if visible is None:
            return all_words_first(best, words_held(plan, self._items_holding, len(self.items)), plan.short)
        shown = np.flatnonzero(visible[self.items.first_row])
        held = words_held(plan, lambda term: self._items_holding(term, visible)[shown], shown.size)
        ranked = all_words_first(best[shown], held, plan.short)
        scores = np.zeros_like(best)
        scores[shown] = ranked.scores
        return WordsRanking(scores, ranked.held, ranked.of)

    def _mask(self, request: SearchRequest, visible: np.ndarray | None) -> np.ndarray | None:
        """Units the request's filters, kinds and access tokens accept, or None when all."""
        wanted = dict(request.filters)
        if request.kinds:
            wanted["kind"] = tuple(request.kinds)
        mask = self.facet_table.mask(wanted)
        if visible is None:
            return mask
        return visible if mask is None else mask & visible

    def _semantic_scores(self, parsed: ParsedQuery, mask: np.ndarray | None) -> np.ndarray:
        assert self.vectors is not None and self.encode_query is not None
        text = " ".join((parsed.words,) + parsed.phrases)
        similarities = self.vectors.similarities(self.encode_query(text))
        for phrase in parsed.phrases:  # quoted phrases are a hard constraint in every mode
            phrase_rows = self.keyword.phrase_mask(phrase) > 0
            mask = phrase_rows if mask is None else mask & phrase_rows
        return similarities if mask is None else np.where(mask, similarities, -np.inf)

    def _hit(self, item: int, score: float, rankings: dict[str, Ranking],
             unit_scores: dict[str, np.ndarray], wanted: set[str]) -> Hit:
        explanation: dict = {"fused_score": round(score, 6)}
        best_row = None
        for mode in ("keyword", "semantic"):
            ranking = rankings.get(mode)
            rank = ranking.rank_of(item) if ranking is not None else None
            explanation[f"{mode}_rank"] = rank
            explanation[f"{mode}_score"] = round(float(ranking.best[item]), 6) if ranking and rank else None
            if rank and best_row is None:
                best_row = self.items.best_row(item, unit_scores[mode])
        assert best_row is not None
        unit = self.units[best_row]
        others = [
            {"section": self.units[row].section, "kind": self.units[row].kind,
             "doc_id": self.units[row].doc_id, "anchor": self.units[row].anchor}
            for row in self.items.rows(item).tolist()
            if row != best_row and self.units[row].unit_type in ("section", "passage")
            and self.keyword.row_has_any(row, wanted)  # only sections that share query terms
        ][:models.MAX_OTHER_MATCHES]
        text = unit.body or unit.summary
        snippet = self.snippets.make(unit.uid, text, wanted)
        return Hit(
            id=self.items.ids[item], kind=unit.kind, title=unit.item_title, score=round(score, 6),
            snippet=snippet.text, snippet_html=snippet.html, section=unit.section, doc_id=unit.doc_id,
            explanation=explanation, other_matches=others, anchor=unit.anchor,
        )


def _matching_notices(plan: QueryPlan, ranked: WordsRanking) -> list[str]:
    """What the answer did with the query's words, when it is not the obvious."""
    notices = []
    if plan.unknown_words and plan.required:
        notices.append("Nothing in the library matches " + ", ".join(f"'{w}'" for w in plan.unknown_words)
                       + "; the results hold the other words")
    if ranked.narrowed and not ranked.all_words:
        notices.append("No result holds all the words; showing those that hold some of them")
    return notices
