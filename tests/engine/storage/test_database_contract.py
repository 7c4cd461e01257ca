"""The Database contract: every backend in conftest.DATABASES must pass all of this.

Only portable SQL here (ARCHITECTURE §2: the same suite runs against every backend).
"""

from __future__ import annotations

import asyncio
import threading

import pytest

from engine.errors import EngineError
from engine.storage.db.protocol import Database
from engine.storage.errors import (
    ConstraintError,
    DatabaseError,
    StorageClosedError,
    StorageError,
)

pytestmark = pytest.mark.anyio

CREATE = "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, size REAL)"


async def count(db: Database) -> int:
    row = await db.fetch_one("SELECT count(*) AS n FROM items")
    assert row is not None
    return int(row["n"])


@pytest.fixture
async def items(db: Database) -> Database:
    await db.execute(CREATE)
    return db


async def test_dialect_is_named(db: Database) -> None:
    assert db.dialect in {"sqlite", "postgresql"}


async def test_execute_returns_rows_changed_and_fetch_reads_them(items: Database) -> None:
    assert await items.execute("INSERT INTO items (name, size) VALUES (?, ?)", ("a", 1.5)) == 1
    assert await items.execute("INSERT INTO items (name) VALUES (:name)", {"name": "b"}) == 1
    assert await items.execute("UPDATE items SET size = 2") == 2
    rows = await items.fetch_all("SELECT name, size FROM items ORDER BY name")
    assert rows == [{"name": "a", "size": 2.0}, {"name": "b", "size": 2.0}]
    assert await items.fetch_one("SELECT name FROM items WHERE name = ?", ("b",)) == {"name": "b"}
    assert await items.fetch_one("SELECT name FROM items WHERE name = ?", ("zz",)) is None
    assert await items.fetch_all("SELECT name FROM items WHERE name = ?", ("zz",)) == []


async def test_values_round_trip(db: Database) -> None:
    await db.execute("CREATE TABLE v (i INTEGER, r REAL, t TEXT, b BLOB, n TEXT)")
    values = (2**62, 0.25, "héllo ✓", b"\x00\xff", None)
    await db.execute("INSERT INTO v VALUES (?, ?, ?, ?, ?)", values)
    assert await db.fetch_one("SELECT * FROM v") == dict(zip("irtbn", values, strict=True))


async def test_executemany_is_atomic(items: Database) -> None:
    rows = [("a",), ("b",), ("a",), ("c",)]  # the third violates UNIQUE
    with pytest.raises(ConstraintError):
        await items.executemany("INSERT INTO items (name) VALUES (?)", rows)
    assert await count(items) == 0
    assert await items.executemany("INSERT INTO items (name) VALUES (?)", rows[:2]) == 2


async def test_a_write_that_returned_is_visible_to_the_next_read(items: Database) -> None:
    for number in range(20):
        await items.execute("INSERT INTO items (name) VALUES (?)", (f"n{number}",))
        assert await count(items) == number + 1


async def test_errors_are_storage_errors(items: Database) -> None:
    await items.execute("INSERT INTO items (name) VALUES ('a')")
    with pytest.raises(ConstraintError) as unique:
        await items.execute("INSERT INTO items (name) VALUES ('a')")
    with pytest.raises(ConstraintError):
        await items.execute("INSERT INTO items (name) VALUES (NULL)")
    with pytest.raises(DatabaseError) as syntax:
        await items.fetch_all("SELEKT 1")
    with pytest.raises(DatabaseError):
        await items.execute("INSERT INTO nowhere VALUES (1)")
    with pytest.raises(DatabaseError):
        await items.execute("INSERT INTO items (name) VALUES (?)", ())  # missing value
    for error in (unique.value, syntax.value):
        assert isinstance(error, StorageError) and isinstance(error, EngineError)
        assert error.__cause__ is not None  # the driver's exception is kept as the cause
        assert error.message


async def test_transaction_commits_together(items: Database) -> None:
    async with items.transaction() as tx:
        assert tx.dialect == items.dialect
        await tx.execute("INSERT INTO items (name) VALUES ('a')")
        await tx.executemany("INSERT INTO items (name) VALUES (?)", [("b",), ("c",)])
        inside = await tx.fetch_one("SELECT count(*) AS n FROM items")
        assert inside == {"n": 3}
        assert await count(items) == 0  # others do not see it before the commit
    assert await count(items) == 3


