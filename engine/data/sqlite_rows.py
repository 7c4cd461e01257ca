"""Row-level reads and writes on one bot table, below the store's checks and transactions.

Everything here receives a table's :class:`TableSchema` and normalised, known column names;
values are converted to their stored form and bound as parameters.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any, Final

from engine.basic.errors import DataError
from engine.basic.query import Query, Value
from engine.data.catalog import ROW_ID
from engine.data.convert import Stored, from_stored, to_stored
from engine.data.journal import UndoJournal
from engine.data.schema import ColumnSpec, TableSchema
from engine.data.sql_query import Resolver, compile_order, compile_where, quote_identifier

_MAX_LIMIT: Final = 2**63 - 1


class SqliteRows:
    """Reads rows and writes single rows of bot tables over one connection."""

    def __init__(self, connection: Any, journal: UndoJournal | None = None,
                 now: Callable[[], datetime] = datetime.now) -> None:
        self._conn = connection
        self._journal = journal
        self._now = now  # the bot's clock (BASIC.md §12.5), for DEFAULT NOW()

    # --- reading ------------------------------------------------------------------------------

    def select(
        self, schema: TableSchema, columns: list[ColumnSpec], query: Query, resolve: Resolver
    ) -> list[dict[str, Value]]:
        """Rows matching ``query`` as maps of ``columns``, in insertion order unless ordered."""
        listed = ", ".join(quote_identifier(c.name) for c in columns) or ROW_ID
        sql, params = self._selection(schema, query, resolve)
        rows = self._conn.execute(f"SELECT {listed} {sql}", params).fetchall()
        return [{c.name: from_stored(v, c.type) for c, v in zip(columns, row)} for row in rows]

    def row_ids(self, schema: TableSchema, query: Query, resolve: Resolver) -> list[int]:
        sql, params = self._selection(schema, query, resolve)
        return [row[0] for row in self._conn.execute(f"SELECT {ROW_ID} {sql}", params)]

    def count(self, schema: TableSchema, query: Query, resolve: Resolver) -> int:
        sql, params = self._selection(schema, query, resolve)
        found = self._conn.execute(f"SELECT COUNT(*) FROM (SELECT {ROW_ID} {sql}) AS m", params)
        return int(found.fetchone()[0])

    def ids_with(self, schema: TableSchema, column: ColumnSpec, value: Value) -> list[int]:
        """The rows whose ``column`` holds ``value`` (exactly, in its stored form)."""
        sql = (
            f"SELECT {ROW_ID} FROM {quote_identifier(schema.name)} "
            f"WHERE {quote_identifier(column.name)} = ? ORDER BY {ROW_ID}"
        )
        return [row[0] for row in self._conn.execute(sql, (to_stored(value, column),))]

    def search(
        self, schema: TableSchema, columns: list[ColumnSpec], words: list[str], limit: int
    ) -> list[dict[str, Value]]:
        """Rows where each word occurs, ignoring case, in one of the text ``columns``."""
        texts = [quote_identifier(c.name) for c in columns if c.type == "text"]
        clauses, params = [], []
        for word in words:
            escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            tests = [f"({t} IS NOT NULL AND LOWER({t}) LIKE ? ESCAPE '\\')" for t in texts]
            clauses.append("(" + (" OR ".join(tests) or "1 = 0") + ")")
            params.extend([f"%{escaped}%"] * len(tests))
        where = " AND ".join(clauses) or "1 = 1"
        listed = ", ".join(quote_identifier(c.name) for c in columns) or ROW_ID
        sql = (
            f"SELECT {listed} FROM {quote_identifier(schema.name)} WHERE {where} "
            f"ORDER BY {ROW_ID} LIMIT ?"
        )
        rows = self._conn.execute(sql, (*params, min(max(limit, 0), _MAX_LIMIT))).fetchall()
        return [{c.name: from_stored(v, c.type) for c, v in zip(columns, row)} for row in rows]

    def _selection(
        self, schema: TableSchema, query: Query, resolve: Resolver
    ) -> tuple[str, list[Stored]]:
        where = compile_where(query.condition, resolve)
        order = compile_order(query.order, resolve, ROW_ID)
        sql = f"FROM {quote_identifier(schema.name)} WHERE {where.sql} ORDER BY {order}"
        params = list(where.params)
        if query.limit is not None:
            sql += " LIMIT ?"
            params.append(min(query.limit, _MAX_LIMIT))
        return sql, params

    # --- writing ------------------------------------------------------------------------------

    def insert(
        self, schema: TableSchema, record: Mapping[str, Value], *, journal: bool = True
    ) -> Value:
        """Insert one row (defaults and a generated key filled in); return its key.

        A column the record lacks takes its DEFAULT: a literal, or one computed now
        (``DEFAULT NOW()``, docs/basic-compatibility.md T1). ``journal=False`` for rows that
        are not a unit's effect (a ``.gbdata`` import).
        """
        values = dict(record)
        for column in schema.columns:
            if column.name in values:
                continue
            if column.default is not None:
                values[column.name] = column.default
            elif column.computed_default is not None:
                values[column.name] = self._computed(column.computed_default)
        if values.get(schema.key) is None:
            values[schema.key] = self._new_key(schema)
        stored = _stored(schema, values)
        _check_not_null(schema, stored, schema.columns)
        names = ", ".join(quote_identifier(name) for name in stored)
        marks = ", ".join("?" for _ in stored)
        table = quote_identifier(schema.name)
        cursor = self._conn.execute(
            f"INSERT INTO {table} ({names}) VALUES ({marks})", list(stored.values())
        )
        if journal and self._journal is not None:
            self._journal.inserted(schema.name, cursor.lastrowid)
        return from_stored(stored[schema.key], schema.key_column.type)

    def update(
        self, schema: TableSchema, row_ids: Iterable[int], changes: Mapping[str, Value]
    ) -> None:
        stored = _stored(schema, changes)
        _check_not_null(schema, stored, [schema.require(name) for name in stored])
        if not stored:
            return
        row_ids = list(row_ids)
        if self._journal is not None:
            self._journal.changing(schema.name, row_ids)
        assignments = ", ".join(f"{quote_identifier(name)} = ?" for name in stored)
        sql = f"UPDATE {quote_identifier(schema.name)} SET {assignments} WHERE {ROW_ID} = ?"
        self._conn.executemany(sql, [(*stored.values(), row_id) for row_id in row_ids])

    def delete(self, schema: TableSchema, row_ids: list[int]) -> None:
        if self._journal is not None:
            self._journal.changing(schema.name, row_ids)
        sql = f"DELETE FROM {quote_identifier(schema.name)} WHERE {ROW_ID} = ?"
        self._conn.executemany(sql, [(row_id,) for row_id in row_ids])

    def _computed(self, kind: str) -> Value:
        """The value of a computed default, from the bot's clock: a datetime, a date, the
        time of day as ``HH:MM:SS``, or a new UUID."""
        if kind == "uuid":
            return str(uuid.uuid4())
        moment = self._now().replace(microsecond=0)
        if kind == "today":
            return moment.date()
        return moment.strftime("%H:%M:%S") if kind == "time" else moment

    def _new_key(self, schema: TableSchema) -> Value:
        """Integer keys count up from the largest (§7.2); text keys get a UUID."""
        key = schema.key_column
        if key.type == "text":
            return str(uuid.uuid4())
        if key.type != "integer":
            raise DataError(f"a value for the key column '{key.name}' of '{schema.name}' is needed")
        sql = f"SELECT MAX({quote_identifier(key.name)}) FROM {quote_identifier(schema.name)}"
        largest = self._conn.execute(sql).fetchone()[0]
        return 1 if largest is None else int(largest) + 1


def _stored(schema: TableSchema, values: Mapping[str, Value]) -> dict[str, Stored]:
    return {name: to_stored(value, schema.require(name)) for name, value in values.items()}


def _check_not_null(
    schema: TableSchema, stored: Mapping[str, Stored], columns: Iterable[ColumnSpec]
) -> None:
    for column in columns:
        required = column.not_null or column.name == schema.key
        if required and stored.get(column.name) is None:
            raise DataError(f"column '{column.name}' of '{schema.name}' cannot be null")
