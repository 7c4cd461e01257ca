"""What only the disk cache promises: it persists across reopening, off the event loop."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.storage.cache.disk import DiskCache
from engine.storage.urls import StorageUrl

pytestmark = pytest.mark.anyio


async def test_values_survive_reopening(tmp_path: Path) -> None:
    async with DiskCache(tmp_path / "cache") as cache:
        await cache.set("kept", b"value")
        await cache.incr("count", 3)
    async with DiskCache(tmp_path / "cache") as cache:
        assert await cache.get("kept") == b"value"
        assert await cache.get("count") == b"3"


async def test_large_values(tmp_path: Path) -> None:
    big = bytes(range(256)) * 40_000  # diskcache keeps these in files
    async with DiskCache(tmp_path / "cache") as cache:
        await cache.set("big", big)
        assert await cache.get("big") == big


def test_from_url_reads_the_size_limit(tmp_path: Path) -> None:
    url = StorageUrl.parse("disk://" + (tmp_path / "c d").as_uri().removeprefix("file://"))
    cache = DiskCache.from_url(url)
    assert cache.directory == tmp_path / "c d"
    limited = DiskCache.from_url(StorageUrl.parse("disk:///tmp/x?size_limit=1000"))
    assert limited._size_limit == 1000