async def test_transaction_returning(items: Database) -> None:
    async with items.transaction() as tx:
        row = await tx.fetch_one("INSERT INTO items (name) VALUES ('a') RETURNING id, name")
        assert row is not None and row["name"] == "a"
        rows = await tx.fetch_all("INSERT INTO items (name) VALUES ('b'), ('c') RETURNING name")
    assert sorted(r["name"] for r in rows) == ["b", "c"]
    assert await count(items) == 3


async def test_transaction_rolls_back_when_the_block_raises(items: Database) -> None:
    with pytest.raises(KeyError):
        async with items.transaction() as tx:
            await tx.execute("INSERT INTO items (name) VALUES ('a')")
            raise KeyError("boom")
    assert await count(items) == 0


async def test_a_failed_statement_dooms_the_transaction(items: Database) -> None:
    with pytest.raises(DatabaseError, match="rolled back"):
        async with items.transaction() as tx:
            await tx.execute("INSERT INTO items (name) VALUES ('a')")
            with pytest.raises(ConstraintError):
                await tx.execute("INSERT INTO items (name) VALUES ('a')")
            with pytest.raises(DatabaseError, match="only roll back"):
                await tx.execute("INSERT INTO items (name) VALUES ('b')")
    assert await count(items) == 0


async def test_transactions_do_not_nest_and_do_not_deadlock(items: Database) -> None:
    async with items.transaction() as tx:
        with pytest.raises(DatabaseError, match="open here"):
            async with items.transaction():
                pass
        with pytest.raises(DatabaseError, match="open here"):
            await items.execute("INSERT INTO items (name) VALUES ('x')")
        await tx.execute("INSERT INTO items (name) VALUES ('a')")
    await items.execute("INSERT INTO items (name) VALUES ('b')")  # usable again afterwards
    assert await count(items) == 2


async def test_a_task_started_in_a_transaction_may_write_after_it(items: Database) -> None:
    async with items.transaction() as tx:
        await tx.execute("INSERT INTO items (name) VALUES ('a')")
        later = asyncio.create_task(asyncio.sleep(0.05))
        task = asyncio.create_task(_write_after(items, later))
    await task
    assert await count(items) == 2


async def _write_after(db: Database, event: asyncio.Task[None]) -> None:
    await event
    await db.execute("INSERT INTO items (name) VALUES ('b')")


async def test_concurrent_tasks_all_land(items: Database) -> None:
    async def writer(number: int) -> None:
        for step in range(10):
            await items.execute("INSERT INTO items (name) VALUES (?)", (f"{number}-{step}",))

    async def transfer(number: int) -> None:
        async with items.transaction() as tx:
            await tx.execute("INSERT INTO items (name) VALUES (?)", (f"tx{number}",))
            await asyncio.sleep(0)
            await tx.execute("UPDATE items SET size = ? WHERE name = ?", (number, f"tx{number}"))

    await asyncio.gather(*(writer(n) for n in range(20)), *(transfer(n) for n in range(10)))
    assert await count(items) == 20 * 10 + 10
    assert await items.fetch_one("SELECT count(*) AS n FROM items WHERE size IS NOT NULL") == {
        "n": 10
    }


async def test_cancelling_inside_a_transaction_rolls_it_back(items: Database) -> None:
    inside = asyncio.Event()

    async def stuck() -> None:
        async with items.transaction() as tx:
            await tx.execute("INSERT INTO items (name) VALUES ('a')")
            inside.set()
            await asyncio.sleep(60)

    task = asyncio.create_task(stuck())
    await inside.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with anyio_fail_after(5):
        await items.execute("INSERT INTO items (name) VALUES ('b')")
    assert await items.fetch_all("SELECT name FROM items") == [{"name": "b"}]


