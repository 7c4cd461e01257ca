"""The cache seam: bytes under string keys, with an optional time to live.

Values are bytes (encode and decode above the seam) so every backend stores them alike;
counters made by :meth:`Cache.incr` read back as their decimal digits (``b"42"``), as in
Redis. A cache may forget anything at any time (eviction); it is never the only copy of data.
"""

from __future__ import annotations

from typing import Protocol

from engine.storage.lifecycle import Resource


class Cache(Resource, Protocol):
    """get/set/delete/incr/clear; ``ttl`` is in seconds and must be positive."""

    async def get(self, key: str) -> bytes | None:
        """The value, or None when absent or expired."""
        ...

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        """Store ``value``; without ``ttl`` it lasts until deleted or evicted."""
        ...

    async def delete(self, key: str) -> bool:
        """Remove the key; True if it was there."""
        ...

    async def incr(self, key: str, delta: int = 1, *, ttl: float | None = None) -> int:
        """Add ``delta`` to the integer under ``key`` (absent counts as 0) atomically and
        return the result. ``ttl`` applies only when this call creates the key, so a fixed
        window counter (rate limits) expires on time however often it is incremented."""
        ...

    async def clear(self) -> None:
        """Remove every key of this cache (and only this cache's keys)."""
        ...
