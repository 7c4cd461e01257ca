"""Transactions on one pooled connection, for async callers and for worker threads.

A transaction takes a connection from the pool, runs ``BEGIN``, and gives it back after
``COMMIT`` or ``ROLLBACK``, whatever happened to its owner (an exception, a cancellation
while a statement was waiting on a lock). If even the rollback fails, the connection is
closed rather than returned dirty.

As on SQLite, the transactions open in the current context (task or thread) are kept in a
context variable: starting a second one on the same database there, or sending a statement
past it, raises :class:`DatabaseError`, so code behaves the same on both backends (on
PostgreSQL it would not deadlock, but it would run outside the transaction it meant to join).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from contextlib import suppress
from contextvars import ContextVar, Token
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from engine.storage.db import postgres_calls as calls
from engine.storage.db.postgres_calls import Connection, translated
from engine.storage.db.protocol import Params, Row
from engine.storage.db.transaction_end import block_end
from engine.storage.errors import DatabaseError

if TYPE_CHECKING:
    from engine.storage.db.postgres import PostgresDatabase

T = TypeVar("T")

_open_here: ContextVar[tuple[TransactionState, ...]] = ContextVar(
    "hearth_open_postgres_transactions", default=()
)

def check_no_open_transaction(owner: object) -> None:
    """Raise if this task or thread holds an open transaction on the database ``owner``."""
    if any(state.owner is owner and state.open for state in _open_here.get()):
        raise DatabaseError(
            "a transaction on this database is open here: run the statement through it "
            "(a statement sent past it would not see its writes, nor be undone with it)"
        )


class TransactionState:
    """One transaction's connection and whether it can still commit (lives on the loop)."""

    def __init__(self, owner: object, conn: Connection, release: Callable[[Any], Awaitable[None]]):
        self.owner = owner
        self.conn = conn
        self.open = True
        self.failed = False
        self._release = release
        self._lock = asyncio.Lock()  # one statement at a time on the connection
        self._token: Token[tuple[TransactionState, ...]] | None = None

    def entered(self) -> None:
        self._token = _open_here.set((*_open_here.get(), self))

    def left(self) -> None:
        self.open = False
        if self._token is not None:
            _open_here.reset(self._token)
            self._token = None

    async def step(self, run: Callable[[Connection], Awaitable[T]]) -> T:
        if not self.open:
            raise DatabaseError("the transaction has ended")
        if self.failed:
            raise DatabaseError("a statement in this transaction failed: it can only roll back")
        try:
            async with self._lock:
                return await run(self.conn)
        except BaseException:
            self.failed = True
            raise

    async def end(self, commit: bool) -> None:
        """COMMIT (if asked and nothing failed) or ROLLBACK, then give the connection back."""
        self.open = False
        try:
            with translated():
                await self.conn.execute("COMMIT" if commit and not self.failed else "ROLLBACK")
        except BaseException:
            with suppress(Exception):  # (a connection already lost cannot be terminated)
                self.conn.terminate()  # never hand a connection in an unknown state back
            raise
        finally:
            with suppress(Exception):
                await self._release(self.conn)


async def begin(database: PostgresDatabase) -> TransactionState:
    """A connection from the pool with ``BEGIN`` run on it."""
    conn = await database.acquire()
    try:
        with translated():
            await conn.execute("BEGIN")
    except BaseException:
        await database.release(conn)
        raise
    return TransactionState(database, conn, database.release)


class PostgresTransaction:
    """:class:`~engine.storage.db.protocol.Transaction` (async)."""

    dialect = "postgresql"

    def __init__(self, state: TransactionState) -> None:
        self._state = state

    async def execute(self, sql_text: str, params: Params = ()) -> int:
        return await self._state.step(lambda conn: calls.execute(conn, sql_text, params))

    async def executemany(self, sql_text: str, params: Iterable[Params]) -> int:
        batch = list(params)
        return await self._state.step(lambda conn: calls.executemany(conn, sql_text, batch))

    async def fetch_all(self, sql_text: str, params: Params = ()) -> list[Row]:
        return await self._state.step(lambda conn: calls.fetch_all(conn, sql_text, params))

    async def fetch_one(self, sql_text: str, params: Params = ()) -> Row | None:
        return await self._state.step(lambda conn: calls.fetch_one(conn, sql_text, params))


class AsyncTransactionContext:
    """``async with db.transaction() as tx``."""

    def __init__(self, database: PostgresDatabase) -> None:
        check_no_open_transaction(database)
        self._database = database
        self._state: TransactionState | None = None

    async def __aenter__(self) -> PostgresTransaction:
        check_no_open_transaction(self._database)
        self._state = await begin(self._database)
        self._state.entered()
        return PostgresTransaction(self._state)

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._state is not None
        state = self._state
        failed_before = state.failed
        state.left()
        with block_end(kind, failed_before):
            await state.end(commit=kind is None)


class SyncTransaction:
    """:class:`~engine.storage.db.protocol.SyncExecutor` inside a worker thread's transaction."""

    dialect = "postgresql"

    def __init__(self, state: TransactionState, call: Callable[[Awaitable[Any]], Any]) -> None:
        self._state = state
        self._call = call

    def execute(self, sql_text: str, params: Params = ()) -> int:
        run = self._state.step(lambda conn: calls.execute(conn, sql_text, params))
        return int(self._call(run))

    def executemany(self, sql_text: str, params: Iterable[Params]) -> int:
        batch = list(params)
        return int(self._call(self._state.step(lambda c: calls.executemany(c, sql_text, batch))))

    def fetch_all(self, sql_text: str, params: Params = ()) -> list[Row]:
        rows: list[Row] = self._call(
            self._state.step(lambda conn: calls.fetch_all(conn, sql_text, params))
        )
        return rows

    def fetch_one(self, sql_text: str, params: Params = ()) -> Row | None:
        row: Row | None = self._call(
            self._state.step(lambda conn: calls.fetch_one(conn, sql_text, params))
        )
        return row


class SyncTransactionContext:
    """``with db.sync.transaction() as tx`` (from a worker thread)."""

    def __init__(self, database: PostgresDatabase, call: Callable[[Awaitable[Any]], Any]) -> None:
        self._database = database
        self._call = call
        self._state: TransactionState | None = None

    def __enter__(self) -> SyncTransaction:
        check_no_open_transaction(self._database)
        state: TransactionState = self._call(begin(self._database))
        self._state = state
        state.entered()
        return SyncTransaction(state, self._call)

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._state is not None
        state = self._state
        failed_before = state.failed
        state.left()
        with block_end(kind, failed_before):
            self._call(state.end(commit=kind is None))
