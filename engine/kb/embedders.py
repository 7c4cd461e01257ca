"""Sentence embedders: text → L2-normalised float32 vectors.

Two seams: the synchronous :meth:`Embedder.embed` (the LLM semantic cache and benchmarks call
it directly) and :meth:`ExecutorEmbedder.aembed`, which runs batches in the embedder's own
thread pool so the event loop never waits on a model. The pool has two threads: ingestion
awaits one batch at a time, so a search's query embedding never queues behind a whole
document.

- :class:`MiniLmOnnxEmbedder`: all-MiniLM-L6-v2 (int8 ONNX, 384-d) with onnxruntime and
  tokenizers; mean pooling over the attention mask, then L2 normalisation.
- :class:`HashingEmbedder`: a deterministic bag-of-hashed-words embedder for fast tests.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import itertools
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from engine.kb.errors import EmbedderError

Vectors = npt.NDArray[np.float32]
BATCH_SIZE = 64
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into unit vectors of ``dimensions`` floats (one row per text)."""

    @property
    def name(self) -> str: ...

    @property
    def dimensions(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Vectors: ...

    async def aembed(self, texts: Sequence[str]) -> Vectors: ...

    def close(self) -> None: ...


def normalise(vectors: npt.NDArray[np.floating[Any]]) -> Vectors:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    result: Vectors = (vectors / np.maximum(norms, 1e-12)).astype(np.float32)
    return result


class ExecutorEmbedder:
    """Batching and a dedicated executor around a synchronous :meth:`embed_batch`."""

    name = "embedder"
    dimensions = 0

    def __init__(self, batch_size: int = BATCH_SIZE, threads: int = 2) -> None:
        self.batch_size = batch_size
        self._executor = ThreadPoolExecutor(threads, thread_name_prefix="kb-embed")

    def embed_batch(self, texts: Sequence[str]) -> Vectors:
        raise NotImplementedError

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Embed in batches of :attr:`batch_size`; blocking (call from a worker thread)."""
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        parts = [self.embed_batch(texts[i:i + self.batch_size])
                 for i in range(0, len(texts), self.batch_size)]
        return np.concatenate(parts)

    async def aembed(self, texts: Sequence[str]) -> Vectors:
        """:meth:`embed` in the embedder's executor."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.embed, list(texts))

    def close(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ExecutorEmbedder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    async def __aenter__(self) -> ExecutorEmbedder:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await asyncio.get_running_loop().run_in_executor(None, self.close)


class MiniLmOnnxEmbedder(ExecutorEmbedder):
    """all-MiniLM-L6-v2 from a folder holding ``model.onnx`` and ``tokenizer.json``.

    ``max_tokens`` (256, the model's sentence-transformers setting) bounds each text; a
    1000-character chunk is about 200–250 word pieces, so it is seen whole.
    """

    name = "all-minilm-l6-v2"
    dimensions = 384

    def __init__(self, model_dir: Path, *, max_tokens: int = 256, threads: int = 0,
                 batch_size: int = BATCH_SIZE) -> None:
        super().__init__(batch_size)
        self.model_dir = Path(model_dir)
        self._session, self._tokenizer = _load(self.model_dir, max_tokens, threads)
        self._inputs = {i.name for i in self._session.get_inputs()}

    @staticmethod
    def available(model_dir: Path) -> bool:
        return (model_dir / MODEL_FILE).is_file() and (model_dir / TOKENIZER_FILE).is_file()

    def embed_batch(self, texts: Sequence[str]) -> Vectors:
        # Shortest first keeps padding small; the order is restored below.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        encodings = self._tokenizer.encode_batch([texts[i] or " " for i in order])
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.zeros_like(ids)
        try:
            hidden = self._session.run(None, feeds)[0]
        except Exception as exc:  # onnxruntime raises its own untyped exception classes
            raise EmbedderError(f"the embedding model failed: {exc}") from exc
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        result = np.empty_like(pooled, dtype=np.float32)
        result[order] = normalise(pooled)
        return result


def _load(model_dir: Path, max_tokens: int, threads: int) -> tuple[Any, Any]:
    if not MiniLmOnnxEmbedder.available(model_dir):
        raise EmbedderError(
            f"the embedding model is not installed in {model_dir} "
            f"(expected {MODEL_FILE} and {TOKENIZER_FILE})"
        )
    onnxruntime: Any = importlib.import_module("onnxruntime")  # no type hints
    from tokenizers import Tokenizer

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    # No spinning: idle worker threads would burn the cores the UI and the loop need. No
    # arena: with variable batch shapes it only grows (2.7 GB vs 1.8 GB peak at 64 × 256).
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.enable_cpu_mem_arena = False
    try:
        session = onnxruntime.InferenceSession(str(model_dir / MODEL_FILE), options,
                                               providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(model_dir / TOKENIZER_FILE))
    except Exception as exc:  # corrupt files surface as assorted native errors
        raise EmbedderError(f"cannot load the embedding model from {model_dir}: {exc}") from exc
    tokenizer.enable_truncation(max_tokens)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the longest in the batch
    return session, tokenizer


_WORD = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder(ExecutorEmbedder):
    """Deterministic and fast: each lower-cased word (and word pair) adds a signed ±1 at a
    hashed position. Texts sharing words get similar vectors, which is enough for tests."""

    name = "hashing"

    def __init__(self, dimensions: int = 384, *, batch_size: int = BATCH_SIZE) -> None:
        super().__init__(batch_size)
        self.dimensions = dimensions

    def embed_batch(self, texts: Sequence[str]) -> Vectors:
        out = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        for row, text in enumerate(texts):
            words = _WORD.findall(text.lower())
            for feature in [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]:
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                out[row, value % self.dimensions] += 1.0 if value >> 63 else -1.0
        out[np.all(out == 0, axis=1), 0] = 1.0
        return normalise(out)
