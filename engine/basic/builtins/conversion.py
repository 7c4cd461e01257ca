"""Conversion and test built-ins (BASIC.md §10.6). ``IIF`` is compiled lazily, not here."""

from __future__ import annotations

import math
import uuid

from engine.basic import values
from engine.basic.builtins.math import round_half_away
from engine.basic.builtins.registry import FunctionContext, builtin
from engine.basic.errors import BasicValueError
from engine.basic.query import Value
from engine.basic.values import Number

_TRUE_WORDS = frozenset({"true", "yes", "on", "1"})
_FALSE_WORDS = frozenset({"false", "no", "off", "0", ""})


def _convertible(name: str, v: Value) -> Number:
    """``v`` as a number for CINT/CDBL: anything without a numeric meaning is a ValueError."""
    t = type(v)
    if t is int or t is float:
        return v  # type: ignore[no-any-return]
    if v is None:
        return 0
    if t is bool:
        return int(v)
    n = values.parse_numeric(v) if t is str else None
    if n is None:
        raise BasicValueError(f"{name} cannot convert {_describe(v)} to a number")
    return n


def _describe(v: Value) -> str:
    return values.json_text(v) if type(v) is str else values.type_name(v)


@builtin("CINT", min_args=1)
def cint(ctx: FunctionContext, args: list[Value]) -> Value:
    """An integer rounded half away from zero: ``CINT("2.5")`` → 3, ``CINT(-2.5)`` → -3."""
    return int(round_half_away(_convertible("CINT", args[0]), 0))


@builtin("CDBL", min_args=1)
def cdbl(ctx: FunctionContext, args: list[Value]) -> Value:
    try:
        return float(_convertible("CDBL", args[0]))
    except OverflowError:
        raise BasicValueError("number too large for a float") from None


@builtin("CBOOL", min_args=1)
def cbool(ctx: FunctionContext, args: list[Value]) -> Value:
    """Numbers ≠ 0; the words true/yes/on/1 and false/no/off/0/"" ignoring case; null → false."""
    v = args[0]
    t = type(v)
    if v is None:
        return False
    if t is bool:
        return v
    if t is int or t is float:
        return v != 0 and not math.isnan(v)
    word = v.strip().casefold() if t is str else None
    if word in _TRUE_WORDS:
        return True
    if word in _FALSE_WORDS:
        return False
    raise BasicValueError(f"CBOOL cannot convert {_describe(v)} to a boolean")


@builtin("ISNULL", min_args=1)
def isnull(ctx: FunctionContext, args: list[Value]) -> Value:
    return args[0] is None


@builtin("ISEMPTY", min_args=1)
def isempty(ctx: FunctionContext, args: list[Value]) -> Value:
    """Null, a string of only white space, ``[]`` or ``{}``."""
    v = args[0]
    t = type(v)
    if t is str:
        return v.strip() == ""
    if t is list or t is dict:
        return len(v) == 0
    return v is None


@builtin("ISNUMERIC", min_args=1)
def isnumeric(ctx: FunctionContext, args: list[Value]) -> Value:
    v = args[0]
    return values.is_number(v) or (type(v) is str and values.is_numeric_string(v))


def _blank(v: Value) -> bool:
    return v is None or (type(v) is str and v == "")


@builtin("NVL", "IFNULL", min_args=2)
def nvl(ctx: FunctionContext, args: list[Value]) -> Value:
    """``d`` when ``x`` is null or ``""``, else ``x``."""
    x, default = args
    return default if _blank(x) else x


@builtin("COALESCE", min_args=1, max_args=None)
def coalesce(ctx: FunctionContext, args: list[Value]) -> Value:
    return next((v for v in args if not _blank(v)), None)


@builtin("TYPEOF", "TYPENAME", min_args=1)
def typeof(ctx: FunctionContext, args: list[Value]) -> Value:
    return values.type_name(args[0])


@builtin("GUID", "UUID")
def guid(ctx: FunctionContext, args: list[Value]) -> Value:
    # uuid4 reads the OS entropy pool, not ctx.rng: a seeded test RNG must never make two
    # sessions produce the same identifiers.
    return str(uuid.uuid4())
