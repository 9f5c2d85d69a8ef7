"""Reloading content after an edit parses only the changed files, and gives exactly
what a load from scratch gives (issue 12: publish time must follow the edit, not the
library's size)."""

from __future__ import annotations

import os
import shutil

import pytest

from indexer.checking import load_library
from indexer.content import loading
from indexer.content.loading import load_content
from tests.conftest import REPO_ROOT, render, valid_case


def _summary(content):
    return (sorted(content.documents), sorted(map(str, content.problems)),
            {doc_id: (doc.title, doc.content_hash, len(doc.lessons)) for doc_id, doc in content.documents.items()})


@pytest.fixture
def counted_reads(monkeypatch):
    """Record every content file parsed."""
    read = []
    original = loading.read_file

    def counting(path):
        read.append(path.name)
        return original(path)

    monkeypatch.setattr(loading, "read_file", counting)
    return read


@pytest.fixture
def bundled(tmp_path):
    """A copy of the bundled content, which may be changed."""
    root = tmp_path / "library"
    shutil.copytree(REPO_ROOT / "cases", root / "cases")
    shutil.copytree(REPO_ROOT / "kb", root / "kb")
    _age(root)
    return root


def _age(root, seconds: float = 3600):
    """Date every file of `root` back, as files of a library in use are: files changed
    just before a load are parsed again on the next one (see loading.RACY_NS)."""
    for path in root.rglob("*"):
        status = path.stat()
        os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns - int(seconds * 1e9)))


def test_reload_after_one_edit_parses_that_file_only_and_equals_a_fresh_load(bundled, counted_reads):
    first = load_library(bundled)
    files = first.files_checked
    assert files > 2 and len(counted_reads) == files
    edited = bundled / "cases" / "sinos-valley.md"
    text = edited.read_text(encoding="utf-8")
    temporary = edited.with_suffix(".tmp")
    temporary.write_text(text.replace("## ", "## Edited: ", 1), encoding="utf-8")
    os.replace(temporary, edited)  # as a publish writes: by rename
    counted_reads.clear()

    reloaded = load_library(bundled, previous=first)

    assert counted_reads == ["sinos-valley.md"]
    assert _summary(reloaded) == _summary(load_library(bundled))
    assert any(section.heading.startswith("Edited: ") for section in reloaded.documents["sinos-valley"].sections)
    unchanged = next(doc_id for doc_id in first.documents if doc_id != "sinos-valley")
    assert reloaded.documents[unchanged] is first.documents[unchanged]


def test_an_edit_in_place_with_the_same_size_within_one_clock_tick_is_noticed(tree):
    path = tree.case("alpha-town", title="Alpha")
    first = load_content(tree.root)
    times = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("title: Alpha", "title: Omega"), encoding="utf-8")
    os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))  # the same tick: the stamp may not change
    reloaded = load_content(tree.root, previous=first)
    assert reloaded.documents["alpha-town"].title == "Omega"


def test_removing_a_lesson_rechecks_the_links_of_unchanged_files(tree):
    tree.case("alpha-town")
    lesson = valid_case("alpha-town")["lessons"][0]["id"]
    tree.note("basics", body=f"## Context\n\nSee [[case:alpha-town#{lesson}]] (Author 2001).\n")
    first = load_content(tree.root)
    assert not first.errors
    tree.case("alpha-town", lessons=[])
    reloaded = load_content(tree.root, previous=first)
    assert any(problem.path == "kb/basics.md" and lesson in problem.message for problem in reloaded.errors)
    assert sorted(map(str, reloaded.problems)) == sorted(map(str, load_content(tree.root).problems))


def test_a_new_vocabulary_rechecks_every_file(tree, counted_reads):
    tree.case("alpha-town")
    tree.case("beta-town")
    _age(tree.root)
    first = load_content(tree.root)
    vocabulary = tree.root / "kb" / "vocabulary.yaml"
    vocabulary.write_text(vocabulary.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    counted_reads.clear()
    load_content(tree.root, previous=first)
    assert sorted(counted_reads) == ["alpha-town.md", "beta-town.md"]


def test_a_deleted_file_leaves_the_reloaded_content(tree):
    tree.case("alpha-town")
    path = tree.case("beta-town")
    first = load_content(tree.root)
    path.unlink()
    reloaded = load_content(tree.root, previous=first)
    assert sorted(reloaded.documents) == ["alpha-town"]
    assert "cases/beta-town.md" not in reloaded.stamps


def test_a_previous_load_of_another_tree_is_not_reused(tmp_path, tree):
    tree.case("alpha-town", title="Here")
    other = tmp_path / "other"
    shutil.copytree(tree.root, other, ignore=shutil.ignore_patterns("other"))
    (other / "cases" / "alpha-town.md").write_text(render(valid_case("alpha-town", title="There")), encoding="utf-8")
    first = load_content(other)
    assert load_content(tree.root, previous=first).documents["alpha-town"].title == "Here"


def test_checking_a_save_reads_only_the_files_changed_since_the_last_check(bundled, counted_reads, tmp_path):
    from indexer.library.editing import Library

    library = Library(bundled, tmp_path / "instance.sqlite3")

    def save(doc_id):
        base, text = library.head("case", doc_id)
        library.save_draft("case", doc_id, text.replace("## ", "## Edited: ", 1), base, "erin")

    save("sinos-valley")
    assert len(counted_reads) >= len(list((bundled / "cases").glob("*.md")))
    counted_reads.clear()
    save("zamora-frogs")
    assert counted_reads == []  # nothing changed on disk between the two saves


def test_a_reload_that_began_before_an_edit_cannot_put_the_older_text_back(tree, tmp_path, monkeypatch):
    """A reader that follows a generation switch reloads the content; if that reload read
    the files before a publish wrote one and finished after the publish's own reload, the
    older text came back and the publish's index update found nothing to do."""
    import threading
    import time

    import indexer.service as service_module
    from indexer.service import Casebase
    from indexer.settings import Settings

    tree.case("alpha", title="Alpha before")
    settings = Settings.from_env(content_dir=tree.root, index_dir=tmp_path / "index", environ={})
    casebase = Casebase.open(settings, semantic=False)
    casebase.reload_content()
    real_load = service_module.load_library
    first_read = threading.Event()
    calls = []

    def slow_first_load(*args, **kwargs):
        loaded = real_load(*args, **kwargs)
        calls.append(loaded)
        if len(calls) == 1:  # the reader's reload: it has read the old text, and is slow to finish
            first_read.set()
            time.sleep(0.5)
        return loaded

    monkeypatch.setattr(service_module, "load_library", slow_first_load)
    reader = threading.Thread(target=casebase.reload_content)
    reader.start()
    assert first_read.wait(5)
    tree.case("alpha", title="Alpha after")
    casebase.reload_content()  # the publish's reload
    reader.join()
    try:
        assert casebase.content.documents["alpha"].title == "Alpha after"
    finally:
        casebase.close()
