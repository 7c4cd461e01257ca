"""Transactions on the writer thread, for async and for synchronous callers.

Opening one queues :func:`~engine.storage.db.sqlite_threads.serve_transaction` on the writer;
from ``BEGIN IMMEDIATE`` until the owner ends the block, the writer runs only this
transaction's statements. Whatever happens to the owner (an exception, a cancellation before
or after ``BEGIN``), an :class:`End` reaches the inbox, so the writer is never left waiting.

The transactions open in the current context (task or thread) are kept in a context variable:
starting a second one on the same database there, or sending a statement past it, would wait
for a writer that waits for us. Those calls raise instead.
"""

from __future__ import annotations

import asyncio
import queue
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from contextvars import ContextVar, Token
from functools import partial
from types import TracebackType
from typing import Any, TypeVar

from engine.storage.db import sqlite_connection as sql
from engine.storage.db.protocol import Params, Row
from engine.storage.db.sqlite_connection import Connection
from engine.storage.db.sqlite_files import DatabaseFile
from engine.storage.db.sqlite_threads import End, Inbox, Job, serve_transaction
from engine.storage.db.transaction_end import block_end
from engine.storage.errors import DatabaseError

T = TypeVar("T")

_open_here: ContextVar[tuple[TransactionState, ...]] = ContextVar(
    "hearth_open_sqlite_transactions", default=()
)


def check_no_open_transaction(shared: DatabaseFile) -> None:
    """Raise if this task or thread holds an open transaction on ``shared``."""
    if any(state.shared is shared and state.open for state in _open_here.get()):
        raise DatabaseError(
            "a transaction on this database is open here: run the statement through it "
            "(waiting for the writer from inside its transaction would deadlock)"
        )


class TransactionState:
    """The owner's side of one transaction: its inbox, and whether it can still commit."""

    def __init__(self, shared: DatabaseFile) -> None:
        check_no_open_transaction(shared)
        self.shared = shared
        self.open = True
        self.failed = False
        self._inbox: Inbox = queue.SimpleQueue()
        self.begun = Future[None]()
        self._token: Token[tuple[TransactionState, ...]] | None = None
        shared.writer.submit(partial(serve_transaction, inbox=self._inbox, begun=self.begun))

    def entered(self) -> None:
        self._token = _open_here.set((*_open_here.get(), self))

    def step(self, run: Callable[[Connection], T]) -> Future[T]:
        if not self.open:
            raise DatabaseError("the transaction has ended")
        if self.failed:
            raise DatabaseError("a statement in this transaction failed: it can only roll back")
        job = Job(run)
        self._inbox.put(job)
        return job.future

    def finish(self, commit: bool) -> Future[None]:
        """Send the End (once); the future completes when COMMIT or ROLLBACK has run."""
        self.open = False
        if self._token is not None:
            _open_here.reset(self._token)
            self._token = None
        end = End(commit and not self.failed)
        self._inbox.put(end)
        return end.future

    def abandon(self) -> None:
        """The owner stopped before BEGIN completed: make the writer roll back, if it began."""
        self.finish(commit=False)


class SqliteTransaction:
    """:class:`~engine.storage.db.protocol.Transaction` (async)."""

    dialect = "sqlite"

    def __init__(self, state: TransactionState) -> None:
        self._state = state

    async def execute(self, sql_text: str, params: Params = ()) -> int:
        return await self._run(partial(sql.execute, sql=sql_text, params=plain(params)))

    async def executemany(self, sql_text: str, params: Iterable[Params]) -> int:
        batch = [plain(p) for p in params]
        return await self._run(partial(sql.executemany, sql=sql_text, params=batch))

    async def fetch_all(self, sql_text: str, params: Params = ()) -> list[Row]:
        return await self._run(partial(sql.fetch_all, sql=sql_text, params=plain(params)))

    async def fetch_one(self, sql_text: str, params: Params = ()) -> Row | None:
        return await self._run(partial(sql.fetch_one, sql=sql_text, params=plain(params)))

    async def _run(self, run: Callable[[Connection], T]) -> T:
        try:
            return await asyncio.wrap_future(self._state.step(run))
        except Exception:
            self._state.failed = True
            raise


class AsyncTransactionContext:
    """``async with db.transaction() as tx``."""

    def __init__(self, shared: DatabaseFile) -> None:
        self._shared = shared
        self._state: TransactionState | None = None

    async def __aenter__(self) -> SqliteTransaction:
        state = self._state = TransactionState(self._shared)
        try:
            await asyncio.wrap_future(state.begun)
        except BaseException:
            state.abandon()
            raise
        state.entered()
        return SqliteTransaction(state)

    async def __aexit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._state is not None
        failed_before = self._state.failed
        ended = self._state.finish(commit=kind is None)
        with block_end(kind, failed_before):
            await asyncio.wrap_future(ended)


class SyncTransaction:
    """:class:`~engine.storage.db.protocol.SyncExecutor` inside a sync transaction."""

    dialect = "sqlite"

    def __init__(self, state: TransactionState) -> None:
        self._state = state

    def execute(self, sql_text: str, params: Params = ()) -> int:
        return self._run(partial(sql.execute, sql=sql_text, params=plain(params)))

    def executemany(self, sql_text: str, params: Iterable[Params]) -> int:
        batch = [plain(p) for p in params]
        return self._run(partial(sql.executemany, sql=sql_text, params=batch))

    def fetch_all(self, sql_text: str, params: Params = ()) -> list[Row]:
        return self._run(partial(sql.fetch_all, sql=sql_text, params=plain(params)))

    def fetch_one(self, sql_text: str, params: Params = ()) -> Row | None:
        return self._run(partial(sql.fetch_one, sql=sql_text, params=plain(params)))

    def _run(self, run: Callable[[Connection], T]) -> T:
        try:
            return self._state.step(run).result()
        except Exception:
            self._state.failed = True
            raise


class SyncTransactionContext:
    """``with db.sync.transaction() as tx``."""

    def __init__(self, shared: DatabaseFile) -> None:
        self._shared = shared
        self._state: TransactionState | None = None

    def __enter__(self) -> SyncTransaction:
        state = self._state = TransactionState(self._shared)
        try:
            state.begun.result()
        except BaseException:
            state.abandon()
            raise
        state.entered()
        return SyncTransaction(state)

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._state is not None
        failed_before = self._state.failed
        ended = self._state.finish(commit=kind is None)
        with block_end(kind, failed_before):
            ended.result()


def plain(params: Params) -> Any:
    """What sqlite3 binds: a dict for named placeholders, a tuple for ``?``."""
    if isinstance(params, str | bytes):
        raise TypeError("params must be a sequence or a mapping of values, not a string")
    if isinstance(params, dict):
        return params
    if hasattr(params, "keys"):
        return dict(params)
    return tuple(params)
