"""Every kind of words that steers the reading by meaning (issue 9), loaded together:
which way business goes and where the cluster is in its life (trends.py), whether firms
act together (cooperation.py), who rules the market (values.py), and the words some
attributes need (gates.py)."""

from __future__ import annotations

from pathlib import Path

from indexer.advisor.cooperation import CooperationWords, load_cooperation_words
from indexer.advisor.gates import GateWords, load_gate_words
from indexer.advisor.trends import STAGE_FILE, TREND_FILE, TrendWords, load_trend_words
from indexer.advisor.values import ValueWords, load_value_words


def load_directions(root: Path) -> list[TrendWords | CooperationWords | GateWords | ValueWords]:
    """The words files the content under `root` has, one entry per attribute they steer."""
    found = [words for words in (load_trend_words(root, TREND_FILE), load_trend_words(root, STAGE_FILE),
                                 load_cooperation_words(root)) if words is not None]
    return found + load_value_words(root) + load_gate_words(root)
