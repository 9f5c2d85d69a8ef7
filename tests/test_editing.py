"""Editing without losing a word: drafts, conflicts, atomic publish, history, restore."""

from __future__ import annotations

import subprocess
import threading

import pytest
from tests.conftest import render, valid_case

import indexer.library.editing as editing
import indexer.library.files as files
from indexer.library.accounts import Accounts, AccountError, TooManyAttempts, verify_password
from indexer.index.build import IndexLocked
from indexer.errors import InvalidInput, Refused, StateConflict
from indexer.library.accounts import User
from indexer.library.editing import NEW, Conflict, InvalidEdit, Library
from indexer.index.updater import IndexUpdater


@pytest.fixture
def library(tree, tmp_path):
    tree.case("alpha-town")
    return Library(tree.root, tmp_path / "instance" / "casebase.sqlite3")


def edited(title: str) -> str:
    return render(valid_case("alpha-town", title=title))


def test_a_draft_is_invisible_until_published(library, tree):
    revision, original = library.published("case", "alpha-town")
    draft = library.save_draft("case", "alpha-town", edited("Alpha renamed"), revision, "erin")
    assert (tree.root / "cases" / "alpha-town.md").read_text() == original
    assert library.head("case", "alpha-town") == (draft.revision, draft.text)
    record = library.publish(draft.id, "rita", "Rename")
    assert "Alpha renamed" in (tree.root / "cases" / "alpha-town.md").read_text()
    assert record.author == "rita" and record.message == "Rename"
    assert library.open_draft("case", "alpha-town") is None


def test_invalid_front_matter_is_refused_with_the_field_named(library, tree):
    revision, original = library.published("case", "alpha-town")
    bad = edited("x").replace("approach: bottom-up", "approach: sideways")
    with pytest.raises(InvalidEdit) as error:
        library.save_draft("case", "alpha-town", bad, revision, "erin")
    assert error.value.problems[0].field == "initiative.approach"
    assert library.drafts() == [] and (tree.root / "cases" / "alpha-town.md").read_text() == original


def test_two_editors_on_the_same_revision_both_texts_survive(library):
    revision, _ = library.published("case", "alpha-town")
    first = library.save_draft("case", "alpha-town", edited("First editor"), revision, "erin")
    with pytest.raises(Conflict) as conflict:
        library.save_draft("case", "alpha-town", edited("Second editor"), revision, "ed")
    assert conflict.value.head_revision == first.revision
    assert "First editor" in conflict.value.head_text and "Second editor" in conflict.value.your_text
    assert "-title: First editor" in conflict.value.diff and "+title: Second editor" in conflict.value.diff
    kept = library.draft(conflict.value.kept_draft)
    assert kept.status == "conflict" and "Second editor" in kept.text
    assert "First editor" in library.open_draft("case", "alpha-town").text
    again = library.save_draft("case", "alpha-town", edited("Second, merged"), first.revision, "ed")
    assert again.id == first.id and "merged" in again.text


def test_publishing_over_a_newer_published_revision_is_refused(library, tree):
    revision, _ = library.published("case", "alpha-town")
    draft = library.save_draft("case", "alpha-town", edited("Stale"), revision, "erin")
    (tree.root / "cases" / "alpha-town.md").write_text(edited("Changed on disk"))
    with pytest.raises(Conflict):
        library.publish(draft.id, "rita")
    assert "Changed on disk" in (tree.root / "cases" / "alpha-town.md").read_text()


def test_a_crash_between_write_and_rename_leaves_the_old_file(library, tree, monkeypatch):
    path = tree.root / "cases" / "alpha-town.md"
    revision, original = library.published("case", "alpha-town")
    draft = library.save_draft("case", "alpha-town", edited("Never lands"), revision, "erin")

    def crash(source, target):
        raise OSError("power cut")

    monkeypatch.setattr(files.os, "replace", crash)
    with pytest.raises(OSError):
        library.publish(draft.id, "rita")
    assert path.read_text() == original
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []
    # The failed publish is undone: the draft is open again and no revision claims the text.
    assert library.draft(draft.id).is_open
    assert [r.author for r in library.history("case", "alpha-town")] == ["import"]
    monkeypatch.undo()
    library.publish(draft.id, "rita")
    assert "Never lands" in path.read_text()


