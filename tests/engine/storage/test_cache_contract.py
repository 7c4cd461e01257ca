"""The Cache contract: every backend in conftest.CACHES must pass all of this."""

from __future__ import annotations

import asyncio
import time

import pytest

from engine.storage.cache.protocol import Cache
from engine.storage.errors import StorageClosedError, StorageError

pytestmark = pytest.mark.anyio


async def test_get_set_delete(cache: Cache) -> None:
    assert await cache.get("missing") is None
    await cache.set("k", b"v1")
    assert await cache.get("k") == b"v1"
    await cache.set("k", b"\x00binary\xff")
    assert await cache.get("k") == b"\x00binary\xff"
    assert await cache.delete("k") is True
    assert await cache.delete("k") is False
    assert await cache.get("k") is None


async def test_ttl_expires(cache: Cache) -> None:
    await cache.set("short", b"x", ttl=0.5)
    await cache.set("long", b"y", ttl=60)
    await cache.set("forever", b"z")
    assert await cache.get("short") == b"x"
    await asyncio.sleep(0.8)
    assert await cache.get("short") is None
    assert await cache.get("long") == b"y"
    assert await cache.get("forever") == b"z"


async def test_incr(cache: Cache) -> None:
    assert await cache.incr("n") == 1
    assert await cache.incr("n", 5) == 6
    assert await cache.incr("n", -10) == -4
    assert await cache.get("n") == b"-4"
    await cache.set("m", b"41")
    assert await cache.incr("m") == 42


async def test_incr_ttl_applies_when_the_key_is_created(cache: Cache) -> None:
    created = time.monotonic()
    assert await cache.incr("window", ttl=1.0) == 1
    await asyncio.sleep(0.05)
    assert await cache.incr("window", ttl=60) == 2  # does not extend the window
    await asyncio.sleep(created + 1.4 - time.monotonic())
    assert await cache.get("window") is None
    assert await cache.incr("window", ttl=60) == 1


async def test_incr_is_atomic(cache: Cache) -> None:
    await asyncio.gather(*(cache.incr("hits") for _ in range(200)))
    assert await cache.get("hits") == b"200"


async def test_incr_on_a_non_integer(cache: Cache) -> None:
    await cache.set("text", b"hello")
    with pytest.raises(StorageError, match="integer"):
        await cache.incr("text")
    assert await cache.get("text") == b"hello"


async def test_clear(cache: Cache) -> None:
    for n in range(5):
        await cache.set(f"k{n}", b"v")
    await cache.clear()
    assert [await cache.get(f"k{n}") for n in range(5)] == [None] * 5


async def test_bad_arguments(cache: Cache) -> None:
    with pytest.raises(TypeError):
        await cache.set("k", "text is not bytes")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        await cache.set("k", b"v", ttl=0)
    with pytest.raises(ValueError):
        await cache.set("k", b"v", ttl=-1)
    with pytest.raises(TypeError):
        await cache.get("")


async def test_closed_cache_refuses_work(cache: Cache) -> None:
    await cache.close()
    with pytest.raises(StorageClosedError):
        await cache.get("k")
