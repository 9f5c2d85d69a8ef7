"""Documents benchmark: search latency with 2,000 uploaded documents added to the
bundled library, and extraction and indexing throughput for a 200-page PDF.

Everything is generated into a temporary folder: the documents are clearly synthetic
("Synthetic document 17 ..."), their passages are paragraphs of the source paper
(/work/shared/seed/, else the bundled content's own text) mixed so that no two
documents are alike, and a quarter of them belong to initiatives a public reader may
not see, so the access mask is part of what is timed. One run measures the bundled
library alone and with the documents ("before and after"), keyword and, when a model
is there, hybrid. A benchmark, not a test: it prints figures and asserts nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from benchmarks.scale import QUERIES, _percentile, time_each

SEED_FOLDER = Path("/work/shared/seed")
DOCUMENTS, PASSAGES, PDF_PAGES = 2000, 10, 200
# Every fourth document belongs to one of this many initiatives that share anonymously.
HIDDEN_INITIATIVES = 50


@dataclass
class SearchRow:
    """Search figures of one library (latencies in ms)."""

    label: str
    documents: int
    units: int
    build_s: float
    keyword_p50: float
    keyword_p95: float
    insider_p50: float
    hybrid_p50: float | None


@dataclass
class ThroughputRow:
    """Extraction and indexing of one PDF."""

    pages: int
    extract_s: float
    index_s: float
    incremental: bool

    @property
    def extract_pages_s(self) -> float:
        """Pages extracted per second."""
        return self.pages / self.extract_s

    @property
    def index_pages_s(self) -> float:
        """Pages made searchable per second (an incremental index update)."""
        return self.pages / self.index_s


def paragraphs(seed_folder: Path = SEED_FOLDER, content_root: Path | None = None, size: int = 900) -> list[str]:
    """The source paper's text as passages of about `size` characters (the bundled
    content's cases when the paper is not there)."""
    sources = sorted(seed_folder.glob("*.txt")) if seed_folder.exists() else []
    if not sources and content_root is not None:
        sources = sorted((content_root / "cases").glob("*.md"))
    text = "\n\n".join(path.read_text(encoding="utf-8", errors="replace") for path in sources)
    blocks = [" ".join(block.split()) for block in re.split(r"\n\s*\n", text)]
    pieces, current = [], ""
    for block in blocks:
        if not block:
            continue
        current = f"{current} {block}".strip()
        if len(current) >= size:
            pieces.append(current[:2 * size])
            current = ""
    if current:
        pieces.append(current)
    if not pieces:
        raise ValueError(f"no text to make passages from in {seed_folder} or {content_root}")
    return pieces


def synthetic_documents(count: int, passages: int, texts: Sequence[str]) -> list:
    """`count` IndexedDocuments of `passages` pages each, cycling kinds, years and initiatives."""
    from indexer.documents.models import DOCUMENT_KINDS, PDF, DocumentRecord, Passage
    from indexer.documents.units import IndexedDocument

    uploaded = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc).timestamp()
    documents = []
    for number in range(1, count + 1):
        initiative = 1 + number % HIDDEN_INITIATIVES if number % 4 == 0 else None
        pages = [Passage(number=page, page=page + 1,
                         text=f"{texts[(number * 7 + page) % len(texts)]} {texts[(number * 13 + page * 3) % len(texts)][:300]}")
                 for page in range(passages)]
        record = DocumentRecord(
            id=number, sha256=f"{number:064x}", filename=f"synthetic-{number}.pdf", media_type=PDF, size=10_000,
            title=f"Synthetic document {number}: {DOCUMENT_KINDS[number % len(DOCUMENT_KINDS)]}",
            kind=DOCUMENT_KINDS[number % len(DOCUMENT_KINDS)], date=dt.date(2000 + number % 25, 1, 1),
            language="en", initiative_id=initiative, uploaded_by="benchmark", uploaded_at=uploaded,
            updated_at=uploaded, pages=passages, passages=passages)
        documents.append(IndexedDocument(record, pages, "synthetic-programme", "Synthetic programme",
                                         f"synthetic-initiative-{initiative}" if initiative else "",
                                         f"Synthetic initiative {initiative}" if initiative else ""))
    return documents


