"""The embedded :class:`~engine.storage.cache.protocol.Cache`: ``diskcache`` in a folder.

diskcache keeps values in SQLite (large ones in files) and evicts the least recently stored
when it passes its size limit. Its calls block, so they run on one thread owned by the cache.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import diskcache  # type: ignore[import-untyped, unused-ignore]

from engine.storage.errors import StorageError
from engine.storage.lifecycle import Lifecycle

if TYPE_CHECKING:
    from engine.storage.urls import StorageUrl

T = TypeVar("T")

DEFAULT_SIZE_LIMIT = 1 << 30


class DiskCache(Lifecycle):
    """A cache in the folder ``directory``, at most ``size_limit`` bytes."""

    def __init__(
        self, directory: str | os.PathLike[str], *, size_limit: int = DEFAULT_SIZE_LIMIT
    ) -> None:
        self.directory = Path(directory)
        self._size_limit = size_limit
        self._executor: ThreadPoolExecutor | None = None
        self._cache: Any = None

    @classmethod
    def from_url(cls, url: StorageUrl) -> DiskCache:
        """``disk:///absolute/folder[?size_limit=BYTES]``."""
        limit = url.int_option("size_limit", DEFAULT_SIZE_LIMIT)
        return cls(url.local_path(), size_limit=limit)

    @property
    def _describe(self) -> str:
        return f"disk cache {self.directory}"

    async def _open(self) -> None:
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="disk-cache")
        try:
            self._cache = await self._in_thread(self._make)
        except BaseException:
            await self._close()
            raise

    def _make(self) -> Any:
        return diskcache.Cache(str(self.directory), size_limit=self._size_limit)

    async def _close(self) -> None:
        if self._cache is not None:
            await self._in_thread(self._cache.close)
        executor, self._executor, self._cache = self._executor, None, None
        if executor is not None:
            await asyncio.to_thread(executor.shutdown)

    # --- Cache --------------------------------------------------------------------------------

    async def get(self, key: str) -> bytes | None:
        _key(key)
        return await self._run(lambda cache: _as_bytes(cache.get(key, None, retry=True)))

    async def set(self, key: str, value: bytes, *, ttl: float | None = None) -> None:
        _key(key)
        if not isinstance(value, bytes | bytearray | memoryview):
            raise TypeError("cache values are bytes; encode them first")
        data, expire = bytes(value), _ttl(ttl)
        await self._run(lambda cache: cache.set(key, data, expire=expire, retry=True))

    async def delete(self, key: str) -> bool:
        _key(key)
        return await self._run(lambda cache: bool(cache.delete(key, retry=True)))

    async def incr(self, key: str, delta: int = 1, *, ttl: float | None = None) -> int:
        _key(key)
        expire = _ttl(ttl)
        return await self._run(lambda cache: _incr(cache, key, delta, expire))

    async def clear(self) -> None:
        await self._run(lambda cache: cache.clear(retry=True))

    async def _run(self, function: Callable[[Any], T]) -> T:
        """``function(diskcache.Cache)`` on the cache's thread."""
        self._check_open()
        cache = self._cache
        return await self._in_thread(lambda: function(cache))

    async def _in_thread(self, function: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, _translated(function))


def _incr(cache: Any, key: str, delta: int, ttl: float | None) -> int:
    with cache.transact(retry=True):
        value, expires_at = cache.get(key, None, expire_time=True, retry=True)
        try:
            total = (0 if value is None else int(_as_bytes(value) or b"")) + delta
        except ValueError as exc:
            raise StorageError(f"cache key {key!r} does not hold an integer") from exc
        if value is not None:  # keep the key's expiry, as Redis INCR does
            ttl = None if expires_at is None else max(expires_at - time.time(), 0.001)
        cache.set(key, str(total).encode(), expire=ttl, retry=True)
        return total


def _translated(function: Callable[[], T]) -> Callable[[], T]:
    def run() -> T:
        with _mapped_errors():
            return function()

    return run


@contextmanager
def _mapped_errors() -> Iterator[None]:
    try:
        yield
    except diskcache.Timeout as exc:
        raise StorageError("the disk cache is busy: timed out waiting for its lock") from exc
    except (sqlite3.Error, OSError) as exc:
        raise StorageError(f"disk cache failure: {exc}") from exc


def _key(key: str) -> None:
    if not isinstance(key, str) or not key:
        raise TypeError("cache keys are non-empty strings")


def _ttl(ttl: float | None) -> float | None:
    if ttl is not None and not ttl > 0:
        raise ValueError("a cache ttl must be a positive number of seconds")
    return ttl


def _as_bytes(value: object) -> bytes | None:
    if value is None or isinstance(value, bytes):
        return value
    if isinstance(value, int):  # a counter written by another diskcache user
        return str(value).encode()
    raise StorageError("the disk cache holds a value this cache did not write")
