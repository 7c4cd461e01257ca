"""The in-process :class:`~engine.storage.bus.protocol.EventBus` (settings: ``bus = "local"``).

Bound to the event loop that opened it: publish and iterate on that loop. Events are encoded
to JSON once per publish and decoded by each subscriber as it reads them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Mapping
from typing import TYPE_CHECKING, Any, Self

from engine.storage.bus.buffer import BufferedSubscription
from engine.storage.bus.protocol import DEFAULT_MAXSIZE, Event
from engine.storage.errors import StorageError
from engine.storage.lifecycle import Lifecycle

if TYPE_CHECKING:
    from engine.storage.urls import StorageUrl


class LocalEventBus(Lifecycle):
    """Topics to the subscriptions entered on them."""

    def __init__(self) -> None:
        self._topics: dict[str, set[LocalSubscription]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    @classmethod
    def from_url(cls, url: StorageUrl) -> LocalEventBus:
        return cls()

    async def _open(self) -> None:
        self._loop = asyncio.get_running_loop()

    async def _close(self) -> None:
        for subscriptions in list(self._topics.values()):
            for subscription in list(subscriptions):
                subscription.end()
        self._topics.clear()

    async def publish(self, topic: str, event: Mapping[str, Any]) -> None:
        self._check_loop()
        _check_topic(topic)
        encoded = encode(event)
        for subscription in self._topics.get(topic, ()):
            subscription.deliver(encoded)

    def subscribe(self, topic: str, *, maxsize: int = DEFAULT_MAXSIZE) -> LocalSubscription:
        _check_topic(topic)
        if maxsize < 1:
            raise ValueError("maxsize must be at least 1")
        return LocalSubscription(self, topic, maxsize)

    def _add(self, subscription: LocalSubscription) -> None:
        self._check_loop()
        self._topics.setdefault(subscription.topic, set()).add(subscription)

    def _remove(self, subscription: LocalSubscription) -> None:
        subscriptions = self._topics.get(subscription.topic)
        if subscriptions is not None:
            subscriptions.discard(subscription)
            if not subscriptions:
                del self._topics[subscription.topic]

    def _check_loop(self) -> None:
        self._check_open()
        if asyncio.get_running_loop() is not self._loop:
            raise StorageError("the local event bus is used from another event loop")


class LocalSubscription(BufferedSubscription):
    """A bounded buffer of encoded events; the oldest is dropped when it is full."""

    def __init__(self, bus: LocalEventBus, topic: str, maxsize: int) -> None:
        super().__init__(topic, maxsize)
        self._bus = bus

    async def __aenter__(self) -> Self:
        if self._state != "new":
            raise StorageError("a subscription can be entered only once")
        self._bus._add(self)
        self._state = "open"
        return self

    async def close(self) -> None:
        self._bus._remove(self)
        self.end()

    async def _events(self) -> AsyncIterator[Event]:
        while (encoded := await self._next_encoded()) is not None:
            decoded: Event = json.loads(encoded)
            yield decoded


def encode(event: Mapping[str, Any]) -> str:
    """The JSON text of ``event``; StorageError if it is not a JSON object."""
    if not isinstance(event, Mapping):
        raise StorageError("an event is a mapping (a JSON object)")
    try:
        return json.dumps(event, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    except (TypeError, ValueError) as exc:
        raise StorageError(f"the event cannot be sent as JSON: {exc}") from exc


def _check_topic(topic: str) -> None:
    if not isinstance(topic, str) or not topic:
        raise StorageError("a topic is a non-empty string")
