"""Scale benchmark: how the engine's costs grow with the size of the library.

Generates synthetic libraries from the bundled content into a temporary folder (every
copied case gets an id and title marked `synthetic`; nothing is written near the real
content), and prints, for each size and for the bundled library in the same run: full
build time, one-edit update time, process start to first keyword answer, keyword and
advisor latency (p50/p95), hybrid latency when a model is available, serving memory
and index size on disk. Duplicated text is embedded once: copies keep their text, so
the embedding cache serves them. A benchmark, not a test: it prints figures and
asserts nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

QUERIES = ["trust between firms", "footwear exports", "participatory evaluation", "contest for funding",
           "collective efficiency", "furniture cluster", "monitoring indicators", "local government",
           "competitiveness initiative", "business association", "frog farming", "software"]
PROFILES = [
    {"description": "Shoe workshops losing market share to imports", "country": "Mexico",
     "sectors": ["footwear"], "driver": "private", "approach": "bottom-up"},
    {"description": "Furniture makers who distrust each other", "country": "Kenya", "sectors": ["furniture"]},
]
ID_LINE = re.compile(r"^id:\s*(\S+)\s*$", re.M)
TITLE_LINE = re.compile(r"^title:\s*(.+)$", re.M)


@dataclass
class ScaleRow:
    """The figures of one library size."""

    label: str
    units: int
    build_s: float
    update_s: float
    start_s: float
    keyword_p50: float
    keyword_p95: float
    hybrid_p50: float | None
    advisor_p50: float
    memory_mb: float
    disk_mb: float
    update_incremental: bool = False
    # Process start to the first suggestion, and (semantic) to the first hybrid answer,
    # which waits for the model loading in the background.
    advisor_start_s: float | None = None
    hybrid_start_s: float | None = None
    # Resident memory at the first keyword answer (memory_mb: the peak once settled).
    first_memory_mb: float | None = None


def make_library(source: Path, target: Path, copies: int) -> None:
    """Copy the content tree to `target` with `copies` synthetic copies of every case.

    Copies keep their text (so embeddings are shared) but get ids and titles that say
    they are synthetic; notes, vocabulary, glossary and rules are copied once."""
    shutil.copytree(source / "kb", target / "kb")
    (target / "cases").mkdir(parents=True)
    for path in sorted((source / "cases").glob("*.md")):
        shutil.copy2(path, target / "cases" / path.name)
        if path.name.startswith("_") or path.name.lower() == "readme.md":
            continue
        text = path.read_text(encoding="utf-8")
        for number in range(1, copies):
            new_id = f"synthetic-{number:05d}-{path.stem}"
            copy = ID_LINE.sub(f"id: {new_id}", text, count=1)
            copy = TITLE_LINE.sub(lambda m: f"title: \"Synthetic {number}: {m.group(1).strip(chr(34))}\"", copy,
                                  count=1)
            (target / "cases" / f"{new_id}.md").write_text(copy, encoding="utf-8")


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def time_each(calls: list[Callable[[], object]], rounds: int) -> list[float]:
    """Milliseconds of every call, `rounds` times over the calls in order."""
    timings = []
    for _ in range(rounds):
        for call in calls:
            started = time.perf_counter()
            call()
            timings.append((time.perf_counter() - started) * 1000)
    return timings


def _folder_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


# A serving process as the web server starts one: open, warm up in the background (the
# model, if any, and the advisor), answer a keyword query at once; then a suggestion, a
# hybrid query (waiting for the model) and the content's load, after which the process
# holds what it serves with; then, given (queries, profiles, rounds), the latencies of
# that settled process. Latencies are timed here, not in the benchmark process: that
# one also holds everything a full build left behind, whose objects the garbage
# collector walks during queries. Memory is the process's own (VmRSS, and its peak
# VmHWM, queries included): ru_maxrss would count the benchmark process it came from.
_START_PROBE = """
import json, resource, sys, time
started = time.perf_counter()

def memory_mb():
    try:
        with open("/proc/self/status") as status:
            fields = dict(line.split(":", 1) for line in status if ":" in line)
        return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024
    except (OSError, KeyError):
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return peak, peak

