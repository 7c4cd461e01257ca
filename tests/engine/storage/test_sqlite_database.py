"""What only the SQLite backend promises: pragmas, one writer per file, a loop that never
waits for SQLite, sqlite-vec and FTS5 through the Database."""

from __future__ import annotations

import asyncio
import struct
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from engine.storage.db.sqlite import SqliteDatabase
from engine.storage.errors import ConstraintError, DatabaseError, StorageUrlError

pytestmark = pytest.mark.anyio


@pytest.fixture
async def sqlite(tmp_path: Path) -> AsyncIterator[SqliteDatabase]:
    async with SqliteDatabase(tmp_path / "hearth.db") as database:
        yield database


def writer_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name.startswith("sqlite-writer")]


async def test_pragmas(sqlite: SqliteDatabase) -> None:
    assert await sqlite.fetch_one("PRAGMA journal_mode") == {"journal_mode": "wal"}
    async with sqlite.transaction() as tx:  # the writer's own connection
        assert await tx.fetch_one("PRAGMA synchronous") == {"synchronous": 1}  # NORMAL
        assert await tx.fetch_one("PRAGMA foreign_keys") == {"foreign_keys": 1}
        assert await tx.fetch_one("PRAGMA busy_timeout") == {"timeout": 5000}
    assert await sqlite.fetch_one("PRAGMA foreign_keys") == {"foreign_keys": 1}


async def test_foreign_keys_are_enforced(sqlite: SqliteDatabase) -> None:
    await sqlite.execute("CREATE TABLE parent (id INTEGER PRIMARY KEY)")
    await sqlite.execute("CREATE TABLE child (parent INTEGER REFERENCES parent (id))")
    with pytest.raises(ConstraintError, match="FOREIGN KEY"):
        await sqlite.execute("INSERT INTO child VALUES (42)")


async def test_readers_are_read_only(sqlite: SqliteDatabase) -> None:
    await sqlite.execute("CREATE TABLE t (x)")
    with pytest.raises(DatabaseError):
        await sqlite.fetch_all("INSERT INTO t VALUES (1) RETURNING x")


async def test_vacuum_and_pragmas_run_on_the_writer(sqlite: SqliteDatabase) -> None:
    await sqlite.execute("CREATE TABLE t (x)")
    await sqlite.execute("VACUUM")
    await sqlite.execute("PRAGMA user_version = 7")
    assert await sqlite.fetch_one("PRAGMA user_version") == {"user_version": 7}


async def test_one_writer_thread_per_file(tmp_path: Path) -> None:
    before = len(writer_threads())
    first = SqliteDatabase(tmp_path / "one.db")
    same = SqliteDatabase(tmp_path / "." / "one.db")  # another spelling of the same file
    other = SqliteDatabase(tmp_path / "two.db")
    async with first, same, other:
        assert len(writer_threads()) == before + 2
        assert first.file() is same.file()
        await first.execute("CREATE TABLE t (x)")
        await asyncio.gather(*(db.execute("INSERT INTO t VALUES (1)") for db in [first, same] * 50))
        assert await same.fetch_one("SELECT count(*) AS n FROM t") == {"n": 100}
        await first.close()
        await same.execute("INSERT INTO t VALUES (2)")  # still served after one handle closed
    assert len(writer_threads()) == before


