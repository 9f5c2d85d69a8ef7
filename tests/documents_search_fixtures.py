"""Uploaded documents for the search tests, made directly from the documents contract
(no database): the bundled library plus a few IndexedDocuments, built into an index in
a temporary folder and opened as the service opens a generation."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Sequence

from tests.conftest import REPO_ROOT

from indexer.documents import models
from indexer.documents.models import DocumentRecord, Passage
from indexer.documents.units import IndexedDocument, document_units
from indexer.index.build import build_index, current_generation, read_glossary
from indexer.search.analysis import make_analyzer, terms
from indexer.search.encoder import Encoder
from indexer.search.searcher import Searcher
from indexer.search.synonyms import SynonymExpander

HIDDEN_INITIATIVE, OTHER_INITIATIVE = 41, 42
# Words found in no bundled text and no typo away from one, each in one document only.
PAGE_TWO_PHRASE = "quokka weavers asked for a shared dyeing plant"
HIDDEN_WORD = "wombatine"
HIDDEN_PHRASE = f"the {HIDDEN_WORD} lacquer makers distrust the municipal agency"
OTHER_WORD = "bilbyhurst"


def record(document_id: int, title: str, *, kind: str = "other", initiative_id: int | None = None,
           programme_id: int | None = None, language: str = "", date: dt.date | None = None,
           uploaded: dt.datetime = dt.datetime(2024, 3, 1, tzinfo=dt.timezone.utc),
           media_type: str = models.PDF, pages: int | None = None, passages: int = 0) -> DocumentRecord:
    """A stored document's record as the documents facade would return it."""
    return DocumentRecord(
        id=document_id, sha256=f"{document_id:064x}", filename=f"upload-{document_id}.pdf", media_type=media_type,
        size=1000 + document_id, title=title, kind=kind, date=date, language=language,
        programme_id=programme_id, initiative_id=initiative_id, uploaded_by="ed",
        uploaded_at=uploaded.timestamp(), updated_at=uploaded.timestamp(), pages=pages, passages=passages)


def pdf(document_id: int, title: str, pages: Sequence[str], **metadata) -> IndexedDocument:
    """A PDF-like document: one passage per page (1-based pages, 0-based numbers)."""
    passages = [Passage(number=number, page=number + 1, text=text) for number, text in enumerate(pages)]
    programme, initiative = metadata.pop("programme", ("", "")), metadata.pop("initiative", ("", ""))
    return IndexedDocument(record(document_id, title, pages=len(pages), passages=len(passages), **metadata),
                           passages, programme[0], programme[1], initiative[0], initiative[1])


def sectioned(document_id: int, title: str, sections: Sequence[tuple[str, str]], **metadata) -> IndexedDocument:
    """A DOCX/Markdown-like document: one passage per heading."""
    passages = [Passage(number=number, heading=heading, text=f"{heading}\n\n{text}")
                for number, (heading, text) in enumerate(sections)]
    programme, initiative = metadata.pop("programme", ("", "")), metadata.pop("initiative", ("", ""))
    return IndexedDocument(record(document_id, title, media_type=models.MARKDOWN, passages=len(passages),
                                  **metadata), passages, programme[0], programme[1], initiative[0], initiative[1])


def sample_documents() -> list[IndexedDocument]:
    """Four synthetic documents: two public ones of a programme, one of a hidden
    initiative, one of another initiative."""
    return [
        pdf(1, "Synthetic proposal of the weavers' association", [
            "The association of hand weavers in the valley proposes a joint training programme "
            "for its members, most of them micro firms.",
            f"At the second meeting the {PAGE_TWO_PHRASE}, to be run by the association.",
            "The budget asks the programme for half of the dyeing plant's cost over three years.",
        ], kind="proposal", language="en", date=dt.date(2019, 6, 30), programme=("north-programme", "North programme")),
        sectioned(2, "Synthetic fact-finding report on the lacquer makers", [
            ("Diagnóstico", f"Segundo o relatório, {HIDDEN_PHRASE} and meet rarely."),
            ("Recomendações", "Um fórum de confiança entre as empresas e a agência municipal."),
        ], kind="fact-finding", language="pt", date=dt.date(2021, 2, 1), initiative_id=HIDDEN_INITIATIVE,
            initiative=("hidden-lacquer", "Hidden lacquer initiative"), programme=("north-programme", "North programme")),
        sectioned(3, "Synthetic minutes of the steering group", [
            ("Attendance", "The steering group of the weavers met with the regional development agency."),
            ("Decisions", "The group agreed to visit the dyeing plant of a neighbouring cluster."),
        ], kind="minutes", programme=("north-programme", "North programme")),
        pdf(4, "Synthetic evaluation of the pottery initiative", [
            f"The {OTHER_WORD} potters doubled their exports after the joint marketing effort.",
        ], kind="evaluation", language="en", date=dt.date(2021, 11, 5), initiative_id=OTHER_INITIATIVE,
            initiative=("pottery-initiative", "Pottery initiative")),
    ]


def build_searcher(index_dir: Path, encoder: Encoder | None, documents: Sequence[IndexedDocument]) -> Searcher:
    """The bundled library and `documents` built into `index_dir`, opened as the service does."""
    units = [unit for document in documents for unit in document_units(document)]
    hashes = {f"document:{document.record.id}": document.record.sha256 for document in documents}
    build_index(REPO_ROOT, index_dir, encoder, extra_units=units, extra_hashes=hashes)
    return open_generation(current_generation(index_dir), encoder)


def open_generation(folder: Path, encoder: Encoder | None) -> Searcher:
    """The generation in `folder` opened as the service opens it."""
    analyzer = make_analyzer()
    expander = SynonymExpander(read_glossary(folder) or [], lambda text: terms(analyzer, text))
    return Searcher.open(folder, expander, encoder.encode_query if encoder is not None else None)
