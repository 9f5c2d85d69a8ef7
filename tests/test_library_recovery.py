"""Recoverable publishing and builds: a process killed (SIGKILL) at every step of a
publish leaves file, history and draft agreeing once the library opens again, and
the folders of killed index builds are removed on start."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from tests.conftest import REPO_ROOT, render, valid_case

from indexer.index.build import BuildLock, remove_stale_builds
from indexer.library.drafts import PUBLISHED
from indexer.library.editing import Library

# Every checkpoint a publish passes, in order (see editing.Library._land).
STEPS = ("recorded", "temporary-written", "written", "finished")

KILLED_PUBLISH = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from indexer.library.editing import Library

    root, database, draft_id, stop_at = sys.argv[1:5]

    def checkpoint(step):
        if step == stop_at:
            os.kill(os.getpid(), signal.SIGKILL)

    Library(Path(root), Path(database), checkpoint=checkpoint).publish(int(draft_id), "rita", "Killed")
    print("not killed")
""")

KILLED_BUILD = textwrap.dedent("""
    import os, signal, sys
    from pathlib import Path
    from indexer.index.build import build_index
    from indexer.search.encoder import HashingEncoder

    class DyingEncoder(HashingEncoder):
        def encode(self, texts, batch_size=32, progress=False):
            os.kill(os.getpid(), signal.SIGKILL)

    build_index(Path(sys.argv[1]), Path(sys.argv[2]), DyingEncoder())
""")


def run_killed(script: str, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-c", script, *map(str, args)], cwd=REPO_ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stdout + result.stderr
    return result


@pytest.mark.parametrize("step", STEPS)
def test_a_publish_killed_at_any_step_is_completed_on_start(tree, tmp_path, step):
    path = tree.case("alpha-town")
    original = path.read_text()
    database = tmp_path / "instance" / "casebase.sqlite3"
    library = Library(tree.root, database)
    revision, _ = library.published("case", "alpha-town")
    new_text = render(valid_case("alpha-town", title="Published despite the kill"))
    draft = library.save_draft("case", "alpha-town", new_text, revision, "erin")

    run_killed(KILLED_PUBLISH, tree.root, database, draft.id, step)
    if step in ("recorded", "temporary-written"):
        assert path.read_text() == original  # the kill really interrupted the publish

    reopened = Library(tree.root, database)
    history = reopened.history("case", "alpha-town")
    assert path.read_text() == new_text == history[0].text
    assert [r.author for r in history] == ["rita", "import"] and history[1].text == original
    assert reopened.draft(draft.id).status == PUBLISHED and reopened.open_draft("case", "alpha-town") is None
    assert reopened._db.connection().execute("SELECT COUNT(*) FROM publish_intents").fetchone()[0] == 0
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def test_a_publish_killed_before_its_commit_point_leaves_the_draft_open(tree, tmp_path, monkeypatch):
    """A kill before the recording transaction commits: nothing happened at all."""
    path = tree.case("alpha-town")
    original = path.read_text()
    database = tmp_path / "instance" / "casebase.sqlite3"
    library = Library(tree.root, database)
    revision, _ = library.published("case", "alpha-town")
    draft = library.save_draft("case", "alpha-town", render(valid_case("alpha-town", title="Never")), revision,
                               "erin")
    # A killed process's rolled-back transaction is what SQLite discards on the next open.
    script = KILLED_PUBLISH.replace("Library(Path(root)", "import indexer.library.editing as e\n"
                                    "e.Library._record = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)\n"
                                    "Library(Path(root)")
    run_killed(script, tree.root, database, draft.id, "never")
    reopened = Library(tree.root, database)
    assert path.read_text() == original and reopened.history("case", "alpha-town") == []
    assert reopened.draft(draft.id).is_open
    reopened.publish(draft.id, "rita")
    assert "Never" in path.read_text()


def test_a_file_changed_by_hand_after_a_kill_is_left_alone(tree, tmp_path):
    path = tree.case("alpha-town")
    database = tmp_path / "instance" / "casebase.sqlite3"
    library = Library(tree.root, database)
    revision, _ = library.published("case", "alpha-town")
    draft = library.save_draft("case", "alpha-town", render(valid_case("alpha-town", title="Web")), revision, "erin")
    run_killed(KILLED_PUBLISH, tree.root, database, draft.id, "recorded")
    by_hand = render(valid_case("alpha-town", title="Edited by hand"))
    path.write_text(by_hand)
    Library(tree.root, database)
    assert path.read_text() == by_hand


def test_the_folders_of_killed_builds_are_removed_on_start(tree, tmp_path):
    from indexer.service import Casebase
    from indexer.settings import Settings

    tree.case("alpha-town")
    index_dir = tmp_path / "index"
    run_killed(KILLED_BUILD, tree.root, index_dir)
    stale = list((index_dir / "generations").glob(".building-*"))
    assert stale, "the killed build left no folder; the test would prove nothing"
    settings = Settings.from_env(content_dir=tree.root, index_dir=index_dir, environ={})
    Casebase.open(settings, semantic=False).close()
    assert not any(folder.exists() for folder in stale)


def test_a_running_build_keeps_its_folder(tmp_path):
    index_dir = tmp_path / "index"
    building = index_dir / "generations" / ".building-now"
    building.mkdir(parents=True)
    with BuildLock(index_dir / "build.lock"):
        assert remove_stale_builds(index_dir) == []
        assert building.exists()
    assert remove_stale_builds(index_dir) == [building] and not building.exists()


def test_the_subprocess_imports_this_checkout():
    """The kill scripts run `indexer` from this checkout, not another installed copy."""
    result = subprocess.run([sys.executable, "-c", "import indexer; print(indexer.__file__)"], cwd=REPO_ROOT,
                            capture_output=True, text=True, timeout=60)
    assert Path(result.stdout.strip()).resolve().is_relative_to(REPO_ROOT.resolve())


def test_a_running_library_completes_a_killed_publish_before_its_next_one(tree, tmp_path):
    """The other worker keeps running after one is killed: its next publish finishes the
    killed one first, so the new publish meets the file the history says is there."""
    path = tree.case("alpha-town")
    tree.case("beta-city")
    database = tmp_path / "instance" / "casebase.sqlite3"
    running = Library(tree.root, database)
    revision, _ = running.published("case", "alpha-town")
    killed_text = render(valid_case("alpha-town", title="From the killed worker"))
    killed = running.save_draft("case", "alpha-town", killed_text, revision, "erin")
    run_killed(KILLED_PUBLISH, tree.root, database, killed.id, "recorded")
    beta_revision, _ = running.published("case", "beta-city")
    other = running.save_draft("case", "beta-city", render(valid_case("beta-city", title="Beta")), beta_revision,
                               "erin")
    running.publish(other.id, "rita")
    assert path.read_text() == killed_text == running.history("case", "alpha-town")[0].text
