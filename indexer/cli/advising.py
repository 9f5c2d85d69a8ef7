"""`casebase suggest` and `casebase similar`: the advisor on the command line."""

from __future__ import annotations

import json

import click

from indexer.settings import Settings

from .app import fail, open_casebase, main

def _read_profile(stream) -> dict:
    from indexer.content.frontmatter import FrontMatterError, load_yaml

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
@click.option("--condition", "conditions", multiple=True, metavar="ATTRIBUTE=VALUE",
              help="Another condition of the method's warnings, e.g. government_view=obstacle (repeatable).")
@click.option("--profile", "profile_file", type=click.File("r"),
              help="A YAML or JSON profile ('-' for stdin); options given as well override it.")
@click.option("--batch", type=click.File("r"), help="One JSON profile per line; one JSON answer per line.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_obj
def suggest(settings: Settings, profile_file, batch, as_json: bool, **options) -> None:
    """Similar cases, lessons, notes and warnings for a new initiative."""
    from indexer.index.build import IndexProblem
    from indexer.advisor.profile import ProfileError

    casebase = open_casebase(settings)
    conditions = options.pop("conditions", ())
    given = {key: value for key, value in options.items() if value not in (None, ())}
    for condition in conditions:
        name, separator, value = condition.partition("=")
        if not separator or not name.strip() or not value.strip():
            raise click.BadParameter(f"'{condition}' is not ATTRIBUTE=VALUE", param_hint="--condition")
        given[name.strip()] = value.strip()
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
        fail(f"{exc.field}: {exc.message}")
    except IndexProblem as exc:
        fail(str(exc))
    if as_json:
        click.echo(json.dumps(answer.to_dict(), ensure_ascii=False, indent=2))
    else:
        _print_suggestion(answer)


def _print_suggestion(answer) -> None:
    for notice in answer.notices:
        click.echo(f"Note: {notice}", err=True)
    if answer.inferred:
        click.echo(click.style("Read from your description (give a value to correct it)", bold=True))
        for item in answer.inferred:
            click.echo(f"  {item['label']}  ({item['confidence']:.2f}, {item['method']})")
            click.echo(f"      \"{item['sentence']}\"")
    # Always shown: "nothing fired" must be told apart from "could not judge".
    click.echo(click.style("What the method says about this situation", bold=True))
    for warning in answer.warnings:
        click.echo(f"  [{warning['kind']}] {warning['title']}: {warning['message']}")
        click.echo(f"      because: {'; '.join(warning['evidence'])}  (read: {warning['note_id']})")
        if warning.get("tentative"):
            weak = "; ".join(f"{item['label']} ({item['confidence']:.2f})" for item in warning["rests_on"])
            click.echo(f"      tentative: it rests on a weak reading of the description: {weak}")
    if not answer.warnings:
        click.echo("  No warning fires on what is known.")
        undecided: dict[str, list[str]] = {}
        for item in answer.undecided:
            undecided.setdefault(item["title"], []).append(
                f"{item['label']} ({' or '.join(item['values_that_would_fire'])})")
        if undecided:
            click.echo("  Could not judge (the attribute that would decide it):")
            for title, needs in undecided.items():
                click.echo(f"    {title}: {'; '.join(needs)}")
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
    from indexer.index.build import IndexProblem

    casebase = open_casebase(settings)
    try:
        matches = casebase.similar(case_id, limit)
    except KeyError:
        known = ", ".join(case.id for case in casebase.content.cases)
        fail(f"no case with id '{case_id}'; cases: {known}")
    except IndexProblem as exc:
        fail(str(exc))
    if as_json:
        click.echo(json.dumps({"case": case_id, "similar": [m.to_dict() for m in matches]},
                              ensure_ascii=False, indent=2))
        return
    for match in matches:
        click.echo(f"{match.score:.2f}  {match.title}  ({match.id})\n      {match.reason}")
