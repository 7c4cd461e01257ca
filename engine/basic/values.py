"""BASIC values and the operators on them (BASIC.md §3).

A value is a plain Python object: ``None`` (null), ``bool``, ``int``, ``float``, ``str``,
``list`` (array), ``dict[str, Value]`` (map), ``datetime.date`` and ``datetime.datetime``.
``bool`` is a subclass of ``int`` and ``datetime`` of ``date``, so every dispatch here compares
exact types (``type(v) is int``) instead of using ``isinstance``.

The binary operators run millions of times per second in the VM: each one tries the
int/float case first and only then the general rules.
"""

from __future__ import annotations

import json
import math
import operator
import re
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any, Final, TypeAlias

from engine.basic import sizes
from engine.basic.errors import (
    BasicIndexError,
    BasicTypeError,
    BasicValueError,
    DivisionByZero,
)
from engine.basic.like import like as like_text
from engine.basic.query import Value

Number: TypeAlias = int | float
JsonData: TypeAlias = Any
"""What :func:`encode` returns: data made of JSON types only (dict, list, str, int, float...)."""

_NUMBERS: Final = frozenset({int, float})
_DATES: Final = frozenset({date, datetime})
_UNORDERED: Final = frozenset({bool, list, dict})
_SIMPLE: Final = frozenset({int, float, str, bool})
_TYPE_NAMES: Final[dict[type, str]] = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "float",
    str: "string",
    list: "array",
    dict: "map",
    date: "date",
    datetime: "datetime",
}
_NUMERIC_RE: Final = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_MISSING: Final = object()
_SECONDS_PER_DAY: Final = 86400
_SMALL_INT: Final = sizes.SMALL_INT
_SMALL_SIZE: Final = sizes.SMALL_SIZE


# --- types, text, truthiness ------------------------------------------------------------------


def type_name(v: Value) -> str:
    """The ``TYPEOF`` name of ``v`` (§3.1)."""
    return _TYPE_NAMES.get(type(v), type(v).__name__)


def is_number(v: Value) -> bool:
    """True for integers and floats (never for booleans)."""
    return type(v) in _NUMBERS


def text(v: Value) -> str:
    """The text form of ``v`` (§3.3)."""
    t = type(v)
    if t is str:
        return str(v)
    if t is int:
        return _int_text(v)
    if t is float:
        return _float_text(v)
    if v is None:
        return ""
    if t is bool:
        return "true" if v else "false"
    if t is datetime:
        return f"{_date_text(v)} {v.hour:02d}:{v.minute:02d}:{v.second:02d}"
    if t is date:
        return _date_text(v)
    if t is list or t is dict:
        return json_text(v)
    return str(v)


def _int_text(n: int) -> str:
    try:
        return str(n)
    except ValueError:  # beyond Python's int-to-str digit limit; Decimal has none
        return str(Decimal(n))


def _float_text(x: float) -> str:
    if not math.isfinite(x):
        return "NaN" if x != x else ("Infinity" if x > 0 else "-Infinity")
    # "g" rounds to 15 significant digits first and then picks the exponent form for
    # exponents < -4 or >= 15, which is exactly §3.3 and §14.13.
    s = format(x, ".15g")
    return "0" if s == "-0" else s


def _date_text(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}-{d.day:02d}"


def json_text(v: Value) -> str:
    """Compact JSON text of ``v`` (§3.9)."""
    parts = _JsonParts()
    _write_json(v, parts, set())
    return "".join(parts)


class _JsonParts(list[str]):
    """The pieces of a JSON text and their total length, which must stay within the string
    length limit: shared references make a small array's text arbitrarily long."""

    __slots__ = ("size",)

    def __init__(self) -> None:
        super().__init__()
        self.size = 0

    def add(self, piece: str) -> None:
        self.size += len(piece)
        if self.size > _SMALL_SIZE:
            sizes.check_length(self.size)
        self.append(piece)


