"""The stored originals (content-hash names, atomic writes, removal) and the facade over
real files extracted by D1's child process (PDF pages, DOCX sections, a broken PDF that
leaves nothing), and the same add/list/delete on PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from indexer.documents import tables as t
from indexer.documents.models import DOCX, PDF
from indexer.documents.store import FileStore, content_hash
from indexer.errors import InvalidInput
from tests import documents_fixtures as files
from tests.documents_store_fixtures import HIDDEN_SLUG, NAMED_SLUG, make_world, world  # noqa: F401


def test_files_are_named_by_their_hash_and_written_once(tmp_path):
    store = FileStore(tmp_path / "documents")
    sha, created = store.put(b"minutes of the first meeting")
    assert created and sha == content_hash(b"minutes of the first meeting")
    assert store.path(sha) == tmp_path / "documents" / sha[:2] / sha
    assert store.path(sha).read_bytes() == b"minutes of the first meeting"
    assert store.put(b"minutes of the first meeting") == (sha, False)
    assert store.stored() == [sha] and not list(store.path(sha).parent.glob(".upload-*"))
    assert store.remove(sha) and not store.exists(sha) and not store.remove(sha)


def test_a_stored_value_cannot_name_a_path_outside_the_folder(tmp_path):
    store = FileStore(tmp_path)
    for bad in ("../../etc/passwd", "ab", "A" * 64, None):
        with pytest.raises(ValueError):
            store.path(bad)


def test_temporaries_of_killed_writes_are_cleared(tmp_path):
    store = FileStore(tmp_path)
    sha, _ = store.put(b"kept")
    leftover = store.path(sha).parent / f".upload-{sha}.123.456"
    leftover.write_bytes(b"half")
    assert store.remove_temporaries() == [leftover] and store.stored() == [sha]


def _facade_with_real_extraction(world):
    """The facade with D1's extraction (a child process with limits)."""
    from indexer.documents.service import _default_extractor

    return world.facade(extract=_default_extractor)


def test_a_pdf_keeps_its_pages_and_a_docx_its_headings(world, tmp_path):
    documents = _facade_with_real_extraction(world)
    lina = world.viewer("lina")
    pdf = documents.add(lina, "report.pdf", files.text_pdf(tmp_path / "r.pdf", 3).read_bytes(),
                        initiative=NAMED_SLUG).document
    assert (pdf.media_type, pdf.pages, pdf.title, pdf.author) == (PDF, 3, files.TITLE, files.AUTHOR)
    passages = documents.passages(lina, pdf.id)
    assert [p.page for p in passages] == [1, 2, 3]
    assert all(files.page_phrase(p.page) in " ".join(p.text.split()) for p in passages)
    docx = documents.add(lina, "plan.docx", files.docx_file(tmp_path / "p.docx").read_bytes(),
                         initiative=NAMED_SLUG).document
    assert docx.media_type == DOCX
    headings = [p.heading for p in documents.passages(lina, docx.id)]
    assert [heading for heading, _ in files.SECTIONS] == list(dict.fromkeys(h for h in headings if h))


@pytest.mark.parametrize("make", [files.broken_pdf, files.truncated_pdf, files.encrypted_pdf, files.random_bytes])
def test_a_bad_file_is_one_clear_error_and_nothing_is_stored(world, tmp_path, make):
    documents = _facade_with_real_extraction(world)
    data = make(tmp_path / "bad.pdf").read_bytes()
    with pytest.raises(InvalidInput) as raised:
        documents.add(world.viewer("ed"), "bad.pdf", data)
    assert raised.value.field == "file" and raised.value.message.startswith("bad.pdf: ")
    with world.database.reading() as db:
        assert db.execute(select(func.count()).select_from(t.documents)).scalar_one() == 0
    assert documents.store.stored() == [] and world.changes == []


