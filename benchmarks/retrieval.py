"""Retrieval benchmark on a BEIR-format folder (default: ../shared/bench/scifact).

Prints nDCG@10, Recall@100, index build time and per-query latency (median, p95,
one thread) for keyword, semantic and hybrid retrieval with the engine's own code
paths, and runs the bm25s library on the same data in the same run as a reference.
A benchmark, not a test: figures go into notes, never into assertions.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence

import numpy as np

from indexer.search.encoder import Encoder
from indexer.search.fusion import reciprocal_rank_fusion
from indexer.search.analysis import make_analyzer, terms
from indexer.search.keyword import KeywordIndex, ParsedQuery
from indexer.search.matching import all_words_first, words_held
from indexer.search.onnx_encoder import BACKENDS, make_encoder
from indexer.search.synonyms import SynonymExpander
from indexer.search.vectors import EmbeddingCache, NumpyVectorStore, top_k
from indexer.settings import DEFAULT_MODEL

DEFAULT_FOLDER = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "scifact"
BENCH_FIELD_WEIGHTS = {"title": 1.0, "body": 1.0}
DEPTH = 1000


@dataclass
class BeirData:
    """Corpus, queries and relevance judgments of one BEIR data set."""

    corpus: list[dict]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]

    @classmethod
    def load(cls, folder: Path, split: str = "test") -> "BeirData":
        """Read corpus.jsonl(.gz), queries.jsonl and qrels/<split>.tsv."""
        corpus_path = folder / "corpus.jsonl.gz"
        opener = gzip.open if corpus_path.exists() else open
        corpus_path = corpus_path if corpus_path.exists() else folder / "corpus.jsonl"
        with opener(corpus_path, "rt", encoding="utf-8") as stream:
            corpus = [json.loads(line) for line in stream if line.strip()]
        qrels: dict[str, dict[str, int]] = {}
        with open(folder / "qrels" / f"{split}.tsv", encoding="utf-8") as stream:
            next(stream)
            for line in stream:
                query_id, doc_id, score = line.rstrip("\n").split("\t")
                qrels.setdefault(query_id, {})[doc_id] = int(score)
        with open(folder / "queries.jsonl", encoding="utf-8") as stream:
            queries = {q["_id"]: q["text"] for q in map(json.loads, stream) if q["_id"] in qrels}
        return cls(corpus, queries, qrels)


def ndcg_at(ranking: list[str], relevant: dict[str, int], k: int = 10) -> float:
    """nDCG@k with graded gains.

    >>> round(ndcg_at(["a", "x", "b"], {"a": 1, "b": 1}, 10), 4)
    0.9197
    """
    dcg = sum(relevant.get(doc, 0) / math.log2(rank + 2) for rank, doc in enumerate(ranking[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum(gain / math.log2(rank + 2) for rank, gain in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def engine_keyword_scores(keyword: KeywordIndex, expander: SynonymExpander, text: str) -> np.ndarray:
    """Keyword scores of every document as the product's searcher ranks them: variants
    added, the last word completed as a prefix, typos tolerated, and a short query's
    answer kept to the documents with all its distinctive words (each document is one
    item here). Quotes are not read as phrases: SciFact claims are plain text."""
    query = ParsedQuery(phrases=(), words=expander.expand(text).replace('"', " "))
    plan = keyword.plan(text, expander.matches(text))
    size = keyword.matrix.weights.shape[0]

    def rows_holding(term: str) -> np.ndarray:
        present = np.zeros(size, dtype=bool)
        present[keyword.term_rows(term)] = True
        return present

    scores = keyword.scores(query, plan.extra_terms)
    return all_words_first(scores, words_held(plan, rows_holding, size), plan.short).scores


def recall_at(ranking: list[str], relevant: dict[str, int], k: int = 100) -> float:
    """Share of relevant documents found in the top k.

    >>> recall_at(["a", "x"], {"a": 1, "b": 1}, 100)
    0.5
    """
    positives = {doc for doc, gain in relevant.items() if gain > 0}
    return len(positives & set(ranking[:k])) / len(positives) if positives else 0.0


@dataclass
class RunResult:
    """Quality and speed of one retrieval method."""

    name: str
    ndcg10: float
    recall100: float
    build_seconds: float
    latencies: list[float]

    def row(self) -> str:
        median = statistics.median(self.latencies) * 1000
        p95 = float(np.percentile(self.latencies, 95)) * 1000
        return (f"{self.name:<22} {self.ndcg10:8.3f} {self.recall100:9.3f} {self.build_seconds:9.1f}s "
                f"{median:9.2f}ms {p95:9.2f}ms {1 / statistics.mean(self.latencies):9.1f}/s")


def evaluate(name: str, data: BeirData, search: Callable[[str], list[str]], build_seconds: float,
             rankings: dict[str, list[str]] | None = None) -> RunResult:
    """Run every query once, timing each, and score the rankings."""
    latencies, ndcgs, recalls = [], [], []
    for query_id, text in data.queries.items():
        started = time.perf_counter()
        ranking = search(text)
        latencies.append(time.perf_counter() - started)
        if rankings is not None:
            rankings[query_id] = ranking
        ndcgs.append(ndcg_at(ranking, data.qrels[query_id]))
        recalls.append(recall_at(ranking, data.qrels[query_id]))
    return RunResult(name, statistics.mean(ndcgs), statistics.mean(recalls), build_seconds, latencies)


def run_benchmark(folder: Path, semantic: bool = True, reference: bool = True,
                  limit_docs: int | None = None, echo: Callable[[str], None] = print,
                  cache_dir: Path | None = None, baseline: bool = True,
                  encoders: Sequence[str] = ("torch",), index_dir: Path | None = None) -> list[RunResult]:
    """Benchmark keyword, semantic, hybrid (and bm25s) on one BEIR folder.

    Semantic and hybrid run once per encoder backend in `encoders` ("torch",
    "onnx-int8"), so their quality and query-encoding times can be compared in one run;
    the int8 ONNX export is kept in `index_dir`/models (a temporary folder without one).
    With `cache_dir`, corpus embeddings are kept there by text hash and encoder, so a
    second run skips the slow encoding; the build time then says how many texts were encoded.
    """
    unknown = [backend for backend in encoders if backend not in BACKENDS]
    if unknown:
        raise ValueError(f"unknown encoder backend {unknown[0]!r}; choose from {', '.join(BACKENDS)}")
    import torch

    torch.set_num_threads(1)
    data = BeirData.load(folder)
    if limit_docs:
        data.corpus = data.corpus[:limit_docs]
    ids = [doc["_id"] for doc in data.corpus]
    echo(f"{folder.name}: {len(data.corpus):,} documents, {len(data.queries):,} queries with judgments")
    results: list[RunResult] = []

    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        records = [{"uid": d["_id"], "title": d.get("title", ""), "body": d.get("text", "")}
                   for d in data.corpus]
        keyword = KeywordIndex.build(records, BENCH_FIELD_WEIGHTS, Path(scratch))
        keyword.completions("", 1)  # the spelling and prefix tables, built once per index
        keyword_build = time.perf_counter() - started
        analyzer = make_analyzer()
        expander = SynonymExpander((), lambda text: terms(analyzer, text))

        def keyword_search(text: str) -> list[str]:
            return [ids[row] for row, _ in top_k(engine_keyword_scores(keyword, expander, text), DEPTH, 0.0)]

        def plain_bm25f(text: str) -> list[str]:
            return [ids[row] for row, _ in top_k(keyword.scores(ParsedQuery(phrases=(), words=text)), DEPTH, 0.0)]

        keyword_rankings: dict[str, list[str]] = {}
        results.append(evaluate("keyword (BM25F)", data, keyword_search, keyword_build, keyword_rankings))
        echo(results[-1].row())
        results.append(evaluate("BM25F, any word", data, plain_bm25f, keyword_build))
        echo(results[-1].row())
        if baseline:
            results.append(_whoosh_baseline(data, keyword, keyword_build))
            echo(results[-1].row())
        keyword.close()

    if semantic:
        for backend in encoders:
            results.extend(_semantic_runs(backend, data, ids, records, expander, keyword_build,
                                          cache_dir and cache_dir / folder.name, index_dir, echo))

    if reference:
        results.append(_bm25s_reference(data, ids))
        echo(results[-1].row())
    return results


def _semantic_runs(backend: str, data: BeirData, ids: list[str], records: list[dict],
                   expander: SynonymExpander, keyword_build: float, cache_stem: Path | None,
                   index_dir: Path | None, echo: Callable[[str], None]) -> list[RunResult]:
    """Semantic and hybrid retrieval with one encoder backend, queries encoded as the
    product encodes them (`encode_query`, one thread); prints corpus throughput and
    the query-encoding latency. Corpus embeddings are cached at `cache_stem`-....npz."""
    import torch

    label = "MiniLM-L6" if backend == "torch" else backend
    with tempfile.TemporaryDirectory() as scratch:
        # Embedding the corpus is a build step and may use every core; queries use one.
        encoder = make_encoder(backend, DEFAULT_MODEL, index_dir or Path(scratch), threads=1)
        if backend == "torch":
            encoder.threads = os.cpu_count() or 1
        started = time.perf_counter()
        texts = [(d.get("title", "") + " " + d.get("text", "")).strip() for d in data.corpus]
        if cache_stem is not None:
            suffix = "" if backend == "torch" else f"-{backend}"  # torch keeps the older runs' file
            cache = EmbeddingCache(cache_stem.with_name(f"{cache_stem.name}{suffix}-embeddings.npz"),
                                   encoder.name, encoder.dimension)
            matrix, encoded = cache.embed(texts, lambda batch: encoder.encode(batch, batch_size=64))
            cache.save()
        else:
            matrix, encoded = encoder.encode(texts, batch_size=64), len(texts)
        store = NumpyVectorStore(matrix)
        semantic_build = time.perf_counter() - started
        rate = f", {encoded / semantic_build:.1f} texts/s" if encoded else ""
        echo(f"semantic build ({encoder.name}): {encoded:,} of {len(texts):,} texts encoded in this run "
             f"({semantic_build:.1f}s{rate}, {os.cpu_count()} threads)")
        if backend == "torch":  # read when the model loads, which a cached corpus postpones
            encoder.threads = 1
        encoder.encode_query("warm up")
        torch.set_num_threads(1)
        wall, cpu = _query_encoding_ms(encoder, data)
        echo(f"query encoding ({encoder.name}, one thread): p50 {wall:.2f} ms wall, {cpu:.2f} ms CPU")

        def semantic_search(text: str) -> list[str]:
            return [ids[row] for row, _ in store.search(encoder.encode_query(text), DEPTH)]

        results = [evaluate(f"semantic ({label})", data, semantic_search, semantic_build)]
        echo(results[-1].row())
        # The hybrid timing re-runs both retrievers, on a fresh keyword index.
        keyword = KeywordIndex.build(records, BENCH_FIELD_WEIGHTS, Path(scratch) / "keyword")

        def hybrid_search(text: str) -> list[str]:
            keyword_ranking = [ids[row] for row, _ in
                               top_k(engine_keyword_scores(keyword, expander, text), DEPTH, 0.0)]
            rankings = {"keyword": keyword_ranking, "semantic": semantic_search(text)}
            return [item for item, _ in reciprocal_rank_fusion(rankings)][:DEPTH]

        results.append(evaluate(f"hybrid ({label})", data, hybrid_search, keyword_build + semantic_build))
        keyword.close()
        echo(results[-1].row())
    return results


def _query_encoding_ms(encoder: Encoder, data: BeirData) -> tuple[float, float]:
    """Median milliseconds to encode one query (after one warm-up), wall clock and CPU
    time of this process (the CPU figure holds on a machine shared with other work)."""
    queries = list(data.queries.values())
    encoder.encode_query(queries[0])
    wall, cpu = [], []
    for text in queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        encoder.encode_query(text)
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
    return statistics.median(wall) * 1000, statistics.median(cpu) * 1000


def _whoosh_baseline(data: BeirData, keyword: KeywordIndex, build_seconds: float) -> RunResult:
    """Before: the same Whoosh index ranked by Whoosh's own BM25F scorer (top 100).

    Only for the benchmark, to show what the vectorised ranking replaced; the product
    never ranks with Whoosh's scorer.
    """
    from whoosh import scoring
    from whoosh.qparser import MultifieldParser, OrGroup

    parser = MultifieldParser(list(BENCH_FIELD_WEIGHTS), keyword.index.schema, group=OrGroup)
    searcher = keyword.index.searcher(weighting=scoring.BM25F())
    try:
        def search(text: str) -> list[str]:
            query = parser.parse(text.replace('"', " "))
            return [hit["uid"] for hit in searcher.search(query, limit=100)]

        return evaluate("whoosh scorer (before)", data, search, build_seconds)
    finally:
        searcher.close()


def _bm25s_reference(data: BeirData, ids: list[str]) -> RunResult:
    import bm25s
    import Stemmer

    stemmer = Stemmer.Stemmer("english")
    started = time.perf_counter()
    corpus_tokens = bm25s.tokenize([(d.get("title", "") + " " + d.get("text", "")) for d in data.corpus],
                                   stopwords="en", stemmer=stemmer, show_progress=False)
    retriever = bm25s.BM25(k1=1.5, b=0.75)
    retriever.index(corpus_tokens, show_progress=False)
    build = time.perf_counter() - started
    depth = min(DEPTH, len(ids))

    def search(text: str) -> list[str]:
        tokens = bm25s.tokenize([text], stopwords="en", stemmer=stemmer, show_progress=False)
        found, _ = retriever.retrieve(tokens, k=depth, show_progress=False, n_threads=1)
        return [ids[row] for row in found[0]]

    return evaluate("bm25s 0.3.16 (reference)", data, search, build)


HEADER = (f"{'method':<22} {'nDCG@10':>8} {'Recall@100':>9} {'build':>10} {'median':>11} "
          f"{'p95':>11} {'queries/s':>11}")


def report(results: Iterable[RunResult], echo: Callable[[str], None] = print) -> None:
    """Print the result table and the ratios against the bm25s reference."""
    results = list(results)
    echo(HEADER)
    for result in results:
        echo(result.row())
    reference = next((r for r in results if r.name.startswith("bm25s")), None)
    keyword = next((r for r in results if r.name.startswith("keyword")), None)
    if reference and keyword:
        speed = statistics.median(reference.latencies) / statistics.median(keyword.latencies)
        echo(f"keyword vs bm25s: nDCG@10 ratio {keyword.ndcg10 / reference.ndcg10:.3f}, "
             f"median latency ratio (bm25s/keyword) {speed:.2f}")
    _compare_encoders(results, echo)
    targets = {"keyword": 0.67, "semantic": 0.64, "hybrid": 0.70}
    for result in results:
        for prefix, target in targets.items():
            if result.name.startswith(prefix):
                verdict = "meets" if result.ndcg10 >= target else "MISSES"
                echo(f"target {prefix} nDCG@10 >= {target:.2f}: {verdict} ({result.ndcg10:.3f})")


def _compare_encoders(results: list[RunResult], echo: Callable[[str], None]) -> None:
    """nDCG@10 of each other encoder backend against torch's, to four places (the
    int8 ONNX encoder must stay within 0.005)."""
    by_name = {result.name: result for result in results}
    for method in ("semantic", "hybrid"):
        torch_run = by_name.get(f"{method} (MiniLM-L6)")
        for result in results:
            if torch_run and result.name.startswith(f"{method} (") and result is not torch_run:
                echo(f"{result.name} vs {torch_run.name}: nDCG@10 {result.ndcg10:.4f} vs {torch_run.ndcg10:.4f} "
                     f"(difference {result.ndcg10 - torch_run.ndcg10:+.4f})")