async def test_many_tasks_and_threads_write_without_lock_errors(sqlite: SqliteDatabase) -> None:
    await sqlite.execute("CREATE TABLE hits (source TEXT, n INTEGER)")
    errors: list[BaseException] = []

    def in_thread(number: int) -> None:
        try:
            for n in range(100):
                sqlite.sync.execute("INSERT INTO hits VALUES (?, ?)", (f"thread{number}", n))
                if n % 10 == 0:
                    with sqlite.sync.transaction() as tx:
                        tx.execute(
                            "UPDATE hits SET n = n + 1 WHERE source = ?", (f"thread{number}",)
                        )
        except BaseException as exc:
            errors.append(exc)

    async def in_task(number: int) -> None:
        for n in range(100):
            await sqlite.execute("INSERT INTO hits VALUES (?, ?)", (f"task{number}", n))
            if n % 10 == 0:
                async with sqlite.transaction() as tx:
                    await tx.execute(
                        "UPDATE hits SET n = n + 1 WHERE source = ?", (f"task{number}",)
                    )

    threads = [threading.Thread(target=in_thread, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    await asyncio.gather(*(in_task(n) for n in range(32)))
    await asyncio.to_thread(lambda: [thread.join() for thread in threads])
    assert errors == []
    assert await sqlite.fetch_one("SELECT count(*) AS n FROM hits") == {"n": 40 * 100}


STALL_LIMIT = 0.05
"""The longest the loop may be late while SQLite works. A loop that called SQLite itself
would be late by the whole statement (0.3 s and more here)."""

ATTEMPTS = 3
"""Other processes on a loaded 2-core machine can delay a wake-up too: a run passes if one
of a few attempts stays under the limit, which a blocking implementation never does."""


async def _max_stall_during(work: asyncio.Future[object], tick: float = 0.005) -> float:
    """The longest the loop was late to wake a sleeping task while ``work`` ran."""
    worst = 0.0
    while not work.done():
        start = time.perf_counter()
        await asyncio.sleep(tick)
        worst = max(worst, time.perf_counter() - start - tick)
    await work
    return worst


LONG_INSERT = (
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 500000) "
    "INSERT INTO big SELECT n, hex(randomblob(16)) FROM c"
)
LONG_QUERY = (
    "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1000000) "
    "SELECT sum(length(hex(n))) AS s FROM c"
)


async def _write_while_reading(sqlite: SqliteDatabase) -> tuple[float, float, float]:
    """(loop stall, slowest read, duration) of one long write with reads alongside."""
    long_write = asyncio.ensure_future(sqlite.execute(LONG_INSERT))
    read_times: list[float] = []

    async def reads() -> None:
        while not long_write.done():
            started = time.perf_counter()
            assert await sqlite.fetch_one("SELECT n FROM small") == {"n": 1}
            read_times.append(time.perf_counter() - started)
            await asyncio.sleep(0.01)

    reading = asyncio.ensure_future(reads())
    started = time.perf_counter()
    stall = await _max_stall_during(long_write)
    took = time.perf_counter() - started
    await reading
    return stall, max(read_times), took


async def test_a_long_write_never_blocks_the_loop_or_the_readers(sqlite: SqliteDatabase) -> None:
    await sqlite.execute("CREATE TABLE big (n INTEGER, payload TEXT)")
    await sqlite.execute("CREATE TABLE small (n INTEGER)")
    await sqlite.execute("INSERT INTO small VALUES (1)")
    runs = []
    for _ in range(ATTEMPTS):
        stall, slowest_read, took = await _write_while_reading(sqlite)
        runs.append((round(stall * 1000), round(slowest_read * 1000), round(took * 1000)))
        assert took > 2 * STALL_LIMIT, "the write must be long enough to show a blocked loop"
        if stall < STALL_LIMIT and slowest_read < 2 * STALL_LIMIT:
            break
    else:
        pytest.fail(f"loop stall / slowest read / write took, in ms, per attempt: {runs}")
    assert await sqlite.fetch_one("SELECT count(*) AS n FROM big") == {"n": 500000 * len(runs)}


async def test_a_long_read_never_blocks_the_loop(sqlite: SqliteDatabase) -> None:
    stalls = []
    for _ in range(ATTEMPTS):
        stalls.append(await _max_stall_during(asyncio.ensure_future(sqlite.fetch_one(LONG_QUERY))))
        if stalls[-1] < STALL_LIMIT:
            break
    else:
        pytest.fail(f"the event loop stalled {[round(s * 1000) for s in stalls]} ms")


async def test_sqlite_vec_knn(sqlite: SqliteDatabase) -> None:
    await sqlite.execute("CREATE VIRTUAL TABLE chunks USING vec0(embedding float[4])")
    vectors = {1: [1, 0, 0, 0], 2: [0, 1, 0, 0], 3: [0.9, 0.1, 0, 0], 4: [0, 0, 0, 1]}
    await sqlite.executemany(
        "INSERT INTO chunks (rowid, embedding) VALUES (?, ?)",
        [(rowid, struct.pack("4f", *vector)) for rowid, vector in vectors.items()],
    )
    rows = await sqlite.fetch_all(
        "SELECT rowid, distance FROM chunks WHERE embedding MATCH ? ORDER BY distance LIMIT 2",
        (struct.pack("4f", 1, 0, 0, 0),),
    )
    assert [row["rowid"] for row in rows] == [1, 3]
    assert rows[0]["distance"] == pytest.approx(0.0)
    version = await sqlite.fetch_one("SELECT vec_version() AS v")
    assert version is not None and version["v"].startswith("v")


async def test_fts5_bm25(sqlite: SqliteDatabase) -> None:
    await sqlite.execute("CREATE VIRTUAL TABLE docs USING fts5(title, body)")
    await sqlite.executemany(
        "INSERT INTO docs (title, body) VALUES (?, ?)",
        [
            ("Opening hours", "The library opens at nine on weekdays"),
            ("Fines", "Late returns cost ten cents a day"),
            ("Rooms", "Study rooms can be booked; the library lends laptops"),
        ],
    )
    rows = await sqlite.fetch_all(
        "SELECT title, bm25(docs) AS rank FROM docs WHERE docs MATCH ? ORDER BY rank",
        ("library",),
    )
    assert {row["title"] for row in rows} == {"Opening hours", "Rooms"}
    snippet = await sqlite.fetch_one(
        "SELECT highlight(docs, 1, '[', ']') AS h FROM docs WHERE docs MATCH 'cents'"
    )
    assert snippet == {"h": "Late returns cost ten [cents] a day"}


async def test_sync_facade_refuses_the_database_threads(sqlite: SqliteDatabase) -> None:
    await sqlite.execute("CREATE TABLE t (x)")

    def from_the_writer(_conn: object) -> int:
        return sqlite.sync.execute("INSERT INTO t VALUES (1)")

    with pytest.raises(DatabaseError, match="own threads"):
        await asyncio.wrap_future(sqlite.file().writer.submit(from_the_writer))
    with pytest.raises(DatabaseError, match="own threads"):
        await asyncio.wrap_future(sqlite.file().readers.submit(from_the_writer))


async def test_queued_writes_finish_before_close(tmp_path: Path) -> None:
    path = tmp_path / "drain.db"
    async with SqliteDatabase(path) as database:
        await database.execute("CREATE TABLE t (x)")
        pending = [
            asyncio.ensure_future(database.execute("INSERT INTO t VALUES (?)", (n,)))
            for n in range(200)
        ]
        await asyncio.sleep(0)  # every write is queued on the writer now
    await asyncio.gather(*pending)
    async with SqliteDatabase(path) as reopened:
        assert await reopened.fetch_one("SELECT count(*) AS n FROM t") == {"n": 200}


async def test_data_survives_reopening_and_wal_is_checkpointed(tmp_path: Path) -> None:
    path = tmp_path / "reopen.db"
    async with SqliteDatabase(path) as database:
        await database.execute("CREATE TABLE t (x)")
        await database.execute("INSERT INTO t VALUES ('kept')")
    assert not path.with_name("reopen.db-wal").exists()
    async with SqliteDatabase(path) as database:
        assert await database.fetch_all("SELECT x FROM t") == [{"x": "kept"}]


async def test_refuses_memory_databases() -> None:
    with pytest.raises(StorageUrlError):
        SqliteDatabase(":memory:")


async def test_an_unopenable_file_is_a_database_error(tmp_path: Path) -> None:
    path = tmp_path / "not-a-db.db"
    path.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(DatabaseError):
        async with SqliteDatabase(path):
            pass
