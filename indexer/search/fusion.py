"""Reciprocal rank fusion: combining rankings from several retrievers.

A small pure function, in the manner of txtai's hybrid scoring, so the web app, the
CLI and the benchmark fuse in exactly one way.
"""

from __future__ import annotations

from typing import Mapping, Sequence

DEFAULT_K = 60


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[str]],
    weights: Mapping[str, float] | None = None,
    k: int = DEFAULT_K,
) -> list[tuple[str, float]]:
    """Fuse ranked id lists: score(id) = sum over rankings of weight / (k + rank).

    Ranks start at 1. Ties keep the order of first appearance, so the result is
    deterministic.

    >>> reciprocal_rank_fusion({"keyword": ["a", "b", "c"], "semantic": ["b", "d"]}, k=1)
    [('b', 0.8333333333333333), ('a', 0.5), ('d', 0.3333333333333333), ('c', 0.25)]
    >>> reciprocal_rank_fusion({"keyword": ["a", "b"], "semantic": ["b", "a"]},
    ...                        weights={"keyword": 2.0, "semantic": 1.0}, k=1)
    [('a', 1.3333333333333333), ('b', 1.1666666666666665)]
    >>> reciprocal_rank_fusion({})
    []
    """
    weights = weights or {}
    fused: dict[str, float] = {}
    for name, ranking in rankings.items():
        weight = weights.get(name, 1.0)
        for rank, item in enumerate(ranking, start=1):
            fused[item] = fused.get(item, 0.0) + weight / (k + rank)
    order = {item: position for position, item in enumerate(fused)}
    return sorted(fused.items(), key=lambda pair: (-pair[1], order[pair[0]]))
