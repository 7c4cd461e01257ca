"""Reading a bus subscription in the event-bus tests."""

from __future__ import annotations

import asyncio

from engine.storage.bus.protocol import Event, Subscription


async def take(events: Subscription, count: int, timeout: float = 5) -> list[Event]:
    """The next ``count`` events of ``events``; TimeoutError if they do not come in time."""
    received: list[Event] = []
    async with asyncio.timeout(timeout):
        async for event in events:
            received.append(event)
            if len(received) == count:
                break
    return received
