"""The EventBus contract: every backend in conftest.EVENT_BUSES must pass all of this."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from busreads import take

from engine.storage.bus.protocol import Event, EventBus, Subscription
from engine.storage.errors import StorageClosedError, StorageError

pytestmark = pytest.mark.anyio


async def nothing_arrives(events: Subscription, wait: float = 0.1) -> bool:
    iterator: AsyncIterator[Event] = aiter(events)
    try:
        async with asyncio.timeout(wait):
            await anext(iterator)
    except TimeoutError:
        return True
    return False


async def test_subscribers_receive_in_publish_order(bus: EventBus) -> None:
    async with bus.subscribe("session-1") as events:
        assert events.topic == "session-1"
        for n in range(5):
            await bus.publish("session-1", {"type": "chunk", "n": n})
        assert await take(events, 5) == [{"type": "chunk", "n": n} for n in range(5)]


async def test_only_events_after_subscribing(bus: EventBus) -> None:
    await bus.publish("t", {"n": "before"})
    async with bus.subscribe("t") as events:
        await bus.publish("t", {"n": "after"})
        assert await take(events, 1) == [{"n": "after"}]


async def test_topics_are_separate(bus: EventBus) -> None:
    async with bus.subscribe("a") as a, bus.subscribe("b") as b:
        await bus.publish("a", {"to": "a"})
        await bus.publish("nobody", {"to": "nobody"})
        assert await take(a, 1) == [{"to": "a"}]
        assert await nothing_arrives(b)


async def test_every_subscriber_gets_its_own_copy(bus: EventBus) -> None:
    payload: dict[str, Any] = {"type": "citations", "items": [1, 2], "pair": (3, 4)}
    async with bus.subscribe("t") as first, bus.subscribe("t") as second:
        await bus.publish("t", payload)
        payload["items"].append("changed after publish")
        [one] = await take(first, 1)
        one["items"].append("changed by a subscriber")
        [two] = await take(second, 1)
    assert two == {"type": "citations", "items": [1, 2], "pair": [3, 4]}


async def test_leaving_the_block_unsubscribes(bus: EventBus) -> None:
    async with bus.subscribe("t") as events:
        pass
    await bus.publish("t", {"n": 1})
    assert [event async for event in events] == []


async def test_a_slow_subscriber_drops_the_oldest(bus: EventBus) -> None:
    async with bus.subscribe("t", maxsize=3) as slow, bus.subscribe("t") as fast:
        started = time.perf_counter()
        for n in range(1000):
            await bus.publish("t", {"n": n})
        assert time.perf_counter() - started < 2, "publishers never wait for subscribers"
        assert await take(slow, 3) == [{"n": 997}, {"n": 998}, {"n": 999}]
        assert slow.dropped == 997
        assert len(await take(fast, 1000)) == 1000
        assert fast.dropped == 0


async def test_a_waiting_subscriber_wakes_up(bus: EventBus) -> None:
    async with bus.subscribe("t") as events:
        waiting = asyncio.create_task(take(events, 2))
        await asyncio.sleep(0.02)
        await bus.publish("t", {"n": 1})
        await asyncio.sleep(0.02)
        await bus.publish("t", {"n": 2})
        assert await waiting == [{"n": 1}, {"n": 2}]


async def test_closing_the_bus_ends_the_iterations(bus: EventBus) -> None:
    async with bus.subscribe("t") as events:
        listening = asyncio.create_task(take(events, 10))
        await asyncio.sleep(0.02)
        await bus.close()
        assert await listening == []
    with pytest.raises(StorageClosedError):
        await bus.publish("t", {"n": 1})


async def test_bad_events_and_topics(bus: EventBus) -> None:
    with pytest.raises(StorageError, match="JSON"):
        await bus.publish("t", {"when": object()})
    with pytest.raises(StorageError):
        await bus.publish("t", {"nan": float("nan")})
    with pytest.raises(StorageError):
        await bus.publish("", {"n": 1})
    with pytest.raises(StorageError):
        await bus.publish("t", ["not", "an", "object"])  # type: ignore[arg-type]


async def test_iterating_before_entering_is_an_error(bus: EventBus) -> None:
    with pytest.raises(StorageError, match="async with"):
        aiter(bus.subscribe("t"))
