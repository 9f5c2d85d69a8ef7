"""The documents facade: adding (limits, duplicates, nothing half-stored), reading as
access allows (a hidden initiative's documents never reach a reader), corrections,
replacing and deleting (the stored file goes when unused), on_change after every
change, the access tokens and the search index's view."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from indexer.documents import tables as t
from indexer.documents.models import PUBLIC, DocumentChanges, access_token
from indexer.documents.store import content_hash
from indexer.errors import InvalidInput, NotFound, Refused, TooLarge
from tests.documents_store_fixtures import (  # noqa: F401 - fixtures
    ANONYMOUS_SLUG, HIDDEN_SLUG, LIMITS, NAMED_SLUG, failing_extractor, text_extractor, world,
)

REPORT = ("# Fact-finding\n\nForty firms make chairs in Alpha town, and most of them are in the old quarter of "
          "the town.\n\nThey lack skilled carpenters, which is the main problem that the firms have faced for years.\n")


def _counts(world) -> tuple[int, int]:
    with world.database.reading() as db:
        return (db.execute(select(func.count()).select_from(t.documents)).scalar_one(),
                db.execute(select(func.count()).select_from(t.document_passages)).scalar_one())


def _add(world, who: str, text: str = REPORT, name: str = "report.md", **metadata):
    return world.documents.add(world.viewer(who), name, text.encode("utf-8"), **metadata)


def test_an_added_document_keeps_its_metadata_passages_and_original(world):
    added = _add(world, "lina", kind="fact-finding", initiative=NAMED_SLUG, date=dt.date(2026, 5, 4),
                 author="Alpha agency")
    record = added.document
    expected = text_extractor(REPORT.encode(), "report.md", LIMITS)
    assert not added.duplicate
    assert (record.title, record.kind, record.author, record.date) == (expected.title, "fact-finding", "Alpha agency",
                                                                       dt.date(2026, 5, 4))
    assert record.uploaded_by == "lina" and record.language == "en" and record.passages == len(expected.passages)
    assert record.initiative_id is not None and record.programme_id is not None  # the initiative's programme
    assert world.documents.passages(world.viewer("lina"), record.id) == expected.passages
    shown, path = world.documents.original(world.viewer("rita"), record.id)
    assert shown == record and path.read_bytes() == REPORT.encode()
    assert path.name == content_hash(REPORT.encode()) and path.parent.name == path.name[:2]
    assert "report" not in str(path.relative_to(world.storage))  # never the user's file name
    assert world.changes == ["change"]


def test_a_file_over_the_limit_is_too_large_before_anything_is_stored(world):
    limit = LIMITS.file_bytes
    with pytest.raises(TooLarge) as raised:
        world.documents.add(world.viewer("ed"), "big.txt", b"a" * (limit + 1))
    assert raised.value.limit == limit and raised.value.field == "file"
    assert raised.value.message.startswith("big.txt: ") and "over the" in raised.value.message
    assert _counts(world) == (0, 0) and world.documents.store.stored() == [] and world.changes == []


def test_a_failing_extraction_leaves_no_file_and_no_row(world):
    failing = world.facade(extract=failing_extractor)
    with pytest.raises(InvalidInput, match="broken.pdf: the PDF is damaged"):
        failing.add(world.viewer("ed"), "broken.pdf", b"%PDF-1.7 garbage")
    assert _counts(world) == (0, 0) and world.documents.store.stored() == [] and world.changes == []


def test_a_failing_database_write_removes_the_file_it_stored(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(world.documents, "_write_passages", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        _add(world, "ed")
    assert _counts(world) == (0, 0) and world.documents.store.stored() == []


def test_the_same_bytes_twice_are_recognised_where_the_viewer_sees_them(world):
    first = _add(world, "lina", initiative=NAMED_SLUG).document
    again = _add(world, "lina", name="copy of report.md", initiative=NAMED_SLUG)
    assert again.duplicate and again.document == first
    # Attached elsewhere (a hidden initiative's member), the same bytes make a new record
    # pointing at the same stored file, and nothing says where else it is.
    elsewhere = _add(world, "omar", initiative=HIDDEN_SLUG)
    assert not elsewhere.duplicate and elsewhere.document.id != first.id
    assert elsewhere.document.sha256 == first.sha256 and world.documents.store.stored() == [first.sha256]
    # A reader of the named initiative uploading nothing still never learns of the hidden copy.
    assert [record.id for record in world.documents.list(world.viewer("lina"))] == [first.id]


def test_a_reader_never_gets_a_hidden_initiatives_document(world):
    hidden = _add(world, "omar", initiative=HIDDEN_SLUG).document
    anonymous = _add(world, "omar", "# Tiles\n\nKilns.\n", name="tiles.md", initiative=ANONYMOUS_SLUG).document
    named = _add(world, "lina", initiative=NAMED_SLUG).document
    for secret in (hidden, anonymous):
        for who in ("rita", "lina", "ed", "vera", None):
            viewer = world.viewer(who)
            with pytest.raises(NotFound, match=f"no document {secret.id}"):
                world.documents.get(viewer, secret.id)
            with pytest.raises(NotFound):
                world.documents.passages(viewer, secret.id)
            with pytest.raises(NotFound):
                world.documents.original(viewer, secret.id)
            assert secret.id not in [record.id for record in world.documents.list(viewer)]
            assert access_token(secret.initiative_id) not in world.documents.access_tokens(viewer)
    # Insiders (members and the programme's managers) see them.
    for who in ("omar", "mona"):
        assert {hidden.id, anonymous.id, named.id} <= {record.id for record in world.documents.list(world.viewer(who))}
        assert world.documents.get(world.viewer(who), hidden.id) == hidden
    # Not visible and not existing read the same: nothing tells them apart.
    with pytest.raises(NotFound) as missing:
        world.documents.get(world.viewer("rita"), hidden.id + 1000)
    assert str(missing.value) == f"no document {hidden.id + 1000}"


def test_sharing_changes_take_effect_at_once(world):
    hidden = _add(world, "omar", initiative=HIDDEN_SLUG).document
    rita = world.viewer("rita")
    assert hidden.id not in [record.id for record in world.documents.list(rita)]
    world.observatory.update_initiative(world.viewer("mona"), HIDDEN_SLUG, {"sharing": "named"})
    assert world.documents.get(rita, hidden.id) == hidden
    assert access_token(hidden.initiative_id) in world.documents.access_tokens(rita)


def test_access_tokens_are_public_and_the_visible_initiatives(world):
    initiatives = {initiative.slug: initiative.id for initiative in world.observatory.initiatives(world.viewer("mona"))}
    assert world.documents.access_tokens(world.viewer(None)) == {PUBLIC, access_token(initiatives[NAMED_SLUG])}
    assert world.documents.access_tokens(world.viewer("omar")) == {PUBLIC, *(access_token(i) for i in initiatives.values())}
    assert world.documents.access_tokens(world.viewer("mona")) == {PUBLIC, *(access_token(i) for i in initiatives.values())}


def test_who_may_upload(world):
    may = world.documents.may_upload
    assert not may(world.viewer(None)) and not may(world.viewer("rita")) and may(world.viewer("ed"))
    assert may(world.viewer("lina"), initiative=NAMED_SLUG) and not may(world.viewer("lina"), initiative=HIDDEN_SLUG)
    assert not may(world.viewer("ed"), initiative=HIDDEN_SLUG) and may(world.viewer("mona"), initiative=HIDDEN_SLUG)
    with pytest.raises(Refused, match="sign in"):
        _add(world, None)
    with pytest.raises(Refused):
        _add(world, "rita")  # a reader belonging to nothing
    with pytest.raises(Refused):
        _add(world, "lina", initiative=HIDDEN_SLUG)  # not her initiative
    with pytest.raises(Refused, match="members and managers only"):
        _add(world, "ed", initiative=HIDDEN_SLUG)  # an editor outside a hidden initiative
    assert _counts(world) == (0, 0)
    assert _add(world, "ed", initiative=NAMED_SLUG).document.uploaded_by == "ed"
    assert _add(world, "ed", "# Other\n\nText.\n", name="other.md").document.initiative_id is None
    with pytest.raises(InvalidInput, match="kind"):
        _add(world, "ed", kind="memo")
    with pytest.raises(InvalidInput, match="language"):
        _add(world, "ed", language="fr")


def test_an_initiative_of_another_programme_is_refused(world):
    mona = world.viewer("mona")
    other = world.observatory.create_programme(mona, "Another round").slug
    with pytest.raises(InvalidInput, match="belongs to another programme"):
        _add(world, "mona", programme=other, initiative=NAMED_SLUG)


def test_corrections_by_those_who_may_change(world):
    record = _add(world, "lina", initiative=NAMED_SLUG).document
    world.changes.clear()
    changed = world.documents.update(world.viewer("mona"), record.id,
                                     DocumentChanges(title="Alpha fact-finding", kind="fact-finding",
                                                     date=dt.date(2026, 1, 2), language="pt", author="Agency"))
    assert (changed.title, changed.kind, changed.date, changed.language, changed.author) == (
        "Alpha fact-finding", "fact-finding", dt.date(2026, 1, 2), "pt", "Agency")
    assert world.documents.get(world.viewer("rita"), record.id) == changed and world.changes == ["change"]
    for who in ("rita", "ed"):  # they see it, but neither uploaded it nor belong to it
        with pytest.raises(Refused):
            world.documents.update(world.viewer(who), record.id, DocumentChanges(title="Mine"))
        assert not world.documents.may_change(world.viewer(who), changed)
    for who in ("lina", "mona", "vera"):
        assert world.documents.may_change(world.viewer(who), changed)
    with pytest.raises(InvalidInput, match="title"):
        world.documents.update(world.viewer("lina"), record.id, DocumentChanges(title="  "))


def test_moving_a_document_follows_the_attach_rules(world):
    record = _add(world, "ed", initiative=NAMED_SLUG).document
    with pytest.raises(Refused):  # ed may not attach to a hidden initiative he is not part of
        world.documents.update(world.viewer("ed"), record.id, DocumentChanges(initiative=HIDDEN_SLUG))
    moved = world.documents.update(world.viewer("mona"), record.id, DocumentChanges(initiative=HIDDEN_SLUG))
    assert moved.initiative_id != record.initiative_id
    with pytest.raises(NotFound):  # now hidden from its uploader too, who is not an insider
        world.documents.get(world.viewer("ed"), record.id)
    detached = world.documents.update(world.viewer("mona"), record.id, DocumentChanges(initiative=""))
    assert detached.initiative_id is None and detached.programme_id == record.programme_id
    assert world.documents.get(world.viewer("rita"), record.id) == detached


def test_replacing_keeps_the_record_and_removes_the_unused_old_file(world):
    record = _add(world, "lina", initiative=NAMED_SLUG, title="Kept title").document
    world.changes.clear()
    new_text = "# Second version\n\nSixty firms now.\n"
    replaced = world.documents.replace(world.viewer("lina"), record.id, "report-v2.md", new_text.encode())
    assert not replaced.duplicate and replaced.document.id == record.id
    assert replaced.document.title == "Kept title" and replaced.document.filename == "report-v2.md"
    assert world.documents.store.stored() == [content_hash(new_text.encode())]
    assert [p.text for p in world.documents.passages(world.viewer("lina"), record.id)] == [
        p.text for p in text_extractor(new_text.encode(), "x", LIMITS).passages]
    assert world.changes == ["change"]
    same = world.documents.replace(world.viewer("lina"), record.id, "again.md", new_text.encode())
    assert same.duplicate and world.changes == ["change"]


def test_replacing_a_shared_file_keeps_it_for_the_other_record(world):
    first = _add(world, "lina", initiative=NAMED_SLUG).document
    second = _add(world, "omar", initiative=HIDDEN_SLUG).document
    world.documents.replace(world.viewer("omar"), second.id, "new.md", b"# New\n\nOther words.\n")
    assert first.sha256 in world.documents.store.stored()
    assert world.documents.original(world.viewer("lina"), first.id)[1].read_bytes() == REPORT.encode()


def test_a_failed_replacement_changes_nothing(world):
    record = _add(world, "lina", initiative=NAMED_SLUG).document
    with pytest.raises(InvalidInput):
        world.facade(extract=failing_extractor).replace(world.viewer("lina"), record.id, "bad.pdf", b"%PDF-1.4 x")
    assert world.documents.get(world.viewer("lina"), record.id) == record
    assert world.documents.store.stored() == [record.sha256]


def test_deleting_removes_row_passages_and_the_unused_file(world):
    shared_a = _add(world, "lina", initiative=NAMED_SLUG).document
    shared_b = _add(world, "ed").document  # the same bytes, at large
    world.changes.clear()
    with pytest.raises(Refused):
        world.documents.delete(world.viewer("rita"), shared_a.id)
    world.documents.delete(world.viewer("lina"), shared_a.id)
    assert world.changes == ["change"] and world.documents.store.stored() == [shared_b.sha256]
    with pytest.raises(NotFound):
        world.documents.get(world.viewer("lina"), shared_a.id)
    world.documents.delete(world.viewer("vera"), shared_b.id)  # a reviewer may
    assert _counts(world) == (0, 0) and world.documents.store.stored() == []


def test_listing_filters(world):
    proposal = _add(world, "lina", initiative=NAMED_SLUG, kind="proposal").document
    minutes = _add(world, "ed", "# Minutes\n\nMet.\n", name="minutes.md", kind="minutes").document
    rita = world.viewer("rita")
    assert [r.id for r in world.documents.list(rita, kind="proposal")] == [proposal.id]
    assert [r.id for r in world.documents.list(rita, initiative=NAMED_SLUG)] == [proposal.id]
    assert [r.id for r in world.documents.list(rita, programme=world.programme)] == [proposal.id]
    assert [r.id for r in world.documents.list(rita)] == [minutes.id, proposal.id]  # newest first
    with pytest.raises(NotFound):
        world.documents.list(rita, initiative="no-such-initiative")


def test_the_language_is_guessed_unless_given(world):
    portuguese = ("# Diagnóstico\n\nAs empresas do polo não têm uma associação forte e também são muito pequenas; "
                  "a maioria está na região há mais de vinte anos, como os outros polos do estado.\n")
    assert _add(world, "ed", portuguese, name="pt.md").document.language == "pt"
    assert _add(world, "ed", portuguese + "\n\nMais.\n", name="pt2.md", language="").document.language == ""


def test_the_search_index_view_and_its_fingerprint(world):
    record = _add(world, "lina", initiative=NAMED_SLUG).document
    documents, hashes = world.documents.indexed()
    (document,) = documents
    assert document.record == record and document.initiative_slug == NAMED_SLUG
    assert document.programme_slug == world.programme and [p.text for p in document.passages] == [
        p.text for p in world.documents.passages(world.viewer("lina"), record.id)]
    before = hashes[f"document:{record.id}"]
    world.documents.update(world.viewer("lina"), record.id, DocumentChanges(title="Renamed"))
    assert world.documents.indexed()[1][f"document:{record.id}"] != before
    world.observatory.update_initiative(world.viewer("mona"), NAMED_SLUG, {"name": "Alpha renamed"})
    renamed = world.documents.indexed()[1][f"document:{record.id}"]
    assert renamed != before and world.documents.indexed()[1][f"document:{record.id}"] == renamed


def test_passage_text_with_nul_characters_is_stored_without_them(world):
    text = "# Odd\n\nA\x00B text.\n"
    record = _add(world, "ed", text, name="odd.md").document
    assert [p.text for p in world.documents.passages(world.viewer("ed"), record.id)] == ["AB text."]


def test_file_names_lose_their_folders(world):
    record = _add(world, "ed", name="../../etc/report.md").document
    assert record.filename == "report.md"
    with pytest.raises(InvalidInput, match="filename"):
        _add(world, "ed", name="../")


def test_on_change_runs_after_the_commit_so_an_index_update_sees_the_change(world):
    seen: list[list[int]] = []
    documents = world.facade(on_change=lambda: seen.append(
        [document.record.id for document in world.documents.indexed()[0]]))
    record = documents.add(world.viewer("ed"), "a.md", REPORT.encode()).document
    assert seen == [[record.id]]  # another reader of the database already saw the new row
    documents.update(world.viewer("ed"), record.id, DocumentChanges(kind="minutes"))
    documents.delete(world.viewer("ed"), record.id)
    assert seen == [[record.id], [record.id], []]
