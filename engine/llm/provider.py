"""The provider seam: what every chat model offers, as frozen values and one protocol.

A provider streams :data:`Delta` values (text chunks, tool-call fragments, one final
:class:`Finish`), answers one-shot with :class:`Completion`, embeds texts in batches and says
what it can do with :class:`Capabilities` (data, not subclasses). Every provider is an async
context manager; leaving it releases its client or model. Providers raise only
:class:`~engine.llm.errors.LlmError` subclasses.
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal, Protocol, Self, runtime_checkable

from engine.llm.errors import LlmBadResponse, LlmUnavailable

Role = Literal["system", "user", "assistant", "tool"]
JsonObject = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A call the model asked for; ``arguments`` is the JSON text it wrote."""

    id: str
    name: str
    arguments: str

    def parsed_arguments(self) -> dict[str, Any]:
        """The arguments as a dict ({} for an empty text); LlmBadResponse when not an object."""
        if not self.arguments.strip():
            return {}
        try:
            value = json.loads(self.arguments)
        except json.JSONDecodeError as error:
            raise LlmBadResponse(f"arguments of {self.name!r} are not JSON") from error
        if not isinstance(value, dict):
            raise LlmBadResponse(f"arguments of {self.name!r} are not a JSON object")
        return value


@dataclass(frozen=True, slots=True)
class Message:
    """One chat message. ``images`` are ``data:`` or ``https:`` URLs (vision models only)."""

    role: Role
    content: str = ""
    tool_calls: tuple[ToolCall, ...] = ()
    tool_call_id: str | None = None
    name: str | None = None
    images: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CompletionRequest:
    """What to ask. ``tools`` are OpenAI function descriptors (BASIC.md §11.3);
    ``tool_choice`` is None (auto), ``"none"``, ``"required"`` or a tool name;
    ``response_schema`` constrains the whole answer to a JSON schema (``json_schema``
    capability); ``model`` overrides the provider's model where the provider can switch."""

    messages: tuple[Message, ...]
    tools: tuple[JsonObject, ...] = ()
    tool_choice: str | None = None
    response_schema: JsonObject | None = None
    model: str | None = None
    temperature: float | None = None
    max_tokens: int | None = None
    stop: tuple[str, ...] = ()
    seed: int | None = None


@dataclass(frozen=True, slots=True)
class TextChunk:
    text: str


@dataclass(frozen=True, slots=True)
class ToolCallChunk:
    """A fragment of the ``index``-th tool call: id and name arrive once, arguments in pieces."""

    index: int
    id: str | None = None
    name: str | None = None
    arguments: str = ""


@dataclass(frozen=True, slots=True)
class Finish:
    reason: str
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


Delta = TextChunk | ToolCallChunk | Finish


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    finish_reason: str = "stop"
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a provider can do. ``json_schema``: it can constrain output to a JSON schema."""

    supports_tools: bool = False
    streaming: bool = True
    vision: bool = False
    embeddings: bool = False
    max_context: int = 4096
    json_schema: bool = False


@runtime_checkable
class ChatModel(Protocol):
    """The provider protocol. ``stream`` stops generating when the iteration is closed or
    cancelled; ``count_tokens`` uses the model's own tokenizer where it has one."""

    @property
    def provider(self) -> str: ...
    @property
    def model(self) -> str: ...
    @property
    def capabilities(self) -> Capabilities: ...
    def stream(self, request: CompletionRequest) -> AsyncIterator[Delta]: ...
    async def complete(self, request: CompletionRequest) -> Completion: ...
    async def embed(self, texts: Sequence[str]) -> list[list[float]]: ...
    def count_tokens(self, text: str) -> int: ...
    async def aclose(self) -> None: ...
    async def __aenter__(self) -> Self: ...
    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None: ...


@dataclass(slots=True)
class ToolCallAccumulator:
    """Joins :class:`ToolCallChunk` fragments into complete :class:`ToolCall` values."""

    _parts: dict[int, list[str]] = field(default_factory=dict)

    def add(self, chunk: ToolCallChunk) -> None:
        part = self._parts.setdefault(chunk.index, ["", "", ""])
        part[0] = chunk.id or part[0]
        part[1] = chunk.name or part[1]
        part[2] += chunk.arguments

    def calls(self) -> tuple[ToolCall, ...]:
        return tuple(ToolCall(id=p[0] or f"call_{i}", name=p[1], arguments=p[2])
                     for i, p in sorted(self._parts.items()) if p[1])


@dataclass(slots=True)
class _Collector:
    text: list[str] = field(default_factory=list)
    calls: ToolCallAccumulator = field(default_factory=ToolCallAccumulator)
    finish: Finish = field(default_factory=lambda: Finish("stop"))

    def add(self, delta: Delta) -> None:
        match delta:
            case TextChunk():
                self.text.append(delta.text)
            case ToolCallChunk():
                self.calls.add(delta)
            case Finish():
                self.finish = delta

    def completion(self) -> Completion:
        f = self.finish
        return Completion("".join(self.text), self.calls.calls(), f.reason, f.prompt_tokens,
                          f.completion_tokens)


async def collect(deltas: AsyncIterator[Delta]) -> Completion:
    """Drain a stream into one :class:`Completion`."""
    collector = _Collector()
    async for delta in deltas:
        collector.add(delta)
    return collector.completion()


def collect_sync(deltas: Iterable[Delta]) -> Completion:
    """Drain a blocking stream into one :class:`Completion`."""
    collector = _Collector()
    for delta in deltas:
        collector.add(delta)
    return collector.completion()


def estimate_tokens(text: str) -> int:
    """A tokenizer-free upper-ish estimate (≈3 characters per token) for HTTP providers."""
    return math.ceil(len(text) / 3) if text else 0


class ChatModelBase:
    """Shared plumbing: ``complete`` from ``stream``, the context manager from ``aclose``."""

    def stream(self, request: CompletionRequest) -> AsyncIterator[Delta]:
        raise NotImplementedError

    async def complete(self, request: CompletionRequest) -> Completion:
        return await collect(self.stream(request))

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        raise LlmUnavailable(f"{type(self).__name__} has no embeddings")

    def count_tokens(self, text: str) -> int:
        return estimate_tokens(text)

    async def aclose(self) -> None:
        return None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.aclose()
