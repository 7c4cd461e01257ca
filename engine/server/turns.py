"""Following one turn through the engine's events: what REST and the OpenAI API return.

A turn is an engine call (open a session, send a message) plus every event published for
the session until :class:`TurnFinished`. Events are subscribed to *before* the call, so none
is missed; the local bus delivers them before the call returns.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from engine.api import Engine
from engine.events import (
    BotResponse,
    CitationDTO,
    DialogWaiting,
    Event,
    SuggestionDTO,
    ToolExecution,
    TurnFinished,
)
from engine.server.errors import ApiError

T = TypeVar("T")
Listener = Callable[[Event, str], Awaitable[None]]
"""Called with each event and the text it adds to the answer ('' when none)."""
_SEPARATOR = "\n\n"
_DRAIN_GRACE = 1.0


class TurnTimeout(ApiError):
    status, code = 504, "timeout"


@dataclass
class TurnCollector:
    session_id: str
    messages: list[str] = field(default_factory=list)
    suggestions: tuple[SuggestionDTO, ...] = ()
    citations: list[CitationDTO] = field(default_factory=list)
    tools: list[dict[str, Any]] = field(default_factory=list)
    waiting: bool = False
    error: str | None = None
    model: str | None = None
    _pending: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return _SEPARATOR.join(m for m in self.messages if m)

    def add(self, event: Event) -> str:
        """Take one event; return the text it adds to the answer (for streaming)."""
        if isinstance(event, BotResponse):
            return self._response(event)
        if isinstance(event, ToolExecution):
            self.tools.append({"tool": event.tool, "arguments": dict(event.arguments),
                               "result": event.result, "finished": event.finished})
        elif isinstance(event, DialogWaiting):
            self.waiting = True
        elif isinstance(event, TurnFinished):
            self.error = event.error
        return ""

    def _response(self, event: BotResponse) -> str:
        lead = _SEPARATOR if self.messages and not self._pending else ""
        if not event.is_complete:
            self._pending.append(event.content)
            return lead + event.content if event.content else ""
        self.suggestions = event.suggestions
        self.citations.extend(event.citations)
        self.model = event.model or self.model
        if self._pending:
            self.messages.append("".join(self._pending))
            self._pending.clear()
            return ""
        if not event.content:
            return ""
        self.messages.append(event.content)
        return lead + event.content

    def to_json(self) -> dict[str, Any]:
        if self._pending:  # a stream cut short still shows what was said
            self.messages.append("".join(self._pending))
            self._pending.clear()
        return {
            "session_id": self.session_id, "text": self.text, "messages": self.messages,
            "suggestions": [_drop_none(s) for s in _dicts(self.suggestions)],
            "citations": _dicts(self.citations), "tools": self.tools,
            "waiting": self.waiting, "error": self.error, "model": self.model,
        }


def _dicts(items: Any) -> list[dict[str, Any]]:
    from dataclasses import asdict

    return [asdict(item) for item in items]


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


async def run_turn(engine: Engine, session_id: str, action: Callable[[], Awaitable[T]], *,
                   timeout: float, listener: Listener | None = None
                   ) -> tuple[TurnCollector, T]:
    """Run ``action`` and collect the session's events until the turn is finished."""
    collector = TurnCollector(session_id)
    async with engine.subscribe(session_id) as events:
        consumer = asyncio.ensure_future(_consume(events, collector, listener))
        task = asyncio.ensure_future(action())
        try:
            async with asyncio.timeout(timeout):
                await asyncio.wait({consumer, task}, return_when=asyncio.FIRST_COMPLETED)
                if task.done() and task.exception() is not None:
                    raise task.exception()  # type: ignore[misc]
                # The call returned: its events are already buffered, unless it had none.
                await asyncio.wait({consumer}, timeout=_DRAIN_GRACE)
                result = await task
        except TimeoutError:
            engine.cancel(session_id)
            raise TurnTimeout(f"the bot did not finish answering within {timeout:g} s") from None
        finally:
            for pending in (consumer, task):
                if not pending.done():
                    pending.cancel()
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await pending
    return collector, result


async def _consume(events: AsyncIterator[Event], collector: TurnCollector,
                   listener: Listener | None) -> None:
    async for event in events:
        added = collector.add(event)
        if listener is not None:
            await listener(event, added)
        if isinstance(event, TurnFinished):
            return