def _write_json(v: Value, out: _JsonParts, path: set[int]) -> None:
    t = type(v)
    if t is list or t is dict:
        if id(v) in path:
            raise BasicValueError("cannot convert a value that contains itself to JSON")
        path.add(id(v))
        _write_json_container(v, out, path)
        path.discard(id(v))
    elif t is str:
        out.add(json.dumps(v, ensure_ascii=False))
    elif t is float:
        out.add(_float_text(v) if math.isfinite(v) else "null")
    elif t is datetime:
        out.add(f'"{_date_text(v)}T{v.hour:02d}:{v.minute:02d}:{v.second:02d}"')
    elif t is date:
        out.add(f'"{_date_text(v)}"')
    elif v is None or t is bool or t is int:
        out.add(text(v) if v is not None else "null")
    else:
        out.add(json.dumps(str(v), ensure_ascii=False))


def _write_json_container(v: Value, out: _JsonParts, path: set[int]) -> None:
    if type(v) is list:
        _write_json_list(v, out, path)
    else:
        _write_json_map(v, out, path)


def _write_json_list(items: list[Value], out: _JsonParts, path: set[int]) -> None:
    out.add("[")
    for i, item in enumerate(items):
        out.add("," if i else "")
        _write_json(item, out, path)
    out.add("]")


def _write_json_map(entries: dict[str, Value], out: _JsonParts, path: set[int]) -> None:
    out.add("{")
    for i, (key, item) in enumerate(entries.items()):
        out.add("," if i else "")
        out.add(json.dumps(key, ensure_ascii=False))
        out.add(":")
        _write_json(item, out, path)
    out.add("}")


def truthy(v: Value) -> bool:
    """The boolean meaning of ``v`` in a condition (§3.2)."""
    if v is None:
        return False
    t = type(v)
    if t is bool:
        return bool(v)
    if t is int or t is float:
        return bool(v != 0)
    if t is str or t is list or t is dict:
        return len(v) > 0
    return True


# --- numbers ----------------------------------------------------------------------------------


def parse_numeric(s: str) -> Number | None:
    """The number a numeric string (§3.4) stands for, or None when ``s`` is not one."""
    s = s.strip()
    if not _NUMERIC_RE.fullmatch(s):
        return None
    if "." in s or "e" in s or "E" in s:
        return float(s)
    try:
        return int(s)
    except ValueError:  # more digits than Python's int-from-str limit
        sizes.digits(len(s.lstrip("+-").lstrip("0")))
        return int(Decimal(s))


def is_numeric_string(s: str) -> bool:
    return parse_numeric(s) is not None


def to_number(v: Value) -> Number:
    """``v`` as a number: null is 0, numeric strings convert; anything else is a TypeError."""
    t = type(v)
    if t is int or t is float:
        return v  # type: ignore[no-any-return]
    if v is None:
        return 0
    if t is str:
        n = parse_numeric(v)
        if n is not None:
            return n
        raise BasicTypeError(f"expected a number, got the string {json_text(v)}")
    raise BasicTypeError(f"expected a number, got {type_name(v)}")


def _operand(v: Value) -> Number | None:
    """An arithmetic operand as a number (§3.5), or None when it has no numeric meaning."""
    t = type(v)
    if t is int or t is float:
        return v  # type: ignore[no-any-return]
    if v is None:
        return 0
    if t is str:
        return parse_numeric(v)
    return None


def _type_error(op: str, a: Value, b: Value) -> BasicTypeError:
    return BasicTypeError(f"cannot apply '{op}' to types {type_name(a)} and {type_name(b)}")


def _numbers(op: str, a: Value, b: Value) -> tuple[Number, Number]:
    x, y = _operand(a), _operand(b)
    if x is None or y is None:
        raise _type_error(op, a, b)
    return x, y


def _overflow() -> BasicValueError:
    return BasicValueError("numeric overflow")


def _division_by_zero() -> DivisionByZero:
    return DivisionByZero("division by zero")


def _exact(x: Number) -> Fraction:
    """``x`` as an exact fraction; a float counts as its shortest decimal form (0.1 is 1/10)."""
    if type(x) is int:
        return Fraction(x)
    if not math.isfinite(x):
        raise BasicValueError(f"cannot use {_float_text(x)} here")
    return Fraction(repr(x))


# --- arithmetic operators (§3.5) --------------------------------------------------------------


