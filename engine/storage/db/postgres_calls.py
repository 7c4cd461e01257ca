"""Running one statement on an asyncpg connection: placeholders, results, errors translated.

Every call into asyncpg from the PostgreSQL backend goes through these functions, so the
rules live in one place:

- ``?`` / ``:name`` placeholders become ``$n`` (:func:`~engine.storage.db.placeholders.numbered`);
- "rows changed" is read from the command tag (``INSERT 0 3`` → 3; DDL → 0);
- rows become plain dicts; ``numeric`` values (``sum()`` of integers) come back as ``int``
  when integral, else ``float``, so callers see the same types as on SQLite;
- asyncpg's and the socket's exceptions become the storage error tree, the original kept as
  ``__cause__``: a server that cannot be reached, went away, is starting or shutting down or
  has no connection left is :class:`StorageUnavailableError` (worth retrying; HTTP 503).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import asyncpg

from engine.storage.db.placeholders import numbered
from engine.storage.db.protocol import Params, Row
from engine.storage.errors import (
    ConstraintError,
    DatabaseError,
    DiskFull,
    StorageUnavailableError,
)

Connection = Any  # asyncpg ships no type information

DISK_FULL = "53100"
"""SQLSTATE ``disk_full``: the server could not extend a file."""

_UNAVAILABLE = {"57P01", "57P02", "57P03", "53300"}
"""Shutting down, crashed, starting up, too many connections (class 08 is added: connection)."""

_COUNTED = {"INSERT", "UPDATE", "DELETE", "MERGE", "COPY"}


@contextmanager
def translated(where: str = "PostgreSQL") -> Iterator[None]:
    """Turn asyncpg's (and the network's) exceptions into the storage error tree."""
    try:
        yield
    except asyncpg.PostgresError as exc:
        state = str(getattr(exc, "sqlstate", "") or "")
        if state == DISK_FULL:
            raise DiskFull("the database server could not grow its files") from exc
        if state.startswith("08") or state in _UNAVAILABLE:
            raise StorageUnavailableError(f"{where} is unavailable: {_first_line(exc)}") from exc
        if isinstance(exc, asyncpg.IntegrityConstraintViolationError):
            raise ConstraintError(f"constraint failed: {_first_line(exc)}") from exc
        raise DatabaseError(f"{where} refused the statement: {_first_line(exc)}") from exc
    except asyncpg.ConnectionDoesNotExistError as exc:
        raise StorageUnavailableError(f"lost the connection to {where}") from exc
    except (asyncpg.InterfaceError, asyncpg.InternalClientError) as exc:
        raise DatabaseError(f"{where} client error: {_first_line(exc)}") from exc
    except (OSError, TimeoutError) as exc:
        raise StorageUnavailableError(
            f"cannot reach {where}: {type(exc).__name__}: {exc}"
        ) from exc


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def rows_changed(status: str | None) -> int:
    """The row count in a command tag (``UPDATE 2``), 0 for statements that count none."""
    words = (status or "").split()
    if words and words[0] in _COUNTED and words[-1].isdigit():
        return int(words[-1])
    return 0


def plain_row(record: Any) -> Row:
    """An asyncpg Record as a dict (duplicate names: the last one wins)."""
    return {name: _plain(value) for name, value in record.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _check_alive(conn: Connection) -> None:
    """A connection the server closed (noticed while it sat idle in a transaction) is a lost
    server, not a programming error: asyncpg would call it an InterfaceError."""
    try:
        closed = conn.is_closed()
    except asyncpg.InterfaceError:  # the pool detached it from its dead connection
        closed = True
    if closed:
        raise StorageUnavailableError("lost the connection to PostgreSQL")


async def execute(conn: Connection, sql: str, params: Params) -> int:
    text, values = numbered(sql, params)
    _check_alive(conn)
    with translated():
        return rows_changed(await conn.execute(text, *values))


async def executemany(conn: Connection, sql: str, params: Iterable[Params]) -> int:
    """Each parameter set in turn on one prepared statement (the caller holds a transaction)."""
    changed = 0
    prepared = None
    for one in params:
        text, values = numbered(sql, one)
        _check_alive(conn)
        with translated():
            if prepared is None:
                prepared = await conn.prepare(text)
            await prepared.fetch(*values)
            changed += rows_changed(prepared.get_statusmsg())
    return changed


async def fetch_all(conn: Connection, sql: str, params: Params) -> list[Row]:
    text, values = numbered(sql, params)
    _check_alive(conn)
    with translated():
        records = await conn.fetch(text, *values)
    return [plain_row(record) for record in records]


async def fetch_one(conn: Connection, sql: str, params: Params) -> Row | None:
    rows = await fetch_all(conn, sql, params)
    return rows[0] if rows else None
