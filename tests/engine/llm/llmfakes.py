"""Deterministic stand-ins for the fast unit tests: a scripted chat model, a word-hashing
embedder and a recording tool runner. The real-model tests use SmolLM2 instead."""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
from collections.abc import AsyncIterator, Sequence
from typing import Any

from engine.llm.provider import (
    Capabilities,
    ChatModelBase,
    CompletionRequest,
    Delta,
    Finish,
    TextChunk,
    ToolCallChunk,
)

Script = str | Sequence[Delta] | Exception


class FakeChatModel(ChatModelBase):
    """Each call takes the next script: text (streamed word by word), deltas, or an error.
    ``endless=True`` streams words forever (cancellation tests)."""

    def __init__(self, *scripts: Script, capabilities: Capabilities | None = None,
                 delay: float = 0.0, endless: bool = False, name: str = "fake-model") -> None:
        self.scripts = list(scripts)
        self.requests: list[CompletionRequest] = []
        self.delay = delay
        self.endless = endless
        self.produced = 0
        self.stopped = 0
        self.closed = False
        self._name = name
        self._capabilities = capabilities or Capabilities(json_schema=True, max_context=2048)

    @property
    def provider(self) -> str:
        return "fake"

    @property
    def model(self) -> str:
        return self._name

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    async def stream(self, request: CompletionRequest) -> AsyncIterator[Delta]:
        self.requests.append(request)
        try:
            async for delta in self._deltas():
                if self.delay:
                    await asyncio.sleep(self.delay)
                self.produced += 1
                yield delta
        finally:
            self.stopped += 1

    async def _deltas(self) -> AsyncIterator[Delta]:
        if self.endless:
            while True:
                yield TextChunk("word ")
        script = self.scripts.pop(0) if self.scripts else "ok"
        if isinstance(script, Exception):
            raise script
        if isinstance(script, str):
            for word in script.split(" "):
                yield TextChunk(word + " ")
            yield Finish("stop")
            return
        for delta in script:
            yield delta

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    async def aclose(self) -> None:
        self.closed = True


class FakeLocalModels:
    """The engine's local models, scripted: a name → model map and a default (stands in for
    ``Engine.llm`` in tests that switch models)."""

    def __init__(self, default: str, **models: FakeChatModel) -> None:
        self.default = default
        self.models = models

    def model(self, requested: str | None = None) -> ChatModelBase:
        return self.models.get(requested or "") or self.models[self.default]

    async def unload(self, name: str) -> None:
        return None

    async def aclose(self) -> None:
        return None


def tool_call(name: str, arguments: str, index: int = 0, call_id: str = "c1") -> list[Delta]:
    """A native tool call split into fragments, as servers stream them."""
    half = len(arguments) // 2
    return [ToolCallChunk(index, call_id, name, arguments[:half]),
            ToolCallChunk(index, None, None, arguments[half:]), Finish("tool_calls")]


class WordEmbedder:
    """Bag of hashed words, L2-normalised: equal word sets give similarity 1."""

    def __init__(self, dimensions: int = 256) -> None:
        self.dimensions = dimensions
        self.calls = 0

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        return [self._one(text) for text in texts]

    def _one(self, text: str) -> list[float]:
        vector = [0.0] * self.dimensions
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            vector[int(hashlib.md5(word.encode()).hexdigest(), 16) % self.dimensions] += 1.0
        norm = math.sqrt(sum(x * x for x in vector)) or 1.0
        return [x / norm for x in vector]


class RecordingRunner:
    """A ToolRunner that records calls and answers from a table (or raises)."""

    def __init__(self, results: dict[str, str | Exception] | None = None) -> None:
        self.results = results or {}
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def run(self, name: str, arguments: dict[str, Any]) -> str:
        self.calls.append((name, arguments))
        result = self.results.get(name, f"{name} done")
        if isinstance(result, Exception):
            raise result
        return result


def tool(name: str, description: str = "", **params: str) -> dict[str, Any]:
    """An OpenAI descriptor with string parameters (all required)."""
    return {"type": "function", "function": {
        "name": name, "description": description,
        "parameters": {"type": "object",
                       "properties": {p: {"type": "string", "description": d}
                                      for p, d in params.items()},
                       "required": list(params)}}}
