"""all-MiniLM-L6-v2 through ONNX Runtime with int8 weights, exported here from the bundled model.

The packaged model is exported once per machine with `torch.onnx.export` and quantised
with ONNX Runtime's dynamic int8 quantisation; the result is kept under
`<index_dir>/models/`, in a folder named by a hash of the model's files and of the export
recipe, so a new model package or a new recipe gets a fresh export and nothing is ever
downloaded. A file lock keeps two processes from exporting at once. Once exported, a
process loads only onnxruntime and the fast tokenizer: torch is not imported to encode.

Tokenisation, mean pooling and normalisation follow the model's sentence-transformers
pipeline (modules.json: Transformer, mean Pooling, Normalize; max_seq_length 256).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import sys
import tempfile
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Sequence

import numpy as np

from indexer.search.encoder import Encoder, ModelUnavailable, SentenceTransformerEncoder, packaged_model_path

log = logging.getLogger(__name__)

BACKENDS = ("torch", "onnx-int8")
ONNX_SUFFIX = "+onnx-int8"
# Bump when the export or quantisation changes: older exports are then left unused.
RECIPE = "export-eager-opset17+dynamic-qint8-per-channel-ffn-out-fp32/1"
# What a model folder's behaviour depends on (the fingerprint covers each that exists).
MODEL_FILES = ("config.json", "model.safetensors", "pytorch_model.bin", "tokenizer.json", "tokenizer_config.json",
               "special_tokens_map.json", "vocab.txt", "modules.json", "sentence_bert_config.json",
               "1_Pooling/config.json")
ONNX_FILE = "model.int8.onnx"
RECORD_FILE = "export.json"
INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def make_encoder(backend: str, model_name: str, index_dir: Path, threads: int = 1,
                 cache_dir: Path | None = None) -> Encoder:
    """The encoder of a backend ("torch" or "onnx-int8"), nothing loaded yet; the ONNX
    export is kept in `cache_dir`, by default `index_dir`/models.

    >>> make_encoder("onnx-int8", "all-MiniLM-L6-v2", Path("/tmp/index")).name
    'all-MiniLM-L6-v2+onnx-int8'
    >>> make_encoder("torch", "all-MiniLM-L6-v2", Path("/tmp/index")).name
    'all-MiniLM-L6-v2'
    >>> make_encoder("tf", "m", Path("/tmp"))
    Traceback (most recent call last):
    ...
    ValueError: unknown encoder backend 'tf'; choose one of torch, onnx-int8
    """
    if backend == "torch":
        return SentenceTransformerEncoder(model_name, threads=threads)
    if backend == "onnx-int8":
        return OnnxInt8Encoder(Path(cache_dir) if cache_dir else Path(index_dir) / "models", model_name,
                               threads=threads)
    raise ValueError(f"unknown encoder backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def model_fingerprint(model_path: Path, recipe: str = RECIPE) -> str:
    """A hash of the model's files and the export recipe: the name of its export.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp()); _ = (folder / "config.json").write_text("{}")
    >>> first = model_fingerprint(folder); _ = (folder / "config.json").write_text('{"a": 1}')
    >>> first == model_fingerprint(folder), len(first)
    (False, 16)
    """
    digest = hashlib.sha256(recipe.encode())
    for name in MODEL_FILES:
        path = model_path / name
        if path.is_file():
            digest.update(name.encode() + b"\0")
            digest.update(_file_hash(path).encode())
    return digest.hexdigest()[:16]


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock_path` (another process waits until it is released)."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def export_problem(folder: Path) -> str | None:
    """Why the export in `folder` cannot be used ("missing", a damaged file), or None."""
    record_path, onnx_path = folder / RECORD_FILE, folder / ONNX_FILE
    if not record_path.exists() and not onnx_path.exists():
        return "missing"
    try:
        record = json.loads(record_path.read_text(encoding="utf-8"))
        expected = record["sha256"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"its record {record_path} is unreadable ({exc})"
    if not onnx_path.exists():
        return f"{onnx_path} is missing"
    if _file_hash(onnx_path) != expected:
        return f"{onnx_path} does not match its recorded checksum"
    return None


def ensure_export(model_path: Path, models_dir: Path, label: str, force: bool = False) -> tuple[Path, bool]:
    """The int8 ONNX file of the model, exported now if there is none or it is damaged
    (a damaged one is logged as a warning and replaced; `force`: exported anew in any
    case). Returns (path, exported now)."""
    folder = models_dir / f"{label}-onnx-int8-{model_fingerprint(model_path)}"
    if not force and export_problem(folder) is None:
        return folder / ONNX_FILE, False
    with _exclusive(models_dir / f".{folder.name}.lock"):
        problem = "unloadable" if force else export_problem(folder)  # another process may have exported
        if problem is None:
            return folder / ONNX_FILE, False
        if problem != "missing":
            log.warning("the int8 ONNX export of the model is unusable (%s); exporting it again", problem)
        export_int8(model_path, folder)
    return folder / ONNX_FILE, True


def export_int8(model_path: Path, folder: Path) -> None:
    """Export the model to ONNX (float32, in a scratch folder) and write its int8 copy and
    a record with its checksum into `folder`; the record is written last, so a killed
    export leaves no file that looks complete."""
    try:
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from transformers import AutoModel
    except ImportError as exc:
        raise ModelUnavailable(f"exporting the model to ONNX needs torch, transformers and onnxruntime: {exc}") from exc
    folder.mkdir(parents=True, exist_ok=True)
    (folder / RECORD_FILE).unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(dir=folder) as scratch, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the exporter's tracing and deprecation chatter
        try:
            model = AutoModel.from_pretrained(str(model_path), attn_implementation="eager").eval()
        except Exception as exc:  # a damaged model folder must not kill keyword search
            raise ModelUnavailable(f"could not load the model from {model_path}: {exc}") from exc
        float_path = Path(scratch) / "model.onnx"
        sample = torch.ones((2, 8), dtype=torch.long)
        torch.onnx.export(_token_embeddings_module(model), (sample, torch.ones_like(sample), torch.zeros_like(sample)),
                          str(float_path), dynamo=False, opset_version=17, input_names=list(INPUTS),
                          output_names=["token_embeddings"],
                          dynamic_axes={name: {0: "batch", 1: "sequence"}
                                        for name in (*INPUTS, "token_embeddings")})
        quantised = Path(scratch) / ONNX_FILE
        quantize_dynamic(str(float_path), str(quantised), weight_type=QuantType.QInt8, per_channel=True,
                         nodes_to_exclude=_float_nodes(float_path),
                         extra_options={"DefaultTensorType": 1})  # float, where shape inference is silent
        os.replace(quantised, folder / ONNX_FILE)
    record = {"sha256": _file_hash(folder / ONNX_FILE), "recipe": RECIPE, "model": str(model_path),
              "torch": torch.__version__}
    temporary = folder / f".{RECORD_FILE}.{os.getpid()}.tmp"
    temporary.write_text(json.dumps(record, indent=2), encoding="utf-8")
    os.replace(temporary, folder / RECORD_FILE)


def _float_nodes(float_path: Path) -> list[str]:
    """The feed-forward output projections stay float32: int8 there costs the most
    accuracy (per-document cosine to the float model 0.9907 -> 0.9947 at worst)."""
    import onnx

    graph = onnx.load(str(float_path), load_external_data=False).graph
    return [node.name for node in graph.node
            if node.op_type == "MatMul" and "/output/dense/" in node.name and "/attention/" not in node.name]


def _token_embeddings_module(model):
    """The transformer wrapped so the exported graph returns the last hidden state only."""
    import torch

    class TokenEmbeddings(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.inner(input_ids=input_ids, attention_mask=attention_mask,
                              token_type_ids=token_type_ids).last_hidden_state

    return TokenEmbeddings(model)


def mean_pooled(token_embeddings: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
    """Mean of the unmasked token vectors, L2-normalised (sentence-transformers' mean
    Pooling and Normalize).

    >>> tokens = np.array([[[0.0, 2.0], [0.0, 4.0], [9.0, 9.0]]]); mask = np.array([[1, 1, 0]])
    >>> mean_pooled(tokens, mask).tolist()
    [[0.0, 1.0]]
    """
    mask = attention_mask[..., None].astype(np.float32)
    summed = (token_embeddings * mask).sum(axis=1)
    pooled = summed / np.clip(mask.sum(axis=1), 1e-9, None)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


class OnnxInt8Encoder:
    """all-MiniLM-L6-v2 as an int8 ONNX model, exported on first use and loaded lazily.

    Queries run on `threads` threads; many texts (index builds) on `build_threads`
    worker threads (default: every core), one text per run.
    """

    dimension = 384

    def __init__(self, models_dir: Path, model_name: str = "all-MiniLM-L6-v2", threads: int = 1,
                 build_threads: int | None = None, model_path: Path | None = None, max_length: int = 256):
        self.name = model_name + ONNX_SUFFIX
        self.models_dir = Path(models_dir)
        self.threads = max(1, threads)
        self.build_threads = max(1, build_threads or os.cpu_count() or 1)
        self.max_length = max_length
        self.exported_now = False
        self._model_path = model_path
        self._onnx_path: Path | None = None
        self._tokenizer = None
        self._sessions: dict[int, object] = {}
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        """Normalised float32 embeddings, one row per text, in the order given.

        Each text runs alone, on one of `build_threads` worker threads: int8 activations
        are scaled per run, so a batch would make a text's vector depend on its batch
        neighbours (cosine 0.993 at worst); alone it equals `encode_query(text)`, needs
        no padding, and costs no more CPU than batches of 32 (about 10% less here).
        `batch_size` is accepted for the Encoder protocol and only paces `progress`.
        """
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        token_ids = [encoding.ids for encoding in self._load_tokenizer().encode_batch(texts)]
        session = self._session(1)
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        # Longest first, so the last texts a worker takes are the short ones.
        order = sorted(range(len(texts)), key=lambda row: -len(token_ids[row]))
        with ThreadPoolExecutor(max_workers=min(self.build_threads, len(texts))) as pool:
            rows = pool.map(lambda row: self._run(session, [token_ids[row]])[0], order)
            for done, (row, vector) in enumerate(zip(order, rows), start=1):
                vectors[row] = vector
                if progress and (done % max(1, batch_size * 8) == 0 or done == len(texts)):
                    print(f"\rencoded {done:,} of {len(texts):,}", end="", file=sys.stderr, flush=True)
        if progress:
            print(file=sys.stderr)
        return vectors

    def encode_query(self, text: str) -> np.ndarray:
        """One query's normalised embedding (on `threads` threads)."""
        ids = self._load_tokenizer().encode(text).ids
        return self._run(self._session(self.threads), [ids])[0]

    def _run(self, session, token_ids: list[list[int]]) -> np.ndarray:
        width = max(len(ids) for ids in token_ids)
        input_ids = np.zeros((len(token_ids), width), dtype=np.int64)
        attention = np.zeros_like(input_ids)
        for row, ids in enumerate(token_ids):
            input_ids[row, :len(ids)] = ids
            attention[row, :len(ids)] = 1
        feed = {"input_ids": input_ids, "attention_mask": attention, "token_type_ids": np.zeros_like(input_ids)}
        return mean_pooled(session.run(None, feed)[0], attention)

    def _model_folder(self) -> Path:
        return self._model_path or packaged_model_path()

    def _load_tokenizer(self):
        with self._lock:
            if self._tokenizer is None:
                try:
                    from tokenizers import Tokenizer
                except ImportError as exc:
                    raise ModelUnavailable(f"the tokenizers package is not installed: {exc}") from exc
                path = self._model_folder() / "tokenizer.json"
                try:
                    tokenizer = Tokenizer.from_file(str(path))
                except Exception as exc:  # a damaged model folder must not kill keyword search
                    raise ModelUnavailable(f"could not load the tokenizer {path}: {exc}") from exc
                # tokenizer.json pads and truncates to 128; the model is used with 256, unpadded.
                tokenizer.enable_truncation(self.max_length)
                tokenizer.no_padding()
                self._tokenizer = tokenizer
        return self._tokenizer

    def _session(self, threads: int):
        with self._lock:
            if self._onnx_path is None:
                self._onnx_path, self.exported_now = ensure_export(self._model_folder(), self.models_dir,
                                                                   self.name.removesuffix(ONNX_SUFFIX))
            if threads not in self._sessions:
                self._sessions[threads] = self._open_session(threads)
        return self._sessions[threads]

    def _open_session(self, threads: int):
        try:
            import onnxruntime
        except ImportError as exc:
            raise ModelUnavailable(f"onnxruntime is not installed: {exc}") from exc
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3  # errors only: its notices are noise in a CLI
        # Idle worker threads sleep instead of spinning: the cores are shared with the
        # web server's request threads (and, on a busy machine, with everything else).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            return onnxruntime.InferenceSession(str(self._onnx_path), options, providers=["CPUExecutionProvider"])
        except Exception as exc:  # checksum-true yet unloadable: export anew once, then give up
            log.warning("could not load the int8 ONNX model %s (%s); exporting it again", self._onnx_path, exc)
            self._onnx_path, self.exported_now = ensure_export(self._model_folder(), self.models_dir,
                                                               self.name.removesuffix(ONNX_SUFFIX), force=True)
            try:
                return onnxruntime.InferenceSession(str(self._onnx_path), options,
                                                    providers=["CPUExecutionProvider"])
            except Exception as again:
                raise ModelUnavailable(f"could not load the int8 ONNX model {self._onnx_path}: {again}") from again
