"""BASIC values to and from what a column stores (BASIC.md §7.2 "Stored values").

Stored forms are plain SQL scalars so any SQL engine can hold them: integers, floats, text,
booleans as 0/1, dates as ``YYYY-MM-DD``, datetimes as ``YYYY-MM-DD HH:MM:SS`` (both order
correctly as text) and JSON columns as the persistence encoding of :mod:`engine.basic.values`,
so a map holding a date or the float ``1.0`` reads back exactly as it was saved.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Final

from engine.basic.errors import DataError
from engine.basic.filters import parse_date_text
from engine.basic.query import ColumnType, Value
from engine.basic.values import decode, encode, parse_numeric, text
from engine.data.schema import ColumnSpec

Stored = int | float | str | None
_INT64: Final = 2**63
_TRUE_WORDS: Final = frozenset({"true", "yes", "1"})
_FALSE_WORDS: Final = frozenset({"false", "no", "0"})


class _Invalid(ValueError):
    """The value has no meaning in the column's type."""


def invalid_value(value: Value, column: ColumnSpec) -> DataError:
    return DataError(
        f"value '{text(value)}' is not valid for column '{column.name}' ({column.type})"
    )


def to_stored(value: Value, column: ColumnSpec) -> Stored:
    """``value`` in the column's stored form, or DataError when it cannot convert."""
    if value is None:
        return None
    try:
        return _STORE[column.type](value)
    except _Invalid:
        raise invalid_value(value, column) from None


def to_param(value: Value, column: ColumnSpec) -> Stored:
    """A non-null filter value compared with the column (§7.3): like storing, but a number
    stays fractional against an integer column and a date keeps its time against a date column.
    """
    try:
        if column.type in ("integer", "float"):
            number = _number(value)
            # beyond 64 bits no stored integer can equal it, and SQLite cannot bind it
            return number if -_INT64 <= number < _INT64 else float(number)
        if column.type == "date":
            return _date_or_datetime_text(value)
        return _STORE[column.type](value)
    except _Invalid:
        raise invalid_value(value, column) from None


def date_param(value: Value, column: ColumnSpec) -> str:
    """A value compared with ``DATE(column)``: a calendar day."""
    try:
        return _date_text(value)
    except _Invalid:
        raise DataError(f"value '{text(value)}' is not a date for DATE({column.name})") from None


def from_stored(raw: object, column_type: ColumnType) -> Value:
    """The BASIC value of a stored cell; anything unreadable comes back as it is."""
    if raw is None:
        return None
    try:
        return _READ[column_type](raw)
    except (TypeError, ValueError):
        return raw


# --- storing ----------------------------------------------------------------------------------


def _number(value: Value) -> int | float:
    kind = type(value)
    if kind is int or kind is float:
        return value  # type: ignore[no-any-return]
    if kind is str:
        number = parse_numeric(value)
        if number is not None:
            return number
    raise _Invalid


def _integer(value: Value) -> int:
    number = _number(value)
    if type(number) is float:
        if not number.is_integer():
            raise _Invalid
        number = int(number)
    if not -_INT64 <= number < _INT64:
        raise _Invalid
    return int(number)


def _float(value: Value) -> float:
    return float(_number(value))


def _boolean(value: Value) -> int:
    kind = type(value)
    if kind is bool:
        return int(value)
    if (kind is int or kind is float) and value in (0, 1):
        return int(value)
    if kind is str:
        word = value.strip().lower()
        if word in _TRUE_WORDS or word in _FALSE_WORDS:
            return int(word in _TRUE_WORDS)
    raise _Invalid


def _as_date(value: Value) -> date:
    if type(value) is datetime or type(value) is date:
        return value
    parsed = parse_date_text(value) if type(value) is str else None
    if parsed is None:
        raise _Invalid
    return parsed


def _date_text(value: Value) -> str:
    day = _as_date(value)
    return text(day.date() if type(day) is datetime else day)


def _date_or_datetime_text(value: Value) -> str:
    day = _as_date(value)
    if type(day) is datetime and day.time() != datetime.min.time():
        return text(day)
    return _date_text(day)


def _datetime_text(value: Value) -> str:
    day = _as_date(value)
    return text(day if type(day) is datetime else datetime(day.year, day.month, day.day))


def _json(value: Value) -> str:
    return json.dumps(encode(value), ensure_ascii=False)


_STORE: Final[dict[ColumnType, Callable[[Value], Stored]]] = {
    "text": text,
    "integer": _integer,
    "float": _float,
    "boolean": _boolean,
    "date": _date_text,
    "datetime": _datetime_text,
    "json": _json,
}


# --- reading ----------------------------------------------------------------------------------


def _read_integer(raw: object) -> Value:
    return raw if type(raw) is int else _integer(raw)


_READ: Final[dict[ColumnType, Callable[[object], Value]]] = {
    "text": lambda raw: raw if type(raw) is str else text(raw),
    "integer": _read_integer,
    "float": lambda raw: float(raw),  # type: ignore[arg-type]
    "boolean": lambda raw: bool(raw),
    "date": lambda raw: date.fromisoformat(str(raw)[:10]),
    "datetime": lambda raw: datetime.fromisoformat(str(raw)),
    "json": lambda raw: decode(json.loads(str(raw))),
}
