"""`casebase check`: validate the content and report every problem."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import click

from indexer.checking import load_library
from indexer.content.loading import Content
from indexer.settings import Settings, find_content_root

from .app import main

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
    content = load_library(root)
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
