"""What the store knows about one bot table: columns, key, constraints, roles (BASIC.md §7.2).

The SQL catalog cannot say that a TEXT column holds dates or that a table was declared (strict)
rather than created by a SAVE (automatic), so a :class:`TableSchema` is kept beside each table
and is the only source of truth about it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from engine.basic.errors import BasicPermissionError, DataError
from engine.basic.names import column_name
from engine.basic.query import ColumnType, FieldDecl, TableDecl, Value
from engine.basic.values import decode, encode

Roles = frozenset[str] | None
"""The user's roles, lower case; None means every role."""


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    name: str
    type: ColumnType
    unique: bool = False
    not_null: bool = False
    default: Value = None
    read_by: tuple[str, ...] = ()
    write_by: tuple[str, ...] = ()
    computed_default: str | None = None  # "now", "today", "time" or "uuid" (compat T1)


@dataclass(frozen=True, slots=True)
class TableSchema:
    name: str
    key: str
    columns: tuple[ColumnSpec, ...]
    declared: bool = False
    auto_key: bool = True
    read_by: tuple[str, ...] = ()
    write_by: tuple[str, ...] = ()
    unique_groups: tuple[tuple[str, ...], ...] = ()  # UNIQUE(a, b) of the TABLE (compat T1)

    def column(self, name: str) -> ColumnSpec | None:
        return next((c for c in self.columns if c.name == name), None)

    def require(self, name: str) -> ColumnSpec:
        """The column ``name`` (already normalised), or DataError naming it."""
        found = self.column(name)
        if found is None:
            raise DataError(f"unknown column '{name}' in table '{self.name}'")
        return found

    @property
    def key_column(self) -> ColumnSpec:
        return self.require(self.key)

    def with_columns(self, added: Iterable[ColumnSpec]) -> TableSchema:
        return replace(self, columns=self.columns + tuple(added))

    def positional_columns(self) -> tuple[ColumnSpec, ...]:
        """The columns positional SAVE fills, in TABLE order (§7.5): the automatic id skipped."""
        return tuple(c for c in self.columns if not (self.auto_key and c.name == self.key))


def allowed(roles_allowed: tuple[str, ...], roles: Roles) -> bool:
    """No list means everyone; otherwise the user needs one of the roles (any case)."""
    wanted = {r.strip().casefold() for entry in roles_allowed for r in entry.split(";")}
    wanted.discard("")
    return not wanted or roles is None or not wanted.isdisjoint(roles)


def check_table_access(schema: TableSchema, roles: Roles, write: bool) -> None:
    needed = schema.write_by if write else schema.read_by
    if not allowed(needed, roles):
        verb = "write" if write else "read"
        raise BasicPermissionError(f"you may not {verb} table '{schema.name}'")


def check_column_write(schema: TableSchema, column: ColumnSpec, roles: Roles) -> None:
    if not allowed(column.write_by, roles):
        raise BasicPermissionError(f"you may not write column '{column.name}' of '{schema.name}'")


def infer_type(value: Value) -> ColumnType:
    """The type of an automatic column, from the first non-null value (§7.2)."""
    kind = type(value)
    if kind is bool:
        return "boolean"
    if kind is int:
        return "integer"
    if kind is float:
        return "float"
    if kind is datetime:
        return "datetime"
    if kind is date:
        return "date"
    if kind is list or kind is dict:
        return "json"
    return "text"


def automatic_schema(table: str, record: Mapping[str, Value]) -> TableSchema:
    """A table SAVE/INSERT/MERGE creates: an ``id`` key (text when the record's id is a string)."""
    key_type: ColumnType = "text" if type(record.get("id")) is str else "integer"
    key = ColumnSpec("id", key_type)
    others = [ColumnSpec(n, infer_type(v)) for n, v in record.items() if n != "id"]
    return TableSchema(table, "id", (key, *others))


def declared_schema(decl: TableDecl, table: str) -> TableSchema:
    """The schema of a TABLE block: key = the KEY field, else ``id``, else an added ``id``."""
    columns = tuple(_column_from_field(f) for f in decl.fields)
    names = [c.name for c in columns]
    keyed = [column_name(f.name) for f in decl.fields if f.key]
    key = keyed[0] if keyed else "id"
    auto_key = key not in names
    if auto_key:
        columns = (ColumnSpec("id", "integer"), *columns)
    groups = tuple(tuple(column_name(n) for n in group) for group in decl.unique)
    return TableSchema(table, key, columns, True, auto_key, decl.read_by, decl.write_by,
                       groups)


def redeclared(existing: TableSchema, declared: TableSchema) -> TableSchema:
    """A declaration applied to an existing table: columns are added, never dropped or retyped."""
    merged = []
    for column in existing.columns:
        new = declared.column(column.name)
        merged.append(column if new is None else replace(new, type=column.type))
    known = {c.name for c in existing.columns}
    added = [
        c
        for c in declared.columns
        if c.name not in known and not (declared.auto_key and c.name == declared.key)
    ]
    groups = existing.unique_groups + tuple(
        g for g in declared.unique_groups if g not in existing.unique_groups)
    return replace(
        declared, key=existing.key, auto_key=existing.auto_key, columns=(*merged, *added),
        unique_groups=groups,
    )


def _column_from_field(decl: FieldDecl) -> ColumnSpec:
    return ColumnSpec(
        column_name(decl.name),
        decl.type,
        unique=decl.unique,
        not_null=decl.not_null or decl.key,
        default=decl.default,
        read_by=decl.read_by,
        write_by=decl.write_by,
        computed_default=decl.computed_default,
    )


# --- persistence ------------------------------------------------------------------------------


def schema_to_json(schema: TableSchema) -> str:
    data: dict[str, Any] = {
        "name": schema.name,
        "key": schema.key,
        "declared": schema.declared,
        "auto_key": schema.auto_key,
        "read_by": list(schema.read_by),
        "write_by": list(schema.write_by),
        "columns": [_column_to_data(c) for c in schema.columns],
    }
    if schema.unique_groups:
        data["unique_groups"] = [list(group) for group in schema.unique_groups]
    return json.dumps(data, ensure_ascii=False)


def schema_from_json(raw: str) -> TableSchema:
    data = json.loads(raw)
    return TableSchema(
        data["name"],
        data["key"],
        tuple(_column_from_data(c) for c in data["columns"]),
        bool(data["declared"]),
        bool(data["auto_key"]),
        tuple(data["read_by"]),
        tuple(data["write_by"]),
        tuple(tuple(group) for group in data.get("unique_groups", ())),
    )


def _column_to_data(column: ColumnSpec) -> dict[str, Any]:
    return {
        "name": column.name,
        "type": column.type,
        "unique": column.unique,
        "not_null": column.not_null,
        "default": encode(column.default),
        "read_by": list(column.read_by),
        "write_by": list(column.write_by),
        **({"computed_default": column.computed_default} if column.computed_default else {}),
    }


def _column_from_data(data: dict[str, Any]) -> ColumnSpec:
    return ColumnSpec(
        data["name"],
        data["type"],
        bool(data["unique"]),
        bool(data["not_null"]),
        decode(data["default"]),
        tuple(data["read_by"]),
        tuple(data["write_by"]),
        data.get("computed_default"),
    )
