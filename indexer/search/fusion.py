"""Reciprocal rank fusion: combining rankings from several retrievers.

A small pure function, in the manner of txtai's hybrid scoring, so the web app, the
CLI and the benchmark fuse in exactly one way.
"""

from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

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


def fuse_ranked_arrays(orders: Sequence[tuple[np.ndarray, float]], size: int, k: int = DEFAULT_K
                       ) -> tuple[np.ndarray, np.ndarray]:
    """`reciprocal_rank_fusion` over rankings of item numbers (each an array, best first,
    with its weight), vectorised: (fused item numbers best first, their fused scores).

    Ties keep the order of first appearance, exactly as the list version does.

    >>> order, scores = fuse_ranked_arrays([(np.array([0, 1, 2]), 1.0), (np.array([1, 3]), 1.0)], 4, k=1)
    >>> order.tolist(), [round(s, 4) for s in scores.tolist()]
    ([1, 0, 3, 2], [0.8333, 0.5, 0.3333, 0.25])
    """
    unseen = np.iinfo(np.int64).max
    fused = np.zeros(size, dtype=np.float64)
    position = np.full(size, unseen, dtype=np.int64)
    appeared = 0
    for order, weight in orders:
        fused[order] += weight / (k + np.arange(1, order.size + 1, dtype=np.float64))
        new = order[position[order] == unseen]
        position[new] = appeared + np.arange(new.size)
        appeared += new.size
    present = np.flatnonzero(position != unseen)
    ranked = present[np.lexsort((position[present], -fused[present]))]
    return ranked, fused[ranked]