def add(a: Value, b: Value) -> Value:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return a + b
    if ta is float and tb is float:
        return a + b
    if ta in _NUMBERS and tb in _NUMBERS:
        return _float_op(operator.add, a, b)
    return _add_slow(a, b, ta, tb)


def _add_slow(a: Value, b: Value, ta: type, tb: type) -> Value:
    if ta is str or tb is str:
        return _joined(text(a), text(b))
    if ta is list and tb is list:
        if len(a) + len(b) > _SMALL_SIZE:
            sizes.check_count(len(a) + len(b))
        return a + b
    if ta in _DATES:
        return _shift_days(a, _days("+", a, b))
    if tb in _DATES:
        return _shift_days(b, _days("+", b, a))
    x, y = _numbers("+", a, b)
    return add(x, y)


def sub(a: Value, b: Value) -> Value:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return a - b
    if ta is float and tb is float:
        return a - b
    if ta in _NUMBERS and tb in _NUMBERS:
        return _float_op(operator.sub, a, b)
    if ta in _DATES:
        if tb in _DATES:
            return _days_between(a, b)
        return _shift_days(a, -_days("-", a, b))
    x, y = _numbers("-", a, b)
    return sub(x, y)


def mul(a: Value, b: Value) -> Value:
    ta, tb = type(a), type(b)
    if ta is int and tb is int:
        return int_product(a, b)
    if ta is float and tb is float:
        return a * b
    if ta in _NUMBERS and tb in _NUMBERS:
        return _float_op(operator.mul, a, b)
    x, y = _numbers("*", a, b)
    return mul(x, y)


def int_product(a: int, b: int) -> int:
    """``a * b`` for two integers, refused before it is computed when it would pass the
    integer size limit (``x = x * x`` doubles the digits at each step)."""
    if (-_SMALL_INT < a < _SMALL_INT and -_SMALL_INT < b < _SMALL_INT) or not a or not b:
        return a * b
    sizes.check_bits(a.bit_length() + b.bit_length() - 1)
    return a * b


def div(a: Value, b: Value) -> Value:
    """``/``: always a float."""
    if type(a) in _NUMBERS and type(b) in _NUMBERS:
        if not b:
            raise _division_by_zero()
        return _float_op(operator.truediv, a, b)
    x, y = _numbers("/", a, b)
    return div(x, y)


def intdiv(a: Value, b: Value) -> Value:
    """``\\``: the quotient truncated toward zero, always an integer."""
    if type(a) is int and type(b) is int:
        if b == 0:
            raise _division_by_zero()
        q = a // b
        return q + 1 if q < 0 and q * b != a else q  # floor → toward zero
    x, y = _numbers("\\", a, b)
    if type(x) is int and type(y) is int:
        return intdiv(x, y)
    fx, fy = _exact(x), _exact(y)
    if fy == 0:
        raise _division_by_zero()
    return math.trunc(fx / fy)


def mod(a: Value, b: Value) -> Value:
    """``MOD``: ``a - b * (a \\ b)`` computed exactly, so the result has the sign of ``a``."""
    if type(a) is int and type(b) is int:
        if b == 0:
            raise _division_by_zero()
        r = abs(a) % abs(b)
        return -r if a < 0 else r
    x, y = _numbers("MOD", a, b)
    if type(x) is int and type(y) is int:
        return mod(x, y)
    fx, fy = _exact(x), _exact(y)
    if fy == 0:
        raise _division_by_zero()
    return float(fx - fy * math.trunc(fx / fy))


def power(a: Value, b: Value) -> Value:
    """``^``: integer ^ non-negative integer is an integer, everything else a float."""
    ta, tb = type(a), type(b)
    if ta is int and tb is int and b >= 0:
        return _int_power(a, b)
    if ta in _NUMBERS and tb in _NUMBERS:
        return _float_power(a, b)
    x, y = _numbers("^", a, b)
    return power(x, y)


def _int_power(a: int, b: int) -> int:
    if abs(a) > 1:  # the result has at least (bits of a - 1) * b + 1 bits
        sizes.check_bits((a.bit_length() - 1) * b + 1)
    result: int = a**b
    return sizes.integer(result)


