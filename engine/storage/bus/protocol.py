"""The event bus seam: publish JSON events on named topics, subscribe to a topic.

Events are JSON objects (a ``"type"`` key is the convention). Every backend delivers a fresh
decoded copy to each subscriber, so the local bus behaves like the Redis one: what was
published cannot be changed afterwards, and tuples arrive as lists.

Delivery is pub/sub, not a log: a subscriber gets the events published after its
``async with`` was entered, in publish order. Backpressure is **drop-oldest**: each
subscription buffers at most ``maxsize`` events; when a slow subscriber's buffer is full the
oldest waiting event is discarded and :attr:`Subscription.dropped` counts it. A publisher
never waits for a subscriber, so a stuck WebSocket cannot stall a chat turn.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from typing import Any, Protocol, Self

from engine.storage.lifecycle import Resource

Event = dict[str, Any]
"""A received event: a JSON object decoded into plain dicts, lists and scalars."""

DEFAULT_MAXSIZE = 1000


class Subscription(Protocol):
    """``async with bus.subscribe(topic) as events: async for event in events: ...``

    Leaving the block (or :meth:`close`) unsubscribes; the iteration also ends when the bus
    closes."""

    @property
    def topic(self) -> str: ...

    @property
    def dropped(self) -> int:
        """How many events were discarded because this subscriber fell behind."""
        ...

    def __aiter__(self) -> AsyncIterator[Event]: ...

    async def __aenter__(self) -> Self: ...

    async def __aexit__(self, *exc_info: object) -> None: ...

    async def close(self) -> None: ...


class EventBus(Resource, Protocol):
    """Topics are non-empty strings; events are JSON-serialisable mappings."""

    async def publish(self, topic: str, event: Mapping[str, Any]) -> None: ...

    def subscribe(self, topic: str, *, maxsize: int = DEFAULT_MAXSIZE) -> Subscription:
        """A subscription that starts receiving once entered."""
        ...
