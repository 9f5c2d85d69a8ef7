"""The advisor's profile files (bundled, held-out and fresh sets) are valid input: every
profile is accepted by the advisor and every rule they name exists. A benchmark run
that stops at an unknown country or a misspelt rule measures nothing."""

from __future__ import annotations

import pytest
import yaml

from indexer.advisor.profile import Profile, ProfileError
from indexer.checking import load_library
from tests.conftest import REPO_ROOT

PROFILE_FILES = sorted((REPO_ROOT / "tests" / "data").glob("advisor_*.yaml"))
RULE_KEYS = ("expect_warnings", "forbid_warnings", "expect_readings", "forbid_readings", "contradicts")


@pytest.fixture(scope="module")
def library():
    return load_library(REPO_ROOT)


@pytest.mark.parametrize("path", PROFILE_FILES, ids=lambda path: path.name)
def test_every_profile_is_valid_and_names_known_rules(library, path):
    rules = {rule.id for rule in library.rules}
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))["profiles"]
    problems = []
    for entry in entries:
        try:
            Profile.from_mapping(entry["profile"], library.vocabulary)
        except ProfileError as error:  # the message names the field; collect them all
            problems.append(f"{entry['name']}: {error}")
        problems += [f"{entry['name']}: {key} names unknown rule {rule}"
                     for key in RULE_KEYS for rule in entry.get(key, []) if rule not in rules]
    assert problems == []
    assert len({entry["name"] for entry in entries}) == len(entries)


def test_a_neutral_profile_fails_on_any_value_read_and_passes_on_none():
    from benchmarks.advisor_profiles import check

    entry = {"name": "neutral", "expect_nothing": True, "expect_no_inference": True}
    quiet = {"warnings": [], "readings": [], "cases": []}
    assert check(entry, quiet, {"pressure": "doing-well"}, 0.0).failures == [
        "expected nothing read, read ['pressure']"]
    assert check(entry, quiet, {}, 0.0).failures == []


def test_a_sector_named_is_no_made_up_reading():
    from benchmarks.advisor_profiles import check

    entry = {"name": "neutral", "expect_no_inference": True}
    quiet = {"warnings": [], "readings": [], "cases": []}
    assert check(entry, quiet, {"sectors": ["leather-and-footwear"]}, 0.0).failures == []
