"""PostgreSQL as the :class:`~engine.storage.db.protocol.Database`, through asyncpg.

``postgresql://user@host:port/database?schema=NAME&pool=N``. The password never appears in
the URL (secrets stay out of settings files): asyncpg reads it from ``PGPASSWORD`` or the
``~/.pgpass`` file, like every PostgreSQL client. ``schema`` puts the engine's tables in
that schema (first on the ``search_path``, ``public`` after it, where extensions such as
pgvector live); ``pool`` is the most connections this process opens (default 10).

Unlike SQLite there is no single writer: each statement (and each transaction) runs on a
connection from the pool, so writers proceed in parallel and the server orders conflicting
ones (a second ``INSERT`` of the same key waits for the first transaction to end). The rules
callers see are the protocol's: a write that returned is committed and visible; a failed
statement dooms its transaction; transactions do not nest.

The portable column type ``BLOB`` exists on PostgreSQL as a domain over ``bytea``, created
in the target schema when the database is opened, if missing.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Coroutine, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import asyncpg

from engine.storage.db import postgres_calls as calls
from engine.storage.db.postgres_calls import Connection, translated
from engine.storage.db.postgres_transaction import (
    AsyncTransactionContext,
    SyncTransactionContext,
    check_no_open_transaction,
)
from engine.storage.db.protocol import Params, Row, SyncExecutor
from engine.storage.errors import DatabaseError, StorageUrlError
from engine.storage.lifecycle import Lifecycle

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager, AbstractContextManager

    from engine.storage.db.protocol import Transaction
    from engine.storage.urls import StorageUrl

T = TypeVar("T")

_SCHEMA = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")

_BLOB_DOMAIN = """DO $$ BEGIN
    IF to_regtype('blob') IS NULL THEN CREATE DOMAIN blob AS bytea; END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;  -- another process made it
