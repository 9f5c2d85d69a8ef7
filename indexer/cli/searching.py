"""`casebase index` and `casebase search`."""

from __future__ import annotations

import json
import os
import sys

import click

from indexer.settings import Settings

from .app import fail, open_casebase, main

@main.command()
@click.option("--rebuild", is_flag=True, help="Re-embed everything and rebuild from scratch.")
@click.option("--no-semantic", is_flag=True, help="Build a keyword-only index (no model needed).")
@click.pass_obj
def index(settings: Settings, rebuild: bool, no_semantic: bool) -> None:
    """Build or update the search index (incremental unless --rebuild)."""
    from indexer.errors import CasebaseError

    # Embedding is a batch job: let it use every core (queries use one thread each).
    casebase = open_casebase(settings.with_changes(query_threads=os.cpu_count() or 1),
                              semantic=not no_semantic)
    try:
        report = casebase.build_index(rebuild=rebuild, progress=sys.stderr.isatty(), echo=click.echo)
    except CasebaseError as exc:  # a held build lock, a content problem: said, not a traceback
        fail(str(exc))
    for warning in report.warnings:
        click.echo(f"Warning: {warning}", err=True)
    if report.built:
        click.echo(f"Built generation {report.generation}: {report.units} units, "
                   f"{report.embedded} newly embedded, semantic {'on' if report.semantic else 'off'}, "
                   f"{report.seconds:.1f}s")
    else:
        click.echo(f"Index is up to date (generation {report.generation}, {report.units} units)")


def _parse_filters(values: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    filters: dict[str, list[str]] = {}
    for value in values:
        facet, separator, accepted = value.partition("=")
        if not separator or not facet or not accepted:
            raise click.BadParameter(f"'{value}' is not FIELD=VALUE", param_hint="--filter")
        filters.setdefault(facet.strip(), []).append(accepted.strip())
    return {facet: tuple(accepted) for facet, accepted in filters.items()}


@main.command()
@click.argument("query", required=False)
@click.option("--mode", type=click.Choice(["hybrid", "keyword", "semantic"]), default="hybrid",
              show_default=True)
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["case", "note", "lesson", "document"]),
              help="Only this kind (repeatable); the command line finds public documents only.")
@click.option("--filter", "filters", multiple=True, metavar="FIELD=VALUE",
              help="Facet filter, e.g. country=Brazil or sector=leather-and-footwear (repeatable).")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--offset", default=0, type=click.IntRange(0))
@click.option("--json", "as_json", is_flag=True, help="Print the JSON answer.")
@click.option("--explain", is_flag=True, help="Show keyword, semantic and fused ranks and scores.")
@click.option("--batch", type=click.File("r"), help="One query per line ('-' for stdin); JSON lines out.")
@click.pass_obj
def search(settings: Settings, query: str | None, mode: str, kinds: tuple[str, ...],
           filters: tuple[str, ...], limit: int, offset: int, as_json: bool, explain: bool, batch) -> None:
    """Search cases, notes and lessons."""
    from indexer.errors import CasebaseError
    from indexer.search.searcher import SearchRequest

    if (query is None) == (batch is None):
        raise click.UsageError("give a QUERY or --batch FILE (not both)")
    parsed_filters = _parse_filters(filters)
    casebase = open_casebase(settings, semantic=mode != "keyword")
    queries = [query] if batch is None else [line.strip() for line in batch if line.strip()]
    try:
        for text in queries:
            request = SearchRequest(text, mode=mode, kinds=kinds, filters=parsed_filters, limit=limit,
                                    offset=offset)
            response, _ = casebase.search_any_language(request)
            if batch is not None or as_json:
                click.echo(json.dumps(response.to_dict(), ensure_ascii=False,
                                      indent=None if batch is not None else 2))
            else:
                _print_results(response, explain)
    except CasebaseError as exc:  # no index, a mismatched one, a bad parameter
        fail(str(exc))


def _print_results(response, explain: bool) -> None:
    for notice in response.notices:
        click.echo(f"Note: {notice}", err=True)
    if response.suggestion:
        click.echo(f"Did you mean: {response.suggestion}")
    click.echo(f"{response.total} result(s) for {response.query!r} ({response.mode})")
    for number, hit in enumerate(response.results, start=1):
        click.echo(click.style(f"{number:>2}. [{hit.kind}] {hit.title}", bold=True) + f"  ({hit.id})")
        if hit.section and hit.section != hit.title:
            click.echo(f"    in: {hit.section}")
        click.echo(f"    {hit.snippet}")
        if explain:
            e = hit.explanation
            click.echo(f"    keyword #{e['keyword_rank']} ({e['keyword_score']}), semantic "
                       f"#{e['semantic_rank']} ({e['semantic_score']}), fused {e['fused_score']}")
