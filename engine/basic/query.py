"""Data-access values shared by the language and the data services.

A FIND filter string (BASIC.md §7.3), a map filter, a ``column, value`` pair and an inline
``WHERE`` all become one :class:`Query`; data services turn it into parameterised SQL and the
in-memory ``FILTER`` evaluates it on maps. ``TABLE … END TABLE`` blocks become
:class:`TableDecl` values processed at compile time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Value = Any
"""A BASIC value: None, bool, int, float, str, list, dict, datetime.date or datetime.datetime."""

CompareOp = Literal["=", "<>", "<", ">", "<=", ">="]


@dataclass(frozen=True, slots=True)
class Column:
    """A column reference, its name normalised (§7.1); ``fn`` is LOWER, UPPER or DATE."""

    name: str
    fn: Literal["LOWER", "UPPER", "DATE"] | None = None


@dataclass(frozen=True, slots=True)
class Compare:
    column: Column
    op: CompareOp
    value: Value


@dataclass(frozen=True, slots=True)
class Like:
    column: Column
    pattern: str
    negate: bool = False


@dataclass(frozen=True, slots=True)
class InList:
    column: Column
    values: tuple[Value, ...]
    negate: bool = False


@dataclass(frozen=True, slots=True)
class IsNull:
    column: Column
    negate: bool = False


@dataclass(frozen=True, slots=True)
class Between:
    column: Column
    low: Value
    high: Value
    negate: bool = False


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Condition


Condition = Compare | Like | InList | IsNull | Between | And | Or | Not


@dataclass(frozen=True, slots=True)
class Order:
    column: str
    descending: bool = False


@dataclass(frozen=True, slots=True)
class Query:
    """Rows to select: ``condition`` None means all rows."""

    condition: Condition | None = None
    order: tuple[Order, ...] = ()
    limit: int | None = None


ALL_ROWS = Query()

ColumnType = Literal["text", "integer", "float", "boolean", "date", "datetime", "json"]


@dataclass(frozen=True, slots=True)
class FieldDecl:
    name: str
    type: ColumnType
    key: bool = False
    unique: bool = False
    not_null: bool = False
    default: Value = None
    read_by: tuple[str, ...] = ()
    write_by: tuple[str, ...] = ()
    # a default computed when a row is inserted (SQL's DEFAULT NOW(), compat T1): one of
    # COMPUTED_DEFAULTS' values
    computed_default: str | None = None


# SQL default functions -> the value an insert fills in (docs/basic-compatibility.md T1)
COMPUTED_DEFAULTS = {
    "NOW": "now", "CURRENT_TIMESTAMP": "now", "TODAY": "today", "CURRENT_DATE": "today",
    "CURRENT_TIME": "time", "UUID": "uuid", "GEN_RANDOM_UUID": "uuid", "GUID": "uuid",
}


@dataclass(frozen=True, slots=True)
class TableDecl:
    name: str
    fields: tuple[FieldDecl, ...]
    read_by: tuple[str, ...] = ()
    write_by: tuple[str, ...] = ()
    connection: str | None = None
    line: int = 0
    # table-level UNIQUE(a, b): each combination of values at most once (compat T1)
    unique: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True, slots=True)
class IndexDecl:
    name: str
    table: str
    columns: tuple[str, ...] = field(default_factory=tuple)
