"""The `casebase` command line."""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from pathlib import Path

import click

from .content import Content, load_content
from .settings import Settings, find_content_root


@click.group()
@click.option("--content", "content_dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="CASEBASE_CONTENT", help="Folder holding cases/ and kb/ (default: this checkout).")
@click.option("--index", "index_dir", type=click.Path(file_okay=False, path_type=Path),
              envvar="CASEBASE_INDEX", help="Index folder (default: <content>/instance/index).")
@click.version_option(package_name="cluster-casebase")
@click.pass_context
def main(ctx: click.Context, content_dir: Path | None, index_dir: Path | None) -> None:
    """Cluster Casebase: cases, lessons and methods of cluster development."""
    ctx.obj = Settings.from_env(content_dir=content_dir, index_dir=index_dir)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--summary", is_flag=True, help="Also print what the content holds.")
@click.pass_obj
def check(settings: Settings, paths: tuple[Path, ...], as_json: bool, summary: bool) -> None:
    """Validate content files (all of them, or PATHS) and report every problem.

    A PATH that is a folder holding cases/ and kb/ is checked as a whole content tree.
    Exit status: 0 when there are no errors, 1 otherwise.
    """
    root = settings.content_dir
    selected: list[Path] = []
    for path in paths:
        if path.is_dir() and (path / "kb").is_dir():
            root = find_content_root(path)
        else:
            selected.append(path.resolve())
    content = load_content(root)
    problems = [p for p in content.problems if _selected(root / p.path, selected)]
    errors = [p for p in problems if p.severity == "error"]
    if as_json:
        click.echo(json.dumps({
            "root": str(root),
            "files_checked": content.files_checked,
            "errors": len(errors),
            "warnings": len(problems) - len(errors),
            "problems": [p.to_dict() for p in problems],
            "counts": _counts(content),
        }, indent=2, ensure_ascii=False))
    else:
        for problem in problems:
            click.echo(str(problem), err=problem.severity == "error")
        verdict = "clean" if not errors else f"{len(errors)} error(s)"
        warnings = len(problems) - len(errors)
        click.echo(f"Checked {content.files_checked} files in {root}: {verdict}"
                   + (f", {warnings} warning(s)" if warnings else ""))
        if summary:
            _print_summary(content)
    sys.exit(1 if errors else 0)


def _selected(path: Path, selected: list[Path]) -> bool:
    if not selected:
        return True
    resolved = path.resolve()
    return any(resolved == s or s in resolved.parents for s in selected)


def _counts(content: Content) -> dict[str, int]:
    return {
        "cases": len(content.cases),
        "notes": len(content.notes),
        "lessons": len(content.lessons),
        "glossary_terms": len(content.glossary),
    }


def _print_summary(content: Content) -> None:
    counts = _counts(content)
    click.echo("Content: " + ", ".join(f"{value} {name.replace('_', ' ')}" for name, value in counts.items()))
    countries = Counter(case.get("location.country") for case in content.cases)
    click.echo("Cases by country: " + ", ".join(f"{c} ({n})" for c, n in countries.most_common()))
    for case in content.cases:
        click.echo(f"  case  {case.id:32} {case.title}  [{len(case.lessons)} lessons]")
    for note in content.notes:
        click.echo(f"  note  {note.id:32} {note.title}")


def _fail(message: str) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(2)


def _open_casebase(settings: Settings, semantic: bool = True):
    from .service import Casebase

    return Casebase.open(settings, semantic=semantic)


@main.command()
@click.option("--rebuild", is_flag=True, help="Re-embed everything and rebuild from scratch.")
@click.option("--no-semantic", is_flag=True, help="Build a keyword-only index (no model needed).")
@click.pass_obj
def index(settings: Settings, rebuild: bool, no_semantic: bool) -> None:
    """Build or update the search index (incremental unless --rebuild)."""
    from .build import IndexProblem

    # Embedding is a batch job: let it use every core (queries use one thread each).
    casebase = _open_casebase(settings.with_changes(query_threads=os.cpu_count() or 1),
                              semantic=not no_semantic)
    try:
        report = casebase.build_index(rebuild=rebuild, progress=sys.stderr.isatty(), echo=click.echo)
    except IndexProblem as exc:
        _fail(str(exc))
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
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["case", "note", "lesson"]),
              help="Only this kind (repeatable).")
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
    from .build import IndexProblem
    from .search import SearchError, SearchRequest

    if (query is None) == (batch is None):
        raise click.UsageError("give a QUERY or --batch FILE (not both)")
    parsed_filters = _parse_filters(filters)
    casebase = _open_casebase(settings, semantic=mode != "keyword")
    queries = [query] if batch is None else [line.strip() for line in batch if line.strip()]
    try:
        for text in queries:
            request = SearchRequest(text, mode=mode, kinds=kinds, filters=parsed_filters, limit=limit,
                                    offset=offset)
            response = casebase.search(request)
            if batch is not None or as_json:
                click.echo(json.dumps(response.to_dict(), ensure_ascii=False,
                                      indent=None if batch is not None else 2))
            else:
                _print_results(response, explain)
    except (IndexProblem, SearchError) as exc:
        _fail(str(exc))


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


def _read_profile(stream) -> dict:
    from .frontmatter import FrontMatterError, load_yaml

    try:
        data, _ = load_yaml(stream.read())
    except FrontMatterError as exc:
        raise click.BadParameter(f"{exc.message} (line {exc.line})", param_hint="--profile")
    if not isinstance(data, dict):
        raise click.BadParameter("must be a YAML or JSON mapping of attribute: value", param_hint="--profile")
    return data


