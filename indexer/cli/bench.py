"""`casebase bench`: the retrieval benchmark (needs the dev extras)."""

from __future__ import annotations

from pathlib import Path

import click

from indexer.settings import Settings

from .app import fail, main

@main.command()
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--no-semantic", is_flag=True, help="Skip the embedding model (keyword and bm25s only).")
@click.option("--no-reference", is_flag=True, help="Skip the bm25s reference run.")
@click.option("--limit-docs", type=int, help="Use only the first N documents (smoke runs).")
@click.option("--no-cache", is_flag=True, help="Encode the corpus afresh instead of reusing cached embeddings.")
@click.option("--no-baseline", is_flag=True, help="Skip timing Whoosh's own scorer (the 'before' figure).")
@click.option("--scale", "scale_sizes", metavar="UNITS,...",
              help="Instead: the scale benchmark on synthetic libraries of these unit counts, e.g. 1000,10000.")
@click.option("--scale-semantic", is_flag=True, help="With --scale: also build vectors and time hybrid queries.")
@click.option("--encoder", "encoders", default="torch", metavar="BACKEND,...", show_default=True,
              help="Encoder backends for semantic and hybrid, each run in turn: torch, onnx-int8 "
                   "(e.g. torch,onnx-int8 prints both, with query-encoding times).")
@click.option("--documents", "documents_bench", is_flag=True,
              help="Instead: search p50 of the bundled library alone and with 2,000 synthetic uploaded documents, "
                   "and extraction/indexing pages/s of a 200-page PDF (--scale-semantic: hybrid too).")
@click.option("--observatory", is_flag=True,
              help="Instead: the observatory's dashboard and initiative page on 200 initiatives x 20 indicators "
                   "x 24 periods in a temporary database (--no-semantic: the advisor without the model).")
@click.pass_obj
def bench(settings: Settings, folder: Path | None, no_semantic: bool, no_reference: bool,
          limit_docs: int | None, no_cache: bool, no_baseline: bool, scale_sizes: str | None,
          scale_semantic: bool, encoders: str, documents_bench: bool, observatory: bool) -> None:
    """Retrieval benchmark on a BEIR-format folder (default: ../shared/bench/scifact),
    or with --scale the scale benchmark on synthetic copies of the content, with
    --documents search with uploaded documents, or with --observatory the observatory's
    pages at programme scale.

    Corpus embeddings are cached next to the index (bench-cache/), so only the first
    run pays for encoding.
    """
    if observatory:
        from benchmarks.observatory import report as observatory_report, run_observatory

        observatory_report(run_observatory(settings.content_dir, semantic=not no_semantic,
                                           echo=lambda line: click.echo(line, err=True)), echo=click.echo)
        return
    if documents_bench:
        from benchmarks.documents import report as documents_report, run_documents

        documents_report(run_documents(settings.content_dir, semantic=scale_semantic,
                                       echo=lambda line: click.echo(line, err=True)), echo=click.echo)
        return
    if scale_sizes:
        from benchmarks.scale import report as scale_report, run_scale

        try:
            sizes = [int(size) for size in scale_sizes.split(",") if size.strip()]
        except ValueError:
            fail(f"--scale takes whole numbers separated by commas, not '{scale_sizes}'")
        scale_report(run_scale(sizes, settings.content_dir, scale_semantic,
                               echo=lambda line: click.echo(line, err=True)), echo=click.echo)
        return
    try:
        from benchmarks.retrieval import DEFAULT_FOLDER, report, run_benchmark
    except ImportError as exc:
        fail(f"the benchmark needs the dev extras ({exc.name} is missing): "
             "pip install -e '.[dev]' in this checkout")

    target = folder or DEFAULT_FOLDER
    if not target.exists():
        fail(f"benchmark folder {target} not found; pass a BEIR-format folder")
    cache_dir = None if no_cache else settings.index_dir.parent / "bench-cache"
    try:
        results = run_benchmark(target, semantic=not no_semantic, reference=not no_reference,
                                limit_docs=limit_docs, echo=lambda line: click.echo(line, err=True),
                                cache_dir=cache_dir, baseline=not no_baseline,
                                encoders=[name.strip() for name in encoders.split(",") if name.strip()],
                                index_dir=settings.index_dir)
    except ValueError as exc:  # an unknown backend name
        fail(str(exc))
    report(results, echo=click.echo)
