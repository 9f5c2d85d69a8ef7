"""Shared fixtures: small content trees built in a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

# The private PostgreSQL server and the per-backend database fixtures.
from tests.postgres import database_target, postgres_url, private_postgres  # noqa: F401

REPO_ROOT = Path(__file__).resolve().parent.parent


def valid_case(case_id: str = "alpha-town", **overrides) -> dict:
    """Front matter of a minimal valid case; overrides replace top-level keys."""
    data = {
        "id": case_id,
        "title": f"{case_id} cluster",
        "summary": "A small furniture cluster (Author 2001).",
        "location": {"place": "Alpha", "region": "unknown", "country": "Brazil"},
        "sectors": ["furniture"],
        "period": "unknown",
        "typology": {"markusen": "unknown", "altenburg_meyer_stamer": "survival", "enright": "unknown"},
        "initiative": {"name": "unknown", "driver": "private", "approach": "bottom-up",
                       "lead_organisations": []},
        "situation": {"pressure": "under-pressure", "cooperative_culture": "unknown",
                      "stage": "unknown", "firm_structure": "micro-and-small"},
        "activities": ["training"],
        "obstacles": ["prisoners-dilemma"],
        "funding": "unknown",
        "monitoring": "unknown",
        "outcomes": "unknown",
        "related_notes": [],
        "sources": [{"author": "Author", "year": 2001}],
        "lessons": [{
            "id": "start-small",
            "statement": "Start with training.",
            "explanation": "Training rarely touches core activities (Author 2001).",
            "topics": ["implementation"],
            "applies_when": {"approach": "bottom-up"},
            "sources": ["Author 2001"],
        }],
    }
    data.update(overrides)
    return data


def valid_note(note_id: str = "basics", **overrides) -> dict:
    """Front matter of a minimal valid note."""
    data = {
        "id": note_id,
        "title": f"{note_id} note",
        "summary": "What a cluster is (Author 2001).",
        "topics": ["concepts"],
        "sources": [{"author": "Author", "year": 2001}],
    }
    data.update(overrides)
    return data


def render(front: dict, body: str = "## Context\n\nText (Author 2001).\n") -> str:
    """A content file's text from front matter and body."""
    return "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n" + body


class ContentTree:
    """A temporary content root with the real vocabulary."""

    def __init__(self, root: Path):
        self.root = root
        (root / "cases").mkdir()
        (root / "kb").mkdir()
        shutil.copy(REPO_ROOT / "kb" / "vocabulary.yaml", root / "kb" / "vocabulary.yaml")

    def write(self, kind: str, doc_id: str, text: str) -> Path:
        folder = "cases" if kind == "case" else "kb"
        path = self.root / folder / f"{doc_id}.md"
        path.write_text(text, encoding="utf-8")
        return path

    def case(self, case_id: str = "alpha-town", body: str | None = None, **overrides) -> Path:
        front = valid_case(case_id, **overrides)
        return self.write("case", case_id, render(front) if body is None else render(front, body))

    def note(self, note_id: str = "basics", body: str | None = None, **overrides) -> Path:
        front = valid_note(note_id, **overrides)
        return self.write("note", note_id, render(front) if body is None else render(front, body))


@pytest.fixture
def tree(tmp_path: Path) -> ContentTree:
    """An empty content tree (vocabulary only)."""
    return ContentTree(tmp_path)