async def test_cancelling_a_transaction_waiting_to_begin(items: Database) -> None:
    holding = asyncio.Event()
    release = asyncio.Event()

    async def holder() -> None:
        async with items.transaction() as tx:
            await tx.execute("INSERT INTO items (name) VALUES ('held')")
            holding.set()
            await release.wait()

    async def waiter() -> None:
        async with items.transaction() as tx:
            await tx.execute("INSERT INTO items (name) VALUES ('never')")

    first = asyncio.create_task(holder())
    await holding.wait()
    second = asyncio.create_task(waiter())
    await asyncio.sleep(0.05)  # second is queued behind the open transaction
    second.cancel()
    release.set()
    await first
    with pytest.raises(asyncio.CancelledError):
        await second
    async with anyio_fail_after(5):
        await items.execute("INSERT INTO items (name) VALUES ('after')")
    names = {r["name"] for r in await items.fetch_all("SELECT name FROM items")}
    assert names == {"held", "after"}


async def test_sync_facade_from_a_worker_thread(items: Database) -> None:
    def work() -> int:
        sync = items.sync
        assert sync.dialect == items.dialect
        sync.execute("INSERT INTO items (name) VALUES (?)", ("a",))
        sync.executemany("INSERT INTO items (name) VALUES (?)", [("b",), ("c",)])
        with sync.transaction() as tx:
            tx.execute("INSERT INTO items (name) VALUES ('d')")
            assert tx.fetch_one("SELECT count(*) AS n FROM items") == {"n": 4}
        with pytest.raises(ConstraintError):
            sync.execute("INSERT INTO items (name) VALUES ('a')")
        rows = sync.fetch_all("SELECT name FROM items ORDER BY name")
        assert sync.fetch_one("SELECT name FROM items WHERE name = 'zz'") is None
        return len(rows)

    assert await asyncio.to_thread(work) == 4


async def test_sync_facade_refuses_the_event_loop_thread(items: Database) -> None:
    with pytest.raises(DatabaseError, match="event loop"):
        items.sync.execute("INSERT INTO items (name) VALUES ('a')")
    with pytest.raises(DatabaseError, match="event loop"):
        items.sync.fetch_all("SELECT 1")
    with pytest.raises(DatabaseError, match="event loop"):
        items.sync.transaction().__enter__()


async def test_sync_facade_refuses_to_deadlock_inside_its_transaction(items: Database) -> None:
    def work() -> None:
        with items.sync.transaction() as tx:
            tx.execute("INSERT INTO items (name) VALUES ('a')")
            with pytest.raises(DatabaseError, match="open here"):
                items.sync.execute("INSERT INTO items (name) VALUES ('b')")
            with pytest.raises(DatabaseError, match="open here"):
                items.sync.transaction().__enter__()

    await asyncio.to_thread(work)
    assert await count(items) == 1


async def test_a_thread_started_from_a_transaction_cannot_deadlock_it(items: Database) -> None:
    async with items.transaction() as tx:
        await tx.execute("INSERT INTO items (name) VALUES ('a')")
        with pytest.raises(DatabaseError, match="open here"):  # to_thread copies the context
            await asyncio.to_thread(items.sync.execute, "INSERT INTO items (name) VALUES ('b')")
    assert await count(items) == 1


async def test_sync_and_async_writers_together(items: Database) -> None:
    errors: list[BaseException] = []

    def thread_writer(number: int) -> None:
        try:
            for step in range(25):
                items.sync.execute("INSERT INTO items (name) VALUES (?)", (f"t{number}-{step}",))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=thread_writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()

    async def task_writer(number: int) -> None:
        for step in range(25):
            await items.execute("INSERT INTO items (name) VALUES (?)", (f"a{number}-{step}",))

    await asyncio.gather(*(task_writer(n) for n in range(4)))
    await asyncio.to_thread(lambda: [t.join() for t in threads])
    assert errors == []
    assert await count(items) == 200


async def test_closed_database_refuses_work(db: Database) -> None:
    await db.close()
    await db.close()  # idempotent
    with pytest.raises(StorageClosedError):
        await db.fetch_all("SELECT 1")
    with pytest.raises(StorageClosedError):
        await db.execute("SELECT 1")
    with pytest.raises(StorageClosedError):
        db.transaction()
    with pytest.raises(StorageClosedError):
        await db.open()


def anyio_fail_after(seconds: float) -> asyncio.Timeout:
    """A deadline: a hang fails the test instead of stalling the suite."""
    return asyncio.timeout(seconds)
