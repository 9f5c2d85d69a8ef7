"""The process's one Casebase, and the renderer that goes with it."""

from __future__ import annotations

from flask import Flask, current_app

from indexer.service import Casebase
from indexer.settings import Settings

from .rendering import Renderer


def init_app(app: Flask, settings: Settings) -> None:
    """Open the Casebase once for this app (tests may pass one as config CASEBASE) and
    its library, which finishes any publish a killed process left behind."""
    casebase = app.config.get("CASEBASE")
    if casebase is None:
        casebase = Casebase.open(settings, semantic=bool(app.config.get("SEMANTIC", True)))
    app.extensions["casebase"] = casebase
    # The same engine objects under the names views and tests look them up by.
    app.extensions["library"] = casebase.library
    app.extensions["accounts"] = casebase.accounts
    app.extensions["updater"] = casebase.updater

    def titles() -> dict[str, str]:
        return {doc_id: doc.title for doc_id, doc in casebase.content.documents.items()}

    def kinds() -> dict[str, str]:
        return {doc_id: doc.kind for doc_id, doc in casebase.content.documents.items()}

    app.extensions["renderer"] = Renderer(titles, kinds, lambda: casebase.content.glossary)

    @app.before_request
    def follow_other_processes() -> None:
        # Another worker may have published, or `casebase index` switched generations:
        # two stats per request, so no page lags behind a publish.
        casebase.refresh()


def casebase() -> Casebase:
    """The current app's Casebase."""
    return current_app.extensions["casebase"]


def renderer() -> Renderer:
    """The current app's Markdown renderer."""
    return current_app.extensions["renderer"]


def document_or_404(kind: str, doc_id: str):
    """The published case or note with this id; 404 for anything else, and ids that
    are not slugs are refused before any look-up."""
    from flask import abort

    from .security import valid_id

    document = casebase().document(doc_id) if valid_id(doc_id) else None
    if document is None or document.kind != kind:
        abort(404, description=f"There is no {kind} '{doc_id}'. Try searching for it.")
    return document
