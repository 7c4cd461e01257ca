"""Built-ins over arrays of maps (BASIC.md §7.9), plus the COUNT and JOIN they share a name with.

These never touch the database, except ``AGGREGATE`` with a table name and ``COUNT`` with two
arguments, which go through ``ctx.host.data``. Filters are parsed by
:mod:`engine.basic.filters`, so FILTER and FIND accept exactly the same language.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from engine.basic import sizes
from engine.basic.builtins.registry import FunctionContext, builtin
from engine.basic.errors import BasicTypeError, BasicValueError
from engine.basic.filters import (
    apply_query,
    field,
    parse_filter,
    query_from_map,
    sort_key,
)
from engine.basic.names import column_name
from engine.basic.query import Query, Value
from engine.basic.values import equals, map_get, map_has, parse_numeric, text, type_name

AGGREGATES: Final = frozenset({"SUM", "AVG", "COUNT", "MIN", "MAX"})
_DIRECTIONS: Final = frozenset({"ASC", "DESC"})
_PLACEHOLDER: Final = re.compile(r"\{([^{}]+)\}")


# --- shared helpers ---------------------------------------------------------------------------


def aggregate_values(op: str, values: Sequence[Value]) -> Value:
    """``AGGREGATE`` over plain values: nulls skipped, numeric strings count as numbers."""
    present = [v for v in values if v is not None]
    kind = op.upper()
    if kind == "COUNT":
        return len(present)
    if kind in ("MIN", "MAX"):
        numbers = [_as_number(v) if type(v) is str else v for v in present]
        pick = min if kind == "MIN" else max
        return pick(numbers, key=sort_key) if numbers else None
    if kind not in ("SUM", "AVG"):
        raise BasicValueError(f"unknown aggregate operation '{op}'")
    total = sum((_summable(kind, v) for v in present), 0)
    if kind == "SUM":
        return total
    return total / len(present) if present else None


def _as_number(v: str) -> Value:
    number = parse_numeric(v)
    return v if number is None else number


def _summable(kind: str, v: Value) -> int | float:
    if type(v) is int or type(v) is float:
        return v
    number = parse_numeric(v) if type(v) is str else None
    if number is None:
        raise BasicTypeError(f"AGGREGATE {kind} needs numbers, got {type_name(v)} {text(v)!r}")
    return number


def _rows(value: Value, function: str) -> list[Value]:
    if value is None:
        return []
    if type(value) is not list:
        raise BasicTypeError(f"{function}() needs an array, got {type_name(value)}")
    return value


def _query(condition: Value) -> Query:
    if condition is None:
        return Query()
    if type(condition) is dict:
        return query_from_map(condition)
    return parse_filter(text(condition))


def _get(element: Value, name: str) -> Value:
    return field(element, column_name(name)) if type(element) is dict else None


def _is_op(value: Value) -> bool:
    return type(value) is str and value.upper() in AGGREGATES


# --- FILTER, AGGREGATE, SORT ------------------------------------------------------------------


@builtin("FILTER", min_args=2)
def filter_rows(ctx: FunctionContext, args: list[Value]) -> Value:
    return apply_query(_rows(args[0], "FILTER"), _query(args[1]))


@builtin("AGGREGATE", min_args=3, max_args=4)
def aggregate(ctx: FunctionContext, args: list[Value]) -> Value:
    """The argument that names an operation decides the form (§7.9)."""
    if _is_op(args[0]) and len(args) == 3:
        op, source, name, condition = args[0], args[1], args[2], None
    elif _is_op(args[2]) and type(args[0]) is list and len(args) == 3:
        source, name, op, condition = args[0], args[1], args[2], None
    elif _is_op(args[1]):
        source, op, name = args[0], args[1], args[2]
        condition = args[3] if len(args) == 4 else None
    else:
        raise BasicValueError("AGGREGATE needs one of SUM, AVG, COUNT, MIN, MAX")
    if type(source) is str:
        return ctx.host.data.aggregate(source, op.upper(), text(name), _query(condition))
    rows = _rows(source, "AGGREGATE")
    if condition is not None:
        rows = apply_query(rows, _query(condition))
    return aggregate_values(op, [_get(row, text(name)) for row in rows])


@builtin("SORT", min_args=1, max_args=3)
def sort(ctx: FunctionContext, args: list[Value]) -> Value:
    """A new, stably sorted array; ``ASC``/``DESC`` as the 2nd argument is the direction."""
    rows = list(_rows(args[0], "SORT"))
    name, direction = _sort_arguments(args[1:])
    if name is None:
        rows.sort(key=sort_key, reverse=direction == "DESC")
    else:
        rows.sort(key=lambda row: sort_key(_get(row, name)), reverse=direction == "DESC")
    return rows


def _sort_arguments(rest: list[Value]) -> tuple[str | None, str]:
    if not rest:
        return None, "ASC"
    if len(rest) == 1 and type(rest[0]) is str and rest[0].strip().upper() in _DIRECTIONS:
        return None, rest[0].strip().upper()
    direction = text(rest[1]).strip().upper() if len(rest) == 2 else "ASC"
    if direction not in _DIRECTIONS:
        raise BasicValueError(f"SORT direction must be ASC or DESC, not '{text(rest[1])}'")
    return (None if rest[0] is None else text(rest[0])), direction


# --- GROUP BY, PIVOT, JOIN, MAP, FILL ---------------------------------------------------------


@builtin("GROUP_BY", min_args=2)
def group_by(ctx: FunctionContext, args: list[Value]) -> Value:
    return _groups(_rows(args[0], "GROUP_BY"), text(args[1]))


def _groups(rows: list[Value], name: str) -> dict[str, list[Value]]:
    groups: dict[str, list[Value]] = {}
    for row in rows:
        groups.setdefault(text(_get(row, name)), []).append(row)
    return groups


@builtin("PIVOT", min_args=3, max_args=4)
def pivot(ctx: FunctionContext, args: list[Value]) -> Value:
    op = text(args[3]) if len(args) == 4 and args[3] is not None else "SUM"
    if op.upper() not in AGGREGATES:
        raise BasicValueError(f"unknown aggregate operation '{op}'")
    value_field = text(args[2])
    groups = _groups(_rows(args[0], "PIVOT"), text(args[1]))
    return {
        key: aggregate_values(op, [_get(row, value_field) for row in rows])
        for key, rows in groups.items()
    }


@builtin("JOIN", min_args=1, max_args=3)
def join(ctx: FunctionContext, args: list[Value]) -> Value:
    """Two arguments: the string join of §10.1; three: the inner join of §7.9."""
    if len(args) == 3:
        return inner_join(_rows(args[0], "JOIN"), _rows(args[1], "JOIN"), text(args[2]))
    separator = " " if len(args) == 1 else text(args[1])
    parts: list[str] = []
    length = 0
    for item in _rows(args[0], "JOIN"):  # the length is checked as the parts are made
        part = text(item)
        length += len(part) + len(separator)
        if length > sizes.SMALL_SIZE:
            sizes.check_length(length - len(separator))
        parts.append(part)
    return separator.join(parts)


def inner_join(left: list[Value], right: list[Value], key: str) -> list[Value]:
    """Left fields, then the right fields the left lacks; a null key joins nothing (as in SQL)."""
    joined: list[Value] = []
    for a in left:
        value = _get(a, key)
        for b in right if value is not None else ():
            other = _get(b, key)
            if other is not None and equals(value, other):
                joined.append(_combine(a, b))
    return joined


def _combine(left: dict[str, Value], right: dict[str, Value]) -> dict[str, Value]:
    combined = dict(left)
    for key, value in right.items():
        if not map_has(combined, key):
            combined[key] = value
    return combined


@builtin("MAP", min_args=2)
def map_rows(ctx: FunctionContext, args: list[Value]) -> Value:
    renames = _renames(text(args[1]))
    if type(args[0]) is dict:
        return _rename(args[0], renames)
    return [_rename(row, renames) for row in _rows(args[0], "MAP")]


def _renames(spec: str) -> dict[str, str]:
    renames: dict[str, str] = {}
    for part in spec.split(","):
        old, arrow, new = part.partition("->")
        if not arrow or not old.strip() or not new.strip():
            raise BasicValueError(f"MAP expects 'old->new' pairs, got '{part.strip()}'")
        renames[old.strip().casefold()] = new.strip()
    return renames


def _rename(row: Value, renames: dict[str, str]) -> Value:
    if type(row) is not dict:
        return row
    return {renames.get(key.casefold(), key): value for key, value in row.items()}


@builtin("FILL", min_args=2)
def fill(ctx: FunctionContext, args: list[Value]) -> Value:
    template = text(args[1])
    if type(args[0]) is dict:
        return _fill_one(args[0], template)
    return [_fill_one(row, template) for row in _rows(args[0], "FILL")]


def _fill_one(row: Value, template: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        return text(map_get(row, name) if type(row) is dict else None)

    return _PLACEHOLDER.sub(replace, template)


# --- COUNT and MERGE of two arrays ------------------------------------------------------------


@builtin("COUNT", min_args=1, max_args=2)
def count(ctx: FunctionContext, args: list[Value]) -> Value:
    """One argument: the collection count of §10.5; two: rows of a table matching a filter."""
    if len(args) == 2:
        return ctx.host.data.count(text(args[0]), _query(args[1]))
    value = args[0]
    if value is None:
        return 0
    if type(value) in (list, dict, str):
        return len(value)
    raise BasicTypeError(f"COUNT() needs an array, map or string, got {type_name(value)}")


def merge_lists(first: list[Value], second: list[Value]) -> list[Value]:
    """``MERGE a, b`` (§7.6): ``a``, then the elements of ``b`` not already present."""
    merged = list(first)
    for item in second:
        if not any(_same_item(item, existing) for existing in merged):
            merged.append(item)
    return merged


def _same_item(a: Value, b: Value) -> bool:
    a_id, b_id = _item_id(a), _item_id(b)
    if a_id is not None or b_id is not None:
        return a_id is not None and b_id is not None and equals(a_id, b_id)
    return equals(a, b)


def _item_id(item: Value) -> Value:
    return map_get(item, "id") if type(item) is dict else None