def test_history_diff_and_restore(library, tree):
    revision, original = library.published("case", "alpha-town")
    draft = library.save_draft("case", "alpha-town", edited("Version two"), revision, "erin")
    library.publish(draft.id, "rita", "Two")
    history = library.history("case", "alpha-town")
    assert [r.author for r in history] == ["rita", "import"] and history[1].text == original
    assert "+title: Version two" in editing.unified_diff(history[1].text, history[0].text)
    with pytest.raises(InvalidInput, match="why"):
        library.restore(history[1].id, "rita", reason="  ")
    assert len(library.history("case", "alpha-town")) == 2  # nothing restored without a reason
    restored = library.restore(history[1].id, "rita", reason="Version two misnamed the town")
    assert (tree.root / "cases" / "alpha-town.md").read_text() == original
    assert restored.id > history[0].id and f"Restore revision {history[1].id}" in restored.message
    assert (restored.restored_from, restored.restore_reason) == (history[1].id, "Version two misnamed the town")
    assert (restored.editor, restored.reviewer) == ("rita", "rita")
    assert library.history("case", "alpha-town")[0] == restored


def test_a_revision_credits_the_editor_and_the_reviewer_with_both_messages(library):
    revision, _ = library.published("case", "alpha-town")
    draft = library.save_draft("case", "alpha-town", edited("Credited"), revision, "erin",
                               "Lesson 1: make the statement actionable")
    record = library.publish(draft.id, "rita", "Checked against the source")
    assert record.credits() == {
        "id": record.id, "revision": draft.revision, "time": record.time, "editor": "erin", "reviewer": "rita",
        "editor_message": "Lesson 1: make the statement actionable",
        "reviewer_message": "Checked against the source", "message": "Checked against the source",
        "restored_from": None, "restore_reason": ""}
    again = library.save_draft("case", "alpha-town", edited("Credited again"), record.revision, "erin", "Mine")
    assert library.publish(again.id, "tom", "Mine").reviewer_message == ""  # the editor's, left as it was
    imported = library.history("case", "alpha-town")[-1]
    assert (imported.editor, imported.reviewer) == ("import", "import")


def test_a_new_case_starts_from_revision_new(library, tree):
    text = render(valid_case("beta-city"))
    assert library.head("case", "beta-city") == (NEW, None)
    draft = library.save_draft("case", "beta-city", text, NEW, "erin")
    library.publish(draft.id, "rita")
    assert (tree.root / "cases" / "beta-city.md").exists()


def test_publishing_commits_when_the_content_is_a_git_repository(library, tree):
    subprocess.run(["git", "init", "-q"], cwd=tree.root, check=True)
    revision, _ = library.published("case", "alpha-town")
    draft = library.save_draft("case", "alpha-town", edited("Committed"), revision, "erin")
    library.publish(draft.id, "rita", "Commit me")
    log = subprocess.run(["git", "log", "--format=%an|%cn|%s"], cwd=tree.root, capture_output=True,
                         text=True).stdout
    assert log.strip() == "erin|rita|Commit me"


def test_accounts_hash_passwords_and_throttle_logins(tmp_path):
    accounts = Accounts(tmp_path / "casebase.sqlite3")
    accounts.add_user("rita", "reviewer", "a long enough secret")
    stored = accounts._connect().execute("SELECT password FROM users").fetchone()[0]
    assert "a long enough secret" not in stored and verify_password("a long enough secret", stored)
    assert accounts.authenticate("rita", "a long enough secret", "127.0.0.1").can("editor")
    with pytest.raises(AccountError):
        accounts.add_user("x", "admin", "a long enough secret")
    for _ in range(5):
        assert accounts.authenticate("rita", "wrong", "10.0.0.1") is None
    with pytest.raises(TooManyAttempts):
        accounts.authenticate("rita", "a long enough secret", "10.0.0.1")
    assert [entry["action"] for entry in accounts.audit(2)] == ["login.failed", "login.failed"]


def test_updater_coalesces_requests_and_waits_for_the_lock():
    calls = []
    release = threading.Event()

    def build():
        calls.append(1)
        if len(calls) == 1:
            raise IndexLocked("busy")
        release.wait(5)
        return None

    updater = IndexUpdater(build)
    updater.request()
    updater.request()
    updater.request()
    release.set()
    assert updater.wait(10)
    assert 2 <= len(calls) <= 3  # one retry after the lock, requests merged


