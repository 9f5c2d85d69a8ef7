"""The documents' facade: the one object pages, API and the command line call
(`Casebase.documents`).

Every method takes the `viewer` first and decides access here, engine-side (access.py),
so that pages, API and command line cannot differ. Extraction (D1's `extract_safely`,
in a child process with limits) runs before any write; the original file is then
stored under its hash and its record written in ONE database transaction, so a failed
extraction or a failed write leaves no file and no row. Every change calls
`on_change()` after its commit (the service asks its index updater for an incremental
update, so passages appear and disappear in search within seconds).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from sqlalchemy import Connection, and_, delete, insert, update

from indexer.documents import access
from indexer.documents import tables as t
from indexer.documents.checks import (
    MAX_TITLE, check_filename, check_language, check_size, one_line, without_nul,
)
from indexer.documents.language import guess_language
from indexer.documents.models import (
    DOCUMENT_KINDS, Added, DocumentChanges, DocumentRecord, Extracted, Passage,
)
from indexer.documents.records import document_by_id, load_documents, load_passages, passages_by_document, users_of_file
from indexer.documents.store import FileStore, content_hash
from indexer.errors import InvalidInput, Refused, Unavailable
from indexer.observatory import rows
from indexer.observatory.models import Initiative, Programme, Viewer
from indexer.observatory.validation import check_row_id, check_text
from indexer.settings import DocumentLimits

if TYPE_CHECKING:
    from indexer.advisor.inference import Reading
    from indexer.documents.units import IndexedDocument
    from indexer.library.drafts import Draft
    from indexer.library.editing import Library

log = logging.getLogger(__name__)
Extractor = Callable[[bytes, str, DocumentLimits], Extracted]


def _default_extractor(data: bytes, filename: str, limits: DocumentLimits) -> Extracted:
    from indexer.documents.extract import extract_safely  # the child-process machinery loads when used

    return extract_safely(data, filename, limits)


class Documents:
    """Uploaded documents in the instance database and the documents folder.
    `read_profile(text)` is the advisor's reader (for "start a case"), `library` takes
    the draft case, `extract(data, filename, limits)` defaults to D1's `extract_safely`."""

    def __init__(self, database, storage_dir: Path, limits: DocumentLimits,
                 read_profile: "Callable[[str], Reading] | None" = None, library: "Library | None" = None,
                 on_change: Callable[[], None] = lambda: None, extract: Extractor | None = None):
        self.database = database
        self.store = FileStore(storage_dir)
        self.limits = limits
        self._read_profile = read_profile
        self._library = library
        self._on_change = on_change
        self._extract = extract or _default_extractor

    # -- who is looking -------------------------------------------------------------

    def access_tokens(self, viewer: Viewer) -> frozenset[str]:
        """Tokens (models.access_token) of the documents this viewer may find: PUBLIC, plus
        initiative:<id> for initiatives that are "named" or where the viewer is an insider."""
        with self.database.reading() as db:
            return access.tokens(db, viewer)

    def may_change(self, viewer: Viewer, record: DocumentRecord) -> bool:
        """True when the viewer may correct, replace or delete the document."""
        with self.database.reading() as db:
            return access.may_change(db, viewer, record)

    def may_upload(self, viewer: Viewer, *, programme: str | None = None, initiative: str | None = None) -> bool:
        """True when the viewer may upload a document to this programme or initiative (both
        None: to the casebase at large); NotFound for a slug that names nothing."""
        with self.database.reading() as db:
            try:
                self._target(db, viewer, programme, initiative, "upload a document")
            except Refused:
                return False
            return True

    # -- reading --------------------------------------------------------------------

    def get(self, viewer: Viewer, document_id: int) -> DocumentRecord:
        """One document (NotFound when it does not exist or the viewer may not see it)."""
        with self.database.reading() as db:
            return self._visible(db, viewer, document_id)

    def list(self, viewer: Viewer, *, programme: str | None = None, initiative: str | None = None,
             kind: str | None = None) -> list[DocumentRecord]:
        """The documents the viewer may see (of one programme, initiative or kind), newest first."""
        if kind is not None and kind not in DOCUMENT_KINDS:
            raise InvalidInput("kind", f"'{kind}' is not one of {', '.join(DOCUMENT_KINDS)}")
        with self.database.reading() as db:
            visible = access.visible_initiatives(db, viewer)
            column = t.documents.c
            where = [column.initiative_id.is_(None) | column.initiative_id.in_(sorted(visible))]
            if programme is not None:
                where.append(column.programme_id == rows.programme_by_slug(db, programme).id)
            if initiative is not None:
                where.append(column.initiative_id == rows.initiative_by_slug(db, initiative).id)
            if kind is not None:
                where.append(column.kind == kind)
            return load_documents(db, and_(*where))

    def passages(self, viewer: Viewer, document_id: int) -> list[Passage]:
        """The document's passages in order (NotFound when not visible)."""
        with self.database.reading() as db:
            return load_passages(db, self._visible(db, viewer, document_id).id)

    def original(self, viewer: Viewer, document_id: int) -> tuple[DocumentRecord, Path]:
        """The record and the path of its stored original (NotFound when not visible;
        Unavailable when the file has gone from the documents folder)."""
        record = self.get(viewer, document_id)
        path = self.store.path(record.sha256)
        if not path.is_file():
            raise Unavailable(f"the stored file of document {record.id} ({record.filename}) is missing from "
                              f"{self.store.root}; restore the folder from a backup or upload the file again")
        return record, path

    # -- writing ----------------------------------------------------------------------

    def add(self, viewer: Viewer, filename: str, data: bytes, *, kind: str = "other",
            programme: str | None = None, initiative: str | None = None, title: str | None = None,
            date: dt.date | None = None, author: str | None = None, language: str | None = None) -> Added:
        """Store one uploaded file with its metadata. The same bytes already attached to the
        same place (and visible to the viewer) give that record with duplicate=True; any
        error stores nothing."""
        filename = check_filename(filename)
        data = check_size(filename, data, self.limits.file_bytes)
        if kind not in DOCUMENT_KINDS:
            raise InvalidInput("kind", f"'{kind}' is not one of {', '.join(DOCUMENT_KINDS)}")
        title = check_text("title", title, limit=MAX_TITLE)
        author = check_text("author", author, limit=MAX_TITLE)
        language = check_language(language)
        if date is not None and not isinstance(date, dt.date):
            raise InvalidInput("date", "must be a date (YYYY-MM-DD)")
        if isinstance(date, dt.datetime):
            date = date.date()
        sha256 = content_hash(data)
        with self.database.reading() as db:  # refuse early: extraction may take seconds
            target = self._target(db, viewer, programme, initiative, "upload a document")
            existing = self._duplicate(db, sha256, *target)
        if existing is not None:
            return Added(document=existing, duplicate=True)
        extracted = self._extract(data, filename, self.limits)
        now = time.time()
        values = dict(
            filename=filename, media_type=extracted.media_type, size=len(data),
            title=(title or one_line(extracted.title) or Path(filename).stem or filename)[:MAX_TITLE],
            kind=kind, date=date.isoformat() if date else None,
            author=(author or one_line(extracted.author))[:MAX_TITLE],
            language=language if language is not None else guess_language(
                " ".join(passage.text for passage in extracted.passages)),
            uploaded_by=viewer.user, uploaded_at=now, updated_at=now, pages=extracted.pages,
            passage_count=len(extracted.passages), ocr=extracted.ocr, notices=json.dumps(extracted.notices))

        def write(db: Connection) -> Added:
            programme_record, initiative_record = self._target(db, viewer, programme, initiative,
                                                               "upload a document")
            existing = self._duplicate(db, sha256, programme_record, initiative_record)
            if existing is not None:  # the same file arrived while this one was read
                return Added(document=existing, duplicate=True)
            self.store.put(data)
            document_id = db.execute(insert(t.documents).values(
                sha256=sha256, programme_id=_id_of(programme_record), initiative_id=_id_of(initiative_record),
                **values)).inserted_primary_key[0]
            self._write_passages(db, document_id, extracted.passages)
            rows.record_audit(db, viewer.user, "documents.add", f"document:{document_id}",
                              {"sha256": sha256, "filename": filename})
            return Added(document=document_by_id(db, document_id))

        added = self._writing(write, sha256)
        if not added.duplicate:
            self._on_change()
        return added

    def update(self, viewer: Viewer, document_id: int, changes: DocumentChanges) -> DocumentRecord:
        """Correct the document's metadata; `programme`/`initiative` move it ("" detaches)."""
        if not isinstance(changes, DocumentChanges):
            raise InvalidInput("changes", "must be a DocumentChanges")
        values: dict = {}
        if changes.title is not None:
            values["title"] = check_text("title", changes.title, required=True, limit=MAX_TITLE)
        if changes.kind is not None:
            values["kind"] = changes.kind
        if changes.date is not None:
            values["date"] = changes.date.isoformat()
        if changes.author is not None:
            values["author"] = check_text("author", changes.author, limit=MAX_TITLE)
        if changes.language is not None:
            values["language"] = check_language(changes.language)
        with self.database.transaction() as db:
            record = self._visible(db, viewer, check_row_id("document_id", document_id))
            access.require_change(db, viewer, record, "correct this document")
            if changes.programme is not None or changes.initiative is not None:
                programme = changes.programme if changes.programme is not None else self._slug_of_programme(db, record)
                initiative = (changes.initiative if changes.initiative is not None
                              else self._slug_of_initiative(db, record))
                # A new initiative brings its own programme unless one is named.
                if changes.initiative and changes.programme is None:
                    programme = None
                programme_record, initiative_record = self._target(db, viewer, programme or None, initiative or None,
                                                                   "attach a document there")
                values["programme_id"] = _id_of(programme_record)
                values["initiative_id"] = _id_of(initiative_record)
            if values:
                values["updated_at"] = time.time()
                db.execute(update(t.documents).where(t.documents.c.id == record.id).values(**values))
                rows.record_audit(db, viewer.user, "documents.update", f"document:{record.id}",
                                  {key: value for key, value in values.items() if key != "updated_at"})
            updated = document_by_id(db, record.id)
        if values:
            self._on_change()
        return updated

    def replace(self, viewer: Viewer, document_id: int, filename: str, data: bytes) -> Added:
        """A new version of the file for the same record (its metadata stays); the old
        stored file is removed when no record uses it. The same bytes again change
        nothing (duplicate=True)."""
        document_id = check_row_id("document_id", document_id)
        filename = check_filename(filename)
        data = check_size(filename, data, self.limits.file_bytes)
        with self.database.reading() as db:
            record = self._visible(db, viewer, document_id)
            access.require_change(db, viewer, record, "replace this document")
        sha256 = content_hash(data)
        if sha256 == record.sha256:
            return Added(document=record, duplicate=True)
        extracted = self._extract(data, filename, self.limits)

        def write(db: Connection) -> Added:
            current = self._visible(db, viewer, document_id)
            access.require_change(db, viewer, current, "replace this document")
            self.store.put(data)
            db.execute(update(t.documents).where(t.documents.c.id == document_id).values(
                sha256=sha256, filename=filename, media_type=extracted.media_type, size=len(data),
                pages=extracted.pages, passage_count=len(extracted.passages), ocr=extracted.ocr,
                notices=json.dumps(extracted.notices), updated_at=time.time()))
            db.execute(delete(t.document_passages).where(t.document_passages.c.document_id == document_id))
            self._write_passages(db, document_id, extracted.passages)
            rows.record_audit(db, viewer.user, "documents.replace", f"document:{document_id}",
                              {"sha256": sha256, "previous": current.sha256, "filename": filename})
            return Added(document=document_by_id(db, document_id)), current.sha256

        added, previous = self._writing(write, sha256)
        self._collect(previous)
        self._on_change()
        return added

    def delete(self, viewer: Viewer, document_id: int) -> None:
        """Delete the record and its passages, and the stored file when no record uses it."""
        with self.database.transaction() as db:
            record = self._visible(db, viewer, check_row_id("document_id", document_id))
            access.require_change(db, viewer, record, "delete this document")
            db.execute(delete(t.document_passages).where(t.document_passages.c.document_id == record.id))
            db.execute(delete(t.documents).where(t.documents.c.id == record.id))
            rows.record_audit(db, viewer.user, "documents.delete", f"document:{record.id}",
                              {"sha256": record.sha256, "filename": record.filename})
        self._collect(record.sha256)
        self._on_change()

    # -- for the search index and for cases ---------------------------------------------

    def indexed(self) -> "tuple[list[IndexedDocument], dict[str, str]]":
        """Every document with its passages and its programme/initiative slugs and names,
        for the search index, and a fingerprint {"document:<id>": hash of content + metadata}
        that changes whenever the document's units would."""
        from indexer.documents.units import IndexedDocument

        with self.database.reading() as db:
            records = load_documents(db)
            passages = passages_by_document(db)
            programmes = {programme.id: programme for programme in rows.load_programmes(db)}
            initiatives = {initiative.id: initiative for initiative in rows.load_initiatives(db)}
        documents, hashes = [], {}
        for record in sorted(records, key=lambda r: r.id):
            programme = programmes.get(record.programme_id) if record.programme_id is not None else None
            initiative = initiatives.get(record.initiative_id) if record.initiative_id is not None else None
            document = IndexedDocument(
                record=record, passages=passages.get(record.id, []),
                programme_slug=programme.slug if programme else "", programme_name=programme.name if programme else "",
                initiative_slug=initiative.slug if initiative else "",
                initiative_name=initiative.name if initiative else "")
            documents.append(document)
            hashes[f"document:{record.id}"] = document.fingerprint()
        return documents, hashes

    def start_case(self, viewer: Viewer, document_id: int, author: str) -> "Draft":
        """A draft case pre-filled from the document (title, place, sectors and the profile
        attributes read from its text, each marked as read from the document with the
        passage it came from; the document cited as a source), via library.create_draft."""
        from indexer.documents.case_draft import draft_case

        if self._library is None:
            raise Refused("these documents have no library attached to take a draft case")
        author = check_text("author", author, required=True)
        with self.database.reading() as db:
            record = self._visible(db, viewer, check_row_id("document_id", document_id))
            access.require_case_author(viewer)
            passages = load_passages(db, record.id)
            initiative = rows.initiative_by_id(db, record.initiative_id) if record.initiative_id else None
            programme_id = record.programme_id or (initiative.programme_id if initiative else None)
            programme = rows.programme_by_id(db, programme_id) if programme_id else None
        draft = draft_case(self._library, record, passages, initiative, programme, author, viewer.user,
                           self._read_profile)
        with self.database.transaction() as db:
            rows.record_audit(db, viewer.user, "documents.case", f"document:{record.id}",
                              {"draft": draft.id, "case": draft.doc_id})
        return draft

    # -- helpers ---------------------------------------------------------------------------

    def _visible(self, db: Connection, viewer: Viewer, document_id: int) -> DocumentRecord:
        return access.require_visible(db, viewer, document_by_id(db, check_row_id("document_id", document_id)))

    def _target(self, db: Connection, viewer: Viewer, programme: str | None, initiative: str | None,
                doing: str) -> tuple[Programme | None, Initiative | None]:
        """The programme and initiative named by slug, consistent with each other, that the
        viewer may attach a document to (an initiative brings its programme)."""
        initiative_record = rows.initiative_by_slug(db, initiative) if initiative else None
        programme_record = rows.programme_by_slug(db, programme) if programme else None
        if initiative_record is not None:
            if programme_record is not None and programme_record.id != initiative_record.programme_id:
                raise InvalidInput("programme", f"'{initiative_record.slug}' belongs to another programme than "
                                                f"'{programme_record.slug}'")
            programme_record = rows.programme_by_id(db, initiative_record.programme_id)
        access.require_attach(db, viewer, programme_record, initiative_record, doing)
        return programme_record, initiative_record

    @staticmethod
    def _duplicate(db: Connection, sha256: str, programme: Programme | None,
                   initiative: Initiative | None) -> DocumentRecord | None:
        """The oldest record of the same bytes attached to the same place (which the
        viewer, who may attach there, may see)."""
        column = t.documents.c
        where = (column.sha256 == sha256) & (
            column.initiative_id == initiative.id if initiative else column.initiative_id.is_(None)) & (
            column.programme_id == programme.id if programme else column.programme_id.is_(None))
        found = load_documents(db, where)
        return found[-1] if found else None

    @staticmethod
    def _write_passages(db: Connection, document_id: int, passages: list[Passage]) -> None:
        if passages:
            db.execute(insert(t.document_passages), [
                {"document_id": document_id, "number": number, "page": passage.page,
                 "heading": without_nul(passage.heading), "text": without_nul(passage.text), "ocr": passage.ocr}
                for number, passage in enumerate(passages)])

    def _writing(self, write: Callable[[Connection], object], sha256: str):
        """Run `write(db)` in one transaction; when it fails, the file it may have stored
        goes too unless a record uses it (nothing half-stored)."""
        try:
            with self.database.transaction() as db:
                return write(db)
        except BaseException:
            try:
                self._collect(sha256)
            except Exception:  # the write's own error is the one to report; this one is logged
                log.exception("the file %s of a failed upload could not be removed", sha256)
            raise

    def _collect(self, sha256: str) -> None:
        """Remove the stored file of this hash when no record points at it; decided in a
        write transaction, so no upload of the same bytes can be between check and removal."""
        with self.database.transaction() as db:
            if users_of_file(db, sha256) == 0:
                self.store.remove(sha256)

    @staticmethod
    def _slug_of_programme(db: Connection, record: DocumentRecord) -> str | None:
        return rows.programme_by_id(db, record.programme_id).slug if record.programme_id else None

    @staticmethod
    def _slug_of_initiative(db: Connection, record: DocumentRecord) -> str | None:
        return rows.initiative_by_id(db, record.initiative_id).slug if record.initiative_id else None


def _id_of(record: Programme | Initiative | None) -> int | None:
    return record.id if record is not None else None