from indexer.service import Casebase
from indexer.settings import Settings
from indexer.search.searcher import SearchRequest
semantic = sys.argv[3] == "semantic"
casebase = Casebase.open(Settings.from_env(sys.argv[1], sys.argv[2]), semantic=semantic)
casebase.warm(wait=False)
casebase.search(SearchRequest("trust between firms", mode="keyword"))
figures = {"first_answer_s": time.perf_counter() - started, "first_memory_mb": memory_mb()[0]}
casebase.suggest(json.loads(sys.argv[4]))
figures["advisor_start_s"] = time.perf_counter() - started
if semantic and casebase.searcher.semantic_available:
    casebase.search(SearchRequest("trust between firms", mode="hybrid"))
    figures["hybrid_start_s"] = time.perf_counter() - started
casebase.content
casebase.warm()
casebase.suggest(json.loads(sys.argv[4]))
figures["settled_s"] = time.perf_counter() - started
figures["memory_mb"], figures["peak_memory_mb"] = memory_mb()
if len(sys.argv) > 5:
    # Latencies of the settled serving process: (queries, profiles, rounds) as JSON.
    from benchmarks.scale import time_each

    queries, profiles, rounds = json.loads(sys.argv[5])
    # One untimed round first: the first query of each kind opens caches once per process.
    casebase.search(SearchRequest(queries[0], mode="keyword"))
    figures["keyword_ms"] = time_each([lambda q=q: casebase.search(SearchRequest(q, mode="keyword"))
                                       for q in queries], rounds)
    if semantic and casebase.searcher.semantic_available:
        # Each query encoded afresh: the process caches query vectors, and repeated
        # rounds would otherwise time the cache instead of the encoder.
        figures["hybrid_ms"] = time_each([lambda q=q: (casebase._query_vectors.clear(),
                                                       casebase.search(SearchRequest(q, mode="hybrid")))
                                          for q in queries], rounds)
    figures["advisor_ms"] = time_each([lambda p=p: casebase.suggest(p) for p in profiles], max(1, rounds // 2))
    figures["peak_memory_mb"] = memory_mb()[1]
print(json.dumps(figures))
"""


def measure(label: str, root: Path, index_dir: Path, semantic: bool, rounds: int) -> ScaleRow:
    """Build and update the library at `root` here; start, query and advise in a
    serving process of its own (the probe)."""
    from indexer.service import Casebase
    from indexer.settings import Settings

    settings = Settings.from_env(root, index_dir)
    casebase = Casebase.open(settings, semantic=semantic)
    started = time.perf_counter()
    report = casebase.build_index(rebuild=True)
    build_s = time.perf_counter() - started
    edited = root / "cases" / "sinos-valley.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("## ", "## Edited: ", 1), encoding="utf-8")
    started = time.perf_counter()
    update = casebase.build_index()
    update_s = time.perf_counter() - started
    casebase.close()  # the probe alone runs while it is timed

    probe = subprocess.run([sys.executable, "-c", _START_PROBE, str(root), str(index_dir),
                            "semantic" if semantic and report.semantic else "keyword", json.dumps(PROFILES[0]),
                            json.dumps([QUERIES, PROFILES, rounds])],
                           capture_output=True, text=True)
    if probe.returncode != 0:
        # Its own traceback says why (an index the probe's code cannot read, a model missing).
        raise RuntimeError(f"the start probe on {index_dir} failed (exit {probe.returncode}):\n"
                           + "\n".join(probe.stderr.strip().splitlines()[-12:]))
    started_figures = json.loads(probe.stdout.strip().splitlines()[-1])
    keyword, hybrid, advisor = (started_figures.get(name) for name in ("keyword_ms", "hybrid_ms", "advisor_ms"))
    return ScaleRow(label, report.units, build_s, update_s, started_figures["first_answer_s"],
                    statistics.median(keyword), _percentile(keyword, 0.95),
                    statistics.median(hybrid) if hybrid else None, statistics.median(advisor),
                    started_figures["peak_memory_mb"], _folder_mb(index_dir), update.incremental,
                    started_figures["advisor_start_s"], started_figures.get("hybrid_start_s"),
                    started_figures["first_memory_mb"])


def _units_by_kind(root: Path) -> tuple[int, int]:
    """(units of notes, units of cases) of a library: cases are what copies multiply."""
    from indexer.content.loading import load_content
    from indexer.search.units import content_units

    units = content_units(load_content(root))
    notes = sum(1 for unit in units if unit.kind == "note")
    return notes, len(units) - notes


def run_scale(sizes: list[int], content_root: Path, semantic: bool, rounds: int = 5,
              echo: Callable[[str], None] = print) -> list[ScaleRow]:
    """Measure the bundled library and one synthetic library per target unit count."""
    rows = []
    with tempfile.TemporaryDirectory(prefix="casebase-scale-") as scratch:
        scratch_dir = Path(scratch)
        # One export of the model for every library and probe of the run (each index
        # folder would otherwise export its own, inside the build and start figures).
        shared_cache = "CASEBASE_MODEL_CACHE" not in os.environ
        if shared_cache:
            os.environ["CASEBASE_MODEL_CACHE"] = str(scratch_dir / "models")
        try:
            bundled = scratch_dir / "bundled"
            make_library(content_root, bundled, 1)
            echo("measuring the bundled library")
            rows.append(measure("bundled", bundled, scratch_dir / "index-bundled", semantic, rounds))
            note_units, case_units = _units_by_kind(bundled)
            for size in sizes:
                copies = max(1, round((size - note_units) / max(1, case_units)))
                root = scratch_dir / f"library-{size}"
                make_library(content_root, root, copies)
                echo(f"measuring {size:,} units ({copies} copies of every case)")
                rows.append(measure(f"{size:,}", root, scratch_dir / f"index-{size}", semantic, rounds))
                shutil.rmtree(root)
                shutil.rmtree(scratch_dir / f"index-{size}")
        finally:
            if shared_cache:
                del os.environ["CASEBASE_MODEL_CACHE"]
    return rows


def report(rows: list[ScaleRow], echo: Callable[[str], None] = print) -> None:
    """Print the table (milliseconds for latencies, seconds for builds and start)."""
    echo(f"{'library':>10} {'units':>8} {'build s':>8} {'update s':>11} {'start s':>8} {'adv 1st s':>9} "
         f"{'hyb 1st s':>9} {'kw p50':>7} {'kw p95':>7} {'hyb p50':>8} {'adv p50':>8} {'mem 1st':>8} "
         f"{'mem MB':>7} {'disk MB':>8}")
    for row in rows:
        update = f"{row.update_s:.1f} {'incr' if row.update_incremental else 'full'}"
        echo(f"{row.label:>10} {row.units:>8} {row.build_s:8.1f} {update:>11} {row.start_s:8.1f} "
             f"{_figure(row.advisor_start_s, 9)} {_figure(row.hybrid_start_s, 9)} "
             f"{row.keyword_p50:7.1f} {row.keyword_p95:7.1f} {_figure(row.hybrid_p50, 8)} {row.advisor_p50:8.1f} "
             f"{_figure(row.first_memory_mb, 8, 0)} {row.memory_mb:7.0f} {row.disk_mb:8.1f}")
    echo("latencies in ms, one query thread, timed in a serving process of their own once it has loaded the "
         "content, model and advisor; start = process start to first keyword answer (model and advisor "
         "warming up in the background), adv 1st / hyb 1st = to the first suggestion / hybrid answer; "
         "update = one edited case until searchable (content reload included), incremental or full; "
         "mem 1st = serving process resident at its first answer, mem MB = its peak, the timed queries included")


def _figure(value: float | None, width: int, decimals: int = 1) -> str:
    return f"{value:{width}.{decimals}f}" if value is not None else f"{'-':>{width}}"


def main(argv: list[str] | None = None) -> None:
    """`python -m benchmarks.scale 1000,10000 [--semantic]`."""
    import argparse

    from indexer.settings import find_content_root

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", help="comma-separated unit counts, e.g. 1000,10000,100000")
    parser.add_argument("--semantic", action="store_true", help="also build vectors and time hybrid queries")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    report(run_scale(sizes, find_content_root(), args.semantic, args.rounds,
                     echo=lambda line: print(line, file=sys.stderr)))


if __name__ == "__main__":  # pragma: no cover
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    main()
