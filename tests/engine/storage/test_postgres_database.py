"""PostgreSQL specifics, on the session's embedded server (the shared contract is in
test_database_contract.py): URLs, error translation of real server errors, parallel writers,
pgvector available."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from engine.storage.db.postgres import PostgresDatabase
from engine.storage.errors import (
    DiskFull,
    StorageClosedError,
    StorageError,
    StorageUnavailableError,
    StorageUrlError,
)
from engine.storage.urls import StorageUrl, database_from_url
from tests.services.postgres import PostgresServer, free_port

pytestmark = pytest.mark.anyio

RAISE_DISK_FULL = (
    "DO $$ BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END $$"
)


@pytest.fixture
async def url(postgres_server: PostgresServer) -> AsyncIterator[str]:
    async with postgres_server.schema() as schema_url:
        yield schema_url


@pytest.fixture
async def pg(url: str) -> AsyncIterator[PostgresDatabase]:
    async with PostgresDatabase.from_url(StorageUrl.parse(url)) as database:
        yield database


def pg_url(db: PostgresDatabase) -> str:
    return f"postgresql://{db.user}@{db.host}:{db.port}/{db.database}?schema={db.schema}"


def test_url_names_server_database_schema_and_pool() -> None:
    db = database_from_url("postgresql://bots@db.lan:6543/hearth?schema=tenant_a&pool=3")
    assert isinstance(db, PostgresDatabase)
    assert (db.host, db.port, db.user, db.database, db.schema) == (
        "db.lan", 6543, "bots", "hearth", "tenant_a"
    )
    with pytest.raises(StorageUrlError, match="password"):
        database_from_url("postgresql://bots:secret@db.lan/hearth")
    with pytest.raises(StorageUrlError, match="one database"):
        database_from_url("postgresql://db.lan/hearth/extra")
    with pytest.raises(StorageUrlError, match="schema"):
        database_from_url('postgresql://db.lan/hearth?schema=a",public')
    with pytest.raises(StorageUrlError, match="pool"):
        database_from_url("postgresql://db.lan/hearth?pool=many")


async def test_an_unreachable_server_is_unavailable() -> None:
    db = PostgresDatabase(host="127.0.0.1", port=free_port(), user="nobody", database="none")
    with pytest.raises(StorageUnavailableError, match="cannot reach") as err:
        await db.open()
    assert err.value.__cause__ is not None
    with pytest.raises(StorageClosedError):  # it did not open
        await db.execute("SELECT 1")


async def test_a_server_that_goes_away_is_unavailable(pg: PostgresDatabase) -> None:
    async with database_from_url(pg_url(pg)) as admin:
        with pytest.raises(StorageError):  # leaving the block: the rollback fails too
            async with pg.transaction() as tx:
                row = await tx.fetch_one("SELECT pg_backend_pid() AS pid")
                assert row is not None  # another session ends ours, waiting until it is gone
                await admin.execute("SELECT pg_terminate_backend(?, 5000)", (row["pid"],))
                with pytest.raises(StorageUnavailableError):
                    await tx.fetch_one("SELECT 1 AS one")
    assert await pg.fetch_one("SELECT 1 AS one") == {"one": 1}  # the pool replaced it


async def test_disk_full_from_the_server_is_disk_full(pg: PostgresDatabase) -> None:
    await pg.execute("CREATE TABLE t (n INTEGER)")
    with pytest.raises(DiskFull, match="disk full") as err:
        await pg.execute(RAISE_DISK_FULL)
    assert isinstance(err.value, StorageError) and err.value.__cause__ is not None
    with pytest.raises(DiskFull):
        async with pg.transaction() as tx:
            await tx.execute("INSERT INTO t VALUES (1)")
            await tx.execute(RAISE_DISK_FULL)
    with pytest.raises(DiskFull):
        await pg.batch([("INSERT INTO t VALUES (2)", ()), (RAISE_DISK_FULL, ())])
    assert await pg.fetch_all("SELECT n FROM t") == []  # nothing of the failed writes kept


async def test_numeric_results_come_back_as_python_numbers(pg: PostgresDatabase) -> None:
    row = await pg.fetch_one(
        "SELECT sum(x) AS total, avg(x) AS mean FROM (VALUES (1), (2)) AS v (x)"
    )
    assert row == {"total": 3, "mean": 1.5}
    assert type(row["total"]) is int and type(row["mean"]) is float


async def test_a_transaction_does_not_hold_up_other_writers(pg: PostgresDatabase) -> None:
    await pg.execute("CREATE TABLE t (name TEXT PRIMARY KEY)")
    inside = asyncio.Event()

    async def beside() -> None:  # started outside the transaction: another writer
        await inside.wait()
        await pg.execute("INSERT INTO t VALUES ('beside it')")

    other = asyncio.create_task(beside())
    async with pg.transaction() as tx:
        await tx.execute("INSERT INTO t VALUES ('in transaction')")
        inside.set()
        async with asyncio.timeout(5):  # SQLite would queue it behind the transaction
            await other
    assert len(await pg.fetch_all("SELECT name FROM t")) == 2


async def test_two_instances_share_one_database(pg: PostgresDatabase, url: str) -> None:
    await pg.execute("CREATE TABLE t (name TEXT)")
    async with database_from_url(url) as other:
        await other.execute("INSERT INTO t VALUES ('from the other')")
    assert await pg.fetch_all("SELECT name FROM t") == [{"name": "from the other"}]


async def test_pgvector_is_there(pg: PostgresDatabase) -> None:
    row = await pg.fetch_one("SELECT '[1,2,3]'::vector <-> '[1,2,5]'::vector AS distance")
    assert row == {"distance": 2.0}
