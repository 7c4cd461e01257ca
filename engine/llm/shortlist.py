"""Tool retrieval before a constrained decision. Models of 0.1–0.5 B parameters pick the
wrong tool from a list far more often than a sentence embedder ranks it wrongly, so the
tools are ranked by the similarity of ``name: description`` to the user's message and only
the best ``keep`` (default 1) go into the decision grammar: the model then decides whether
to call it and writes the arguments. The tool embeddings are computed once per text."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from engine.llm.cache import Embedder
from engine.llm.prompt import openai_tool, tool_name
from engine.llm.provider import JsonObject

DEFAULT_KEEP = 1  # measured best for SmolLM2 and Qwen2.5 0.5B (docs/benchmarks.md)
DEFAULT_MIN_SCORE = 0.15  # below it a message is not about the tool (bench/llm.py, tune half)
DEFAULT_SURE_SCORE = 0.25  # at or above it the decision must call the tool (tune half)
NAME_BONUS = 0.1  # a word of the tool's name in the message (bench/llm.py, tune half)


def tool_text(descriptor: JsonObject) -> str:
    """What a tool is ranked by: its name as words, its description, then each parameter's
    name and description (a request names what it wants to give as often as the action:
    "note: …", "order A-12")."""
    function = openai_tool(descriptor)["function"]
    text = f"{_words(function['name'])}: {function.get('description') or ''}".strip()
    properties = (function.get("parameters") or {}).get("properties") or {}
    details = [f"{_words(name)} ({spec.get('description') or ''})".replace(" ()", "")
               for name, spec in properties.items() if isinstance(spec, dict)]
    return f"{text.rstrip('.')}. {'; '.join(details)}".strip() if details else text


def tool_views(descriptor: JsonObject) -> list[str]:
    """The texts a tool is compared with: its name as words, its description, and
    :func:`tool_text` (the similarities are averaged: one view that happens to be far from
    a paraphrase does not lose the tool)."""
    function = openai_tool(descriptor)["function"]
    return [text for text in (_words(function["name"]), str(function.get("description") or ""),
                              tool_text(descriptor)) if text.strip()]


def _stems(text: str) -> set[str]:
    """Words of 3+ letters cut to 4 ("notes", "note" → "note")."""
    return {w[:4] for w in re.findall(r"[a-z]{3,}", text.lower())}


def _words(name: object) -> str:
    return str(name).replace("-", " ").replace("_", " ")


class ToolShortlist:
    """``select`` is blocking (it embeds): call it from a worker thread."""

    def __init__(self, embedder: Embedder, keep: int = DEFAULT_KEEP,
                 min_score: float | None = None, sure_score: float | None = None,
                 describe: Callable[[JsonObject], str] | None = None) -> None:
        """``describe`` replaces the default ranking (three views and the name bonus) by the
        similarity to that one text (how tools were ranked before; for benchmarks)."""
        self._embedder = embedder
        self._views: Callable[[JsonObject], list[str]] = tool_views if describe is None \
            else lambda tool: [describe(tool)]
        self._name_bonus = NAME_BONUS if describe is None else 0.0
        self.keep = keep
        self.min_score = min_score
        self.sure_score = sure_score
        self._vectors: dict[str, np.ndarray[Any, np.dtype[np.float32]]] = {}
        self._lock = threading.Lock()

    def select(self, message: str, tools: Sequence[JsonObject]) -> list[JsonObject]:
        """The ``keep`` tools closest to ``message``, best first (all of them if few and no
        ``min_score``); with ``min_score``, only those scoring at least that (maybe none:
        the message is then answered without a tool)."""
        if len(tools) <= self.keep and self.min_score is None:
            return list(tools)
        return self.pick(self.ranked(message, tools), len(tools))

    def pick(self, ranked: Sequence[tuple[JsonObject, float]], count: int
             ) -> list[JsonObject]:
        """:meth:`select` on a ranking already made."""
        if count <= self.keep and self.min_score is None:
            return [tool for tool, _ in ranked]
        return [tool for tool, score in ranked[:self.keep]
                if self.min_score is None or score >= self.min_score]

    def sure(self, ranked: Sequence[tuple[JsonObject, float]]) -> bool:
        """The best tool scores at least ``sure_score``: the message asks for it, and the
        decision must call it (small models often answer ``none`` to plain requests); the
        argument checks still turn a call without usable values into no call."""
        return self.sure_score is not None and bool(ranked) and ranked[0][1] >= self.sure_score

    def ranked(self, message: str, tools: Sequence[JsonObject]
               ) -> list[tuple[JsonObject, float]]:
        """Every tool with its score, best first: the mean cosine similarity of ``message``
        to the tool's views, plus ``NAME_BONUS`` when the message says a word of the tool's
        name ("notes" for save-note)."""
        if not tools:
            return []
        views = [self._views(t) for t in tools]
        with self._lock:
            texts = [text for group in views for text in group]
            missing = [t for t in dict.fromkeys(texts) if t not in self._vectors]
            vectors = self._embed([*missing, message])
            self._vectors.update(zip(missing, vectors[:-1]))
            query = vectors[-1]
            similar = [float(np.mean([self._vectors[t] @ query for t in group]))
                       for group in views]
        said = _stems(message)
        scores = np.array([score + self._name_bonus * bool(_stems(tool_name(t)) & said)
                           for t, score in zip(tools, similar)])
        return [(tools[int(i)], float(scores[i])) for i in np.argsort(-scores, kind="stable")]

    def _embed(self, texts: list[str]) -> np.ndarray[Any, np.dtype[np.float32]]:
        rows = np.asarray(self._embedder.embed(texts), dtype=np.float32)
        norms = np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
        unit: np.ndarray[Any, np.dtype[np.float32]] = (rows / norms).astype(np.float32)
        return unit