def _float_power(x: Number, y: Number) -> float:
    if x < 0 and type(y) is float and not y.is_integer():
        raise BasicValueError("a negative number cannot be raised to a fractional power")
    try:
        return float(x**y)
    except ZeroDivisionError:
        raise _division_by_zero() from None
    except OverflowError:
        raise _overflow() from None


def _float_op(fn: Callable[[Number, Number], Number], a: Number, b: Number) -> Number:
    try:
        return fn(a, b)
    except OverflowError:  # an integer too large to become a float
        raise _overflow() from None


def concat(a: Value, b: Value) -> str:
    """``&``: the text forms joined, whatever the types."""
    return _joined(a if type(a) is str else text(a), b if type(b) is str else text(b))


def _joined(x: str, y: str) -> str:
    """``x + y``, refused before it is built when it would pass the string length limit."""
    if len(x) + len(y) > _SMALL_SIZE:
        sizes.check_length(len(x) + len(y))
    return x + y


_OPERATORS: Final[dict[str, Callable[[Value, Value], Value]]] = {
    "+": add,
    "-": sub,
    "*": mul,
    "/": div,
    "\\": intdiv,
    "MOD": mod,
    "^": power,
    "&": concat,
}


def arith(op: str, a: Value, b: Value) -> Value:
    """Apply the binary operator spelled ``op`` (``+ - * / \\ MOD ^ &``)."""
    fn = _OPERATORS.get(op.upper())
    if fn is None:
        raise ValueError(f"unknown arithmetic operator {op!r}")
    return fn(a, b)


def negate(v: Value) -> Value:
    """Unary ``-``."""
    t = type(v)
    if t is int or t is float:
        return -v
    n = _operand(v)
    if n is None:
        raise BasicTypeError(f"cannot apply '-' to type {type_name(v)}")
    return -n


def positive(v: Value) -> Value:
    """Unary ``+``: the operand as a number."""
    n = _operand(v)
    if n is None:
        raise BasicTypeError(f"cannot apply '+' to type {type_name(v)}")
    return n


# --- dates in arithmetic ----------------------------------------------------------------------


def as_datetime(d: date) -> datetime:
    """A date as its midnight; a datetime unchanged."""
    return d if isinstance(d, datetime) else datetime.combine(d, time())


def _days(op: str, d: Value, n: Value) -> Number:
    days = _operand(n)
    if days is None:
        raise _type_error(op, d, n)
    return days


def _shift_days(d: date, days: Number) -> date:
    try:
        if type(d) is date and (type(days) is int or float(days).is_integer()):
            return d + timedelta(days=int(days))
        return as_datetime(d) + timedelta(seconds=round(days * _SECONDS_PER_DAY))
    except (OverflowError, ValueError):
        raise BasicValueError("date out of range") from None


def _days_between(a: date, b: date) -> Number:
    delta = as_datetime(a) - as_datetime(b)
    if delta.microseconds == 0 and delta.seconds == 0:
        return delta.days
    return delta.total_seconds() / _SECONDS_PER_DAY


# --- equality and ordering (§3.6) -------------------------------------------------------------


def equals(a: Value, b: Value) -> bool:
    """``a = b`` with the rules of §3.6."""
    ta, tb = type(a), type(b)
    if ta is tb and ta in _SIMPLE:
        return bool(a == b)
    return _equals_slow(a, b, ta, tb)


def _equals_slow(a: Value, b: Value, ta: type, tb: type) -> bool:
    if a is None or b is None:
        return (a is None or a == "") and (b is None or b == "")
    if ta in _NUMBERS or tb in _NUMBERS:
        return _equals_number(a, b) if ta in _NUMBERS else _equals_number(b, a)
    if ta is bool or tb is bool:
        return _equals_boolean(a, b) if ta is bool else _equals_boolean(b, a)
    if ta in _DATES or tb in _DATES:
        return _equals_date(a, b) if ta in _DATES else _equals_date(b, a)
    if ta is list and tb is list:
        return len(a) == len(b) and all(equals(x, y) for x, y in zip(a, b))
    if ta is dict and tb is dict:
        return _maps_equal(a, b)
    return False


