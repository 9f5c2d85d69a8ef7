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


def casebase() -> Casebase:
    """The current app's Casebase."""
    return current_app.extensions["casebase"]


def renderer() -> Renderer:
    """The current app's Markdown renderer."""
    return current_app.extensions["renderer"]
