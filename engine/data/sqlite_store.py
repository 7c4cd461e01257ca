"""The bot's tables in SQLite: the :class:`~engine.basic.host.DataService` of BASIC.md §7.

Every call normalises names (§7.1), imports a ``.gbdata`` file on a table's first use
(§14.3), checks table and field roles, and runs in one transaction under a lock: the VM calls
from a worker thread and SQLite has exactly one writer. SQL errors leave as ``DataError``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlean

from engine.basic.builtins.rows import AGGREGATES, aggregate_values
from engine.basic.errors import BasicPermissionError, DataError, not_available
from engine.basic.filters import parse_assignments
from engine.basic.names import column_name, table_name
from engine.basic.query import ALL_ROWS, IndexDecl, Query, TableDecl, Value
from engine.basic.values import text
from engine.data.catalog import SqliteCatalog
from engine.data.convert import from_stored, to_stored
from engine.data.gbdata import find_data_file, read_data_file
from engine.data.journal import UndoJournal, process_alive
from engine.data.schema import (
    ColumnSpec,
    Roles,
    TableSchema,
    allowed,
    automatic_schema,
    check_column_write,
    check_table_access,
    declared_schema,
    infer_type,
    redeclared,
)
from engine.data.sql_query import Resolver
from engine.data.sqlite_rows import SqliteRows
from engine.data.sqlite_setup import connect, install_functions, translated

RolesProvider = Callable[[], frozenset[str] | None]
"""The current user's roles; None means every role (runs without a user, tests)."""