END $$"""


class PostgresDatabase(Lifecycle):
    """A PostgreSQL database reached over a pool of at most ``pool`` connections."""

    dialect = "postgresql"

    def __init__(
        self,
        *,
        host: str | None = None,
        port: int | None = None,
        user: str | None = None,
        database: str | None = None,
        schema: str | None = None,
        pool: int = 10,
    ) -> None:
        if pool < 1:
            raise ValueError("pool must be at least 1")
        if schema is not None and not _SCHEMA.fullmatch(schema):
            raise StorageUrlError(f"not a plain schema name: {schema!r} (letters, digits, _)")
        self.host, self.port, self.user, self.database = host, port, user, database
        self.schema = schema
        self._pool_size = pool
        self._pool: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._sync = PostgresSyncDatabase(self)

    @classmethod
    def from_url(cls, url: StorageUrl) -> PostgresDatabase:
        """``postgresql://[user@]host[:port]/database[?schema=NAME&pool=N]``."""
        database = url.path.lstrip("/") or None
        if database is not None and "/" in database:
            raise StorageUrlError(f"a PostgreSQL URL names one database: {url.text!r}")
        return cls(
            host=url.host,
            port=url.port,
            user=url.username,
            database=database,
            schema=url.query.get("schema") or None,
            pool=url.int_option("pool", 10),
        )

    @property
    def _describe(self) -> str:
        where = f"{self.host or 'localhost'}:{self.port or 5432}/{self.database or ''}"
        return f"PostgreSQL database {where}"

    async def _open(self) -> None:
        settings = {"search_path": f'"{self.schema}", public'} if self.schema else {}
        with translated(self._describe):
            self._pool = await asyncpg.create_pool(
                host=self.host,
                port=self.port,
                user=self.user,
                database=self.database,
                min_size=1,
                max_size=self._pool_size,
                server_settings=settings,
            )
        self._loop = asyncio.get_running_loop()
        try:
            with translated(self._describe):
                async with self._pool.acquire() as conn:
                    await calls.execute(conn, _BLOB_DOMAIN, ())
        except BaseException:
            await self._close()
            raise

    async def _close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            try:
                await asyncio.wait_for(pool.close(), timeout=10)
            except (TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, OSError):
                pool.terminate()  # a connection that will not close cleanly is cut

    # --- connections (also used by transactions) -------------------------------------------

    async def acquire(self) -> Connection:
        self._check_open()
        with translated(self._describe):
            return await self._pool.acquire()

    async def release(self, conn: Connection) -> None:
        if self._pool is not None:
            await self._pool.release(conn)

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The event loop the pool lives on (the sync facade sends its calls there)."""
        self._check_open()
        assert self._loop is not None
        return self._loop

    # --- Executor -----------------------------------------------------------------------------

    async def execute(self, sql_text: str, params: Params = ()) -> int:
        return await self._with_connection(lambda conn: calls.execute(conn, sql_text, params))

    async def executemany(self, sql_text: str, params: Iterable[Params]) -> int:
        batch = list(params)

        async def run(conn: Connection) -> int:
            async with conn.transaction():
                return await calls.executemany(conn, sql_text, batch)

        return await self._with_connection(run)

    async def batch(self, statements: Sequence[tuple[str, Params]]) -> list[int]:
        job = list(statements)

        async def run(conn: Connection) -> list[int]:
            async with conn.transaction():
                return [await calls.execute(conn, text, params) for text, params in job]

        return await self._with_connection(run)

    async def fetch_all(self, sql_text: str, params: Params = ()) -> list[Row]:
        return await self._with_connection(
            lambda conn: calls.fetch_all(conn, sql_text, params), writes=False
        )

    async def fetch_one(self, sql_text: str, params: Params = ()) -> Row | None:
        return await self._with_connection(
            lambda conn: calls.fetch_one(conn, sql_text, params), writes=False
        )

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        self._check_open()
        return AsyncTransactionContext(self)

    @property
    def sync(self) -> PostgresSyncDatabase:
        return self._sync

    async def _with_connection(
        self, run: Callable[[Connection], Awaitable[T]], *, writes: bool = True
    ) -> T:
        if writes:  # reads past an open transaction are fine: they see committed data
            check_no_open_transaction(self)
        conn = await self.acquire()
        try:
            with translated(self._describe):  # errors raised by asyncpg's own transaction()
                return await run(conn)
        finally:
            await self.release(conn)


class PostgresSyncDatabase:
    """:class:`~engine.storage.db.protocol.SyncDatabase` of a :class:`PostgresDatabase`.

    Each call is sent to the event loop that owns the pool and waited for in this thread.
    """

    dialect = "postgresql"

    def __init__(self, database: PostgresDatabase) -> None:
        self._database = database

    def execute(self, sql_text: str, params: Params = ()) -> int:
        return int(self._call(self._database.execute(sql_text, params)))

    def executemany(self, sql_text: str, params: Iterable[Params]) -> int:
        return int(self._call(self._database.executemany(sql_text, list(params))))

    def fetch_all(self, sql_text: str, params: Params = ()) -> list[Row]:
        rows: list[Row] = self._send(self._database.fetch_all(sql_text, params))
        return rows

    def fetch_one(self, sql_text: str, params: Params = ()) -> Row | None:
        row: Row | None = self._send(self._database.fetch_one(sql_text, params))
        return row

    def transaction(self) -> AbstractContextManager[SyncExecutor]:
        self._refuse_loop_thread()
        return SyncTransactionContext(self._database, self._send)

    def _call(self, work: Awaitable[T]) -> T:
        """Run ``work`` on the database's loop and wait for it here, unless this thread holds
        a transaction on the database (the statement would escape it)."""
        try:
            check_no_open_transaction(self._database)
        except BaseException:
            _discard(work)
            raise
        return self._send(work)

    def _send(self, work: Awaitable[T]) -> T:
        try:
            self._refuse_loop_thread()
            loop = self._database.loop
        except BaseException:
            _discard(work)
            raise
        return asyncio.run_coroutine_threadsafe(_awaited(work), loop).result()

    @staticmethod
    def _refuse_loop_thread() -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        raise DatabaseError(
            "db.sync was called on an event loop thread, where it would block the loop: "
            "await the async method instead"
        )


def _discard(work: Awaitable[Any]) -> None:
    if isinstance(work, Coroutine):
        work.close()  # never started: no "was never awaited" warning


async def _awaited(work: Awaitable[T]) -> T:
    return await work
