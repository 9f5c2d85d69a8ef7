"""The int8 ONNX encoder: close to the torch model, exported once, repaired when damaged.

The tests marked `model` export the packaged model (tens of seconds on two cores) into
one session-scoped folder; the others run without it.
"""

from __future__ import annotations

import json
import logging
import shutil
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from indexer.index.build import INDEX_FORMAT, IndexMismatch, check_manifest
from indexer.search.encoder import SentenceTransformerEncoder
from indexer.search.onnx_encoder import (ONNX_FILE, RECORD_FILE, OnnxInt8Encoder, ensure_export, make_encoder,
                                         mean_pooled)
from indexer.content.schema import SCHEMA_VERSION

SENTENCES = [
    "Frog farmers in Zamora export to Europe.",
    "A software cluster grew around the university in Blumenau.",
    "Trust between firms takes years to build; a facilitator helps.",
    "Vale dos Sinos",
    "How should an agency choose which cluster to support first when the budget is small and "
    "several regions ask for help at once?",
]


# ---- without the model ----------------------------------------------------------------

def test_mean_pooling_ignores_padding_and_normalises():
    tokens = np.array([[[1.0, 0.0], [0.0, 1.0], [50.0, 50.0]]])
    pooled = mean_pooled(tokens, np.array([[1, 1, 0]]))
    assert np.allclose(pooled, [[2 ** -0.5, 2 ** -0.5]])
    assert np.allclose(np.linalg.norm(pooled, axis=1), 1.0)


def test_backends_have_different_names_so_an_index_is_not_queried_with_the_other(tmp_path):
    onnx = make_encoder("onnx-int8", "all-MiniLM-L6-v2", tmp_path)
    torch = make_encoder("torch", "all-MiniLM-L6-v2", tmp_path)
    assert onnx.name != torch.name
    manifest = {"format": INDEX_FORMAT, "schema_version": SCHEMA_VERSION, "model": onnx.name}
    with pytest.raises(IndexMismatch, match="onnx-int8"):
        check_manifest(manifest, torch.name)
    check_manifest(manifest, onnx.name)  # the same backend reads it


def test_unknown_backend_is_refused_by_name(tmp_path):
    with pytest.raises(ValueError, match="'int4'"):
        make_encoder("int4", "all-MiniLM-L6-v2", tmp_path)


def test_encoder_loads_nothing_when_made(tmp_path):
    encoder = make_encoder("onnx-int8", "all-MiniLM-L6-v2", tmp_path)
    assert not (tmp_path / "models").exists()
    assert encoder._sessions == {} and encoder._tokenizer is None


def fake_model(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text('{"hidden_size": 384}', encoding="utf-8")
    return folder


def test_two_exports_at_once_run_one_after_the_other_and_the_second_reuses_the_first(tmp_path, monkeypatch):
    exports = []

    def slow_export(model_path: Path, folder: Path) -> None:
        exports.append(folder)
        time.sleep(0.3)  # long enough for the other thread to arrive at the lock
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ONNX_FILE).write_bytes(b"onnx bytes")
        import hashlib
        record = {"sha256": hashlib.sha256(b"onnx bytes").hexdigest()}
        (folder / RECORD_FILE).write_text(json.dumps(record), encoding="utf-8")

    monkeypatch.setattr("indexer.search.onnx_encoder.export_int8", slow_export)
    model = fake_model(tmp_path / "model")
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(ensure_export(model, tmp_path / "models", "m")))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(exports) == 1
    assert sorted(exported for _, exported in answers) == [False, True]
    assert answers[0][0] == answers[1][0]


def test_a_changed_model_file_gets_a_new_export(tmp_path, monkeypatch):
    made = []

    def record_export(model_path: Path, folder: Path) -> None:
        made.append(folder.name)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ONNX_FILE).write_bytes(b"x")
        import hashlib
        (folder / RECORD_FILE).write_text(json.dumps({"sha256": hashlib.sha256(b"x").hexdigest()}))

    monkeypatch.setattr("indexer.search.onnx_encoder.export_int8", record_export)
    model = fake_model(tmp_path / "model")
    first, _ = ensure_export(model, tmp_path / "models", "m")
    (model / "config.json").write_text('{"hidden_size": 768}', encoding="utf-8")
    second, exported = ensure_export(model, tmp_path / "models", "m")
    assert exported and first.parent != second.parent and len(made) == 2


# ---- with the packaged model ----------------------------------------------------------

@pytest.fixture(scope="session")
def exported_models(tmp_path_factory) -> Path:
    """A models folder holding one export of the packaged model."""
    models = tmp_path_factory.mktemp("index") / "models"
    encoder = OnnxInt8Encoder(models)
    encoder.encode_query("warm up")
    assert encoder.exported_now
    return models


