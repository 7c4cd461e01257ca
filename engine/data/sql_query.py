"""A :class:`~engine.basic.query.Query` compiled to a parameterised SQL ``WHERE``/``ORDER BY``.

Values are always bound as ``?`` parameters, never written into the SQL. Column names reach
the SQL only through ``resolve``, which checks them against the table's real columns, and then
only quoted as identifiers. Every predicate is written so it is never SQL NULL (``x IS NOT NULL
AND x < ?``), so ``NOT`` keeps the two-valued meaning of BASIC: ``NOT total < 100`` is true for
a row without a total, exactly as in FILTER. The SQL is plain enough for SQLite and PostgreSQL;
the one SQLite-specific need is a Unicode ``LOWER`` (the store installs it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, assert_never

from engine.basic.errors import DataError
from engine.basic.query import (
    And,
    Between,
    Column,
    Compare,
    Condition,
    InList,
    IsNull,
    Like,
    Not,
    Or,
    Order,
    Value,
)
from engine.basic.values import text
from engine.data.convert import Stored, date_param, to_param
from engine.data.schema import ColumnSpec

Resolver = Callable[[str], ColumnSpec]
"""Turns a normalised column name into its column, raising DataError for an unknown one."""

NEVER: Final = "1 = 0"
ALWAYS: Final = "1 = 1"
LIKE_ESCAPE: Final = "\\"
_DATE_TYPES: Final = frozenset({"date", "datetime", "text"})


@dataclass(frozen=True, slots=True)
class SqlFragment:
    sql: str
    params: tuple[Stored, ...] = ()


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def compile_where(condition: Condition | None, resolve: Resolver) -> SqlFragment:
    """``condition`` as a SQL boolean expression (``1 = 1`` for None)."""
    if condition is None:
        return SqlFragment(ALWAYS)
    builder = _WhereBuilder(resolve)
    sql = builder.build(condition)
    return SqlFragment(sql, tuple(builder.params))


def compile_order(orders: tuple[Order, ...], resolve: Resolver, tiebreak: str) -> str:
    """An ORDER BY list in the §7.9 SORT order (nulls first; text ignoring case, then exact);
    ``tiebreak`` (insertion order) keeps equal rows in place, also when descending."""
    parts: list[str] = []
    for order in orders:
        column = resolve(order.column)
        name = quote_identifier(column.name)
        direction = " DESC" if order.descending else ""
        parts.append(f"CASE WHEN {name} IS NULL THEN 0 ELSE 1 END{direction}")
        if column.type == "text":
            parts.append(f"LOWER({name}){direction}")
        parts.append(f"{name}{direction}")
    parts.append(tiebreak)
    return ", ".join(parts)


def like_pattern(pattern: str) -> str:
    """A §3.7 pattern as a SQL LIKE pattern on lower-cased text (escape ``\\``)."""
    lowered = pattern.lower()
    escaped = lowered.replace("\\", "\\\\").replace("_", "\\_")
    if not any(ch in "%*?" for ch in pattern):
        return "%" + escaped + "%"  # no wildcard: contains (§3.7 decision)
    return escaped.replace("*", "%").replace("?", "_")


class _WhereBuilder:
    def __init__(self, resolve: Resolver) -> None:
        self.resolve = resolve
        self.params: list[Stored] = []

    def build(self, condition: Condition) -> str:
        match condition:
            case And(items):
                return self.join(items, " AND ", ALWAYS)
            case Or(items):
                return self.join(items, " OR ", NEVER)
            case Not(item):
                return f"(NOT {self.build(item)})"
            case Compare():
                return self.compare(condition)
            case Like(column, pattern, negate):
                return self.like(column, pattern, negate)
            case InList(column, values, negate):
                return _negated(self.in_list(column, values), negate)
            case IsNull(column, negate):
                return f"({self.name(column)} IS {'NOT ' if negate else ''}NULL)"
            case Between():
                return _negated(self.between(condition), condition.negate)
        assert_never(condition)

    def join(self, items: tuple[Condition, ...], glue: str, empty: str) -> str:
        if not items:
            return empty
        return "(" + glue.join(self.build(item) for item in items) + ")"

    def compare(self, condition: Compare) -> str:
        column, op, value = condition.column, condition.op, condition.value
        name, expr = self.name(column), self.expression(column)
        if value is None or (value == "" and type(value) is str):
            return self.compare_empty(column, op, value)
        param = self.param(column, value)
        if op == "<>":
            return f"({name} IS NULL OR {expr} <> {param})"
        return f"({name} IS NOT NULL AND {expr} {op} {param})"

    def compare_empty(self, column: Column, op: str, value: Value) -> str:
        """Null equals null and the empty string (§3.6); any ordering with null is false."""
        name = self.name(column)
        if op not in ("=", "<>"):
            if value is None:
                return NEVER
            expr = self.expression(column)
            return f"({name} IS NOT NULL AND {expr} {op} {self.param(column, value)})"
        textual = self.is_textual(column)
        if op == "=":
            tail = f" OR {self.expression(column)} = {self.bind('')}" if textual else ""
            return f"({name} IS NULL{tail})"
        tail = f" AND {self.expression(column)} <> {self.bind('')}" if textual else ""
        return f"({name} IS NOT NULL{tail})"

    def like(self, column: Column, pattern: str, negate: bool) -> str:
        text_expr = self.text_expression(column)
        bound = self.bind(like_pattern(pattern))
        sql = f"({self.name(column)} IS NOT NULL AND LOWER({text_expr}) LIKE {bound}"
        return _negated(f"{sql} ESCAPE '{LIKE_ESCAPE}')", negate)

    def in_list(self, column: Column, values: tuple[Value, ...]) -> str:
        textual = self.is_textual(column)
        params: list[str] = []
        with_null = False
        for value in values:
            if value is None or (value == "" and type(value) is str):
                with_null = True
                if not textual:
                    continue
            params.append(self.param(column, "" if value is None else value))
        parts = [f"{self.name(column)} IS NULL"] if with_null else []
        if params:
            name, expr = self.name(column), self.expression(column)
            parts.insert(0, f"({name} IS NOT NULL AND {expr} IN ({', '.join(params)}))")
        return "(" + " OR ".join(parts) + ")" if parts else NEVER

    def between(self, condition: Between) -> str:
        column = condition.column
        if condition.low is None or condition.high is None:
            return NEVER
        low, high = self.param(column, condition.low), self.param(column, condition.high)
        name, expr = self.name(column), self.expression(column)
        return f"({name} IS NOT NULL AND {expr} BETWEEN {low} AND {high})"

    # --- columns and parameters ---------------------------------------------------------------

    def spec(self, column: Column) -> ColumnSpec:
        return self.resolve(column.name)

    def name(self, column: Column) -> str:
        return quote_identifier(self.spec(column).name)

    def is_textual(self, column: Column) -> bool:
        if column.fn is not None:
            return column.fn != "DATE"
        return self.spec(column).type == "text"

    def expression(self, column: Column) -> str:
        if column.fn is None:
            return self.name(column)
        if column.fn == "DATE":
            return self.date_expression(column)
        return f"{column.fn}({self.text_expression(column)})"

    def date_expression(self, column: Column) -> str:
        spec = self.spec(column)
        if spec.type not in _DATE_TYPES:
            raise DataError(f"DATE() needs a date column, '{spec.name}' is {spec.type}")
        return f"SUBSTR({self.name(column)}, 1, 10)"

    def text_expression(self, column: Column) -> str:
        """The column as the text form of its values (booleans are stored as 0/1)."""
        if column.fn == "DATE":
            return self.date_expression(column)
        name = self.name(column)
        if self.spec(column).type == "boolean":
            return f"CASE WHEN {name} = 1 THEN 'true' WHEN {name} = 0 THEN 'false' END"
        return name

    def param(self, column: Column, value: Value) -> str:
        spec = self.spec(column)
        if column.fn == "DATE":
            return self.bind(date_param(value, spec))
        if column.fn is not None:
            return self.bind(text(value))
        return self.bind(to_param(value, spec))

    def bind(self, value: Stored) -> str:
        self.params.append(value)
        return "?"


def _negated(sql: str, negate: bool) -> str:
    return f"(NOT {sql})" if negate else sql