def test_a_reviewer_cannot_publish_a_draft_they_last_changed_unless_single_maintainer(library, tree, tmp_path):
    from indexer.errors import Refused
    from indexer.settings import Settings

    revision, original = library.published("case", "alpha-town")
    draft = library.save_draft("case", "alpha-town", edited("Alpha by Rita"), revision, "rita")
    with pytest.raises(Refused, match="another reviewer"):
        library.publish(draft.id, "rita")
    assert (tree.root / "cases" / "alpha-town.md").read_text() == original
    alone = Library(tree.root, tmp_path / "instance" / "casebase.sqlite3", single_maintainer=True)
    again = alone.save_draft("case", "alpha-town", edited("Alpha by the one maintainer"),
                             alone.head("case", "alpha-town")[0], "rita")
    alone.publish(again.id, "rita")
    assert "one maintainer" in (tree.root / "cases" / "alpha-town.md").read_text()
    assert Settings.from_env(tree.root, environ={"CASEBASE_SINGLE_MAINTAINER": "true"}).single_maintainer
    assert not Settings.from_env(tree.root, environ={}).single_maintainer


def test_four_eyes_refuses_everyone_who_changed_the_draft_not_only_the_last(library, tree):
    revision, original = library.published("case", "alpha-town")
    draft = library.save_draft("case", "alpha-town", edited("Rita starts"), revision, "rita")
    draft = library.save_draft("case", "alpha-town", edited("Erin finishes"), draft.revision, "erin")
    assert draft.author == "erin" and draft.contributors == ("rita", "erin")
    assert not library.may_publish(User("rita", "reviewer"), draft)
    with pytest.raises(Refused, match="rita changed this draft"):
        library.publish(draft.id, "rita")
    assert (tree.root / "cases" / "alpha-town.md").read_text() == original and library.draft(draft.id).is_open
    assert library.may_publish(User("tom", "reviewer"), draft)
    assert library.publish(draft.id, "tom").editor == "erin"


def test_the_review_queue_is_oldest_first_and_sets_apart_what_the_reviewer_changed(library, tree):
    tree.case("beta-city")
    tree.case("gamma-port")
    ids = {}
    for doc_id, author in (("alpha-town", "erin"), ("beta-city", "rita"), ("gamma-port", "erin")):
        revision, _ = library.published("case", doc_id)
        ids[doc_id] = library.save_draft("case", doc_id, render(valid_case(doc_id, title="Changed")), revision,
                                         author).id
    rita = User("rita", "reviewer")
    queue = library.review_queue(rita)
    assert [d.doc_id for d in queue.waiting] == ["alpha-town", "gamma-port"]
    assert [d.doc_id for d in queue.yours] == ["beta-city"] and queue.sent_back == []
    assert [d.doc_id for d in library.review_queue(User("tom", "reviewer")).waiting] == [
        "alpha-town", "beta-city", "gamma-port"]
    # Sent back: out of the queue until its author saves again (which also takes the note away).
    with pytest.raises(InvalidInput, match="change"):
        library.send_back(ids["alpha-town"], rita, " ")
    with pytest.raises(Refused):
        library.send_back(ids["alpha-town"], User("erin", "editor"), "No")
    returned = library.send_back(ids["alpha-town"], rita, "Cite the source of lesson 1")
    assert (returned.sent_back_by, returned.sent_back_note, returned.waits_for_review) == (
        "rita", "Cite the source of lesson 1", False)
    queue = library.review_queue(rita)
    assert [d.doc_id for d in queue.waiting] == ["gamma-port"] and [d.id for d in queue.sent_back] == [returned.id]
    again = library.save_draft("case", "alpha-town", render(valid_case("alpha-town", title="Cited")),
                               returned.revision, "erin")
    assert again.id == returned.id and again.waits_for_review and again.sent_back_note == ""
    assert [d.doc_id for d in library.review_queue(rita).waiting] == ["gamma-port", "alpha-town"]
    library.publish(ids["gamma-port"], "rita")
    with pytest.raises(StateConflict):
        library.send_back(ids["gamma-port"], rita, "Too late")
