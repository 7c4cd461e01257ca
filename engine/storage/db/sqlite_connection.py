"""Opening sqlean connections and running one statement on them, errors translated.

Everything here runs in a database thread (never on the event loop) and returns plain
values: rows become dicts before they leave the thread that owns the connection.
"""

from __future__ import annotations

import errno
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import sqlean as sqlite3
import sqlite_vec

from engine.storage.db.protocol import Params, Row
from engine.storage.errors import ConstraintError, DatabaseError, DiskFull

BUSY_TIMEOUT_MS = 5000
"""How long a statement waits for another process's lock before failing."""

# Statements SQLite refuses inside a transaction: they run on the writer without BEGIN.
_OUTSIDE_TRANSACTION = re.compile(r"\s*(VACUUM|PRAGMA|ATTACH|DETACH)\b", re.IGNORECASE)

Connection = Any  # sqlean ships no type information


@contextmanager
def translated() -> Iterator[None]:
    """Turn sqlean's exceptions into the storage error tree."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise ConstraintError(f"constraint failed: {exc}") from exc
    except (sqlite3.Error, sqlite3.Warning) as exc:
        if is_disk_full(exc):
            raise DiskFull("the database could not grow") from exc
        raise DatabaseError(f"database error: {exc}") from exc
    except OSError as exc:
        if is_disk_full(exc):
            raise DiskFull("the database could not grow") from exc
        raise


_SQLITE_FULL = 13
_NO_SPACE = {errno.ENOSPC, errno.EDQUOT}


def is_disk_full(exc: BaseException) -> bool:
    """True for SQLITE_FULL (any extended code) and for ENOSPC/EDQUOT, however wrapped."""
    if isinstance(exc, OSError):
        return exc.errno in _NO_SPACE
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int) and code & 0xFF == _SQLITE_FULL:
        return True
    return "database or disk is full" in str(exc)


def connect_writer(path: Path) -> Connection:
    """The one read-write connection: WAL, synchronous=NORMAL, foreign keys, extensions."""
    with translated():
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=True)
        try:
            _configure(conn)
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            conn.close()
            raise
    return conn


def connect_reader(path: Path) -> Connection:
    """A read-only connection for the reader pool."""
    with translated():
        conn = sqlite3.connect(
            path.as_uri() + "?mode=ro", uri=True, isolation_level=None, check_same_thread=True
        )
        try:
            _configure(conn)
            conn.execute("PRAGMA query_only = ON")
        except BaseException:
            conn.close()
            raise
    return conn


def _configure(conn: Connection) -> None:
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.enable_load_extension(True)
    try:
        sqlite_vec.load(conn)
    finally:
        conn.enable_load_extension(False)


def close_writer(conn: Connection) -> None:
    """Let SQLite refresh its planner statistics, then close."""
    try:
        with translated():
            conn.execute("PRAGMA optimize")
    finally:
        conn.close()


# --- statements (each called with the connection of the thread running it) ---------------------


def fetch_all(conn: Connection, sql: str, params: Params) -> list[Row]:
    with translated():
        cursor = conn.execute(sql, params)
        return _rows(cursor, cursor.fetchall())


def fetch_one(conn: Connection, sql: str, params: Params) -> Row | None:
    with translated():
        cursor = conn.execute(sql, params)
        row = cursor.fetchone()
        cursor.close()
        return None if row is None else _rows(cursor, [row])[0]


def execute(conn: Connection, sql: str, params: Params) -> int:
    with translated():
        changed: int = conn.execute(sql, params).rowcount
        return max(changed, 0)


def executemany(conn: Connection, sql: str, params: Iterable[Params]) -> int:
    with translated():
        changed: int = conn.executemany(sql, params).rowcount
        return max(changed, 0)


def _rows(cursor: Any, rows: list[tuple[Any, ...]]) -> list[Row]:
    if cursor.description is None:
        return []
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in rows]


# --- transactions on the writer ---------------------------------------------------------------


def begin(conn: Connection) -> None:
    with translated():
        conn.execute("BEGIN IMMEDIATE")


def end(conn: Connection, commit: bool) -> None:
    """COMMIT (or ROLLBACK); a failed COMMIT is rolled back before the error leaves."""
    if not conn.in_transaction:
        return
    try:
        with translated():
            conn.execute("COMMIT" if commit else "ROLLBACK")
    except DatabaseError:
        if conn.in_transaction:
            # Keep the COMMIT's error (e.g. disk full), not a failed ROLLBACK's.
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise
    except DiskFull:
        if conn.in_transaction:
            with suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise


def needs_no_transaction(sql: str) -> bool:
    """True for the statements SQLite cannot run inside BEGIN ... COMMIT."""
    return _OUTSIDE_TRANSACTION.match(sql) is not None
