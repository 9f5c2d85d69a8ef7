"""The process's one Casebase, and the renderer that goes with it."""

from __future__ import annotations

from flask import Flask, current_app

from indexer.service import Casebase
from indexer.settings import Settings

from .rendering import Renderer


def init_app(app: Flask) -> None:
    """Open the Casebase once for this app (tests may pass one as config CASEBASE)."""
    casebase = app.config.get("CASEBASE")
    if casebase is None:
        settings = Settings.from_env(content_dir=app.config.get("CONTENT"), index_dir=app.config.get("INDEX"))
        casebase = Casebase.open(settings, semantic=bool(app.config.get("SEMANTIC", True)))
    app.extensions["casebase"] = casebase

    def titles() -> dict[str, str]:
        return {doc_id: doc.title for doc_id, doc in casebase.content.documents.items()}

    def kinds() -> dict[str, str]:
        return {doc_id: doc.kind for doc_id, doc in casebase.content.documents.items()}

    app.extensions["renderer"] = Renderer(titles, kinds, lambda: casebase.content.glossary)

    @app.before_request
    def follow_new_generations() -> None:
        # Another worker or `casebase index` may have published; pages must not lag.
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
