"""Date and time built-ins (BASIC.md §10.4).

A *date argument* is a date, a datetime, or a string ``DATEVALUE`` accepts; null gives a null
result, as ``null.year`` does (§3.8). DATEADD and DATEDIFF find their arguments by kind, so
``DATEADD(d, 7, "day")``, ``DATEADD("day", 7, d)`` and ``DATEADD(d, "day", 7)`` are one call.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Final, Literal

from engine.basic import values
from engine.basic.builtins.math import int_arg
from engine.basic.builtins.registry import BuiltinFn, FunctionContext, builtin
from engine.basic.errors import BasicTypeError, BasicValueError
from engine.basic.query import Value
from engine.basic.validators import parse_date, parse_datetime
from engine.basic.values import Number

Unit = Literal["year", "quarter", "month", "week", "day", "hour", "minute", "second"]

_UNIT_ALIASES: Final[dict[Unit, tuple[str, ...]]] = {
    "year": ("year", "yyyy", "y"),
    "quarter": ("quarter", "q"),
    "month": ("month", "mon"),
    "week": ("week", "w", "ww"),
    "day": ("day", "d"),
    "hour": ("hour", "h"),
    "minute": ("minute", "min", "n", "m"),
    "second": ("second", "sec", "s"),
}
# Plurals only for the words: "ms" or "hs" would read as other units.
_UNITS: Final[dict[str, Unit]] = {
    spelling: unit
    for unit, aliases in _UNIT_ALIASES.items()
    for alias in aliases
    for spelling in ((alias, alias + "s") if len(alias) >= 3 and alias != "yyyy" else (alias,))
}
_SECONDS: Final[dict[Unit, int]] = {"hour": 3600, "minute": 60, "second": 1}
_MONTHS_PER: Final[dict[Unit, int]] = {"year": 12, "quarter": 3, "month": 1}


def today(ctx: FunctionContext) -> date:
    return ctx.now().date()


def datevalue(v: Value, today_: date) -> date:
    """``v`` as a date or datetime (§10.4): dates as is, strings in a HEAR DATE or ISO form."""
    if type(v) in (date, datetime):
        return v  # type: ignore[no-any-return]
    if type(v) is not str:
        raise BasicTypeError(f"expected a date, got {values.type_name(v)}")
    parsed = parse_datetime(v) or parse_date(v, today_)
    if parsed is None:
        raise BasicValueError(f"not a valid date: {values.json_text(v)}")
    return parsed


def date_arg(ctx: FunctionContext, v: Value) -> date:
    return datevalue(v, today(ctx))


def _part(ctx: FunctionContext, v: Value, name: str) -> Value:
    return None if v is None else values.get_member(date_arg(ctx, v), name)


@builtin("NOW")
def now(ctx: FunctionContext, args: list[Value]) -> Value:
    # Values are naive local times in whole seconds (§3.1), whatever the clock hands over.
    return ctx.now().replace(microsecond=0, tzinfo=None)


@builtin("TODAY")
def today_(ctx: FunctionContext, args: list[Value]) -> Value:
    return today(ctx)


@builtin("DATE", min_args=3)
def date_(ctx: FunctionContext, args: list[Value]) -> Value:
    year, month, day = (int_arg(a) for a in args)
    try:
        return date(year, month, day)
    except (ValueError, OverflowError):
        raise BasicValueError(f"not a valid date: {year}-{month}-{day}") from None


@builtin("DATEVALUE", min_args=1)
def datevalue_(ctx: FunctionContext, args: list[Value]) -> Value:
    v = args[0]
    if type(v) not in (str, date, datetime):
        raise BasicValueError(f"not a valid date: {values.text(v)}")
    return date_arg(ctx, v)


@builtin("ISDATE", min_args=1)
def isdate(ctx: FunctionContext, args: list[Value]) -> Value:
    v = args[0]
    if type(v) in (date, datetime):
        return True
    if type(v) is not str:
        return False
    return parse_datetime(v) is not None or parse_date(v, today(ctx)) is not None


def _part_function(part: str) -> BuiltinFn:
    def read(ctx: FunctionContext, args: list[Value]) -> Value:
        return _part(ctx, args[0], part)

    read.__name__ = part
    return read


# YEAR … SECOND, and WEEKDAY (1 = Sunday … 7 = Saturday): one property of a date argument.
for _part_name in ("year", "month", "day", "hour", "minute", "second", "weekday"):
    builtin(_part_name.upper(), min_args=1)(_part_function(_part_name))


# --- DATEADD / DATEDIFF -----------------------------------------------------------------------


def unit_of(v: Value) -> Unit | None:
    """The unit a value names (``"days"``, ``"m"``…), or None."""
    return _UNITS.get(v.strip().lower()) if type(v) is str else None


@dataclass(frozen=True, slots=True)
class _Call:
    """The arguments of a DATEADD/DATEDIFF call sorted by kind, others in their order."""

    unit: Unit
    others: tuple[Value, ...]


def _sort_arguments(name: str, args: list[Value]) -> _Call:
    for i, arg in enumerate(args):
        unit = unit_of(arg)
        if unit is not None:
            return _Call(unit, tuple(args[:i] + args[i + 1 :]))
    raise BasicValueError(f'{name} needs a unit such as "day", "month" or "hour"')


@builtin("DATEADD", min_args=3)
def dateadd(ctx: FunctionContext, args: list[Value]) -> Value:
    """``d`` moved by ``n`` units; month steps keep the day, clamped to the month's end."""
    call = _sort_arguments("DATEADD", args)
    first, second = call.others
    count_first = _is_count(first) or (first is None and not _is_count(second))
    d, n = (second, first) if count_first else (first, second)
    if d is None:
        return None
    return add_units(date_arg(ctx, d), values.to_number(n), call.unit)


