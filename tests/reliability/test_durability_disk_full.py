"""Disk full on a real small tmpfs (defect 7 of issue 10, the storage and dialog part).

The storage layer raises ``DiskFull`` ("disk full" in plain words) for SQLITE_FULL and
ENOSPC; a turn that cannot be saved is reported as not saved, and the session, its dialog
and the bot's tables stay exactly as they were before the turn, in this process and after
a restart; once space is freed, the same message goes through.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlean

from engine.events import TurnFinished, UserMessage
from engine.storage.db.sqlite import SqliteDatabase
from engine.storage.errors import DiskFull, StorageError
from engine.storage.objects.local import LocalObjectStore
from tests.engine.sessions.sessionkit import session_stack, write_bot
from tests.reliability.chaoskit import item_counts
from tests.reliability.smalldisk import fill, free_bytes, small_disk

SESSION = "s1"
BIG = 2_000_000  # a message bigger than what is left on the disk, so its turn cannot commit

SHOP = """
DO
  HEAR item
  SAVE "items", {name: LEFT(item, 8), part: 1}
  SAVE "items", {name: LEFT(item, 8), part: 2}
  SAVE "items", {name: LEFT(item, 8), part: 3}
  TALK "added " + LEFT(item, 8)
LOOP
"""


@pytest.fixture
def disk(tmp_path: Path) -> Iterator[Path]:
    with small_disk(tmp_path / "disk", 24) as folder:
        yield folder


def leave_free(filler: Path, size: int) -> None:
    """Give back ``size`` bytes of the filler: room for small writes, not for big ones."""
    os.truncate(filler, max(filler.stat().st_size - size, 0))


def test_a_full_database_raises_disk_full_and_keeps_its_previous_state(disk: Path) -> None:
    async def scenario() -> None:
        async with SqliteDatabase(disk / "full.db") as db:
            await db.execute("CREATE TABLE t (n INTEGER, payload BLOB)")
            await db.execute("INSERT INTO t VALUES (1, zeroblob(1000))")
            filler = fill(disk)
            with pytest.raises(DiskFull) as raised:
                await db.execute("INSERT INTO t VALUES (2, randomblob(4000000))")
            assert isinstance(raised.value, StorageError)
            assert str(raised.value).startswith("disk full")
            filler.unlink()
            assert await db.fetch_all("SELECT n FROM t") == [{"n": 1}]
            await db.execute("INSERT INTO t VALUES (3, zeroblob(1000))")
        conn = sqlean.connect(str(disk / "full.db"))
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [r[0] for r in conn.execute("SELECT n FROM t")] == [1, 3]
        conn.close()

    asyncio.run(scenario())


def test_opening_a_new_database_on_a_full_disk_raises_disk_full(disk: Path) -> None:
    async def scenario() -> None:
        fill(disk)
        for path in (disk / "new.db", disk / "new" / "folder" / "new.db"):
            with pytest.raises(DiskFull, match="disk full"):
                async with SqliteDatabase(path) as db:
                    await db.execute("CREATE TABLE t (n INTEGER)")

    asyncio.run(scenario())


def test_a_full_object_store_raises_disk_full_and_keeps_the_old_object(disk: Path) -> None:
    async def scenario() -> None:
        async with LocalObjectStore(disk / "objects") as store:
            await store.put("a/doc.txt", b"version 1")
            filler = fill(disk)
            with pytest.raises(DiskFull, match="disk full"):
                await store.put("a/doc.txt", b"x" * 3_000_000)
            assert await store.get("a/doc.txt") == b"version 1"
            filler.unlink()
            await store.put("a/doc.txt", b"version 2")
            assert await store.get("a/doc.txt") == b"version 2"

    asyncio.run(scenario())


async def user_messages(stack: object) -> list[str]:
    history = await stack.manager.history(SESSION)  # type: ignore[attr-defined]
    return [m.content[:8] for m in history if m.role == "user"]


@pytest.mark.parametrize("restart", [False, True], ids=["same-process", "after-restart"])
def test_a_turn_that_cannot_be_saved_leaves_the_pre_turn_state(disk: Path, restart: bool) -> None:
    write_bot(disk, "shop", {"start.bas": SHOP})
    big = "bananas!" + "x" * BIG

    async def retry(stack: object, filler: Path) -> None:
        manager = stack.manager  # type: ignore[attr-defined]
        assert await user_messages(stack) == ["apples"]
        assert (await manager.state(SESSION)).turns == 2
        assert await manager.store.load_dialog(SESSION) is not None  # still waiting at HEAR
        filler.unlink()
        await manager.send(UserMessage(SESSION, big))  # the client's retry goes through
        assert await user_messages(stack) == ["apples", "bananas!"]

    async def scenario() -> None:
        async with session_stack(disk) as stack:
            await stack.manager.open("shop", user_id="u1", session_id=SESSION)
            await stack.manager.send(UserMessage(SESSION, "apples"))
            assert item_counts(disk) == {"apples": 3}
            filler = fill(disk)
            leave_free(filler, 600_000)  # the table rows fit; the 2 MB turn does not
            with pytest.raises(DiskFull) as raised:
                await stack.manager.send(UserMessage(SESSION, big))
            assert "disk full" in raised.value.message
            assert "not saved" in raised.value.message
            finished = [e for e in stack.transcript.events if isinstance(e, TurnFinished)]
            assert finished[-1].error is not None and "disk full" in finished[-1].error
            if not restart:
                await retry(stack, filler)
        if restart:
            async with session_stack(disk) as stack:
                await retry(stack, filler)

    asyncio.run(scenario())
    assert item_counts(disk) == {"apples": 3, "bananas!": 3}  # the failed turn's rows were undone


def test_table_writes_on_a_full_disk_say_disk_full(disk: Path) -> None:
    write_bot(disk, "shop", {"start.bas": SHOP})

    async def scenario() -> None:
        async with session_stack(disk) as stack:
            await stack.manager.open("shop", user_id="u1", session_id=SESSION)
            filler = fill(disk)
            assert free_bytes(disk) < 64 * 1024
            with pytest.raises(DiskFull, match="disk full"):
                await stack.manager.send(UserMessage(SESSION, "cherries" + "x" * BIG))
            logs = [str(getattr(e, "text", "")) for e in stack.transcript.events]
            assert any("disk full" in line for line in logs), logs
            filler.unlink()
            await stack.manager.send(UserMessage(SESSION, "cherries"))
            assert await user_messages(stack) == ["cherries"]

    asyncio.run(scenario())
    assert item_counts(disk) == {"cherries": 3}


def test_bot_memory_on_a_full_disk_says_disk_full(disk: Path) -> None:
    from engine.basic.errors import ServiceError
    from engine.sessions.memory import SqliteMemoryStore

    with SqliteMemoryStore(disk / "memory.db", "shop", None) as memory:
        memory.set_bot("greeting", "hello")
        filler = fill(disk)
        with pytest.raises(ServiceError, match="disk full: memory could not be saved"):
            memory.set_bot("essay", "x" * BIG)
        assert memory.get_bot("greeting") == "hello"
        filler.unlink()
        memory.set_bot("essay", "short")
        assert memory.get_bot("essay") == "short"
