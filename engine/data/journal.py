"""Undo records of bot-table writes, so a turn that never committed leaves no rows behind.

Bot tables live in the bot's own ``tables.db``; a turn's session state, messages and dialog
commit in the engine database. SQLite cannot commit two WAL files atomically, so the table
writes of a *unit* (one session turn, one scheduled job run) are made undoable instead: each
insert, update or delete writes, in its own transaction, an undo record (the row's previous
image, or "did not exist"). When the unit commits in the engine database, its records are
dropped (:meth:`UndoJournal.settle`); when it failed or its process died first, they are
applied in reverse (:meth:`UndoJournal.undo`). So a retried turn writes its rows once.

The unit of the running code is a context variable (:func:`writes_of`): the session manager
and the scheduler set it, and the VM's worker thread inherits it. Writes outside any unit
(the CLI, tests, ``.gbdata`` imports) are not journalled.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Final

from engine.data.catalog import ROW_ID
from engine.data.sql_query import quote_identifier

UNDO_TABLE: Final = "_hearth_undo"
"""Starts with ``_``: no normalised bot table name can clash with it (see the catalog)."""

current_unit: ContextVar[str | None] = ContextVar("hearth_table_unit", default=None)


@contextmanager
def writes_of(unit: str) -> Iterator[None]:
    """Journal the bot-table writes made in this context (and threads started from it)."""
    token = current_unit.set(unit)
    try:
        yield
    finally:
        current_unit.reset(token)


def process_alive(pid: int) -> bool:
    """True when a process with this id runs (ours included)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class UndoJournal:
    """The undo records in one ``tables.db``. Callers hold the store's lock and transaction."""

    def __init__(self, connection: Any) -> None:
        self._conn = connection
        self._written: set[str] = set()  # units this process journalled and has not settled
        self._settled: set[str] = set()  # settled units whose records are not deleted yet
        connection.execute(
            f"CREATE TABLE IF NOT EXISTS {UNDO_TABLE} (seq INTEGER PRIMARY KEY AUTOINCREMENT, "
            "unit TEXT NOT NULL, owner INTEGER NOT NULL, tbl TEXT NOT NULL, "
            "row_id INTEGER NOT NULL, image TEXT)"
        )
        connection.execute(
            f"CREATE INDEX IF NOT EXISTS {UNDO_TABLE}_unit ON {UNDO_TABLE} (unit, seq)"
        )

    # --- recording (inside the write's transaction) -------------------------------------------

    def inserted(self, table: str, row_id: int) -> None:
        """A new row: undoing deletes it."""
        unit = current_unit.get()
        if unit is not None:
            self._record(unit, table, row_id, None)

    def changing(self, table: str, row_ids: Iterable[int]) -> None:
        """Rows about to be updated or deleted: undoing puts back their current image."""
        unit = current_unit.get()
        if unit is None:
            return
        sql = f"SELECT * FROM {quote_identifier(table)} WHERE {ROW_ID} = ?"
        for row_id in row_ids:
            cursor = self._conn.execute(sql, (row_id,))
            row = cursor.fetchone()
            if row is not None:
                names = [column[0] for column in cursor.description]
                self._record(unit, table, row_id, json.dumps(dict(zip(names, row))))

    def _record(self, unit: str, table: str, row_id: int, image: str | None) -> None:
        self._conn.execute(
            f"INSERT INTO {UNDO_TABLE} (unit, owner, tbl, row_id, image) VALUES (?, ?, ?, ?, ?)",
            (unit, os.getpid(), table, row_id, image),
        )
        self._written.add(unit)

    # --- ending a unit ------------------------------------------------------------------------

    def has_records(self, unit: str) -> bool:
        """Cheap: whether this process journalled ``unit`` (settle/undo are no-ops otherwise)."""
        return unit in self._written

    def settle(self, unit: str) -> None:
        """The unit committed: forget how to undo it."""
        self._delete({unit})
        self._written.discard(unit)
        self._settled.discard(unit)

    def settle_later(self, unit: str) -> None:
        """The unit committed: its records go with the next write's transaction.

        Safe because settling is only an optimisation of recovery: records of a committed
        unit that a crash leaves behind are recognised as committed and dropped then.
        """
        if unit in self._written:
            self._written.discard(unit)
            self._settled.add(unit)

    def drop_settled(self) -> None:
        """Delete the records of units settled since the last write (in its transaction)."""
        if self._settled:
            settled, self._settled = self._settled, set()
            self._delete(settled)

    def _delete(self, units: set[str]) -> None:
        self._conn.executemany(
            f"DELETE FROM {UNDO_TABLE} WHERE unit = ?", [(unit,) for unit in units]
        )

    def undo(self, unit: str) -> int:
        """Put every row the unit touched back as it was (newest first); return the count.

        A unit already settled is never undone: its records are only dropped.
        """
        if unit in self._settled:
            self.settle(unit)
            return 0
        records = self._conn.execute(
            f"SELECT tbl, row_id, image FROM {UNDO_TABLE} WHERE unit = ? ORDER BY seq DESC",
            (unit,),
        ).fetchall()
        for table, row_id, image in records:
            if not self._table_exists(table):
                continue
            name = quote_identifier(table)
            if image is None:
                self._conn.execute(f"DELETE FROM {name} WHERE {ROW_ID} = ?", (row_id,))
                continue
            row: dict[str, Any] = json.loads(image)
            columns = ", ".join(quote_identifier(column) for column in row)
            marks = ", ".join("?" for _ in row)
            self._conn.execute(
                f"INSERT OR REPLACE INTO {name} ({columns}) VALUES ({marks})", list(row.values())
            )
        self.settle(unit)
        return len(records)

    def units(self, prefix: str) -> list[tuple[str, int]]:
        """The journalled units whose name starts with ``prefix``, with their owner's pid."""
        rows = self._conn.execute(
            f"SELECT unit, MIN(owner) FROM {UNDO_TABLE} WHERE substr(unit, 1, ?) = ? "
            "GROUP BY unit ORDER BY MIN(seq)",
            (len(prefix), prefix),
        ).fetchall()
        return [(str(unit), int(owner)) for unit, owner in rows]

    def _table_exists(self, table: str) -> bool:
        found = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
        return found is not None
