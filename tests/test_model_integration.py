"""Integration tests with the real packaged model over the bundled content.

One index is built per test session (a few tens of seconds on two cores); these are
the tests that show semantic search works without shared words.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from tests.conftest import REPO_ROOT

from indexer.search.encoder import SentenceTransformerEncoder
from indexer.search.searcher import SearchRequest
from indexer.service import Casebase
from indexer.settings import Settings

pytestmark = pytest.mark.model


@pytest.fixture(scope="session")
def real_casebase(tmp_path_factory):
    settings = Settings.from_env(content_dir=REPO_ROOT, index_dir=tmp_path_factory.mktemp("index"),
                                 environ={})
    service = Casebase.open(settings, encoder=SentenceTransformerEncoder(threads=2))
    report = service.build_index()
    assert report.semantic, report.warnings
    yield service
    service.close()


def first_ids(service, query, mode="hybrid", n=3, **kwargs):
    return [hit.id for hit in service.search(SearchRequest(query, mode=mode, **kwargs)).results[:n]]


def test_portuguese_name_finds_sinos_valley_first(real_casebase):
    assert first_ids(real_casebase, "Vale dos Sinos", n=1) == ["sinos-valley"]


def test_accentless_criciuma_finds_the_tile_case(real_casebase):
    assert "criciuma" in first_ids(real_casebase, "Criciuma", mode="keyword", n=3, kinds=("case",))
    assert first_ids(real_casebase, "Criciuma", kinds=("case",), n=1) == ["criciuma"]


def test_semantic_search_without_shared_words(real_casebase):
    query = "amphibian breeders selling overseas"
    keyword = first_ids(real_casebase, query, mode="keyword", n=20, kinds=("case",))
    assert "zamora-frogs" not in keyword  # no word in common...
    assert "zamora-frogs" in first_ids(real_casebase, query, mode="semantic", n=3, kinds=("case",))


def load_domain_queries() -> list[dict]:
    path = Path(__file__).parent / "data" / "domain_queries.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["queries"]


def test_domain_queries_hit_at_3_in_hybrid_mode(real_casebase):
    queries = load_domain_queries()
    assert len(queries) >= 30
    misses = []
    for entry in queries:
        found = first_ids(real_casebase, entry["query"], n=3)
        if entry["expect"] not in found:
            misses.append(f"{entry['query']!r}: expected {entry['expect']}, got {found}")
    hit_rate = 1 - len(misses) / len(queries)
    assert hit_rate >= 0.9, f"hit@3 {hit_rate:.2f}; misses:\n" + "\n".join(misses)


@pytest.mark.parametrize("query, case_id", [
    ("Scottish Enterprise", "scotland-scottish-enterprise"),
    ("BioRegio InnoRegio", "germany-contest-programmes"),
    ("Dortmund", "dortmund"),
    ("CresceMinas", "minas-gerais-cresceminas"),
    ("Blumenau", "blumenau-software"),
    ("Third Italy", "third-italy"),
])
def test_naming_a_case_puts_the_case_above_its_own_lessons(real_casebase, query, case_id):
    assert first_ids(real_casebase, query, n=1) == [case_id]


def load_profiles() -> list[dict]:
    path = Path(__file__).parent / "data" / "advisor_profiles.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["profiles"]


@pytest.mark.parametrize("entry", load_profiles(), ids=lambda entry: entry["name"])
def test_advisor_profiles(real_casebase, entry):
    answer = real_casebase.suggest(entry["profile"]).to_dict()
    top = [case["id"] for case in answer["cases"][:3]]
    assert top[0] == entry["expect_first_case"], f"top 3: {top}"
    fired = {warning["rule"] for warning in answer["warnings"]}
    assert set(entry.get("expect_warnings", [])) <= fired, f"fired: {sorted(fired)}"
    assert not set(entry.get("forbid_warnings", [])) & fired, f"fired: {sorted(fired)}"
    readings = {why.split(":")[0].removeprefix("explains rule ")
                for note in answer["notes"] for why in note["why"] if why.startswith("explains rule ")}
    assert set(entry.get("expect_readings", [])) <= readings, f"readings: {sorted(readings)}"


def test_the_explanation_adds_up_on_the_bundled_content(real_casebase):
    answer = real_casebase.suggest(load_profiles()[0]["profile"])
    for match in answer.cases:
        total = sum(part.weight for part in match.explanation)
        expected = sum(part.weight * part.similarity for part in match.explanation) / total
        assert match.score == pytest.approx(expected, abs=1e-5)