class SqliteTableStore:
    """Implements ``DataService`` on a sqlean connection (or a database file it opens)."""

    def __init__(
        self,
        database: Any,
        data_folder: Path | None = None,
        roles: RolesProvider | None = None,
        now: Callable[[], datetime] = datetime.now,
    ) -> None:
        """``now`` is the bot's clock (BASIC.md §12.5): ``DEFAULT NOW()`` columns read it."""
        self._owned = isinstance(database, str | Path)
        self._closed = False
        self._conn = connect(database) if self._owned else database
        install_functions(self._conn)
        self._lock = threading.RLock()
        self._data_folder = data_folder
        self._roles_provider: RolesProvider = roles or (lambda: None)
        self._catalog = SqliteCatalog(self._conn)
        self._journal = UndoJournal(self._conn)
        self._rows = SqliteRows(self._conn, self._journal, now)

    def close(self) -> None:
        """Close the connection if the store opened it (dropping settled undo records)."""
        with self._lock:
            if self._owned and not self._closed:
                with suppress(DataError), self._transaction():
                    self._journal.drop_settled()
                self._conn.close()
                self._closed = True

    def __enter__(self) -> SqliteTableStore:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- declarations -------------------------------------------------------------------------

    def declare_table(self, table: TableDecl) -> None:
        """Create the table, or add the declaration's missing columns (never drop any).

        A UNIQUE constraint the rows already in the table break is not enforced and does not
        fail the declaration: :meth:`take_problems` says so (the bot shows it as a warning).
        """
        if table.connection is not None:
            raise not_available(f"the external connection '{table.connection}'")
        name = _table(table.name)
        declared = declared_schema(table, name)
        with self._transaction():
            existing = self._catalog.get(name)
            if existing is None and not self._data_file_is_empty(name):
                existing = self._import(name)
            if existing is None:
                self._catalog.create(declared)
            else:
                self._catalog.update(existing, redeclared(existing, declared))

    def take_problems(self) -> list[str]:
        """The declaration problems found since the last call (then forgotten)."""
        with self._lock:
            problems, self._catalog.problems = self._catalog.problems, []
        return problems

    def declare_index(self, index: IndexDecl) -> None:
        name = _table(index.table)
        with self._transaction():
            schema = self._existing(name)
            if schema is None:
                raise DataError(f"cannot index table '{name}': it does not exist")
            columns = [schema.require(column_name(c)) for c in index.columns]
            if not columns:
                raise DataError(f"index '{index.name}' names no column")
            self._catalog.create_index(schema, column_name(index.name), columns)

    # --- reading ------------------------------------------------------------------------------

    def find(self, table: str, query: Query) -> list[dict[str, Value]]:
        with self._transaction():
            schema = self._readable(table)
            if schema is None:
                return []
            roles = self._roles()
            return self._rows.select(
                schema, _readable_columns(schema, roles), query, _resolver(schema, roles)
            )

    def count(self, table: str, query: Query) -> int:
        with self._transaction():
            schema = self._readable(table)
            if schema is None:
                return 0
            return self._rows.count(schema, query, _resolver(schema, self._roles()))

    def aggregate(self, table: str, op: str, field: str, query: Query) -> Value:
        """SUM/AVG/COUNT/MIN/MAX of a column with exactly the rules of AGGREGATE on arrays."""
        if op.upper() not in AGGREGATES:
            raise DataError(f"unknown aggregate operation '{op}'")
        with self._transaction():
            schema = self._readable(table)
            if schema is None:
                return aggregate_values(op, [])
            resolve = _resolver(schema, self._roles())
            column = resolve(column_name(field))
            rows = self._rows.select(schema, [column], query, resolve)
            return aggregate_values(op, [row[column.name] for row in rows])

    def search(self, table: str, text: str, limit: int) -> list[dict[str, Value]]:
        with self._transaction():
            schema = self._readable(table)
            if schema is None:
                return []
            columns = _readable_columns(schema, self._roles())
            return self._rows.search(schema, columns, text.split(), limit)

    def columns(self, table: str) -> list[str]:
        """The table's column names in order (a schema, so no read check); [] when missing."""
        with self._transaction():
            schema = self._existing(_table(table))
            return [] if schema is None else [c.name for c in schema.columns]

    # --- writing ------------------------------------------------------------------------------

    def save(self, table: str, record: Mapping[str, Value]) -> Value:
        with self._transaction():
            values = _record(record)
            return self._upsert(self._writable(table, values), values)

    def save_keyed(self, table: str, key: Value, record: Mapping[str, Value]) -> Value:
        with self._transaction():
            existing = self._existing(_table(table))
            values = {**_record(record), (existing.key if existing else "id"): key}
            return self._upsert(self._writable(table, values), values)

    def save_values(self, table: str, values: Sequence[tuple[str | None, Value]]) -> Value:
        """Named when every value has a derived name the table can take, else positional (§7.5)."""
        with self._transaction():
            existing = self._existing(_table(table))
            names = [name for name, _ in values]
            if _saves_by_name(existing, names):
                record = {column_name(n or ""): v for n, (_, v) in zip(names, values)}
                return self._upsert(self._writable(table, record), record)
            if existing is None or not existing.declared:
                raise DataError(f"SAVE without field names needs a declared table '{table}'")
            return self._upsert(self._writable(table, {}), _positional(existing, values))

    def insert(self, table: str, record: Mapping[str, Value]) -> dict[str, Value]:
        with self._transaction():
            values = _record(record)
            schema = self._prepared(self._writable(table, values), values)
            key = values.get(schema.key)
            if key is not None and self._rows.ids_with(schema, schema.key_column, key):
                raise DataError(f"duplicate key '{text(key)}' in table '{schema.name}'")
            return {"id": self._rows.insert(schema, values), "success": True}

    def update(self, table: str, query: Query, changes: Mapping[str, Value]) -> int:
        with self._transaction():
            schema = self._existing(_table(table))
            if schema is None:
                return 0
            check_table_access(schema, self._roles(), write=True)
            values = _record(changes)
            schema = self._prepared(schema, values)
            row_ids = self._rows.row_ids(schema, query, _resolver(schema, self._roles()))
            self._rows.update(schema, row_ids, values)
            return len(row_ids)

    def update_assignments(self, table: str, query: Query, assignments: str) -> int:
        return self.update(table, query, dict(parse_assignments(assignments)))

    def delete(self, table: str, query: Query) -> int:
        """Delete matching rows. Every row needs ``ALL_ROWS`` (``"*"``): an empty filter fails."""
        unfiltered = query.condition is None and not query.order and query.limit is None
        if unfiltered and query is not ALL_ROWS:
            raise DataError('DELETE needs a filter; use "*" to delete every row')
        with self._transaction():
            schema = self._existing(_table(table))
            if schema is None:
                return 0
            check_table_access(schema, self._roles(), write=True)
            row_ids = self._rows.row_ids(schema, query, _resolver(schema, self._roles()))
            self._rows.delete(schema, row_ids)
            return len(row_ids)

    def merge(self, table: str, rows: Sequence[Value], key_field: str) -> dict[str, Value]:
        """Update the row with the same ``key_field`` value, or insert (§7.6)."""
        records = [_record(_map(row)) for row in rows]
        field = column_name(key_field)
        inserted = updated = 0
        with self._transaction():
            for values in records:
                schema = self._prepared(self._writable(table, values), values)
                value = values.get(field)
                column = schema.require(field)
                ids = [] if value is None else self._rows.ids_with(schema, column, value)
                if ids:
                    self._rows.update(schema, ids, values)
                    updated += 1
                else:
                    self._rows.insert(schema, values)
                    inserted += 1
        return {"inserted": inserted, "updated": updated}

    # --- units (see engine.data.journal) -------------------------------------------------------

    def wrote(self, unit: str) -> bool:
        """Whether this process journalled writes of ``unit`` that are not settled yet."""
        return self._journal.has_records(unit)

    def settle(self, unit: str, force: bool = False) -> None:
        """The unit (a turn, a job run) committed: its writes are final.

        Without ``force`` this costs no transaction: the records are deleted in the store's
        next one (until then a crash leaves them to recovery, which sees the unit committed).
        Recovery forces it for units of a dead process.
        """
        if not force:  # no lock either: the event loop calls this and must not wait
            self._journal.settle_later(unit)
            return
        with self._transaction():
            self._journal.settle(unit)

    def undo(self, unit: str) -> int:
        """The unit did not commit: put back every row it wrote; return the records applied."""
        with self._transaction():
            undone = self._journal.undo(unit)
        self._catalog.forget()
        return undone

    def unfinished(self, prefix: str) -> list[str]:
        """Units under ``prefix`` with undo records whose process has died (or is this one).

        A unit of another live process (a second engine on the same folder) is still running:
        it is not listed.
        """
        with self._transaction():
            units = self._journal.units(prefix)
        mine = os.getpid()
        return [unit for unit, owner in units if owner == mine or not process_alive(owner)]

    # --- helpers ------------------------------------------------------------------------------

    def _upsert(self, schema: TableSchema, values: dict[str, Value]) -> Value:
        schema = self._prepared(schema, values)
        key = values.get(schema.key)
        ids = [] if key is None else self._rows.ids_with(schema, schema.key_column, key)
        if not ids:
            return self._rows.insert(schema, values)
        self._rows.update(schema, ids, values)
        return from_stored(to_stored(key, schema.key_column), schema.key_column.type)

    def _prepared(self, schema: TableSchema, values: Mapping[str, Value]) -> TableSchema:
        """Add columns an automatic table lacks (§7.2), then check the user may write them."""
        unknown = [name for name in values if schema.column(name) is None]
        if unknown and schema.declared:
            raise DataError(f"unknown column '{unknown[0]}' in table '{schema.name}'")
        if unknown:
            added = [ColumnSpec(name, infer_type(values[name])) for name in unknown]
            schema = self._catalog.update(schema, schema.with_columns(added))
        roles = self._roles()
        for name in values:
            check_column_write(schema, schema.require(name), roles)
        return schema

    def _readable(self, table: str) -> TableSchema | None:
        schema = self._existing(_table(table))
        if schema is not None:
            check_table_access(schema, self._roles(), write=False)
        return schema

    def _writable(self, table: str, record: Mapping[str, Value]) -> TableSchema:
        """The table, created automatically from ``record`` when missing; write access checked."""
        name = _table(table)
        schema = self._existing(name) or self._catalog.create(automatic_schema(name, record))
        check_table_access(schema, self._roles(), write=True)
        return schema

    def _existing(self, table: str) -> TableSchema | None:
        return self._catalog.get(table) or self._import(table)

    def _data_file_is_empty(self, table: str) -> bool:
        """Whether the table's data file has no rows (zero bytes, or a header only): then
        a TABLE declaration gives the columns (docs/basic-compatibility.md T2)."""
        path = find_data_file(self._data_folder, table)
        if path is None:
            return False
        return path.stat().st_size == 0 or not read_data_file(path).rows

    def _import(self, table: str) -> TableSchema | None:
        path = find_data_file(self._data_folder, table)
        if path is None:
            return None
        data = read_data_file(path)
        auto_key = all(c.name != "id" for c in data.columns)
        columns = ((ColumnSpec("id", "integer"),) if auto_key else ()) + data.columns
        schema = self._catalog.create(TableSchema(table, "id", columns, auto_key=auto_key))
        for row in data.rows:
            self._rows.insert(schema, row, journal=False)
        return schema

    def _roles(self) -> Roles:
        roles = self._roles_provider()
        return None if roles is None else frozenset(r.casefold() for r in roles)

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        with self._lock:
            if self._conn.in_transaction:  # a nested call joins the outer transaction
                yield
                return
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self._journal.drop_settled()  # settling rides on the next transaction
                yield
                self._conn.commit()
            except (sqlean.Error, OverflowError) as error:
                self._abort()
                raise translated(error) from None
            except BaseException:
                self._abort()
                raise

    def _abort(self) -> None:
        self._conn.rollback()
        self._catalog.forget()  # the rollback may have undone columns the cache still lists


