"""The relational database seam: what sessions, KB, data and office code may ask of it.

Two implementations: SQLite (embedded, :mod:`engine.storage.db.sqlite`) and PostgreSQL
(shared by several instances, :mod:`engine.storage.db.postgres`). Code above this seam
writes SQL in the portable subset of ``docs/storage.md``: ``?`` (positional) or ``:name``
(named) placeholders, which the PostgreSQL backend rewrites with
:func:`engine.storage.db.placeholders.numbered`; ``RETURNING``; ``ON CONFLICT``;
TEXT/INTEGER/BIGINT/DOUBLE PRECISION/BLOB columns. Where the dialects must differ (full
text, vectors, identity columns), branch on :attr:`Executor.dialect`.

Reads (``fetch_*`` on the database) may run on another connection than writes; a write that
has returned is visible to every later read. Statements that must see each other's
uncommitted effects, or ``INSERT ... RETURNING``, go through :meth:`Database.transaction`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from typing import Any, Protocol, TypeAlias

from engine.storage.lifecycle import Resource

SqlValue: TypeAlias = bool | int | float | str | bytes | None
"""What a parameter may be; a column comes back as one of these (bool as int in SQLite)."""

Params: TypeAlias = Sequence[SqlValue] | Mapping[str, SqlValue]
"""A sequence for ``?`` placeholders, a mapping for ``:name`` ones."""

Row: TypeAlias = dict[str, Any]
"""One result row, keyed by column name (alias duplicate names: the last one wins)."""


class Executor(Protocol):
    """The statements a database and a transaction share."""

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``: for the few statements that must differ."""
        ...

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one statement; return the number of rows it changed (0 for DDL)."""
        ...

    async def executemany(self, sql: str, params: Iterable[Params]) -> int:
        """Run one statement once per parameter set, atomically; return rows changed."""
        ...

    async def fetch_all(self, sql: str, params: Params = ()) -> list[Row]:
        """Every row the query returns."""
        ...

    async def fetch_one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row the query returns, or None."""
        ...


class Transaction(Executor, Protocol):
    """Statements that commit together when the ``async with`` block ends without error.

    If the block raises, or a statement in it failed (even if the error was caught), the
    transaction rolls back; after a failed statement every further one raises, as in
    PostgreSQL. Transactions do not nest.
    """


class SyncExecutor(Protocol):
    """:class:`Executor` for synchronous code running in a worker thread (the BASIC VM)."""

    @property
    def dialect(self) -> str: ...

    def execute(self, sql: str, params: Params = ()) -> int: ...

    def executemany(self, sql: str, params: Iterable[Params]) -> int: ...

    def fetch_all(self, sql: str, params: Params = ()) -> list[Row]: ...

    def fetch_one(self, sql: str, params: Params = ()) -> Row | None: ...


class SyncDatabase(SyncExecutor, Protocol):
    """The database as seen from a worker thread: every call blocks that thread only.

    Calling it from a thread that runs an event loop, from the database's own threads, or
    inside one of this thread's open transactions raises :class:`DatabaseError` instead of
    blocking the loop or deadlocking.
    """

    def transaction(self) -> AbstractContextManager[SyncExecutor]: ...


class Database(Executor, Resource, Protocol):
    """An async relational database (open it first; see :mod:`engine.storage.lifecycle`)."""

    async def batch(self, statements: Sequence[tuple[str, Params]]) -> list[int]:
        """Run the statements atomically, in order, as one unit of work (a turn's writes);
        return the rows each changed. Cheaper than a transaction block: no round trips."""
        ...

    def transaction(self) -> AbstractAsyncContextManager[Transaction]:
        """``async with db.transaction() as tx:`` — keep it short: it holds the writer."""
        ...

    @property
    def sync(self) -> SyncDatabase:
        """The same database for synchronous callers in worker threads."""
        ...
