"""`casebase observatory`: the initiative observatory's demo, imports and exports.

Every command acts as an account (`--as NAME`) and goes through the same facade and
access rules as the web app; without `--as` it reads as an anonymous visitor would.
"""

from __future__ import annotations

from pathlib import Path

import click

from indexer.settings import Settings

from .app import acting_viewer, fail, main, open_casebase

MAX_IMPORT_BYTES = 5 * 1024 * 1024


def _run(settings: Settings, action):
    """Run `action(casebase)` and turn the engine's errors into messages and exit status 2."""
    from indexer.errors import CasebaseError

    casebase = open_casebase(settings, semantic=False)
    try:
        return action(casebase)
    except CasebaseError as error:
        fail(str(error))
    finally:
        casebase.close()


@main.group()
def observatory() -> None:
    """The initiative observatory: programmes, initiatives, scorecards, figures."""


as_option = click.option("--as", "acting", metavar="NAME", help="Act as this account (default: anonymous).")


@observatory.command("demo")
@click.option("--as", "acting", metavar="NAME", required=True,
              help="The editor or reviewer account that becomes the demo programme's manager.")
@click.pass_obj
def demo(settings: Settings, acting: str) -> None:
    """Create a clearly labelled FICTIONAL example programme (once per instance)."""
    from indexer.observatory.demo import create_demo

    def action(casebase):
        summary = create_demo(casebase.observatory, acting_viewer(casebase, acting))
        click.echo(f"Created the fictional demo programme '{summary.programme}': {len(summary.initiatives)} "
                   f"initiatives, {summary.indicators} indicators, {summary.measurements} measurements, "
                   f"{summary.evaluations} evaluations.")
        click.echo("Its data is invented; it lives in the instance database only, never in the content files.")

    _run(settings, action)


@observatory.command("templates")
@click.pass_obj
def templates(settings: Settings) -> None:
    """The starting scorecards from the paper, with their sources (the file they come from
    is checked: a broken one is reported by line and key)."""
    from indexer.errors import CasebaseError
    from indexer.observatory.templates import TEMPLATES_FILE, counts, load_templates

    # The content's own file, as the observatory reads it; no database is opened for this.
    path = settings.content_dir / TEMPLATES_FILE
    try:
        listed = load_templates(path if path.is_file() else None).values()
    except CasebaseError as error:
        fail(str(error))
    for template in listed:
        factors, indicators = counts(template)
        click.echo(f"{template.id}\t{template.title}: {factors} critical success factors, {indicators} indicators")
        click.echo(f"  source: {' '.join(template.source.split())}")
        if template.note:
            click.echo(f"  note: {' '.join(template.note.split())}")


@observatory.command("import")
@click.argument("initiative")
@click.argument("csv_file", metavar="FILE.csv", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and report; write nothing.")
@as_option
@click.pass_obj
def import_measurements(settings: Settings, initiative: str, csv_file: Path, dry_run: bool,
                        acting: str | None) -> None:
    """Import measurements of INITIATIVE from a CSV file (columns: indicator, period,
    value, measured_on, evidence). A file with any bad row writes nothing."""
    size = csv_file.stat().st_size
    if size > MAX_IMPORT_BYTES:
        fail(f"{csv_file} is {size:,} bytes; an import takes at most {MAX_IMPORT_BYTES:,}")
    try:
        text = csv_file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        fail(f"{csv_file} is not UTF-8 text (byte {error.start}); save it as UTF-8 CSV")

    def action(casebase):
        viewer = acting_viewer(casebase, acting)
        return casebase.observatory.import_measurements(viewer, initiative, text, dry_run=dry_run)

    report = _run(settings, action)
    for problem in report.problems:
        click.echo(f"{csv_file}: line {problem.line}" + (f", column {problem.column}" if problem.column else "")
                   + f": {problem.message}", err=True)
    if report.problems:
        fail(f"{len(report.problems)} problem(s) in {csv_file}; nothing was written")
    if report.dry_run:
        click.echo(f"{csv_file}: {len(report.rows)} row(s) would be recorded (dry run: nothing written).")
    else:
        click.echo(f"{csv_file}: {report.written} measurement(s) recorded for '{initiative}'.")


@observatory.command("export")
@click.argument("initiative")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@as_option
@click.pass_obj
def export_measurements(settings: Settings, initiative: str, fmt: str, output: Path | None,
                        acting: str | None) -> None:
    """Export INITIATIVE's indicators and measurements as CSV or JSON (what the account may see)."""
    text = _run(settings, lambda casebase: casebase.observatory.export_measurements(
        acting_viewer(casebase, acting), initiative, format=fmt))
    _emit(text, output)


@observatory.command("iati")
@click.argument("programme")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write here instead of stdout.")
@as_option
@click.pass_obj
def iati(settings: Settings, programme: str, output: Path | None, acting: str | None) -> None:
    """PROGRAMME's results as IATI 2.03 XML (what the account may see)."""
    text = _run(settings, lambda casebase: casebase.observatory.export_iati(acting_viewer(casebase, acting), programme))
    _emit(text, output)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    output.write_text(text, encoding="utf-8", newline="")
    click.echo(f"Wrote {output}.", err=True)