def test_add_list_and_delete_on_postgresql(tmp_path, tree, postgres_url):
    tree.note("basics")
    pg = make_world(tmp_path, tree.root, postgres_url)
    assert pg.database.backend == "postgresql"
    text = "# Minutes\n\nThe tannery group met twice.\n"
    hidden = pg.documents.add(pg.viewer("omar"), "minutes.md", text.encode(), initiative=HIDDEN_SLUG,
                              kind="minutes").document
    named = pg.documents.add(pg.viewer("lina"), "minutes.md", text.encode(), initiative=NAMED_SLUG).document
    assert pg.documents.add(pg.viewer("lina"), "again.md", text.encode(), initiative=NAMED_SLUG).duplicate
    assert [r.id for r in pg.documents.list(pg.viewer("rita"))] == [named.id]
    assert {r.id for r in pg.documents.list(pg.viewer("omar"))} == {hidden.id, named.id}
    assert pg.documents.passages(pg.viewer("omar"), hidden.id)[0].text == "The tannery group met twice."
    pg.documents.delete(pg.viewer("omar"), hidden.id)
    assert pg.documents.store.stored() == [named.sha256]  # still used by the named initiative's record
    pg.documents.delete(pg.viewer("lina"), named.id)
    assert pg.documents.list(pg.viewer("mona")) == [] and pg.documents.store.stored() == []
    pg.database.dispose()


def test_through_the_casebase_passages_enter_and_leave_search_within_seconds(tree, tmp_path):
    """The service's facade: an upload asks the updater for an update, after which the
    passage is found (with the viewer's access tokens only); a delete removes it again."""
    import time

    from indexer.search.encoder import HashingEncoder
    from indexer.search.searcher import SearchRequest
    from indexer.service import Casebase
    from indexer.settings import Settings
    from tests.documents_store_fixtures import PASSWORD

    tree.note()
    tree.case("shoe-valley", title="Shoe valley", summary="Footwear makers (Author 2001).")
    settings = Settings.from_env(content_dir=tree.root, index_dir=tmp_path / "index", environ={})
    casebase = Casebase.open(settings, encoder=HashingEncoder())
    try:
        casebase.build_index()
        casebase.accounts.add_user("ed", "editor", PASSWORD)
        ed = casebase.observatory.viewer(casebase.accounts.get("ed"))
        phrase = "zanzibar tannery cooperative"
        started = time.monotonic()
        record = casebase.documents.add(ed, "minutes.md", f"# Minutes\n\nThe {phrase} met.\n".encode()).document
        assert casebase.updater.wait(timeout=60) and casebase.updater.last_error is None

        def found() -> list[str]:
            request = SearchRequest(phrase, mode="keyword", access=casebase.documents.access_tokens(ed))
            return [hit.id for hit in casebase.search(request).results]

        assert f"document:{record.id}" in found()
        assert time.monotonic() - started < 30
        casebase.documents.delete(ed, record.id)
        assert casebase.updater.wait(timeout=60) and f"document:{record.id}" not in found()
    finally:
        casebase.close()


def test_revision_0005_adds_the_documents_tables_to_a_database_with_data_and_goes_back(database_target):
    from alembic import command
    from sqlalchemy import inspect, text

    from indexer.library import migrating
    from indexer.library.database import Database

    documents_tables = {"documents", "document_passages"}
    Database(database_target).upgrade("0004")
    database = Database(database_target)
    with database.transaction() as db:
        db.execute(text("INSERT INTO programmes(slug, name, created) VALUES ('round', 'Round', 0)"))

    def tables() -> set[str]:
        with database.reading() as db:
            return set(inspect(db).get_table_names())

    assert documents_tables.isdisjoint(tables())
    assert database.upgrade() == ("0004", migrating.head_revision())
    assert documents_tables <= tables()
    with database.reading() as db:
        assert db.execute(text("SELECT slug FROM programmes")).scalars().all() == ["round"]
    with database.transaction() as db:
        command.downgrade(migrating.config(db), "0004")
    assert documents_tables.isdisjoint(tables()) and "programmes" in tables()
    database.dispose()