def _open(index_dir: Path, encoder):
    from indexer.index.build import current_generation, read_glossary
    from indexer.search.analysis import make_analyzer, terms
    from indexer.search.searcher import Searcher
    from indexer.search.synonyms import SynonymExpander

    folder = current_generation(index_dir)
    analyzer = make_analyzer()
    expander = SynonymExpander(read_glossary(folder) or [], lambda text: terms(analyzer, text))
    return Searcher.open(folder, expander, encoder.encode_query if encoder is not None else None)


def _build(content_root: Path, index_dir: Path, encoder, documents: Sequence) -> tuple[float, int]:
    from indexer.documents.units import document_units
    from indexer.index.build import build_index

    units = [unit for document in documents for unit in document_units(document)]
    hashes = {f"document:{document.record.id}": document.record.sha256 for document in documents}
    started = time.perf_counter()
    report = build_index(content_root, index_dir, encoder, rebuild=True, extra_units=units, extra_hashes=hashes)
    return time.perf_counter() - started, report.units


def measure_search(label: str, content_root: Path, index_dir: Path, encoder, documents: Sequence,
                   rounds: int) -> SearchRow:
    """Build the library with `documents` and time keyword (a public reader and an
    insider of every initiative) and hybrid queries."""
    from indexer.documents.models import PUBLIC, access_token
    from indexer.search.searcher import SearchRequest

    build_s, units = _build(content_root, index_dir, encoder, documents)
    searcher = _open(index_dir, encoder)
    insider = frozenset({PUBLIC} | {access_token(n) for n in range(1, HIDDEN_INITIATIVES + 1)})
    try:
        for query in QUERIES:  # warm: snippet tokens and lazily parsed units
            searcher.search(SearchRequest(query, mode="keyword"))
        keyword = time_each([lambda q=q: searcher.search(SearchRequest(q, mode="keyword")) for q in QUERIES], rounds)
        insiders = time_each([lambda q=q: searcher.search(SearchRequest(q, mode="keyword", access=insider))
                               for q in QUERIES], rounds)
        hybrid = None
        if searcher.semantic_available:
            hybrid = time_each([lambda q=q: searcher.search(SearchRequest(q, mode="hybrid")) for q in QUERIES], rounds)
    finally:
        searcher.close()
    return SearchRow(label, len(documents), units, build_s, statistics.median(keyword), _percentile(keyword, 0.95),
                     statistics.median(insiders), statistics.median(hybrid) if hybrid else None)


def measure_throughput(content_root: Path, scratch: Path, texts: Sequence[str], pages: int = PDF_PAGES) -> ThroughputRow:
    """Extract a `pages`-page PDF with text (in the limited child process, no OCR
    needed), then time the incremental index update that makes its passages searchable."""
    from tests.documents_fixtures import text_pdf

    from indexer.documents.extract import extract_safely
    from indexer.documents.models import DocumentRecord
    from indexer.documents.units import IndexedDocument, document_units
    from indexer.index.build import build_index
    from indexer.settings import DocumentLimits

    page_texts = [texts[page % len(texts)].encode("latin-1", "replace").decode("latin-1") for page in range(pages)]
    path = text_pdf(scratch / "synthetic-200-pages.pdf", page_texts, title="Synthetic 200-page report")
    data = path.read_bytes()
    started = time.perf_counter()
    extracted = extract_safely(data, path.name, DocumentLimits(), ocr=False)
    extract_s = time.perf_counter() - started
    index_dir = scratch / "index-throughput"
    build_index(content_root, index_dir, None)
    record = DocumentRecord(id=1, sha256="f" * 64, filename=path.name, media_type=extracted.media_type,
                            size=len(data), title=extracted.title or path.name, uploaded_by="benchmark",
                            uploaded_at=0.0, updated_at=0.0, pages=extracted.pages, passages=len(extracted.passages))
    started = time.perf_counter()
    units = document_units(IndexedDocument(record, extracted.passages))
    update = build_index(content_root, index_dir, None, extra_units=units, extra_hashes={"document:1": record.sha256})
    return ThroughputRow(extracted.pages or pages, extract_s, time.perf_counter() - started, update.incremental)


