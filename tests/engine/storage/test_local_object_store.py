"""What only the local folder store promises: files under the root, atomic replacement, no
way out of the root, the a vs a/b conflict of a file system."""

from __future__ import annotations

import os
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from engine.storage.errors import ObjectNotFoundError, ObjectStoreError
from engine.storage.objects.local import TEMP_DIR, LocalObjectStore

pytestmark = pytest.mark.anyio


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[LocalObjectStore]:
    async with LocalObjectStore(tmp_path / "drive") as local:
        yield local


async def test_objects_are_plain_files(store: LocalObjectStore) -> None:
    await store.put("bots/faq/notes.txt", b"hello")
    assert (store.root / "bots" / "faq" / "notes.txt").read_bytes() == b"hello"
    assert list((store.root / TEMP_DIR).iterdir()) == []
    await store.delete("bots/faq/notes.txt")
    assert not (store.root / "bots").exists()  # emptied folders go too


async def test_writes_replace_atomically(store: LocalObjectStore, tmp_path: Path) -> None:
    await store.put("doc", b"old")
    target = store.root / "doc"
    inode = target.stat().st_ino
    await store.put("doc", b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_ino != inode  # a new file renamed over the old one


async def test_a_symlink_cannot_lead_outside(store: LocalObjectStore, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_bytes(b"secret")
    os.symlink(outside, store.root / "link")
    os.symlink(outside / "secret.txt", store.root / "file-link")
    with pytest.raises(ObjectStoreError, match="outside"):
        await store.get("link/secret.txt")
    with pytest.raises(ObjectStoreError, match="outside"):
        await store.get("file-link")
    with pytest.raises(ObjectStoreError, match="outside"):
        await store.put("link/new.txt", b"x")
    assert not (outside / "new.txt").exists()
    assert [info.key async for info in store.list()] == []


async def test_file_and_folder_conflicts(store: LocalObjectStore) -> None:
    await store.put("a", b"file")
    with pytest.raises(ObjectStoreError, match="holds a part of its path"):
        await store.put("a/b", b"x")
    await store.put("c/d", b"x")
    with pytest.raises(ObjectStoreError, match="other objects are under"):
        await store.put("c", b"x")
    with pytest.raises(ObjectNotFoundError):
        await store.get("c")


async def test_stale_temporaries_are_cleaned_on_open(tmp_path: Path) -> None:
    temp = tmp_path / "drive" / TEMP_DIR
    temp.mkdir(parents=True)
    (temp / "old.part").write_bytes(b"crash leftover")
    (temp / "recent.part").write_bytes(b"someone writing")
    hours_ago = time.time() - 2 * 3600
    os.utime(temp / "old.part", (hours_ago, hours_ago))
    async with LocalObjectStore(tmp_path / "drive") as store:
        assert sorted(p.name for p in temp.iterdir()) == ["recent.part"]
        assert [info.key async for info in store.list()] == []


async def test_an_abandoned_stream_releases_its_file(store: LocalObjectStore) -> None:
    await store.put("big", b"x" * 1_000_000)
    stream = store.stream("big", chunk_size=1000)
    assert await anext(stream) == b"x" * 1000
    await stream.aclose()
    await store.delete("big")
    assert not await store.exists("big")


async def test_a_failed_put_leaves_no_folders(store: LocalObjectStore) -> None:
    async def failing() -> AsyncIterator[bytes]:
        yield b"part"
        raise ConnectionError("cut")

    with pytest.raises(ConnectionError):
        await store.put("new/folder/doc", failing())
    assert not (store.root / "new").exists()
    await store.put("new", b"a file where the folder would have been")
    assert list((store.root / TEMP_DIR).iterdir()) == []
