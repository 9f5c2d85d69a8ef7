"""`casebase documents`: upload, list, show, correct and delete documents, and start a
case from one.

Every command acts as an account (`--as NAME`) and goes through the same facade and
access rules as the web app (a hidden initiative's document does not exist for those
outside it); without `--as`, the reading commands read as an anonymous visitor would.
Errors name the file or document and exit with status 2; `add` goes on with the other
files and exits 2 at the end when any was refused.
"""

from __future__ import annotations

from pathlib import Path

import click

from indexer.documents.models import DOCUMENT_KINDS, LANGUAGES, MEDIA_TYPE_LABELS
from indexer.settings import Settings

from .app import acting_viewer, fail, open_casebase

PREVIEW_CHARS = 100
as_option = click.option("--as", "acting", metavar="NAME", help="Act as this account (default: anonymous).")
date_option = click.option("--date", "when", type=click.DateTime(formats=["%Y-%m-%d"]),
                           help="The document's own date (YYYY-MM-DD).")


def _settings(ctx: click.Context) -> Settings:
    """The settings of `casebase` (its --content/--index), or the environment's when the
    group runs on its own."""
    return ctx.obj if isinstance(ctx.obj, Settings) else Settings.from_env()


def _run(ctx: click.Context, action):
    """Run `action(casebase)` and turn the engine's errors into messages and exit status 2."""
    from indexer.errors import CasebaseError

    from indexer.index.build import current_generation, read_manifest

    # A change asks for an index update, which must be made the way the current index
    # was built (a keyword-only update would replace a semantic index, and a semantic
    # one would rebuild a keyword-only index) and must finish before this process exits.
    settings = _settings(ctx)
    current = current_generation(settings.index_dir)
    casebase = open_casebase(settings, semantic=current is not None and bool(read_manifest(current).get("semantic")))
    try:
        return action(casebase)
    except CasebaseError as error:
        fail(str(error))
    finally:
        casebase.updater.wait()
        casebase.close()


def _problem(path: Path, error: Exception) -> str:
    """What went wrong with one file, without naming it twice."""
    from indexer.errors import InvalidInput

    if not isinstance(error, InvalidInput):
        return str(error)
    text = error.message.removeprefix(f"{path.name}: ")
    return text if error.field == "file" else f"{error.field}: {text}"


def _attached(record, names: dict) -> str:
    if record.initiative_id is not None:
        return f"initiative {names['initiatives'].get(record.initiative_id, record.initiative_id)}"
    if record.programme_id is not None:
        return f"programme {names['programmes'].get(record.programme_id, record.programme_id)}"
    return "the casebase"


def _names(casebase, viewer) -> dict:
    """Slugs of programmes and initiatives by id, to say what a document is attached to."""
    return {"programmes": {p.id: p.slug for p in casebase.observatory.programmes(viewer)},
            "initiatives": {i.id: i.slug for i in casebase.observatory.initiatives(viewer)}}


@click.group()
def documents() -> None:
    """Uploaded documents: proposals, fact-finding reports, minutes, evaluations."""


