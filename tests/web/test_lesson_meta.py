"""The meta line under each lesson on its case page."""

from __future__ import annotations


def test_a_lesson_without_topics_shows_no_empty_topics_line(tmp_path):
    """A lesson's meta line names only the parts it has (no 'Topics: ·' before the conditions)."""
    import shutil

    from tests.conftest import REPO_ROOT, render, valid_case
    from indexer.service import Casebase
    from indexer.settings import Settings
    from webui import create_app

    root = tmp_path / "content"
    (root / "cases").mkdir(parents=True)
    shutil.copytree(REPO_ROOT / "kb", root / "kb")
    front = valid_case("alpha-town")
    for lesson in front["lessons"]:
        lesson["topics"] = []
    (root / "cases" / "alpha-town.md").write_text(render(front), encoding="utf-8")
    casebase = Casebase.open(Settings.from_env(root, tmp_path / "index"), semantic=False)
    casebase.build_index()
    app = create_app({"TESTING": True, "CASEBASE": casebase, "SECRET_KEY": "x" * 32})
    page = app.test_client().get("/cases/alpha-town").get_data(as_text=True)
    assert "Topics:" not in page and "Sources:" in page
    assert '<p class="meta"> ·' not in page and "Topics: ·" not in page