@pytest.fixture(scope="session")
def torch_vectors() -> np.ndarray:
    return SentenceTransformerEncoder(threads=2).encode(SENTENCES)


@pytest.mark.model
def test_onnx_vectors_are_close_to_the_torch_vectors(exported_models, torch_vectors):
    encoder = OnnxInt8Encoder(exported_models)
    vectors = encoder.encode(SENTENCES)
    assert vectors.shape == torch_vectors.shape and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    similarities = (vectors * torch_vectors).sum(axis=1)
    assert similarities.min() > 0.99, similarities
    queries = np.stack([encoder.encode_query(text) for text in SENTENCES])
    assert ((queries * torch_vectors).sum(axis=1)).min() > 0.99


@pytest.mark.model
def test_rows_come_back_in_the_order_given_although_batches_go_by_length(exported_models, torch_vectors):
    encoder = OnnxInt8Encoder(exported_models)
    shuffled = [SENTENCES[index] for index in (4, 0, 3, 1, 2)]
    vectors = encoder.encode(shuffled, batch_size=2)
    similarities = vectors @ torch_vectors.T
    assert similarities.argmax(axis=1).tolist() == [4, 0, 3, 1, 2]


@pytest.mark.model
def test_the_export_is_cached_so_a_second_encoder_does_not_export(exported_models):
    record = next(exported_models.glob(f"*/{RECORD_FILE}"))
    stamp = record.stat().st_mtime_ns
    encoder = OnnxInt8Encoder(exported_models)
    encoder.encode_query("cluster policy")
    assert not encoder.exported_now
    assert record.stat().st_mtime_ns == stamp


@pytest.mark.model
def test_a_corrupt_export_is_exported_again_with_a_warning(exported_models, torch_vectors, tmp_path, caplog,
                                                          monkeypatch):
    models = tmp_path / "models"
    shutil.copytree(exported_models, models)
    onnx_file = next(models.glob(f"*/{ONNX_FILE}"))
    onnx_file.write_bytes(onnx_file.read_bytes()[:1000])  # a truncated copy, as after a full disk
    exports = []

    def export_from_the_good_copy(model_path: Path, folder: Path) -> None:
        # The real export is what the session fixture ran; copying its result keeps
        # this test from paying for a second one.
        exports.append(folder)
        good = exported_models / folder.name
        for name in (ONNX_FILE, RECORD_FILE):
            shutil.copy(good / name, folder / name)

    monkeypatch.setattr("indexer.search.onnx_encoder.export_int8", export_from_the_good_copy)
    encoder = OnnxInt8Encoder(models)
    with caplog.at_level(logging.WARNING, logger="indexer.search.onnx_encoder"):
        vector = encoder.encode_query(SENTENCES[0])
    assert exports == [onnx_file.parent] and encoder.exported_now
    assert any("checksum" in message and "exporting it again" in message for message in caplog.messages), \
        caplog.messages
    assert float(vector @ torch_vectors[0]) > 0.99


@pytest.mark.model
def test_an_unloadable_export_with_a_true_checksum_is_exported_again(exported_models, tmp_path, caplog,
                                                                     monkeypatch):
    models = tmp_path / "models"
    shutil.copytree(exported_models, models)
    onnx_file = next(models.glob(f"*/{ONNX_FILE}"))
    onnx_file.write_bytes(b"not a model")
    import hashlib
    (onnx_file.parent / RECORD_FILE).write_text(json.dumps({"sha256": hashlib.sha256(b"not a model").hexdigest()}))
    exports = []

    def export_from_the_good_copy(model_path: Path, folder: Path) -> None:
        exports.append(folder)
        for name in (ONNX_FILE, RECORD_FILE):
            shutil.copy(exported_models / folder.name / name, folder / name)

    monkeypatch.setattr("indexer.search.onnx_encoder.export_int8", export_from_the_good_copy)
    encoder = OnnxInt8Encoder(models)
    with caplog.at_level(logging.WARNING, logger="indexer.search.onnx_encoder"):
        assert encoder.encode_query("cluster").shape == (384,)
    assert len(exports) == 1
    assert any("could not load" in message for message in caplog.messages), caplog.messages


@pytest.mark.model
def test_a_text_gets_the_same_vector_in_a_build_as_alone_as_a_query(exported_models):
    encoder = OnnxInt8Encoder(exported_models, build_threads=2)
    vectors = encoder.encode(SENTENCES)
    queries = np.stack([encoder.encode_query(text) for text in SENTENCES])
    assert np.allclose(vectors, queries, atol=1e-6)
