"""The sqlean connection of a bot's ``tables.db``: opening it, BASIC's text functions, and
SQLite's errors as BASIC ``DataError``s (disk full said plainly)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlean

from engine.basic.errors import DataError
from engine.basic.values import text
from engine.storage.db.sqlite_connection import is_disk_full


def connect(path: str | Path) -> Any:
    connection = sqlean.connect(str(path), isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode=WAL")
    return connection


def install_functions(connection: Any) -> None:
    # SQLite's LOWER/UPPER fold ASCII only; BASIC's LIKE and LCASE fold all of Unicode, and a
    # number's text form is BASIC's ("1", not "1.0"). PostgreSQL's functions already do this.
    def fold(method: Callable[[str], str]) -> Callable[[object], object]:
        return lambda v: None if v is None else method(v if isinstance(v, str) else text(v))

    connection.create_function("lower", 1, fold(str.lower), deterministic=True)
    connection.create_function("upper", 1, fold(str.upper), deterministic=True)


def translated(error: Exception) -> DataError:
    message = str(error)
    if is_disk_full(error):
        return DataError("disk full: the bot's tables could not be written")
    if isinstance(error, OverflowError):
        return DataError(f"number out of range: {message}")
    if isinstance(error, sqlean.IntegrityError) and "UNIQUE" in message:
        # "UNIQUE constraint failed: t.a" or, for UNIQUE(a, b), "…: t.a, t.b"
        columns = [part.rsplit(".", 1)[-1] for part in message.split(":", 1)[-1].split(",")]
        if len(columns) == 1:
            return DataError(f"duplicate value for unique column '{columns[0]}'")
        return DataError("duplicate values for the unique columns "
                         f"({', '.join(c.strip() for c in columns)})")
    return DataError(f"database error: {message}")
