"""The labels of kb/vocabulary.yaml read as written: an unquoted comma inside a YAML flow
mapping (`{label: Jobs, start-ups or exports only}`) ends the label there and turns the
rest into a key of its own, so readers saw "Jobs" for `hard-outcomes-only`."""

from __future__ import annotations

import re

from indexer.content.vocabulary import Vocabulary
from tests.conftest import REPO_ROOT

VOCABULARY_FILE = REPO_ROOT / "kb" / "vocabulary.yaml"
# `key: {label: TEXT}` or `key: {label: TEXT, other_key: ...}` on one line; TEXT runs to
# the next `, word:` (the next key of the mapping) or to the closing brace.
FLOW_LABEL = re.compile(r"^\s*(?P<key>[^\s:#][^:#]*):\s*\{label:\s*(?P<label>.*?)\s*(?:,\s*[\w-]+:\s|\}\s*(?:#.*)?$)")


def _written_labels() -> list[tuple[int, str, str]]:
    """(line number, value key, label text as written) for every one-line flow mapping."""
    found = []
    for number, line in enumerate(VOCABULARY_FILE.read_text(encoding="utf-8").splitlines(), start=1):
        match = FLOW_LABEL.match(line)
        if match:
            label = match["label"]
            if len(label) >= 2 and label[0] == label[-1] and label[0] in "\"'":
                label = label[1:-1]
            found.append((number, match["key"].strip().strip("\"'"), label))
    return found


def _parsed_labels() -> dict[str, set[str]]:
    """Every label the loaded vocabulary holds, per value key (a key may recur)."""
    labels: dict[str, set[str]] = {}

    def walk(node):
        if isinstance(node, dict):
            for key, entry in node.items():
                if isinstance(entry, dict) and isinstance(entry.get("label"), str):
                    labels.setdefault(str(key), set()).add(entry["label"])
                walk(entry)

    walk(Vocabulary.load(VOCABULARY_FILE).raw)
    return labels


def test_the_pattern_finds_the_flow_mapped_labels():
    written = _written_labels()
    # Most values are written on one line; the check would pass vacuously otherwise.
    assert len(written) > 100
    assert any("," not in label for _, _, label in written)


def test_every_flow_mapped_label_reads_as_written():
    parsed = _parsed_labels()
    cut = [f"line {number}: '{key}' reads {sorted(parsed.get(key, []))}, written {label!r}"
           for number, key, label in _written_labels() if label not in parsed.get(key, set())]
    assert not cut, "labels cut short (quote a label with a comma): " + "; ".join(cut)