@documents.command("add")
@click.argument("paths", metavar="PATH...", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--initiative", metavar="SLUG", help="Attach to this initiative (and its programme).")
@click.option("--programme", metavar="SLUG", help="Attach to this programme.")
@click.option("--kind", type=click.Choice(DOCUMENT_KINDS), default="other", show_default=True)
@click.option("--title", help="The title (default: the file's own, else its name).")
@click.option("--author", help="Author or organisation (default: the file's own).")
@click.option("--language", type=click.Choice(LANGUAGES), help="Its language (default: guessed).")
@date_option
@click.option("--as", "acting", metavar="NAME", required=True, help="The account that uploads.")
@click.pass_context
def add(ctx: click.Context, paths: tuple[Path, ...], initiative: str | None, programme: str | None, kind: str,
        title: str | None, author: str | None, language: str | None, when, acting: str) -> None:
    """Upload one or more files (PDF, DOCX, ODT, Markdown, text): extracted, stored under
    their content hash and searchable once the index has caught up."""
    from indexer.documents.checks import megabytes
    from indexer.errors import CasebaseError

    limit = _settings(ctx).document_limits.file_bytes
    failures = 0

    def action(casebase):
        nonlocal failures
        viewer = acting_viewer(casebase, acting)
        for path in paths:
            try:
                size = path.stat().st_size
                if size > limit:  # refused before reading it into memory
                    failures += 1
                    click.echo(f"Error: {path}: {megabytes(size)} is over the {megabytes(limit)} limit per file",
                               err=True)
                    continue
                added = casebase.documents.add(viewer, path.name, path.read_bytes(), kind=kind, programme=programme,
                                               initiative=initiative, title=title, author=author,
                                               date=when.date() if when else None, language=language)
            except (CasebaseError, OSError) as error:
                failures += 1
                click.echo(f"Error: {path}: {_problem(path, error)}", err=True)
                continue
            record = added.document
            if added.duplicate:
                click.echo(f"{path}: already stored as document {record.id} ('{record.title}')")
                continue
            pages = f", {record.pages} pages" if record.pages else ""
            click.echo(f"{path}: document {record.id} ('{record.title}'), "
                       f"{MEDIA_TYPE_LABELS.get(record.media_type, record.media_type)}{pages}, "
                       f"{record.passages} passages" + (", OCR" if record.ocr else ""))
            for notice in record.notices:
                click.echo(f"  note: {notice}")

    _run(ctx, action)
    if failures:
        fail(f"{failures} of {len(paths)} file(s) were not added")


@documents.command("list")
@click.option("--initiative", metavar="SLUG")
@click.option("--programme", metavar="SLUG")
@click.option("--kind", type=click.Choice(DOCUMENT_KINDS))
@as_option
@click.pass_context
def list_documents(ctx: click.Context, initiative: str | None, programme: str | None, kind: str | None,
                   acting: str | None) -> None:
    """The documents the account may see, newest first: id, kind, title, attached to, file."""
    def action(casebase):
        viewer = acting_viewer(casebase, acting)
        found = casebase.documents.list(viewer, programme=programme, initiative=initiative, kind=kind)
        names = _names(casebase, viewer)
        for record in found:
            click.echo(f"{record.id}\t{record.kind}\t{record.title}\t{_attached(record, names)}\t{record.filename}")
        if not found:
            click.echo("No documents.", err=True)

    _run(ctx, action)


@documents.command("show")
@click.argument("document_id", metavar="ID", type=int)
@as_option
@click.pass_context
def show(ctx: click.Context, document_id: int, acting: str | None) -> None:
    """One document's record and the start of each passage."""
    def action(casebase):
        viewer = acting_viewer(casebase, acting)
        record = casebase.documents.get(viewer, document_id)
        passages = casebase.documents.passages(viewer, document_id)
        names = _names(casebase, viewer)
        click.echo(f"Document {record.id}: {record.title}")
        for label, value in (("kind", record.kind), ("date", record.date.isoformat() if record.date else ""),
                             ("author", record.author), ("language", record.language),
                             ("attached to", _attached(record, names)), ("file", record.filename),
                             ("type", MEDIA_TYPE_LABELS.get(record.media_type, record.media_type)),
                             ("size", f"{record.size:,} bytes"), ("pages", record.pages or ""),
                             ("uploaded by", record.uploaded_by), ("stored as", record.sha256)):
            if value != "":
                click.echo(f"  {label}: {value}")
        for notice in record.notices:
            click.echo(f"  note: {notice}")
        for passage in passages:
            where = f"page {passage.page}" if passage.page else (passage.heading or f"passage {passage.number + 1}")
            flat = " ".join(passage.text.split())
            click.echo(f"  [{where}{', OCR' if passage.ocr else ''}] {flat[:PREVIEW_CHARS]}"
                       + ("..." if len(flat) > PREVIEW_CHARS else ""))

    _run(ctx, action)


@documents.command("set")
@click.argument("document_id", metavar="ID", type=int)
@click.option("--title")
@click.option("--kind", type=click.Choice(DOCUMENT_KINDS))
@date_option
@click.option("--author")
@click.option("--language", type=click.Choice([*LANGUAGES, ""]), help='Its language ("" for not known).')
@click.option("--initiative", metavar="SLUG", help='Attach to this initiative ("" detaches).')
@click.option("--programme", metavar="SLUG", help='Attach to this programme ("" detaches).')
@click.option("--as", "acting", metavar="NAME", required=True, help="The account that corrects it.")
@click.pass_context
def set_metadata(ctx: click.Context, document_id: int, title, kind, when, author, language, initiative, programme,
                 acting: str) -> None:
    """Correct a document's metadata (only the options given change)."""
    from pydantic import ValidationError

    from indexer.documents.models import DocumentChanges

    try:
        changes = DocumentChanges(title=title, kind=kind, date=when.date() if when else None, author=author,
                                  language=language, initiative=initiative, programme=programme)
    except ValidationError as error:
        fail("; ".join(f"--{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()))
    if changes == DocumentChanges():
        fail("nothing to change: give at least one of --title, --kind, --date, --author, --language, "
             "--initiative, --programme")

    def action(casebase):
        record = casebase.documents.update(acting_viewer(casebase, acting), document_id, changes)
        click.echo(f"Document {record.id} ('{record.title}') corrected.")

    _run(ctx, action)


@documents.command("delete")
@click.argument("document_id", metavar="ID", type=int)
@click.option("--as", "acting", metavar="NAME", required=True, help="The account that deletes it.")
@click.pass_context
def delete(ctx: click.Context, document_id: int, acting: str) -> None:
    """Delete a document (its passages leave search with the next index update)."""
    def action(casebase):
        casebase.documents.delete(acting_viewer(casebase, acting), document_id)
        click.echo(f"Document {document_id} deleted.")

    _run(ctx, action)


@documents.command("case")
@click.argument("document_id", metavar="ID", type=int)
@click.option("--as", "acting", metavar="NAME", required=True, help="The editor or reviewer who drafts it.")
@click.pass_context
def start_case(ctx: click.Context, document_id: int, acting: str) -> None:
    """Start a draft case from a document, for an editor to complete and a reviewer to publish."""
    def action(casebase):
        draft = casebase.documents.start_case(acting_viewer(casebase, acting), document_id, acting)
        click.echo(f"Draft {draft.id} of case '{draft.doc_id}' started from document {document_id}; "
                   f"complete it in the editor, then ask a reviewer to publish it.")

    _run(ctx, action)
