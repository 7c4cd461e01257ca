"""The shared :class:`~engine.storage.cache.protocol.Cache`: Redis, through ``redis.asyncio``.

``redis://host:port/db?prefix=P&password=keyring:NAME`` (see
:mod:`engine.storage.redis_connection`). Every key is stored as ``P + "cache:" + key``, so
:meth:`RedisCache.clear` removes this cache's keys and nothing else on the server. Several
``hearth serve`` instances given the same URL share the cache, its counters included: an
``incr`` is one atomic server-side step, so a rate limit counted here holds across them.

Eviction is Redis's: give a cache-only server ``maxmemory`` with ``allkeys-lru``. Under
``noeviction`` a full server refuses writes, which surfaces as :class:`DiskFull`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import redis.exceptions

from engine.storage.errors import StorageError
from engine.storage.lifecycle import Lifecycle
from engine.storage.redis_connection import RedisAddress, glob_escaped, translated

if TYPE_CHECKING:
    from engine.storage.urls import StorageUrl

SCAN_BATCH = 500

# INCRBY, then PEXPIRE only if this call created the key: one atomic step on the server.
_INCR = """
local created = redis.call('EXISTS', KEYS[1]) == 0
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
if created and tonumber(ARGV[2]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return total
"""


class RedisCache(Lifecycle):
    """A cache on a Redis server, its keys under ``address.prefix + "cache:"``."""

    def __init__(self, address: RedisAddress) -> None:
        self.address = address
        self._namespace = address.prefix + "cache:"
        self._client: Any = None
        self._incr: Any = None

    @classmethod
    def from_url(cls, url: StorageUrl) -> RedisCache:
        return cls(RedisAddress.from_url(url))

    @property
    def _describe(self) -> str:
        return f"{self.address.describe} cache"

    async def _open(self) -> None:
        client = self.address.client()
        try:
            with translated(self.address.describe):
                await client.ping()
        except BaseException:
            await client.aclose()
            raise
        self._client = client
        self._incr = client.register_script(_INCR)

    async def _close(self) -> None:
        client, self._client, self._incr = self._client, None, None
        if client is not None:
            await client.aclose()

    # --- Cache --------------------------------------------------------------------------------

    async def get(self, key: str) -> bytes | None:
        name = self._name(key)
        with translated(self.address.describe):
            value: bytes | None = await self._connected().get(name)
        return value

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        name = self._name(key)
        if not isinstance(value, bytes | bytearray | memoryview):
            raise TypeError("cache values are bytes; encode them first")
        milliseconds = _milliseconds(ttl)
        with translated(self.address.describe):
            await self._connected().set(name, bytes(value), px=milliseconds)

    async def delete(self, key: str) -> bool:
        name = self._name(key)
        with translated(self.address.describe):
            return bool(await self._connected().delete(name))

    async def incr(self, key: str, delta: int = 1, *, ttl: float | None = None) -> int:
        name = self._name(key)
        milliseconds = _milliseconds(ttl) or 0
        client = self._connected()
        try:
            with translated(self.address.describe):
                return int(await self._incr(keys=[name], args=[delta, milliseconds],
                                            client=client))
        except StorageError as exc:
            if isinstance(exc.__cause__, redis.exceptions.ResponseError) and "integer" in str(
                exc.__cause__
            ):
                raise StorageError(f"cache key {key!r} does not hold an integer") from exc.__cause__
            raise

    async def clear(self) -> None:
        client = self._connected()
        pattern = glob_escaped(self._namespace) + "*"
        with translated(self.address.describe):
            batch: list[bytes] = []
            async for name in client.scan_iter(match=pattern, count=SCAN_BATCH):
                batch.append(name)
                if len(batch) >= SCAN_BATCH:
                    await client.unlink(*batch)
                    batch.clear()
            if batch:
                await client.unlink(*batch)

    # --- helpers ------------------------------------------------------------------------------

    def _name(self, key: str) -> str:
        if not isinstance(key, str) or not key:
            raise TypeError("cache keys are non-empty strings")
        self._check_open()
        return self._namespace + key

    def _connected(self) -> Any:
        self._check_open()
        return self._client


def _milliseconds(ttl: float | None) -> int | None:
    """A TTL in whole milliseconds for PX/PEXPIRE (rounded up: never shorter than asked)."""
    if ttl is None:
        return None
    if not ttl > 0:
        raise ValueError("a cache ttl must be a positive number of seconds")
    return max(1, math.ceil(ttl * 1000))
