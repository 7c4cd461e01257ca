"""Bot, user and REMEMBER memories in SQLite: the ``MemoryService`` of BASIC.md §8.

Three scopes, one table each:

* ``memory_bot``: ``SET/GET BOT MEMORY``, shared by every user of the bot;
* ``memory_user``: ``SET/GET USER MEMORY``, the user's across all bots;
* ``memory_remember``: ``REMEMBER/RECALL``, the user's in this bot, with an optional expiry that
  is judged against the engine clock passed to :meth:`SqliteMemoryStore.recall`.

Keys are compared case-insensitively (stored case-folded, with the spelling last written kept
for display). Values are stored as the typed JSON of :func:`engine.basic.values.encode`, so an
integer comes back an integer and a date a date. Writing null deletes the key.

The VM calls the store from worker threads, so every statement runs under one lock, shared by
every store made with :meth:`SqliteMemoryStore.with_user` from the same store.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlean as sqlite3

from engine.basic.errors import BasicValueError, ServiceError
from engine.basic.query import Value
from engine.basic.values import decode, encode
from engine.storage.db.sqlite_connection import is_disk_full

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS memory_bot (
        bot_id TEXT NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (bot_id, key)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS memory_user (
        user_id TEXT NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL,
        PRIMARY KEY (user_id, key)) WITHOUT ROWID""",
    """CREATE TABLE IF NOT EXISTS memory_remember (
        bot_id TEXT NOT NULL, user_id TEXT NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL,
        value TEXT NOT NULL, expires_at TEXT,
        PRIMARY KEY (bot_id, user_id, key)) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS memory_remember_expiry ON memory_remember (expires_at)",
)


@dataclass(frozen=True, slots=True)
class _Table:
    """The statements of one memory scope; ``select`` reads (value, expires_at?) by scope."""

    select: str
    upsert: str
    delete: str


_BOT = _Table(
    select="SELECT value FROM memory_bot WHERE bot_id = ? AND key = ?",
    upsert="INSERT INTO memory_bot (bot_id, key, name, value) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (bot_id, key) DO UPDATE SET name = excluded.name, value = excluded.value",
    delete="DELETE FROM memory_bot WHERE bot_id = ? AND key = ?",
)
_USER = _Table(
    select="SELECT value FROM memory_user WHERE user_id = ? AND key = ?",
    upsert="INSERT INTO memory_user (user_id, key, name, value) VALUES (?, ?, ?, ?) "
    "ON CONFLICT (user_id, key) DO UPDATE SET name = excluded.name, value = excluded.value",
    delete="DELETE FROM memory_user WHERE user_id = ? AND key = ?",
)
_REMEMBER = _Table(
    select="SELECT value, expires_at FROM memory_remember "
    "WHERE bot_id = ? AND user_id = ? AND key = ?",
    upsert="INSERT INTO memory_remember (bot_id, user_id, key, name, value, expires_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (bot_id, user_id, key) DO UPDATE SET "
    "name = excluded.name, value = excluded.value, expires_at = excluded.expires_at",
    delete="DELETE FROM memory_remember WHERE bot_id = ? AND user_id = ? AND key = ?",
)


class SqliteMemoryStore:
    """The memories of one bot as seen by one user (``user_id`` None: a run without a user).

    Give it a database path (it then owns the connection; close it) or an open connection that
    the caller owns, created with ``check_same_thread=False`` when threads share it.
    """

    def __init__(
        self,
        database: sqlite3.Connection | str | Path,
        bot_id: str,
        user_id: str | None,
        *,
        lock: threading.RLock | None = None,
    ) -> None:
        self._owns = isinstance(database, str | Path)
        if isinstance(database, str | Path):
            database = sqlite3.connect(str(database), check_same_thread=False, timeout=10)
        self._conn: Any = database
        self._lock = lock or threading.RLock()
        self._bot_id = bot_id
        self._user_id = user_id
        with self._lock, self._conn:
            for statement in _SCHEMA:
                self._conn.execute(statement)

    def with_user(self, user_id: str | None) -> SqliteMemoryStore:
        """The same bot's memories for another user (``SET USER``); shares connection and lock."""
        other = copy.copy(self)
        other._user_id = user_id
        other._owns = False
        return other

    @property
    def user_id(self) -> str | None:
        return self._user_id

    def close(self) -> None:
        """Close the connection if this store opened it."""
        if self._owns:
            with self._lock:
                self._conn.close()

    def __enter__(self) -> SqliteMemoryStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # MemoryService --------------------------------------------------------------------------

    def get_bot(self, key: str) -> Value:
        return self._read(_BOT.select, (self._bot_id, _key(key)))

    def set_bot(self, key: str, value: Value) -> None:
        scope = (self._bot_id, _key(key))
        self._store(_BOT, scope, None if value is None else (*scope, key, _encoded(value)))

    def get_user(self, key: str) -> Value:
        return self._read(_USER.select, (self._user(), _key(key)))

    def set_user(self, key: str, value: Value) -> None:
        scope = (self._user(), _key(key))
        self._store(_USER, scope, None if value is None else (*scope, key, _encoded(value)))

    def remember(self, key: str, value: Value, expires_at: datetime | None) -> None:
        scope = (self._bot_id, self._user(), _key(key))
        expiry = None if expires_at is None else expires_at.isoformat()
        row = None if value is None else (*scope, key, _encoded(value), expiry)
        self._store(_REMEMBER, scope, row)

    def recall(self, key: str, now: datetime) -> Value:
        scope = (self._bot_id, self._user(), _key(key))
        with self._lock, self._conn:
            row = self._one(_REMEMBER.select, scope)
            if row is None:
                return None
            if row[1] is not None and _expired(datetime.fromisoformat(row[1]), now):
                self._conn.execute(_REMEMBER.delete, scope)
                return None
        return _decoded(row[0])

    # housekeeping ---------------------------------------------------------------------------

    def purge_expired(self, now: datetime) -> int:
        """Delete every expired REMEMBER entry of every bot and user; return how many."""
        with self._lock, self._conn:
            rows = self._conn.execute(
                "SELECT bot_id, user_id, key, expires_at FROM memory_remember "
                "WHERE expires_at IS NOT NULL"
            ).fetchall()
            expired = [row[:3] for row in rows if _expired(datetime.fromisoformat(row[3]), now)]
            self._conn.executemany(_REMEMBER.delete, expired)
        return len(expired)

    # helpers --------------------------------------------------------------------------------

    def _user(self) -> str:
        if self._user_id is None:
            raise ServiceError("user memory needs a user, and this run has none")
        return self._user_id

    def _read(self, sql: str, scope: tuple[str, ...]) -> Value:
        with self._lock:
            row = self._one(sql, scope)
        return None if row is None else _decoded(row[0])

    def _store(
        self, table: _Table, scope: tuple[str, ...], row: tuple[str | None, ...] | None
    ) -> None:
        """Upsert ``row``, or delete the key when there is none (a null value)."""
        if row is None:
            self._write(table.delete, scope)
        else:
            self._write(table.upsert, row)

    def _write(self, sql: str, parameters: Sequence[object]) -> None:
        with self._lock:
            try:
                with self._conn:
                    self._conn.execute(sql, parameters)
            except sqlite3.Error as exc:
                if is_disk_full(exc):
                    raise ServiceError("disk full: memory could not be saved") from exc
                raise ServiceError(f"memory could not be saved: {exc}") from exc

    def _one(self, sql: str, parameters: Sequence[object]) -> tuple[Any, ...] | None:
        try:
            row: tuple[Any, ...] | None = self._conn.execute(sql, parameters).fetchone()
        except sqlite3.Error as exc:
            raise ServiceError(f"memory could not be read: {exc}") from exc
        return row


def _key(key: str) -> str:
    if not key:
        raise BasicValueError("a memory key must not be empty")
    return key.casefold()


def _encoded(value: Value) -> str:
    return json.dumps(encode(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def _decoded(text: str) -> Value:
    return decode(json.loads(text))


def _expired(expires_at: datetime, now: datetime) -> bool:
    """An entry stops being valid at its expiry instant."""
    if (expires_at.tzinfo is None) != (now.tzinfo is None):
        # Mixed naive and aware times: compare both as naive local time.
        expires_at, now = (_naive_local(t) for t in (expires_at, now))
    return now >= expires_at


def _naive_local(moment: datetime) -> datetime:
    return moment if moment.tzinfo is None else moment.astimezone().replace(tzinfo=None)