def _table(name: str) -> str:
    normalised = table_name(name)
    if normalised.startswith("sqlite_"):
        raise DataError(f"table name '{name}' is reserved")
    return normalised


def _record(record: Mapping[str, Value]) -> dict[str, Value]:
    return {column_name(key): value for key, value in record.items()}


def _map(row: Value) -> Mapping[str, Value]:
    if not isinstance(row, dict):
        raise DataError("MERGE needs an array of maps")
    return row


def _readable_columns(schema: TableSchema, roles: Roles) -> list[ColumnSpec]:
    return [c for c in schema.columns if allowed(c.read_by, roles)]


def _resolver(schema: TableSchema, roles: Roles) -> Resolver:
    def resolve(name: str) -> ColumnSpec:
        column = schema.require(name)
        if not allowed(column.read_by, roles):
            raise BasicPermissionError(f"you may not read column '{name}' of '{schema.name}'")
        return column

    return resolve


def _saves_by_name(existing: TableSchema | None, names: list[str | None]) -> bool:
    if not all(names):
        return False
    if existing is None or not existing.declared:
        return True
    return all(existing.column(column_name(n or "")) is not None for n in names)


def _positional(
    schema: TableSchema, values: Sequence[tuple[str | None, Value]]
) -> dict[str, Value]:
    columns = schema.positional_columns()
    if len(values) > len(columns):
        raise DataError(
            f"SAVE gave {len(values)} values but table '{schema.name}' has {len(columns)} columns"
        )
    return {column.name: value for column, (_, value) in zip(columns, values)}
