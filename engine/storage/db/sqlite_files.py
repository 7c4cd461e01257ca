"""One writer thread and one reader pool per database file, shared within the process.

Two :class:`~engine.storage.db.sqlite.SqliteDatabase` objects opened on the same file (by any
spelling of its path) share one :class:`DatabaseFile`, so the process never has two writers
on a file. The first opener's pool size wins; the threads stop when the last one closes.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from engine.storage.db import sqlite_connection as sql
from engine.storage.db.sqlite_threads import ConnectionThreads
from engine.storage.errors import DiskFull, StorageError


@dataclass(eq=False)
class DatabaseFile:
    """The threads serving one database file."""

    path: Path
    writer: ConnectionThreads
    readers: ConnectionThreads
    users: int = field(default=0)

    def owns_current_thread(self) -> bool:
        """True in the writer or a reader thread (where blocking on them would deadlock)."""
        current = threading.get_ident()
        return current in self.writer.idents or current in self.readers.idents


_open_files: dict[str, DatabaseFile] = {}
_lock = threading.Lock()


def acquire(path: Path, readers: int) -> DatabaseFile:
    """The file's threads, started if this is the first user (blocking: call off the loop)."""
    path = _absolute(path)
    with _lock:
        shared = _open_files.get(str(path))
        if shared is None:
            shared = _start(path, readers)
            _open_files[str(path)] = shared
        shared.users += 1
        return shared


def release(shared: DatabaseFile) -> None:
    """Stop the threads when the last user lets go (blocking: waits for queued writes)."""
    with _lock:
        shared.users -= 1
        if shared.users > 0:
            return
        del _open_files[str(shared.path)]
    shared.readers.shutdown()
    shared.writer.shutdown()  # last: it checkpoints the WAL and removes it on closing


def _absolute(path: Path) -> Path:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        if sql.is_disk_full(exc):
            raise DiskFull(f"cannot create the database folder {path.parent}") from exc
        raise StorageError(f"cannot create the database folder {path.parent}: {exc}") from exc
    return Path(os.path.normcase(os.path.realpath(path)))


def _start(path: Path, readers: int) -> DatabaseFile:
    writer = ConnectionThreads(
        "sqlite-writer", 1, lambda: sql.connect_writer(path), sql.close_writer
    )
    pool = ConnectionThreads(
        "sqlite-reader", readers, lambda: sql.connect_reader(path), lambda conn: conn.close()
    )
    writer.start()  # creates the file and switches it to WAL before readers open it
    try:
        pool.start()
    except BaseException:
        writer.shutdown()
        raise
    return DatabaseFile(path, writer, pool)
