"""SQLite as the :class:`~engine.storage.db.protocol.Database`, through sqlean.py.

Every connection has sqlite-vec loaded and FTS5 available (built into sqlean), waits up to
``busy_timeout`` for other processes' locks, and enforces foreign keys. The file is in WAL
mode with ``synchronous=NORMAL``: a committed transaction survives the process being killed;
only a power loss can take back the last few.

Threads (see :mod:`~engine.storage.db.sqlite_threads`): exactly one writer per file, which
wraps every write in ``BEGIN IMMEDIATE ... COMMIT``, and a small pool of read-only
connections for ``fetch_*``. The event loop only waits on futures, so it never blocks on
SQLite; :attr:`SqliteDatabase.sync` gives worker threads (the BASIC VM) the same database.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable, Sequence
from contextlib import suppress
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from engine.storage.db import sqlite_connection as sql
from engine.storage.db import sqlite_files
from engine.storage.db.protocol import Params, Row, SyncExecutor
from engine.storage.db.sqlite_connection import Connection
from engine.storage.db.sqlite_files import DatabaseFile
from engine.storage.db.sqlite_transaction import (
    AsyncTransactionContext,
    SyncTransactionContext,
    check_no_open_transaction,
    plain,
)
from engine.storage.errors import DatabaseError, StorageUrlError
from engine.storage.lifecycle import Lifecycle

if TYPE_CHECKING:
    from contextlib import AbstractAsyncContextManager, AbstractContextManager

    from engine.storage.db.protocol import Transaction
    from engine.storage.urls import StorageUrl

T = TypeVar("T")


class SqliteDatabase(Lifecycle):
    """A database file; ``readers`` read-only connections serve ``fetch_*``."""

    dialect = "sqlite"

    def __init__(self, path: str | os.PathLike[str], *, readers: int = 2) -> None:
        if str(path) in ("", ":memory:") or str(path).startswith("file:"):
            raise StorageUrlError("SqliteDatabase needs the path of a database file")
        if readers < 1:
            raise ValueError("readers must be at least 1")
        self.path = Path(path)
        self._readers = readers
        self._shared: DatabaseFile | None = None
        self._sync = SqliteSyncDatabase(self)

    @classmethod
    def from_url(cls, url: StorageUrl) -> SqliteDatabase:
        """``sqlite:///absolute/path.db[?readers=N]``."""
        return cls(url.local_path(), readers=url.int_option("readers", 2))

    @property
    def _describe(self) -> str:
        return f"SQLite database {self.path}"

    async def _open(self) -> None:
        self._shared = await asyncio.to_thread(sqlite_files.acquire, self.path, self._readers)

    async def _close(self) -> None:
        shared, self._shared = self._shared, None
        if shared is not None:
            await asyncio.to_thread(sqlite_files.release, shared)

    def file(self) -> DatabaseFile:
        """The open file's threads (raises StorageClosedError when not open)."""
        self._check_open()
        assert self._shared is not None
        return self._shared

    # --- Executor -----------------------------------------------------------------------------

    async def execute(self, sql_text: str, params: Params = ()) -> int:
        return await self._write(partial(write_one, statement=sql_text, params=plain(params)))

    async def executemany(self, sql_text: str, params: Iterable[Params]) -> int:
        batch = [plain(p) for p in params]
        return await self._write(partial(write_many, statement=sql_text, params=batch))

    async def batch(self, statements: Sequence[tuple[str, Params]]) -> list[int]:
        job = [(statement, plain(params)) for statement, params in statements]
        return await self._write(partial(write_batch, statements=job))

    async def fetch_all(self, sql_text: str, params: Params = ()) -> list[Row]:
        return await self._read(partial(sql.fetch_all, sql=sql_text, params=plain(params)))

    async def fetch_one(self, sql_text: str, params: Params = ()) -> Row | None:
        return await self._read(partial(sql.fetch_one, sql=sql_text, params=plain(params)))

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        return AsyncTransactionContext(self.file())

    @property
    def sync(self) -> SqliteSyncDatabase:
        return self._sync

    async def _write(self, run: Callable[[Connection], T]) -> T:
        shared = self.file()
        check_no_open_transaction(shared)
        return await asyncio.wrap_future(shared.writer.submit(run))

    async def _read(self, run: Callable[[Connection], T]) -> T:
        return await asyncio.wrap_future(self.file().readers.submit(run))


class SqliteSyncDatabase:
    """:class:`~engine.storage.db.protocol.SyncDatabase` of a :class:`SqliteDatabase`."""

    dialect = "sqlite"

    def __init__(self, database: SqliteDatabase) -> None:
        self._database = database

    def execute(self, sql_text: str, params: Params = ()) -> int:
        shared = self._file()
        check_no_open_transaction(shared)
        run = partial(write_one, statement=sql_text, params=plain(params))
        return shared.writer.submit(run).result()

    def executemany(self, sql_text: str, params: Iterable[Params]) -> int:
        shared = self._file()
        check_no_open_transaction(shared)
        run = partial(write_many, statement=sql_text, params=[plain(p) for p in params])
        return shared.writer.submit(run).result()

    def fetch_all(self, sql_text: str, params: Params = ()) -> list[Row]:
        run = partial(sql.fetch_all, sql=sql_text, params=plain(params))
        return self._file().readers.submit(run).result()

    def fetch_one(self, sql_text: str, params: Params = ()) -> Row | None:
        run = partial(sql.fetch_one, sql=sql_text, params=plain(params))
        return self._file().readers.submit(run).result()

    def transaction(self) -> AbstractContextManager[SyncExecutor]:
        return SyncTransactionContext(self._file())

    def _file(self) -> DatabaseFile:
        """The database's threads, if this thread may block on them."""
        if _running_loop() is not None:
            raise DatabaseError(
                "db.sync was called on an event loop thread, where it would block the loop: "
                "await the async method instead"
            )
        shared = self._database.file()
        if shared.owns_current_thread():
            raise DatabaseError("db.sync was called from one of the database's own threads")
        return shared


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None


def write_one(conn: Connection, statement: str, params: Params) -> int:
    """One statement in its own ``BEGIN IMMEDIATE`` transaction (runs on the writer)."""
    if sql.needs_no_transaction(statement):
        return sql.execute(conn, statement, params)
    return _in_transaction(conn, lambda: sql.execute(conn, statement, params))


def write_many(conn: Connection, statement: str, params: list[Params]) -> int:
    """All parameter sets in one transaction: all of them apply, or none."""
    return _in_transaction(conn, lambda: sql.executemany(conn, statement, params))


def write_batch(conn: Connection, statements: list[tuple[str, Params]]) -> list[int]:
    """Several statements in one transaction, in one trip to the writer thread."""
    changed: list[int] = []

    def run() -> int:
        for statement, params in statements:
            changed.append(sql.execute(conn, statement, params))
        return sum(changed)

    _in_transaction(conn, run)
    return changed


def _in_transaction(conn: Connection, run: Callable[[], int]) -> int:
    sql.begin(conn)
    try:
        changed = run()
    except BaseException:
        # A failed ROLLBACK (SQLite may already have rolled back after SQLITE_FULL) must not
        # hide the statement's own error, which says what went wrong.
        with suppress(DatabaseError):
            sql.end(conn, commit=False)
        raise
    sql.end(conn, commit=True)
    return changed
