"""`casebase check`: validate the content and report every problem."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from indexer.checking import library_files, load_library, select
from indexer.content.loading import VOCABULARY_FILE, Content
from indexer.errors import InvalidInput
from indexer.settings import Settings

from .app import fail, main


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--summary", is_flag=True, help="Also print what the content holds.")
@click.pass_obj
def check(settings: Settings, paths: tuple[Path, ...], as_json: bool, summary: bool) -> None:
    """Validate content files (all of them, or PATHS) and report every problem.

    PATHS may be a content tree (a folder holding cases/ and kb/), its cases/ or kb/
    folder, or files in them; each is checked in the tree it belongs to, links
    resolved against that whole tree. Exit status: 0 when there are no errors, 1
    otherwise, 2 when a path belongs to no content tree or paths span two trees.
    """
    try:
        selection = select(list(paths), settings.content_dir)
    except InvalidInput as exc:
        fail(exc.message)
    for path in selection.skipped:
        click.echo(f"Note: {path} is not checked: content is cases/*.md, kb/*.md and kb/*.yaml, "
                   "without templates (_*.md) and READMEs", err=True)
    root = selection.root
    content = load_library(root)
    # Without a vocabulary nothing could be checked: say so whatever was selected.
    problems = [p for p in content.problems
                if selection.includes(p.path) or (content.vocabulary is None and p.path == VOCABULARY_FILE)]
    errors = [p for p in problems if p.severity == "error"]
    files = library_files(root)
    checked = sum(1 for rel in files if selection.includes(rel))
    # The count users know is that of cases and notes; a part of the tree is counted
    # against every file the check read.
    count = f"{content.files_checked}" if checked == len(files) else f"{checked} of {len(files)}"
    if as_json:
        click.echo(json.dumps({
            "root": str(root),
            "files_checked": content.files_checked if checked == len(files) else checked,
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
        click.echo(f"Checked {count} files in {root}: {verdict}"
                   + (f", {warnings} warning(s)" if warnings else ""))
        if summary:
            _print_summary(content)
    sys.exit(1 if errors else 0)


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
