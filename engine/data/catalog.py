"""Bot tables' SQL definitions and their schemas, kept side by side in one database.

Each table gets a hidden ``_row INTEGER PRIMARY KEY``: it gives rows their insertion order
(an update keeps a row's place, §7.2) whatever the user's key is, and survives VACUUM. The
user's key column is ``UNIQUE``. Schemas live in ``_hearth_bot_tables``; no normalised table
name can start with ``_``, so neither that table nor ``_row`` can clash with a user's names.
Callers hold the store's lock and transaction; DDL here is transactional in SQLite.
"""

from __future__ import annotations

from typing import Any, Final

import sqlean

from engine.basic.errors import DataError
from engine.basic.query import ColumnType
from engine.data.schema import ColumnSpec, TableSchema, schema_from_json, schema_to_json
from engine.data.sql_query import quote_identifier

ROW_ID: Final = "_row"
SCHEMA_TABLE: Final = "_hearth_bot_tables"
SQL_TYPES: Final[dict[ColumnType, str]] = {
    "text": "TEXT",
    "integer": "INTEGER",
    "float": "REAL",
    "boolean": "INTEGER",
    "date": "TEXT",
    "datetime": "TEXT",
    "json": "TEXT",
}


class SqliteCatalog:
    """Creates and alters bot tables and remembers their :class:`TableSchema`."""

    def __init__(self, connection: Any) -> None:
        self._conn = connection
        self._cache: dict[str, TableSchema | None] = {}
        # UNIQUE constraints that could not be enforced (existing rows repeat a value): the
        # store hands them on as diagnostics instead of failing the declaration
        self.problems: list[str] = []
        self._conn.execute(
            f"CREATE TABLE IF NOT EXISTS {SCHEMA_TABLE} (name TEXT PRIMARY KEY, spec TEXT NOT NULL)"
        )

    def get(self, table: str) -> TableSchema | None:
        if table not in self._cache:
            row = self._conn.execute(
                f"SELECT spec FROM {SCHEMA_TABLE} WHERE name = ?", (table,)
            ).fetchone()
            self._cache[table] = None if row is None else schema_from_json(row[0])
        return self._cache[table]

    def forget(self) -> None:
        """Drop cached schemas (after a rollback undid some DDL)."""
        self._cache.clear()

    def create(self, schema: TableSchema) -> TableSchema:
        exists = self._conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = ?", (schema.name,)
        ).fetchone()
        if exists:
            raise DataError(f"table name '{schema.name}' is already used by the database")
        columns = ", ".join(_column_sql(c, key=c.name == schema.key) for c in schema.columns)
        name = quote_identifier(schema.name)
        self._conn.execute(f"CREATE TABLE {name} ({ROW_ID} INTEGER PRIMARY KEY, {columns})")
        self._unique_indexes(schema)
        self._conn.execute(
            f"INSERT INTO {SCHEMA_TABLE} (name, spec) VALUES (?, ?)",
            (schema.name, schema_to_json(schema)),
        )
        self._cache[schema.name] = schema
        return schema

    def update(self, old: TableSchema, new: TableSchema) -> TableSchema:
        """Add ``new``'s extra columns and UNIQUE indexes, then record ``new``. Every
        UNIQUE index is (re)tried: one that existing duplicates prevented is created once
        they are gone."""
        known = {c.name: c for c in old.columns}
        table = quote_identifier(new.name)
        for column in new.columns:
            if column.name not in known:
                self._conn.execute(f"ALTER TABLE {table} ADD COLUMN {_column_sql(column)}")
        self._unique_indexes(new)
        self._conn.execute(
            f"UPDATE {SCHEMA_TABLE} SET spec = ? WHERE name = ?", (schema_to_json(new), new.name)
        )
        self._cache[new.name] = new
        return new

    def create_index(self, schema: TableSchema, name: str, columns: list[ColumnSpec]) -> None:
        listed = ", ".join(quote_identifier(c.name) for c in columns)
        index = quote_identifier(f"ix_{schema.name}_{name}")
        self._conn.execute(
            f"CREATE INDEX IF NOT EXISTS {index} ON {quote_identifier(schema.name)} ({listed})"
        )

    def _unique_indexes(self, schema: TableSchema) -> None:
        """One unique index per UNIQUE column (but the key, UNIQUE in its definition) and
        per UNIQUE(a, b) group of the TABLE."""
        for column in schema.columns:
            if column.unique and column.name != schema.key:
                self._unique_index(schema.name, f"ux_{schema.name}_{column.name}",
                                   (column.name,))
        for group in schema.unique_groups:
            missing = [name for name in group if schema.column(name) is None]
            if missing:
                self.problems.append(f"UNIQUE({', '.join(group)}) of table '{schema.name}' "
                                     f"ignored: no column '{missing[0]}'")
                continue
            self._unique_index(schema.name, f"uxg_{schema.name}_{'_'.join(group)}", group)

    def _unique_index(self, table: str, index: str, columns: tuple[str, ...]) -> None:
        listed = ", ".join(quote_identifier(c) for c in columns)
        self._conn.execute("SAVEPOINT hearth_unique")
        try:
            self._conn.execute(
                f"CREATE UNIQUE INDEX IF NOT EXISTS {quote_identifier(index)} "
                f"ON {quote_identifier(table)} ({listed})"
            )
        except sqlean.IntegrityError:  # existing rows repeat a value
            self._conn.execute("ROLLBACK TO hearth_unique")
            self.problems.append(
                f"UNIQUE({', '.join(columns)}) of table '{table}' is not enforced: rows "
                "already in the table repeat a value; remove the duplicates and reload the bot")
        finally:
            self._conn.execute("RELEASE hearth_unique")


def _column_sql(column: ColumnSpec, key: bool = False) -> str:
    # NOT NULL and DEFAULT are enforced by the store on write: SQLite cannot add a NOT NULL
    # column to a table that has rows, and the store's message names the column.
    suffix = " UNIQUE" if key else ""
    return f"{quote_identifier(column.name)} {SQL_TYPES[column.type]}{suffix}"
