"""The draft state machine, who may discard, ids out of range, and one validation path."""

from __future__ import annotations

import pytest
from tests.conftest import render, valid_case, valid_note

from indexer.errors import InvalidInput, NotFound, Refused, StateConflict
from indexer.library.accounts import User
from indexer.library.drafts import CONFLICT, DISCARDED, OPEN, PUBLISHED, TRANSITIONS
from indexer.library.editing import NEW, Conflict, InvalidEdit, Library

ERIN, ED, RITA = User("erin", "editor"), User("ed", "editor"), User("rita", "reviewer")


@pytest.fixture
def library(tree, tmp_path):
    tree.case("alpha-town")
    tree.note("basics")
    return Library(tree.root, tmp_path / "instance" / "casebase.sqlite3")


def draft_of(library: Library, title: str, author: str = "erin"):
    revision, _ = library.head("case", "alpha-town")
    return library.save_draft("case", "alpha-town", render(valid_case("alpha-town", title=title)), revision,
                              author)


def test_the_transition_table_has_final_states_and_no_way_back_to_open():
    assert set(TRANSITIONS) == {OPEN, CONFLICT, PUBLISHED, DISCARDED}
    assert TRANSITIONS[PUBLISHED] == TRANSITIONS[DISCARDED] == frozenset()
    assert all(OPEN not in targets for targets in TRANSITIONS.values())


def test_publishing_the_same_draft_twice_is_a_state_conflict(library, tree):
    draft = draft_of(library, "Once")
    library.publish(draft.id, "rita")
    written = (tree.root / "cases" / "alpha-town.md").read_text()
    with pytest.raises(StateConflict, match="published draft"):
        library.publish(draft.id, "rita")
    assert (tree.root / "cases" / "alpha-town.md").read_text() == written
    assert len([r for r in library.history("case", "alpha-town") if r.author == "rita"]) == 1


def test_discarding_a_published_draft_is_refused_and_keeps_its_state(library):
    draft = draft_of(library, "Published")
    library.publish(draft.id, "rita")
    with pytest.raises(StateConflict, match="cannot be discarded"):
        library.discard(draft.id, RITA)
    assert library.draft(draft.id).status == PUBLISHED


def test_reviewers_discard_any_draft_editors_only_their_own(library):
    draft = draft_of(library, "By Erin")
    with pytest.raises(Refused):
        library.discard(draft.id, ED)
    assert library.draft(draft.id).is_open
    assert library.discard(draft.id, ERIN).status == DISCARDED
    other = draft_of(library, "By Erin again")
    assert library.discard(other.id, RITA).status == DISCARDED
    with pytest.raises(StateConflict):
        library.discard(other.id, RITA)


def test_conflict_copies_can_be_discarded_but_never_published(library):
    base, _ = library.published("case", "alpha-town")
    draft_of(library, "First")
    with pytest.raises(Conflict) as conflict:
        library.save_draft("case", "alpha-town", render(valid_case("alpha-town", title="Second")), base, "ed")
    kept = conflict.value.kept_draft
    assert library.draft(kept).status == CONFLICT
    with pytest.raises(StateConflict):
        library.publish(kept, "rita")
    assert library.discard(kept, ED).status == DISCARDED


@pytest.mark.parametrize("number", [0, -1, 2 ** 63, 99999999999999999999999])
def test_ids_out_of_range_are_not_found(library, number):
    with pytest.raises(NotFound):
        library.draft(number)
    with pytest.raises(NotFound):
        library.publish(number, "rita")
    with pytest.raises(NotFound):
        library.discard(number, RITA)
    with pytest.raises(NotFound):
        library.revision(number)
    with pytest.raises(NotFound):
        library.restore(number, "rita", reason="Back")


def test_a_revision_of_another_document_is_not_found(library):
    library.publish(draft_of(library, "Two").id, "rita")
    revision = library.history("case", "alpha-town")[0]
    with pytest.raises(NotFound):
        library.restore(revision.id, "rita", "case", "beta-city", reason="Back")
    with pytest.raises(NotFound):
        library.revision(revision.id, "note", "alpha-town")


def test_a_save_naming_a_missing_related_note_is_refused_and_never_published(library, tree):
    before = (tree.root / "cases" / "alpha-town.md").read_text()
    revision, _ = library.published("case", "alpha-town")
    text = render(valid_case("alpha-town", related_notes=["no-such-note"]))
    with pytest.raises(InvalidEdit) as error:
        library.save_draft("case", "alpha-town", text, revision, "erin")
    assert error.value.field == "related_notes"
    assert library.drafts() == [] and (tree.root / "cases" / "alpha-town.md").read_text() == before


def test_a_new_document_cannot_take_an_id_used_by_the_other_kind(library, tree):
    with pytest.raises(InvalidEdit) as error:
        library.create_draft("case", "basics", render(valid_case("basics")), "erin")
    assert error.value.field == "id" and "kb/basics.md" in error.value.message
    assert not (tree.root / "cases" / "basics.md").exists()
    library.create_draft("note", "fresh-note", render(valid_note("fresh-note")), "erin")
    with pytest.raises(InvalidEdit, match="open note draft"):
        library.create_draft("case", "fresh-note", render(valid_case("fresh-note")), "ed")


def test_ids_longer_than_the_limit_are_invalid_input_before_any_file_access(library):
    with pytest.raises(InvalidInput) as error:
        library.head("case", "a" * 300)
    assert error.value.field == "id"


def test_invalid_edit_is_invalid_input_naming_the_first_field(library):
    revision, _ = library.published("case", "alpha-town")
    bad = render(valid_case("alpha-town", initiative={"name": "x", "driver": "private", "approach": "sideways",
                                                      "lead_organisations": []}))
    with pytest.raises(InvalidInput) as error:
        library.save_draft("case", "alpha-town", bad, revision, "erin")
    assert error.value.field == "initiative.approach"


def test_drafts_written_by_older_versions_read_as_open(tree, tmp_path):
    import sqlite3

    database = tmp_path / "old.sqlite3"
    Library(tree.root, database)
    connection = sqlite3.connect(database)
    connection.execute("INSERT INTO drafts(kind, doc_id, text, published_base, author, message, status, created,"
                       " updated) VALUES ('case', 'x', 't', ?, 'erin', '', 'draft', 0, 0)", (NEW,))
    connection.commit()
    connection.close()
    assert [d.doc_id for d in Library(tree.root, database).drafts(OPEN)] == ["x"]


def test_saving_a_new_document_over_the_other_kinds_id_is_refused_too(library, tree):
    """Not only the 'new document' form: any save that would create the file checks."""
    with pytest.raises(InvalidEdit) as error:
        library.save_draft("case", "basics", render(valid_case("basics")), NEW, "erin")
    assert error.value.field == "id" and library.drafts() == []


def test_two_new_documents_of_different_kinds_cannot_race_to_one_id(library):
    import threading

    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def create(kind, text):
        barrier.wait()
        try:
            library.create_draft(kind, "same-id", text, "erin")
            outcomes.append("saved")
        except (InvalidEdit, Conflict):
            outcomes.append("refused")

    threads = [threading.Thread(target=create, args=("case", render(valid_case("same-id")))),
               threading.Thread(target=create, args=("note", render(valid_note("same-id"))))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["refused", "saved"]
