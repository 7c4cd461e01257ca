"""The ObjectStore contract: every backend in conftest.OBJECT_STORES must pass all of this."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from engine.storage.errors import (
    InvalidKeyError,
    ObjectNotFoundError,
    ObjectStoreError,
    StorageClosedError,
    StorageError,
)
from engine.storage.objects.protocol import ObjectInfo, ObjectStore

pytestmark = pytest.mark.anyio


async def chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def collect(stream: AsyncIterator[bytes]) -> bytes:
    return b"".join([chunk async for chunk in stream])


async def keys(objects: ObjectStore, prefix: str = "") -> list[str]:
    return [info.key async for info in objects.list(prefix)]


async def test_put_get_bytes(objects: ObjectStore) -> None:
    info = await objects.put("bots/faq/report.pdf", b"%PDF-1.7 data")
    assert info.key == "bots/faq/report.pdf" and info.size == 13
    assert abs(info.modified - datetime.now(UTC)) < timedelta(minutes=5)
    assert await objects.get("bots/faq/report.pdf") == b"%PDF-1.7 data"
    await objects.put("bots/faq/report.pdf", b"v2")
    assert await objects.get("bots/faq/report.pdf") == b"v2"


async def test_empty_and_unicode(objects: ObjectStore) -> None:
    await objects.put("empty", b"")
    assert await objects.get("empty") == b""
    await objects.put("notas/café com leite ☕.txt", "olá".encode())
    assert await objects.get("notas/café com leite ☕.txt") == "olá".encode()
    assert await keys(objects, "notas/") == ["notas/café com leite ☕.txt"]


async def test_streams_in_and_out(objects: ObjectStore) -> None:
    big = bytes(range(256)) * 4096  # 1 MiB
    info = await objects.put("big.bin", chunks(big[:1000], big[1000:500000], b"", big[500000:]))
    assert info.size == len(big)
    assert await objects.get("big.bin") == big
    parts = [chunk async for chunk in objects.stream("big.bin", chunk_size=300_000)]
    assert [len(p) for p in parts] == [300_000, 300_000, 300_000, len(big) - 900_000]
    assert b"".join(parts) == big


async def test_a_failed_stream_keeps_the_old_object(objects: ObjectStore) -> None:
    await objects.put("doc", b"old")

    async def failing() -> AsyncIterator[bytes]:
        yield b"new-part"
        raise ConnectionError("upload cut")

    with pytest.raises(ConnectionError):
        await objects.put("doc", failing())
    assert await objects.get("doc") == b"old"
    assert await keys(objects) == ["doc"]


async def test_stat_exists_delete(objects: ObjectStore) -> None:
    await objects.put("a/b.txt", b"12345")
    assert await objects.exists("a/b.txt")
    assert not await objects.exists("a/c.txt")
    assert not await objects.exists("a")  # a key prefix is not an object
    stat = await objects.stat("a/b.txt")
    assert (stat.key, stat.size) == ("a/b.txt", 5)
    await objects.delete("a/b.txt")
    await objects.delete("a/b.txt")  # deleting what is gone is fine
    await objects.delete("a")
    assert not await objects.exists("a/b.txt")
    assert await keys(objects) == []


async def test_missing_objects(objects: ObjectStore) -> None:
    await objects.put("a/b", b"x")
    for missing in ("nothing", "a/b/c", "a"):
        with pytest.raises(ObjectNotFoundError) as err:
            await objects.get(missing)
        assert err.value.key == missing
        with pytest.raises(ObjectNotFoundError):
            await objects.stat(missing)
        with pytest.raises(ObjectNotFoundError):
            await collect(objects.stream(missing))


async def test_list_by_prefix_sorted(objects: ObjectStore) -> None:
    names = ["b/2", "a", "b/1", "b10", "c/d/e", "B", "b/sub/x"]
    for name in names:
        await objects.put(name, name.encode())
    assert await keys(objects) == sorted(names)
    assert await keys(objects, "b") == ["b/1", "b/2", "b/sub/x", "b10"]
    assert await keys(objects, "b/") == ["b/1", "b/2", "b/sub/x"]
    assert await keys(objects, "c/d/") == ["c/d/e"]
    assert await keys(objects, "zzz") == []
    listed = [info async for info in objects.list("b/s")]
    assert listed == [ObjectInfo("b/sub/x", 7, listed[0].modified)]


@pytest.mark.parametrize(
    "key",
    [
        "",
        "/abs",
        "a//b",
        "trailing/",
        "../escape",
        "a/../../escape",
        "./a",
        "back\\slash",
        "nul\x00",
        "colon:name",
        "q?",
        "dot.",
        "space ",
        "CON",
        "folder/nul.txt",
        ".hearth-tmp/x",
        "x" * 1025,
        "é" * 513,
    ],
)
async def test_invalid_keys(objects: ObjectStore, key: str) -> None:
    with pytest.raises(InvalidKeyError):
        await objects.put(key, b"x")
    with pytest.raises(InvalidKeyError):
        await objects.get(key)
    with pytest.raises(InvalidKeyError):
        await objects.delete(key)
    with pytest.raises(InvalidKeyError):
        await objects.exists(key)


async def test_invalid_prefix(objects: ObjectStore) -> None:
    for prefix in ("../", "a/../", "x\x00"):
        with pytest.raises(InvalidKeyError):
            await keys(objects, prefix)


async def test_errors_are_storage_errors(objects: ObjectStore) -> None:
    with pytest.raises(ObjectStoreError) as err:
        await objects.get("missing")
    assert isinstance(err.value, StorageError)
    assert "missing" in err.value.message


async def test_closed_store_refuses_work(objects: ObjectStore) -> None:
    await objects.close()
    with pytest.raises(StorageClosedError):
        await objects.put("a", b"x")
    with pytest.raises(StorageClosedError):
        await keys(objects)
