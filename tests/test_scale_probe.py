"""The scale benchmark's start probe measures the serving process it starts, not the
benchmark process that started it (ru_maxrss of a child counts its parent's pages)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from benchmarks.scale import PROFILES, _START_PROBE, report, ScaleRow
from indexer.search.encoder import HashingEncoder
from indexer.service import Casebase
from indexer.settings import Settings


def test_the_probe_reports_its_own_memory_and_the_times_to_its_first_answers(tree, tmp_path):
    tree.case("alpha-town", title="Alpha town trust between firms", sectors=["footwear"])
    settings = Settings.from_env(content_dir=tree.root, index_dir=tmp_path / "index", environ={})
    builder = Casebase.open(settings, encoder=HashingEncoder())
    builder.build_index()
    builder.close()
    ballast = bytearray(600 * 1024 * 1024)  # this process is now far larger than a small server
    ballast[::4096] = b"x" * len(ballast[::4096])
    probe = subprocess.run([sys.executable, "-c", _START_PROBE, str(tree.root), str(settings.index_dir),
                            "keyword", json.dumps(PROFILES[0]), json.dumps([["trust", "firms", "alpha"], PROFILES, 2])],
                           capture_output=True, text=True, check=True)
    figures = json.loads(probe.stdout.strip().splitlines()[-1])
    assert 0 < figures["first_answer_s"] <= figures["advisor_start_s"] <= figures["settled_s"]
    assert "hybrid_start_s" not in figures and "hybrid_ms" not in figures  # keyword only: no model
    # The settled process times every query and profile each round (the advisor half as often).
    assert len(figures["keyword_ms"]) == 3 * 2 and len(figures["advisor_ms"]) == len(PROFILES)
    assert all(ms > 0 for ms in figures["keyword_ms"] + figures["advisor_ms"])
    assert 0 < figures["first_memory_mb"] <= figures["peak_memory_mb"] < 500
    assert figures["memory_mb"] <= figures["peak_memory_mb"]
    del ballast


def test_the_table_shows_what_was_not_measured_as_a_dash():
    lines = []
    row = ScaleRow("bundled", 326, 0.9, 0.1, 0.6, 0.8, 3.5, None, 2.9, 116.0, 4.9, True, 0.7, None, 101.0)
    report([row], echo=lines.append)
    assert lines[0].split()[:6] == ["library", "units", "build", "s", "update", "s"]
    cells = lines[1].split()
    assert cells[:4] == ["bundled", "326", "0.9", "0.1"] and cells[4] == "incr"
    assert cells.count("-") == 2 and cells[-3:] == ["101", "116", "4.9"]


def test_a_failing_probe_reports_its_own_error(tree, tmp_path, monkeypatch):
    # The probe's stderr was captured and dropped: a run that died at 10,000 units said
    # only "returned non-zero exit status 1".
    import benchmarks.scale as scale

    tree.case("sinos-valley", title="Sinos valley trust between firms", sectors=["footwear"])  # the edited case
    monkeypatch.setattr(scale, "_START_PROBE", "import sys\nsys.exit('no generation this code can read')")
    with pytest.raises(RuntimeError, match="no generation this code can read"):
        scale.measure("tiny", tree.root, tmp_path / "index", semantic=False, rounds=1)
