"""The MiniLM ONNX embedder: real model, unit vectors, sensible similarities, off the loop."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import numpy as np
import pytest

from engine.kb import EmbedderError, HashingEmbedder, MiniLmOnnxEmbedder


def test_unit_vectors_of_384_dimensions(minilm: MiniLmOnnxEmbedder) -> None:
    vectors = minilm.embed(["The cat sits on the mat.", "", "Ein Hund bellt."])
    assert vectors.shape == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_similar_sentences_are_closer(minilm: MiniLmOnnxEmbedder) -> None:
    a, b, c = minilm.embed(["How do I reset my router?",
                            "Steps to restore the router to factory settings",
                            "The annual revenue grew by twelve percent"])
    assert float(a @ b) > 0.5 > float(a @ c)


def test_batching_and_padding_do_not_change_vectors(minilm: MiniLmOnnxEmbedder) -> None:
    texts = [f"sentence number {i} " * (1 + i % 7) for i in range(70)]  # two batches
    together = minilm.embed(texts)
    alone = np.stack([minilm.embed([t])[0] for t in texts[::9]])
    assert np.allclose(together[::9], alone, atol=2e-3)


def test_aembed_runs_in_the_embedder_thread(minilm: MiniLmOnnxEmbedder) -> None:
    seen: list[str] = []
    original = minilm.embed_batch

    def spy(texts):  # type: ignore[no-untyped-def]
        seen.append(threading.current_thread().name)
        return original(texts)

    minilm.embed_batch = spy  # type: ignore[method-assign]
    try:
        vectors = asyncio.run(minilm.aembed(["hello world"]))
    finally:
        del minilm.embed_batch
    assert vectors.shape == (1, 384)
    assert seen and all(name.startswith("kb-embed") for name in seen)


def test_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EmbedderError, match="not installed"):
        MiniLmOnnxEmbedder(tmp_path)
    (tmp_path / "model.onnx").write_bytes(b"not a model")
    (tmp_path / "tokenizer.json").write_text("{}")
    with pytest.raises(EmbedderError, match="cannot load"):
        MiniLmOnnxEmbedder(tmp_path)


def test_hashing_embedder_is_deterministic() -> None:
    with HashingEmbedder() as embedder:
        a = embedder.embed(["same words here"])
        assert np.array_equal(a, embedder.embed(["same words here"]))
        assert embedder.embed([]).shape == (0, 384)