def _equals_number(n: Number, other: Value) -> bool:
    t = type(other)
    if t in _NUMBERS:
        return bool(n == other)
    if t is str:
        parsed = parse_numeric(other)
        return n == parsed if parsed is not None else text(n) == other
    return False


def _equals_boolean(flag: bool, other: Value) -> bool:
    if type(other) is str:
        return other.casefold() == ("true" if flag else "false")
    return False


def _equals_date(d: date, other: Value) -> bool:
    t = type(other)
    if t in _DATES:
        return as_datetime(d) == as_datetime(other)
    if t is str:
        return bool(text(d) == other)
    return False


def _maps_equal(a: dict[str, Value], b: dict[str, Value]) -> bool:
    if len(a) != len(b) or {k.casefold() for k in a} != {k.casefold() for k in b}:
        return False
    for key, value in a.items():
        other = map_get(b, key)
        if not equals(value, other):
            return False
    return True


_ORDERINGS: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "<": operator.lt,
    ">": operator.gt,
    "<=": operator.le,
    ">=": operator.ge,
}


def compare(op: str, a: Value, b: Value) -> bool:
    """``a op b`` for ``op`` in ``< > <= >=`` (§3.6)."""
    fn = _ORDERINGS[op]
    if type(a) in _NUMBERS and type(b) in _NUMBERS:
        return fn(a, b)
    return _compare_slow(op, fn, a, b)


def _compare_slow(op: str, fn: Callable[[Any, Any], bool], a: Value, b: Value) -> bool:
    if a is None or b is None:
        return False
    ta, tb = type(a), type(b)
    if ta in _UNORDERED or tb in _UNORDERED:
        raise _type_error(op, a, b)
    if ta is str and tb is str:
        return fn(a, b)
    if ta in _DATES or tb in _DATES:
        if ta in _DATES and tb in _DATES:
            return fn(as_datetime(a), as_datetime(b))
        if ta is str or tb is str:  # text forms, so ISO strings order correctly
            return fn(text(a), text(b))
        raise _type_error(op, a, b)
    if ta in _NUMBERS or tb in _NUMBERS:
        x, y = _operand(a), _operand(b)
        # A number and a non-numeric string are never ordered (the §3.6 decision).
        return x is not None and y is not None and fn(x, y)
    raise _type_error(op, a, b)


# --- IN and LIKE (§3.7) -----------------------------------------------------------------------


def like(value: Value, pattern: Value) -> bool:
    """``value LIKE pattern``: case-insensitive; no wildcard means "contains" (see
    :mod:`engine.basic.like`, which never backtracks)."""
    if value is None or pattern is None:
        return False
    return like_text(text(value), text(pattern))


def contains_in(item: Value, container: Value) -> bool:
    """``item IN container`` (§3.7)."""
    t = type(container)
    if t is list:
        return any(equals(item, element) for element in container)
    if t is dict:
        return map_has(container, text(item))
    if t is str:
        return text(item) in container
    if container is None:
        return False
    raise _type_error("IN", item, container)


# --- maps, properties and indexing (§3.8) -----------------------------------------------------


def _find_key(m: dict[str, Value], key: str) -> str | None:
    """The spelling under which ``m`` holds ``key``: exact first, then ignoring case."""
    if key in m:
        return key
    folded = key.casefold()
    for existing in m:
        if existing.casefold() == folded:
            return existing
    return None


def map_get(m: dict[str, Value], key: str) -> Value:
    value = m.get(key, _MISSING)
    if value is not _MISSING:
        return value
    found = _find_key(m, key)
    return None if found is None else m[found]


def map_has(m: dict[str, Value], key: str) -> bool:
    return _find_key(m, key) is not None


def map_set(m: dict[str, Value], key: str, value: Value) -> None:
    """Create or replace ``key``; an existing key matched ignoring case keeps its spelling."""
    found = _find_key(m, key)
    if found is None and len(m) >= _SMALL_SIZE:
        sizes.check_count(len(m) + 1)
    m[key if found is None else found] = value