@main.command()
@click.option("--description", help="Free text about the new initiative.")
@click.option("--country")
@click.option("--sector", "sectors", multiple=True, help="Sector key (repeatable).")
@click.option("--activity", "activities", multiple=True, help="Planned activity key (repeatable).")
@click.option("--driver")
@click.option("--approach")
@click.option("--pressure")
@click.option("--cooperative-culture")
@click.option("--stage")
@click.option("--firm-structure")
@click.option("--funding-level")
@click.option("--monitoring-style")
@click.option("--enright")
@click.option("--altenburg-meyer-stamer")
@click.option("--markusen")
@click.option("--profile", "profile_file", type=click.File("r"),
              help="A YAML or JSON profile ('-' for stdin); options given as well override it.")
@click.option("--batch", type=click.File("r"), help="One JSON profile per line; one JSON answer per line.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def suggest(settings: Settings, profile_file, batch, as_json: bool, **options) -> None:
    """Similar cases, lessons, notes and warnings for a new initiative."""
    from .build import IndexProblem
    from .profile import ProfileError

    casebase = _open_casebase(settings)
    given = {key: value for key, value in options.items() if value not in (None, ())}
    for key in ("sectors", "activities"):
        if key in given:
            given[key] = list(given[key])
    try:
        if batch is not None:
            for number, line in enumerate(batch, start=1):
                if not line.strip():
                    continue
                try:
                    data = json.loads(line)
                    answer = casebase.suggest(data).to_dict()
                except json.JSONDecodeError as exc:
                    answer = {"error": {"line": number, "message": f"invalid JSON: {exc.msg}"}}
                except ProfileError as exc:
                    answer = {"error": {"line": number, "field": exc.field, "message": exc.message}}
                click.echo(json.dumps(answer, ensure_ascii=False))
            return
        data = _read_profile(profile_file) if profile_file is not None else {}
        data.update(given)
        if not data:
            raise click.UsageError("describe the initiative: --description and/or attributes, or --profile FILE")
        answer = casebase.suggest(data)
    except ProfileError as exc:
        _fail(f"{exc.field}: {exc.message}")
    except IndexProblem as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_suggestion(answer)


def _print_suggestion(answer) -> None:
    for notice in answer.notices:
        click.echo(f"Note: {notice}", err=True)
    if answer.warnings:
        click.echo(click.style("What the method says about this situation", bold=True))
        for warning in answer.warnings:
            click.echo(f"  [{warning['kind']}] {warning['message']}")
            click.echo(f"      because: {'; '.join(warning['evidence'])}  (read: {warning['note_id']})")
    click.echo(click.style("Similar cases", bold=True))
    for match in answer.cases:
        click.echo(f"  {match.score:.2f}  {match.title}  ({match.id})")
        click.echo(f"        {match.reason}")
    click.echo(click.style("Lessons that apply", bold=True))
    for lesson in answer.lessons:
        click.echo(f"  {lesson['score']:.2f}  {lesson['text']}  ({lesson['id']})")
    click.echo(click.style("Notes to read", bold=True))
    for note in answer.notes:
        click.echo(f"  {note['title']}  ({note['id']}): {note['why'][0]}")


@main.command()
@click.argument("case_id")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50))
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def similar(settings: Settings, case_id: str, limit: int, as_json: bool) -> None:
    """Cases most like an existing case, with the reason for each."""
    from .build import IndexProblem

    casebase = _open_casebase(settings)
    try:
        matches = casebase.similar(case_id, limit)
    except KeyError:
        known = ", ".join(case.id for case in casebase.content.cases)
        _fail(f"no case with id '{case_id}'; cases: {known}")
    except IndexProblem as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps({"case": case_id, "similar": [m.to_dict() for m in matches]},
                              ensure_ascii=False, indent=2))
        return
    for match in matches:
        click.echo(f"{match.score:.2f}  {match.title}  ({match.id})\n      {match.reason}")


@main.command()
@click.argument("folder", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--no-semantic", is_flag=True, help="Skip the embedding model (keyword and bm25s only).")
@click.option("--no-reference", is_flag=True, help="Skip the bm25s reference run.")
@click.option("--limit-docs", type=int, help="Use only the first N documents (smoke runs).")
@click.option("--no-cache", is_flag=True, help="Encode the corpus afresh instead of reusing cached embeddings.")
@click.option("--no-baseline", is_flag=True, help="Skip timing Whoosh's own scorer (the 'before' figure).")
@click.pass_obj
def bench(settings: Settings, folder: Path | None, no_semantic: bool, no_reference: bool,
          limit_docs: int | None, no_cache: bool, no_baseline: bool) -> None:
    """Retrieval benchmark on a BEIR-format folder (default: ../shared/bench/scifact).

    Corpus embeddings are cached next to the index (bench-cache/), so only the first
    run pays for encoding.
    """
    from .bench import DEFAULT_FOLDER, report, run_benchmark

    target = folder or DEFAULT_FOLDER
    if not target.exists():
        _fail(f"benchmark folder {target} not found; pass a BEIR-format folder")
    cache_dir = None if no_cache else settings.index_dir.parent / "bench-cache"
    results = run_benchmark(target, semantic=not no_semantic, reference=not no_reference,
                            limit_docs=limit_docs, echo=lambda line: click.echo(line, err=True),
                            cache_dir=cache_dir, baseline=not no_baseline)
    report(results, echo=click.echo)


from . import cli_server  # noqa: E402,F401 - registers `user` and `serve` on main

if __name__ == "__main__":  # pragma: no cover
    main()
