"""The vectorised read path (items, facets, fusion) answers exactly as a plain per-unit
loop does, on a library with many exact ties (synthetic copies of the bundled cases)."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest

from benchmarks.scale import make_library
from indexer.search.encoder import HashingEncoder
from indexer.search.fusion import reciprocal_rank_fusion
from indexer.search.keyword import ParsedQuery
from indexer.search.searcher import SearchRequest
from indexer.service import Casebase
from indexer.settings import Settings
from tests.conftest import REPO_ROOT

QUERIES = ["trust between firms", "footwear exports", "cluster", '"business association"', "software"]


@pytest.fixture(scope="module")
def copied(tmp_path_factory):
    """The bundled library with every case twice over: copies tie exactly."""
    root = tmp_path_factory.mktemp("copies")
    make_library(REPO_ROOT, root / "content", 2)
    settings = Settings.from_env(content_dir=root / "content", index_dir=root / "index", environ={})
    casebase = Casebase.open(settings, encoder=HashingEncoder())
    casebase.build_index()
    yield casebase
    casebase.close()


def reference_ranking(searcher, scores, minimum, depth=None):
    """Items by their best unit (score, then row), as a loop over every unit."""
    rows = np.flatnonzero(scores > minimum)
    rows = rows[np.lexsort((rows, -scores[rows]))]
    best = {}
    for row in rows.tolist():
        item = searcher.units[row].item_id
        if item not in best:
            best[item] = round(float(scores[row]), 6)
            if depth is not None and len(best) >= depth:
                break
    return list(best), best


def reference_facets(searcher, items):
    first = {}
    for row, unit in enumerate(searcher.units):
        first.setdefault(unit.item_id, unit)
    counts = {name: {} for name in searcher.facets}
    for item in items:
        for name in searcher.facets:
            for value in set(first[item].facets.get(name, [])):
                counts[name][value] = counts[name].get(value, 0) + 1
    return {name: dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0]))) for name, values in counts.items()}


def reference_all_words(searcher, request, scores):
    """The all-words rule item by item: a short query keeps the items that hold every
    word most items do not hold (any of them when no scored item holds all). Returns
    the kept unit scores and whether the rule chose the answer."""
    typed = ParsedQuery.parse(request.query).words
    plan = searcher.keyword.plan(typed, searcher.expander.matches(typed))
    if not plan.short or not plan.required:
        return scores, False
    rows = searcher.keyword.matrix.weights.tocsr()
    term_of = {column: term for term, column in searcher.keyword.matrix.vocabulary.items()}
    terms_of, best = {}, {}
    for row, unit in enumerate(searcher.units):
        held = rows.indices[rows.indptr[row]:rows.indptr[row + 1]].tolist()
        terms_of.setdefault(unit.item_id, set()).update(term_of[column] for column in held)
        best[unit.item_id] = max(best.get(unit.item_id, 0.0), float(scores[row]))
    holds = {item: [any(set(alternative) <= terms for alternative in concept.alternatives)
                    for concept in plan.required] for item, terms in terms_of.items()}
    words = [i for i in range(len(plan.required)) if sum(h[i] for h in holds.values()) <= 0.25 * len(holds)]
    words = words or list(range(len(plan.required)))
    count = {item: sum(h[i] for i in words) for item, h in holds.items()}
    needed = len(words) if any(best[item] > 0 and count[item] == len(words) for item in best) else 1
    kept = np.array([count[unit.item_id] >= needed for unit in searcher.units], dtype=np.float32)
    kept_scores = scores * kept
    return kept_scores, bool(np.any(kept_scores > 0))


def reference_answer(searcher, request):
    """(ids of the page, scores of the page, total, facets) computed unit by unit."""
    parsed = ParsedQuery.parse(searcher.expander.expand(request.query))
    wanted = dict(request.filters, **({"kind": request.kinds} if request.kinds else {}))
    mask = np.array([all(not accepted or set(unit.facets.get(facet, [])) & set(accepted)
                         for facet, accepted in wanted.items()) for unit in searcher.units], dtype=np.float32)
    rankings, scores_of = {}, {}
    if request.mode in ("keyword", "hybrid"):
        typed = ParsedQuery.parse(request.query).words
        plan = searcher.keyword.plan(typed, searcher.expander.matches(typed))
        keyword, narrowed = reference_all_words(searcher, request,
                                                searcher.keyword.scores(parsed, plan.extra_terms) * mask)
        rankings["keyword"], scores_of["keyword"] = reference_ranking(searcher, keyword, 0.0)
        if narrowed:  # meaning reorders a short query's answer and does not widen it
            allowed = set(rankings["keyword"])
            mask = mask * np.array([unit.item_id in allowed for unit in searcher.units], dtype=np.float32)
    if request.mode in ("semantic", "hybrid"):
        similarities = searcher.vectors.similarities(searcher.encode_query(" ".join((parsed.words,) + parsed.phrases)))
        for phrase in parsed.phrases:
            mask = mask * searcher.keyword.phrase_mask(phrase)
        rankings["semantic"], scores_of["semantic"] = reference_ranking(
            searcher, np.where(mask > 0, similarities, -np.inf), searcher.options.semantic_threshold,
            searcher.options.semantic_depth)
    if request.mode == "hybrid":
        fused = reciprocal_rank_fusion(rankings, k=searcher.options.rrf_k)
    else:
        fused = [(item, scores_of[request.mode][item]) for item in rankings[request.mode]]
    page = fused[request.offset:request.offset + request.limit]
    return ([item for item, _ in page], [round(score, 6) for _, score in page], len(fused),
            reference_facets(searcher, [item for item, _ in fused]))


def test_every_answer_matches_the_unit_by_unit_reference(copied):
    searcher = copied.searcher
    every = searcher.facet_counts()
    assert every == reference_facets(searcher, {unit.item_id for unit in searcher.units})
    sectors = list(every["sector"])[:2]
    filters = [{}, {"sector": tuple(sectors[:1])}, {"sector": tuple(sectors)}]
    compared = 0
    for query, mode, filtered, kinds, (limit, offset) in itertools.product(
            QUERIES, ("keyword", "hybrid", "semantic"), filters, ((), ("lesson", "note")), ((7, 3),)):
        request = SearchRequest(query, mode=mode, filters=filtered, kinds=kinds, limit=limit, offset=offset)
        response = searcher.search(request)
        ids, scores, total, facets = reference_answer(searcher, request)
        assert [hit.id for hit in response.results] == ids, request
        assert [hit.score for hit in response.results] == scores, request
        assert (response.total, response.facets) == (total, facets), request
        compared += bool(ids)
    assert compared > 0


def test_ties_between_copies_keep_their_library_order(copied):
    """Copies of one case score alike; the page lists them in the order of their units."""
    response = copied.search(SearchRequest("footwear", mode="keyword", kinds=("case",), limit=50))
    rows = [copied.searcher.rows_of(hit.id)[0] for hit in response.results]
    by_score = {}
    for hit, row in zip(response.results, rows):
        by_score.setdefault(hit.score, []).append(row)
    assert any(len(group) > 1 for group in by_score.values())
    assert all(group == sorted(group) for group in by_score.values())


def test_a_generation_with_its_read_model_answers_as_parsed_units_do(copied):
    """Opened from its saved arrays and a lazy unit table, a generation gives the same
    answers (and units) as one whose every unit was parsed."""
    from indexer.index.build import current_generation
    from indexer.documents.fields import search_facets
    from indexer.search.items import READ_MODEL, save_read_model
    from indexer.search.searcher import Searcher
    from indexer.search.units import UnitTable

    from indexer.search.keyword import KeywordIndex
    from indexer.search.units import Unit

    folder = current_generation(copied.settings.index_dir)
    with open(folder / "units.jsonl", encoding="utf-8") as stream:
        units = [Unit.from_dict(json.loads(line)) for line in stream]
    served = copied.searcher
    parsed = Searcher(units, KeywordIndex.open(folder), served.vectors, served.expander, served.encode_query,
                      served.options)
    save_read_model(folder, [unit.item_id for unit in units], [unit.facets for unit in units], search_facets())
    assert (folder / READ_MODEL).exists()
    opened = Searcher.open(folder, parsed.expander, parsed.encode_query, parsed.options)
    try:
        assert isinstance(opened.units, UnitTable) and len(opened.units) == len(parsed.units)
        assert [opened.units[row] for row in (0, len(parsed.units) - 1)] == [parsed.units[0], parsed.units[-1]]
        assert opened.facet_counts() == parsed.facet_counts()
        for query, mode in itertools.product(QUERIES, ("keyword", "hybrid")):
            request = SearchRequest(query, mode=mode, filters={"kind": ("case",)}, limit=20)
            assert opened.search(request).to_dict() == parsed.search(request).to_dict()
        some_case = next(unit.item_id for unit in parsed.units if unit.kind == "case")
        assert opened.rows_of(some_case) == parsed.rows_of(some_case)
    finally:
        opened.close()
        parsed.close()


def test_the_unit_table_keeps_a_bounded_number_of_parsed_units(copied):
    """A long-running server that shows every unit once must not end up holding every
    unit parsed: the table keeps the most recent ones and parses others again, equal."""
    from indexer.index.build import current_generation
    from indexer.search.units import Unit, UnitTable

    folder = current_generation(copied.settings.index_dir)
    with open(folder / "units.jsonl", encoding="utf-8") as stream:
        units = [Unit.from_dict(json.loads(line)) for line in stream]
    table = UnitTable(folder / "units.jsonl", cache_size=3)
    assert [table[row] for row in range(len(units))] == units
    assert len(table._parsed) == 3 and set(table._parsed) == {len(units) - 3, len(units) - 2, len(units) - 1}
    assert table[0] == units[0] and table[-1] is table[len(units) - 1]