_DATE_PROPERTIES: Final[dict[str, Callable[[Any], Value]]] = {
    "year": lambda d: d.year,
    "month": lambda d: d.month,
    "day": lambda d: d.day,
    "hour": lambda d: d.hour if type(d) is datetime else 0,
    "minute": lambda d: d.minute if type(d) is datetime else 0,
    "second": lambda d: d.second if type(d) is datetime else 0,
    "weekday": lambda d: weekday(d),
    "date": lambda d: d.date() if type(d) is datetime else d,
}


def weekday(d: date) -> int:
    """1 = Sunday … 7 = Saturday."""
    return (d.weekday() + 1) % 7 + 1


def get_member(obj: Value, name: str) -> Value:
    """``obj.name``; unknown properties of arrays, strings and dates read as null, except that
    on an array of maps (a FIND result) they read the first map (compat R5)."""
    t = type(obj)
    if t is dict:
        return map_get(obj, name)
    if obj is None:
        return None
    if t in _DATES:
        prop = _DATE_PROPERTIES.get(name.lower())
        return None if prop is None else prop(obj)
    if t is list or t is str:
        if name.lower() == "length":
            return len(obj)
        if t is list and obj and type(obj[0]) is dict:
            return map_get(obj[0], name)  # a FIND result used as a row (compat R5)
        return None
    raise BasicTypeError(f"cannot read property '{name}' of {type_name(obj)}")


def _index(index: Value) -> int:
    t = type(index)
    if t is int:
        return int(index)
    if t is float and math.isfinite(index):
        return int(index)
    raise BasicTypeError(f"an index must be a number, not {type_name(index)}")


def _key(index: Value) -> str:
    return str(index) if type(index) is str else text(index)


def get_item(obj: Value, index: Value) -> Value:
    """``obj[index]``: 0-based, negative from the end, out of range → null."""
    t = type(obj)
    if t is list or t is str:
        i = _index(index)
        n = len(obj)
        if i < 0:
            i += n
        return obj[i] if 0 <= i < n else None
    if t is dict:
        return map_get(obj, _key(index))
    if obj is None:
        return None
    raise BasicTypeError(f"cannot index {type_name(obj)}")


def set_member(obj: Value, name: str, value: Value) -> None:
    """``obj.name = value`` on a map (the VM turns a null ``obj`` into a map first)."""
    if type(obj) is not dict:
        raise BasicTypeError(f"cannot set property '{name}' of {type_name(obj)}")
    map_set(obj, name, value)


def set_item(obj: Value, index: Value, value: Value) -> None:
    """``obj[index] = value``: replace, append at ``LEN``, or set a map key."""
    t = type(obj)
    if t is dict:
        map_set(obj, _key(index), value)
        return
    if t is not list:
        raise BasicTypeError(f"cannot assign an element of {type_name(obj)}")
    i, n = _index(index), len(obj)
    if i == n:
        if n >= _SMALL_SIZE:
            sizes.check_count(n + 1)
        obj.append(value)
    elif -n <= i < n:
        obj[i] = value
    else:
        raise BasicIndexError(f"index {i} is outside the array (length {n})")


# --- JSON text and the persistence encoding ---------------------------------------------------


def from_json_text(s: str) -> Value:
    """Decode JSON text: integers stay integers, ``1.0`` is a float; invalid → ValueError."""
    try:
        return json.loads(s, parse_constant=_reject_constant)
    except json.JSONDecodeError as e:
        raise BasicValueError(
            f"invalid JSON: {e.msg} (line {e.lineno}, column {e.colno})"
        ) from None
    except (ValueError, RecursionError) as e:
        raise BasicValueError(f"invalid JSON: {e}") from None


def _reject_constant(name: str) -> Value:
    # Python's json accepts NaN/Infinity; JSON text does not.
    raise ValueError(f"{name} is not valid JSON")


# Persisted suspended runs must give back exactly what was stored (§12.4). JSON keeps ints,
# floats, strings, booleans, null, lists and plain maps; everything else becomes a one-key
# "$tag" object. A user map with a "$" key is wrapped in {"$map": …} so it is never mistaken
# for a tag, and containers reached twice in one encode() call become {"$id": n, …} then
# {"$ref": n}, which keeps shared references and cycles.
_MAX_PLAIN_INT_BITS: Final = 14_000  # below Python's 4300-digit int/str conversion limit


