"""What a chat turn reports while it runs, in order: text deltas and tool activity, then the
citations, then exactly one :class:`Done` or :class:`Failed` (none when it is cancelled)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from engine.llm.prompt import Citation


@dataclass(frozen=True, slots=True)
class TextDelta:
    """The next piece of the visible answer (reasoning sections already removed)."""

    text: str


@dataclass(frozen=True, slots=True)
class ToolStarted:
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ToolFinished:
    name: str
    result: str


@dataclass(frozen=True, slots=True)
class Citations:
    """The sources the prompt numbered ``[1]``, ``[2]``…; sent when the answer is complete."""

    items: tuple[Citation, ...]


@dataclass(frozen=True, slots=True)
class Done:
    full_text: str
    cached: bool = False


@dataclass(frozen=True, slots=True)
class Failed:
    """The turn failed; ``error`` is safe to show (an ``LlmError`` message)."""

    error: str
    kind: str = "LlmError"


TurnEvent = TextDelta | ToolStarted | ToolFinished | Citations | Done | Failed
Emit = Callable[[TurnEvent], Awaitable[None]]
