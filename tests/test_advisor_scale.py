"""The advisor's vectorised ranking gives exactly the answers of comparing case by case.

The reference here is the advisor's definition, written out: every bundled case compared
on its own (Advisor.compare over the loaded Document, each local measure called on the
two values), unknowns imputed (explain.impute_unknowns), the weighted mean
(global_score); lessons scored one by one. The vectorised ranking must give the same
scores, order and explanations to the last digit, for the real profiles of
tests/data/advisor_profiles.yaml and advisor_heldout.yaml.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from indexer.advisor.casestore import load_case_table, save_case_table
from indexer.advisor.casetable import CaseTable
from indexer.advisor.explain import impute_unknowns, merged_profile
from indexer.advisor.profile import Profile
from indexer.advisor.similarity import clamp_cosine, global_score
from indexer.advisor.recommend import LESSON_WEIGHTS, condition_score, rank_lessons
from indexer.index.build import current_generation
from indexer.search.encoder import HashingEncoder
from indexer.service import Casebase
from indexer.settings import Settings, find_content_root

DATA = Path(__file__).parent / "data"


def _profiles() -> list[dict]:
    profiles = []
    for name in ("advisor_profiles.yaml", "advisor_heldout.yaml"):
        entries = yaml.safe_load((DATA / name).read_text(encoding="utf-8"))["profiles"]
        profiles += [entry["profile"] for entry in entries]
    # Structured attributes only (no description), and nearly nothing.
    profiles += [{key: value for key, value in profile.items() if key != "description"} for profile in profiles[:6]]
    return profiles + [{"country": "Kenya"}, {}]


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    index_dir = tmp_path_factory.mktemp("scale") / "index"
    settings = Settings.from_env(content_dir=find_content_root(), index_dir=index_dir, environ={})
    service = Casebase.open(settings, encoder=HashingEncoder())
    service.build_index(reload=True)
    yield service
    service.close()


def _reference_cases(advisor, profile, query_vector, exclude=None):
    """Every case compared on its own Document, as the advisor defines a match."""
    similarities = advisor._similarities(query_vector)
    matches = [advisor.compare(profile, case, query_vector, similarities)
               for case in advisor.content.cases if case.id != exclude]
    impute_unknowns([match.explanation for match in matches])  # drops what no case records
    for match in matches:
        match.score = global_score(match.explanation)
        match.comparable = len(match.explanation)  # the attributes compared, as Advisor.compare counts them
    return sorted(matches, key=lambda match: (-match.score, match.id))


def _reference_lessons(advisor, profile, query_vector, case_scores):
    """Every lesson scored on its own, best first (before near-duplicates are dropped)."""
    weights = dict(LESSON_WEIGHTS)
    if query_vector is None:
        weights["conditions"] += weights.pop("description")
    scored = []
    similarities = advisor._similarities(query_vector)
    for lesson in advisor.content.lessons:
        conditions, _ = condition_score(lesson, profile, advisor.labels)
        similarity = 0.0
        rows = advisor.searcher.rows_of(lesson.uid)
        if rows and query_vector is not None:
            similarity = clamp_cosine(float(similarities[rows[0]]))
        score = (weights["conditions"] * conditions + weights.get("description", 0.0) * similarity
                 + weights["case"] * case_scores[lesson.case_id])
        scored.append((round(score, 6), lesson.uid))
    return sorted(scored, key=lambda entry: (-entry[0], entry[1]))


def _used(advisor, casebase, data):
    profile = Profile.from_mapping(data, casebase.content.vocabulary)
    reading = advisor.read(profile)
    query_vector = reading.vector
    if query_vector is None and profile.description:
        query_vector = advisor.encode(profile.description)
    return merged_profile(profile, reading), query_vector


@pytest.mark.parametrize("number", range(len(_profiles())))
def test_vectorised_scores_equal_the_per_case_comparison_exactly(bundled, number):
    advisor = bundled.advisor()
    profile, query_vector = _used(advisor, bundled, _profiles()[number])
    reference = _reference_cases(advisor, profile, query_vector)
    ranked = advisor.rank_cases(profile, query_vector)
    assert len(reference) == len(bundled.content.cases) > 1
    assert [(match.id, match.score) for match in ranked] == [(match.id, match.score) for match in reference]
    assert [match.explanation for match in ranked] == [match.explanation for match in reference]
    assert [(match.passage, match.compared, match.comparable) for match in ranked] == \
        [(match.passage, match.compared, match.comparable) for match in reference]

    case_scores = {match.id: match.score for match in reference}
    lessons = _reference_lessons(advisor, profile, query_vector, case_scores)
    similarities = advisor._similarities(query_vector)
    chosen = rank_lessons(advisor, profile, query_vector, similarities,
                          np.asarray([case_scores[record.id] for record in advisor.table.records]), len(lessons))
    kept = {entry["id"] for entry in chosen}
    # The chosen lessons are the reference order with near-duplicates left out.
    assert [(entry["score"], entry["id"]) for entry in chosen] == [entry for entry in lessons if entry[1] in kept]


def test_similar_cases_equal_the_per_case_comparison(bundled):
    advisor = bundled.advisor()
    case = bundled.content.cases[0]
    profile = Profile.from_case(case, bundled.content.vocabulary)
    vector = np.asarray(advisor.searcher.vectors.matrix[advisor.searcher.rows_of(case.id)[0]])
    reference = _reference_cases(advisor, profile, vector, exclude=case.id)
    assert [(match.id, match.score) for match in bundled.similar(case.id, 4)] == \
        [(match.id, match.score) for match in reference[:4]]


def test_a_suggestion_names_the_top_cases_and_lessons_of_the_reference(bundled):
    data = _profiles()[0]
    advisor = bundled.advisor()
    profile, query_vector = _used(advisor, bundled, data)
    answer = bundled.suggest(data)
    reference = _reference_cases(advisor, profile, query_vector)
    assert [(match.id, match.score, match.reason) for match in answer.cases] == \
        [(match.id, match.score, match.reason) for match in advisor.rank_cases(profile, query_vector)[:len(answer.cases)]]
    assert [match.id for match in answer.cases] == [match.id for match in reference[:len(answer.cases)]]
    assert answer.lessons and all(lesson["case_id"] in case_scores_ids(reference) for lesson in answer.lessons)


def case_scores_ids(matches) -> set[str]:
    return {match.id for match in matches}


def _lessons(table):
    return [(lesson.uid, lesson.statement, lesson.applies_when) for lesson in table.lessons]


def test_the_case_table_read_back_from_a_generation_ranks_as_the_content_does(bundled, tmp_path):
    assert current_generation(bundled.settings.index_dir) is not None
    assert load_case_table(tmp_path) is None  # a generation without a table
    assert save_case_table(tmp_path, bundled.content) == len(bundled.content.cases)
    read_back = load_case_table(tmp_path)
    built = CaseTable.from_content(bundled.content)
    assert read_back is not None and read_back.matches(bundled.content)
    assert [record.to_dict() for record in read_back.records] == [record.to_dict() for record in built.records]
    assert _lessons(read_back) == _lessons(built) and read_back.notes == built.notes
    from indexer.advisor.suggest import Advisor

    advisor = Advisor(bundled.content, bundled.searcher, bundled._encode_query, table=read_back)
    for data in _profiles()[:4]:
        profile, query_vector = _used(advisor, bundled, data)
        assert [(match.id, match.score, match.explanation) for match in advisor.rank_cases(profile, query_vector)] \
            == [(match.id, match.score, match.explanation) for match in _reference_cases(advisor, profile, query_vector)]


def test_an_update_copies_the_records_of_unchanged_cases_and_remakes_the_edited_one(tmp_path):
    import shutil

    from benchmarks.scale import TITLE_LINE, make_library
    from indexer.checking import load_library
    from tests.conftest import REPO_ROOT

    make_library(REPO_ROOT, tmp_path / "content", 1)
    content = load_library(tmp_path / "content")
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    save_case_table(tmp_path / "old", content)
    edited = content.cases[1]
    text = edited.path.read_text(encoding="utf-8")
    edited.path.write_text(TITLE_LINE.sub("title: An edited title", text, count=1), encoding="utf-8")
    changed = load_library(tmp_path / "content")
    assert changed.documents[edited.id].title != edited.title
    assert save_case_table(tmp_path / "new", changed, previous=tmp_path / "old") == 1
    table = load_case_table(tmp_path / "new")
    assert table is not None and table.matches(changed) and not table.matches(content)
    assert [record.to_dict() for record in table.records] == \
        [record.to_dict() for record in CaseTable.from_content(changed).records]
    assert table.title(edited.id) == changed.documents[edited.id].title
    shutil.rmtree(tmp_path / "content" / "cases")
    (tmp_path / "content" / "cases").mkdir()
    assert save_case_table(tmp_path / "new", load_library(tmp_path / "content"), previous=tmp_path / "old") == 0
    assert len(load_case_table(tmp_path / "new")) == 0


def test_passages_leave_out_the_classification_sections(bundled):
    advisor = bundled.advisor()
    units = advisor.searcher.units
    classified = 0
    for number, record in enumerate(advisor.table.records):
        rows = advisor.passages.rows(number).tolist()
        own = advisor.searcher.rows_of(record.id)
        expected = [row for row in own if not units[row].section.lower().startswith("how this case is classified")]
        expected += [row for uid in record.lesson_uids for row in advisor.searcher.rows_of(uid)]
        classified += len(own) - len([row for row in expected if row in own])
        assert rows == expected
    assert classified > 0  # the bundled cases do have classification sections


def test_copies_of_a_lesson_are_listed_once_as_the_one_by_one_check_would(tmp_path):
    """Every case five times over: each lesson has four identical twins (same vector, same
    score), so the search for distinct lessons has to look further down twice,
    and the lessons kept are those the one-by-one duplicate check keeps."""
    from benchmarks.scale import make_library
    from indexer.advisor.recommend import DUPLICATE_COSINE
    from tests.conftest import REPO_ROOT

    make_library(REPO_ROOT, tmp_path / "content", 5)
    settings = Settings.from_env(content_dir=tmp_path / "content", index_dir=tmp_path / "index", environ={})
    service = Casebase.open(settings, encoder=HashingEncoder())
    try:
        service.build_index()
        advisor = service.advisor()
        for data in _profiles()[:3]:
            profile, query_vector = _used(advisor, service, data)
            reference = _reference_cases(advisor, profile, query_vector)
            case_scores = {match.id: match.score for match in reference}
            ordered = _reference_lessons(advisor, profile, query_vector, case_scores)
            expected, kept_vectors = [], []
            for score, uid in ordered:
                vector = np.asarray(advisor.searcher.vectors.matrix[advisor.searcher.rows_of(uid)[0]])
                if any(float(vector @ other) > DUPLICATE_COSINE for other in kept_vectors):
                    continue
                kept_vectors.append(vector)
                expected.append((score, uid))
                if len(expected) == 5:
                    break
            chosen = rank_lessons(advisor, profile, query_vector, advisor._similarities(query_vector),
                                  np.asarray([case_scores[record.id] for record in advisor.table.records]), 5)
            assert [(entry["score"], entry["id"]) for entry in chosen] == expected
            texts = [entry["text"] for entry in chosen]
            assert len(set(texts)) == len(texts) == 5
    finally:
        service.close()


def test_vectorised_rounding_equals_pythons_round_also_at_halfway_points():
    from indexer.advisor.ranking import round6

    generator = np.random.default_rng(7)
    halfway = (np.arange(0, 1_000_000, 37) + 0.5) / 1e6  # decimal halfway points, as floats
    values = np.concatenate([generator.random(20_000), halfway, np.nextafter(halfway, 0), np.nextafter(halfway, 1),
                             generator.random(1000) * 1e-6, [0.0, 1.0, 0.2330845]])
    assert round6(values).tolist() == [round(value, 6) for value in values.tolist()]
