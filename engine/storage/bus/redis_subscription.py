"""A subscription of :class:`~engine.storage.bus.redis.RedisEventBus`: a bounded drop-oldest
buffer of the JSON texts the bus's reader hands it, decoded one by one as they are read."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Self

from engine.storage.bus.buffer import BufferedSubscription
from engine.storage.bus.protocol import Event
from engine.storage.errors import StorageError

if TYPE_CHECKING:
    from engine.storage.bus.redis import RedisEventBus

ECHO_TIMEOUT = 5.0
"""How long a read waits for this bus's own events to come back before taking them as lost."""


class RedisSubscription(BufferedSubscription):
    """A bounded buffer of encoded events; the oldest is dropped when it is full."""

    def __init__(self, bus: RedisEventBus, topic: str, maxsize: int) -> None:
        super().__init__(topic, maxsize)
        self._bus = bus

    async def __aenter__(self) -> Self:
        if self._state != "new":
            raise StorageError("a subscription can be entered only once")
        self._state = "open"
        try:
            await self._bus._add(self)
        except BaseException:
            self.end()
            raise
        return self

    async def close(self) -> None:
        self.end()
        await self._bus._remove(self)

    async def _events(self) -> AsyncIterator[Event]:
        while True:
            await self._catch_up()
            encoded = await self._next_encoded()
            if encoded is None:
                return
            try:
                decoded = json.loads(encoded)
            except ValueError:
                continue  # not JSON: nothing a bus of this kind sent
            if isinstance(decoded, dict):
                yield decoded

    async def _catch_up(self) -> None:
        """Wait until this bus's events published before now have arrived (each arrival sets
        ``_ready``), so a read after ``publish()`` sees it, as on the local bus. Only the
        events already sent count: a busy publisher cannot hold the reader back."""
        behind = self._bus._behind(self._topic)
        if behind <= 0:
            return
        target = self._bus._returned.get(self._topic, 0) + behind
        try:
            async with asyncio.timeout(ECHO_TIMEOUT):
                while self._bus._returned.get(self._topic, 0) < target and self._state != "closed":
                    self._ready.clear()
                    await self._ready.wait()
        except TimeoutError:
            self._bus._give_up_on(self._topic)
