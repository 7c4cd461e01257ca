"""Tool retrieval before a constrained decision. Models of 0.1–0.5 B parameters pick the
wrong tool from a list far more often than a sentence embedder ranks it wrongly, so the
tools are ranked by the similarity of ``name: description`` to the user's message and only
the best ``keep`` (default 1) go into the decision grammar: the model then decides whether
to call it and writes the arguments. The tool embeddings are computed once per text."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from engine.llm.cache import Embedder
from engine.llm.prompt import openai_tool
from engine.llm.provider import JsonObject

DEFAULT_KEEP = 1  # measured best for SmolLM2 and Qwen2.5 0.5B (docs/benchmarks.md)


def tool_text(descriptor: JsonObject) -> str:
    function = openai_tool(descriptor)["function"]
    return f"{str(function['name']).replace('-', ' ').replace('_', ' ')}: " \
           f"{function.get('description') or ''}".strip()


class ToolShortlist:
    """``select`` is blocking (it embeds): call it from a worker thread."""

    def __init__(self, embedder: Embedder, keep: int = DEFAULT_KEEP) -> None:
        self._embedder = embedder
        self.keep = keep
        self._vectors: dict[str, np.ndarray[Any, np.dtype[np.float32]]] = {}
        self._lock = threading.Lock()

    def select(self, message: str, tools: Sequence[JsonObject]) -> list[JsonObject]:
        """The ``keep`` tools closest to ``message``, best first (all of them if few)."""
        if len(tools) <= self.keep:
            return list(tools)
        texts = [tool_text(t) for t in tools]
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
            vectors = self._embed([*missing, message])
            self._vectors.update(zip(missing, vectors[:-1]))
            matrix = np.stack([self._vectors[t] for t in texts])
        scores = matrix @ vectors[-1]
        return [tools[int(i)] for i in np.argsort(-scores, kind="stable")[:self.keep]]

    def _embed(self, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        rows = np.asarray(self._embedder.embed(texts), dtype=np.float32)
        norms = np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
        unit: np.ndarray[Any, np.dtype[np.float32]] = (rows / norms).astype(np.float32)
        return unit