def encode(v: Value) -> JsonData:
    """``v`` as JSON-able data that :func:`decode` turns back into an identical value."""
    return _Encoder(_shared_containers(v)).encode(v)


def decode(data: JsonData) -> Value:
    """The inverse of :func:`encode`."""
    return _Decoder().decode(data)


def _shared_containers(root: Value) -> set[int]:
    seen: set[int] = set()
    shared: set[int] = set()
    stack = [root]
    while stack:
        v = stack.pop()
        t = type(v)
        if t is list or t is dict:
            if id(v) in seen:
                shared.add(id(v))
                continue
            seen.add(id(v))
            stack.extend(v if t is list else v.values())
    return shared


class _Encoder:
    __slots__ = ("ids", "shared")

    def __init__(self, shared: set[int]) -> None:
        self.shared = shared
        self.ids: dict[int, int] = {}

    def encode(self, v: Value) -> JsonData:
        t = type(v)
        if v is None or t is bool or t is str:
            return v
        if t is int:
            return v if v.bit_length() <= _MAX_PLAIN_INT_BITS else {"$int": hex(v)}
        if t is float:
            return v if math.isfinite(v) else {"$float": repr(v)}
        if t is datetime:
            return {"$datetime": v.isoformat()}
        if t is date:
            return {"$date": v.isoformat()}
        if t is list or t is dict:
            return self.container(v)
        raise BasicTypeError(f"cannot store a value of type {type_name(v)}")

    def container(self, v: list[Value] | dict[str, Value]) -> JsonData:
        key = id(v)
        if key in self.ids:
            return {"$ref": self.ids[key]}
        tag = "$list" if type(v) is list else "$map"
        if key in self.shared:
            self.ids[key] = len(self.ids)  # before the children, which may point back here
            return {"$id": self.ids[key], tag: self.body(v)}
        if type(v) is dict and any(k.startswith("$") for k in v):
            return {"$map": self.body(v)}
        return self.body(v)

    def body(self, v: list[Value] | dict[str, Value]) -> JsonData:
        if type(v) is list:
            return [self.encode(item) for item in v]
        return {k: self.encode(item) for k, item in v.items()}  # type: ignore[union-attr]


class _Decoder:
    __slots__ = ("refs",)

    def __init__(self) -> None:
        self.refs: dict[int, list[Value] | dict[str, Value]] = {}

    def decode(self, data: JsonData) -> Value:
        t = type(data)
        if t is list:
            return [self.decode(item) for item in data]
        if t is dict:
            return self.tagged(data) if any(k.startswith("$") for k in data) else self.plain(data)
        return data

    def plain(self, data: dict[str, JsonData]) -> dict[str, Value]:
        return {k: self.decode(item) for k, item in data.items()}

    def tagged(self, data: dict[str, JsonData]) -> Value:
        try:
            return self._tagged(data)
        except (KeyError, TypeError, ValueError):
            raise BasicValueError(f"corrupt stored value: {str(data)[:80]}") from None

    def _tagged(self, data: dict[str, JsonData]) -> Value:
        if "$list" in data:
            items: list[Value] = self._register(data, [])  # type: ignore[assignment]
            items.extend(self.decode(item) for item in data["$list"])
            return items
        if "$map" in data:
            entries: dict[str, Value] = self._register(data, {})  # type: ignore[assignment]
            for k, item in data["$map"].items():
                entries[k] = self.decode(item)
            return entries
        ((tag, payload),) = data.items()
        return _SCALAR_TAGS[tag](self, payload)

    def _register(
        self, data: dict[str, JsonData], target: list[Value] | dict[str, Value]
    ) -> list[Value] | dict[str, Value]:
        if "$id" in data:
            self.refs[int(data["$id"])] = target
        return target


_SCALAR_TAGS: Final[dict[str, Callable[[_Decoder, Any], Value]]] = {
    "$ref": lambda decoder, n: decoder.refs[int(n)],
    "$date": lambda _, s: date.fromisoformat(s),
    "$datetime": lambda _, s: datetime.fromisoformat(s),
    "$float": lambda _, s: float(s),
    "$int": lambda _, s: int(s, 16),
}
