"""The sectors a description names, read by phrase from the bundled vocabulary."""

from __future__ import annotations

import pytest

from indexer.advisor.sectors import SectorFinder
from indexer.checking import load_library
from tests.conftest import REPO_ROOT


@pytest.fixture(scope="module")
def finder() -> SectorFinder:
    vocabulary = load_library(REPO_ROOT).vocabulary
    return SectorFinder.from_vocabulary(vocabulary.values("sectors"), vocabulary.sector_ancestors)


def test_a_word_that_is_another_word_s_made_up_plural_names_no_sector(finder):
    # "aço" (steel) folds to "aco"; "acoes" is "ações" (actions), not steel.
    assert finder.find(["Ninguém se interessa por ações coletivas."]) == []


def test_regular_plurals_of_sector_words_still_name_their_sector(finder):
    found = dict(finder.find(["Os produtores de aços especiais da região."]))
    assert found and set(found) <= {"coal-and-steel"}


def test_the_coffee_served_at_a_meeting_names_no_sector(finder):
    # Session 13, fresh23's Alcanena tanners: "com café e uns doces" read as agriculture.
    found = dict(finder.find(["A reunião foi na associação dos industriais de curtumes, com café e uns doces.",
                              "We talked it over a cup of tea; lunch came with a glass of wine."]))
    assert "agriculture" not in found and "wine" not in found, found
    assert "leather-and-footwear" in found or "footwear" in found, found


def test_coffee_growers_still_name_agriculture(finder):
    found = dict(finder.find(["The coffee cooperatives of the district sell to one exporter.",
                              "Com os cafeicultores da serra."]))
    assert "agriculture" in found, found


def test_a_coffee_the_growers_make_still_names_agriculture(finder):
    # Session 13's review: an article before the drink is no serving of it.
    assert "agriculture" in dict(finder.find(["Em Minas, produzem um café especial para exportação."]))
