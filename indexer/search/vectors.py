"""Vector storage: exact cosine top-k over a numpy matrix, and an embedding cache.

At the casebase's size exact search is instant; `VectorStore` is the interface a
larger approximate store would implement instead.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np


class VectorStore(Protocol):
    """Nearest neighbours by cosine similarity over normalised vectors."""

    def search(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]: ...


class NumpyVectorStore:
    """Exact search: one matrix product, then a partial sort."""

    def __init__(self, matrix: np.ndarray):
        self.matrix = np.ascontiguousarray(matrix, dtype=np.float32)

    def __len__(self) -> int:
        return self.matrix.shape[0]

    def similarities(self, query: np.ndarray) -> np.ndarray:
        """Cosine similarity of the (normalised) query to every row."""
        return self.matrix @ np.asarray(query, dtype=np.float32).ravel()

    def search(self, query: np.ndarray, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Top-k (row, similarity), best first; rows where mask is False are skipped.

        >>> store = NumpyVectorStore(np.eye(3))
        >>> store.search(np.array([0.0, 1.0, 0.0]), 2)
        [(1, 1.0), (0, 0.0)]
        """
        scores = self.similarities(query)
        if mask is not None:
            scores = np.where(mask, scores, -np.inf)
        return top_k(scores, k)

    def save(self, path: Path) -> None:
        """Write the matrix as .npy."""
        np.save(path, self.matrix)

    @classmethod
    def load(cls, path: Path) -> "NumpyVectorStore":
        """Read a matrix written by `save` (memory-mapped, read-only)."""
        return cls(np.load(path, mmap_mode="r"))


def top_k(scores: np.ndarray, k: int, minimum: float = -np.inf) -> list[tuple[int, float]]:
    """Indices and values of the k largest scores above `minimum`, best first,
    ties broken by index.

    >>> top_k(np.array([0.1, 0.9, 0.5, -np.inf]), 3)
    [(1, 0.9), (2, 0.5), (0, 0.1)]
    >>> top_k(np.array([0.0, 2.0, 0.0]), 3, minimum=0.0)
    [(1, 2.0)]
    """
    candidates = np.flatnonzero(scores > minimum)
    if candidates.size == 0 or k <= 0:
        return []
    values = scores[candidates]
    if candidates.size > k:
        keep = np.argpartition(-values, k - 1)[:k]
        candidates, values = candidates[keep], values[keep]
    order = np.lexsort((candidates, -values))
    rows = candidates[order].tolist()
    rounded = np.round(values[order].astype(np.float64), 6).tolist()
    return list(zip(rows, rounded))


class EmbeddingCache:
    """Embeddings keyed by model name and text hash, kept between index builds,
    so re-indexing after an edit embeds only the units whose text changed."""

    def __init__(self, path: Path, model_name: str, dimension: int):
        self.path = path
        self.model_name = model_name
        self.dimension = dimension
        self._vectors: dict[str, np.ndarray] = {}
        if path.exists():
            with np.load(path, allow_pickle=False) as data:
                if str(data["model"]) == model_name and data["vectors"].shape[1:] == (dimension,):
                    self._vectors = dict(zip(data["keys"].tolist(), data["vectors"]))

    @staticmethod
    def key(text: str) -> str:
        """Content hash of one text."""
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]

    def embed(self, texts: Sequence[str], encode: Callable[[list[str]], np.ndarray]) -> tuple[np.ndarray, int]:
        """Vectors for `texts`, calling `encode` only for texts not cached.

        Returns (matrix, number of texts encoded now).
        """
        keys = [self.key(text) for text in texts]
        missing = {key: text for key, text in zip(keys, texts) if key not in self._vectors}
        if missing:
            fresh = encode(list(missing.values()))
            self._vectors.update(zip(missing.keys(), fresh))
        if not keys:
            return np.zeros((0, self.dimension), dtype=np.float32), 0
        return np.stack([self._vectors[key] for key in keys]).astype(np.float32), len(missing)

    def save(self, keep: Sequence[str] | None = None) -> None:
        """Write the cache atomically; with `keep`, only those texts' vectors survive."""
        keys = [self.key(t) for t in keep] if keep is not None else list(self._vectors)
        keys = [key for key in dict.fromkeys(keys) if key in self._vectors]
        vectors = (np.stack([self._vectors[k] for k in keys]) if keys
                   else np.zeros((0, self.dimension), dtype=np.float32))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".npz")
        os.close(handle)
        with open(temporary, "wb") as stream:
            np.savez(stream, model=np.array(self.model_name), keys=np.array(keys, dtype=str),
                     vectors=vectors.astype(np.float32))
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, self.path)