def _is_count(v: Value) -> bool:
    return values.is_number(v) or (type(v) is str and values.is_numeric_string(v))


def add_units(d: date, n: Number, unit: Unit) -> date:
    try:
        if unit in _MONTHS_PER:
            return _add_months(d, math.trunc(n) * _MONTHS_PER[unit])
        if unit in ("day", "week"):
            days = n * (7 if unit == "week" else 1)
            if type(d) is date:  # a date stays a date: whole days only
                return d + timedelta(days=math.trunc(days))
            return d + timedelta(seconds=round(days * 86400))
        return values.as_datetime(d) + timedelta(seconds=round(n * _SECONDS[unit]))
    except (OverflowError, ValueError):
        raise BasicValueError("date out of range") from None


def _add_months(d: date, months: int) -> date:
    year, month0 = divmod(d.year * 12 + d.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        raise ValueError("year out of range")
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return d.replace(year=year, month=month0 + 1, day=min(d.day, last_day))


@builtin("DATEDIFF", min_args=3)
def datediff(ctx: FunctionContext, args: list[Value]) -> Value:
    """``d2 − d1`` in units: calendar boundaries for day…year, whole units for hour…second."""
    call = _sort_arguments("DATEDIFF", args)
    first, second = call.others
    if first is None or second is None:
        return None
    return units_between(date_arg(ctx, first), date_arg(ctx, second), call.unit)


def _day_of(d: date) -> date:
    return d.date() if isinstance(d, datetime) else d


def _days(a: date, b: date) -> int:
    return (_day_of(b) - _day_of(a)).days


def _weeks(a: date, b: date) -> int:
    return int(values.intdiv(_days(a, b), 7))


def _months(a: date, b: date) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def _quarters(a: date, b: date) -> int:
    return (b.year - a.year) * 4 + (b.month - 1) // 3 - (a.month - 1) // 3


def _years(a: date, b: date) -> int:
    return b.year - a.year


_CALENDAR_COUNTS: Final[dict[Unit, Callable[[date, date], int]]] = {
    "day": _days,
    "week": _weeks,
    "month": _months,
    "quarter": _quarters,
    "year": _years,
}


def units_between(a: date, b: date, unit: Unit) -> int:
    """``b − a`` in ``unit`` (DATEDIFF's rules)."""
    count = _CALENDAR_COUNTS.get(unit)
    if count is not None:
        return count(a, b)
    delta = values.as_datetime(b) - values.as_datetime(a)
    return int(values.intdiv(delta.days * 86400 + delta.seconds, _SECONDS[unit]))
