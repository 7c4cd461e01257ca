"""What every event-bus subscription shares: a bounded drop-oldest buffer of encoded events,
its delivered/ended state, and the guard that iteration starts only once it is entered.

Each backend subclasses :class:`BufferedSubscription` and adds how it is entered, closed and
read (``__aenter__``, ``close``, ``_events``).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator

from engine.storage.bus.protocol import Event
from engine.storage.errors import StorageError


class BufferedSubscription:
    """A bounded buffer of encoded events; the oldest is dropped when it is full."""

    def __init__(self, topic: str, maxsize: int) -> None:
        self._topic = topic
        self._buffer: deque[str] = deque(maxlen=maxsize)
        self._ready = asyncio.Event()
        self._state = "new"
        self._dropped = 0

    @property
    def topic(self) -> str:
        return self._topic

    @property
    def dropped(self) -> int:
        return self._dropped

    def deliver(self, encoded: str) -> None:
        if len(self._buffer) == self._buffer.maxlen:
            self._dropped += 1  # deque(maxlen) discards the oldest on append
        self._buffer.append(encoded)
        self._ready.set()

    def end(self) -> None:
        """Stop: the iteration finishes once the events already buffered are read."""
        self._state = "closed"
        self._ready.set()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Leave the bus and end; each backend says in which order."""
        raise NotImplementedError

    def __aiter__(self) -> AsyncIterator[Event]:
        if self._state == "new":
            raise StorageError("enter the subscription first: async with bus.subscribe(...)")
        return self._events()

    def _events(self) -> AsyncIterator[Event]:
        """The decoded events, in order, until the subscription ends and the buffer is empty."""
        raise NotImplementedError

    async def _next_encoded(self) -> str | None:
        """The oldest buffered event, waiting for one; None once ended and the buffer is empty."""
        while not self._buffer:
            if self._state == "closed":
                return None
            self._ready.clear()
            await self._ready.wait()
        return self._buffer.popleft()