def run_documents(content_root: Path, semantic: bool = False, count: int = DOCUMENTS, passages: int = PASSAGES,
                  rounds: int = 5, throughput: bool = True, echo: Callable[[str], None] = print,
                  hashing: bool = False) -> list[SearchRow | ThroughputRow]:
    """The bundled library alone and with `count` synthetic documents of `passages`
    pages (keyword, and hybrid with `semantic`: the packaged model, or with `hashing` the
    tests' hashing encoder, which times the vectors and fusion without the model's cost
    of embedding 20,000 passages), then the 200-page PDF's throughput."""
    encoder = None
    if semantic and hashing:
        from indexer.search.encoder import HashingEncoder

        encoder = HashingEncoder(dimension=384)
    elif semantic:
        from indexer.search.encoder import SentenceTransformerEncoder

        encoder = SentenceTransformerEncoder()
    texts = paragraphs(content_root=content_root)
    rows: list[SearchRow | ThroughputRow] = []
    with tempfile.TemporaryDirectory(prefix="casebase-documents-") as scratch:
        scratch_dir = Path(scratch)
        echo("measuring the bundled library alone")
        rows.append(measure_search("bundled", content_root, scratch_dir / "index-bare", encoder, [], rounds))
        echo(f"measuring the bundled library with {count:,} documents of {passages} pages")
        documents = synthetic_documents(count, passages, texts)
        rows.append(measure_search(f"+{count:,} docs", content_root, scratch_dir / "index-documents", encoder,
                                   documents, rounds))
        if throughput:
            echo(f"extracting and indexing a {PDF_PAGES}-page PDF")
            rows.append(measure_throughput(content_root, scratch_dir, texts))
    return rows


def report(rows: Sequence[SearchRow | ThroughputRow], echo: Callable[[str], None] = print) -> None:
    """Print the search table (ms; build in s) and the throughput line."""
    searches = [row for row in rows if isinstance(row, SearchRow)]
    if searches:
        echo(f"{'library':>14} {'docs':>6} {'units':>7} {'build s':>8} {'kw p50':>7} {'kw p95':>7} "
             f"{'insider p50':>11} {'hyb p50':>8}")
        for row in searches:
            hybrid = f"{row.hybrid_p50:8.1f}" if row.hybrid_p50 is not None else f"{'-':>8}"
            echo(f"{row.label:>14} {row.documents:>6} {row.units:>7} {row.build_s:8.1f} {row.keyword_p50:7.1f} "
                 f"{row.keyword_p95:7.1f} {row.insider_p50:11.1f} {hybrid}")
        echo("latencies in ms, one query thread; kw = a public reader (a quarter of the documents "
             "masked out); insider = a reader of every initiative")
    for row in rows:
        if isinstance(row, ThroughputRow):
            echo(f"{row.pages}-page PDF: extraction {row.extract_s:.1f} s ({row.extract_pages_s:.0f} pages/s, "
                 f"child process, text layer); indexing {row.index_s:.1f} s ({row.index_pages_s:.0f} pages/s, "
                 f"{'incremental update' if row.incremental else 'full build'} of the bundled index)")


def main(argv: list[str] | None = None) -> None:
    """`python -m benchmarks.documents [--semantic] [--documents N]`."""
    import argparse
    import sys

    from indexer.settings import find_content_root

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--semantic", action="store_true", help="also build vectors and time hybrid queries")
    parser.add_argument("--documents", type=int, default=DOCUMENTS)
    parser.add_argument("--passages", type=int, default=PASSAGES)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--no-throughput", action="store_true", help="skip the 200-page PDF")
    parser.add_argument("--hashing", action="store_true",
                        help="with --semantic: the hashing test encoder instead of the model (no embedding cost)")
    args = parser.parse_args(argv)
    report(run_documents(find_content_root(), args.semantic, args.documents, args.passages, args.rounds,
                         throughput=not args.no_throughput, echo=lambda line: print(line, file=sys.stderr),
                         hashing=args.hashing))


if __name__ == "__main__":  # pragma: no cover
    main()
