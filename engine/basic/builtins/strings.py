"""String built-ins (BASIC.md §10.1).

Text arguments accept any value through its text form (null is ``""``); counts and positions
accept numbers and numeric strings (null is 0). ``JOIN`` lives with the row functions.
"""

from __future__ import annotations

import re

from engine.basic import sizes, values
from engine.basic.builtins.math import int_arg
from engine.basic.builtins.registry import FunctionContext, builtin
from engine.basic.errors import BasicValueError
from engine.basic.query import Value

_NUMERIC_PREFIX = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_MAX_CODE_POINT = 0x10FFFF


@builtin("LEN", min_args=1)
def len_(ctx: FunctionContext, args: list[Value]) -> Value:
    """Characters of a string, elements of an array, keys of a map; 0 for null."""
    x = args[0]
    if type(x) in (str, list, dict):
        return len(x)
    return len(values.text(x))


@builtin("LEFT", min_args=2)
def left(ctx: FunctionContext, args: list[Value]) -> Value:
    n = int_arg(args[1])
    return values.text(args[0])[:n] if n > 0 else ""


@builtin("RIGHT", min_args=2)
def right(ctx: FunctionContext, args: list[Value]) -> Value:
    n = int_arg(args[1])
    return values.text(args[0])[-n:] if n > 0 else ""


@builtin("MID", min_args=2, max_args=3)
def mid(ctx: FunctionContext, args: list[Value]) -> Value:
    """From the 1-based ``start`` (< 1 counts as 1), ``length`` characters or to the end."""
    s = values.text(args[0])
    start = max(int_arg(args[1]), 1) - 1
    if len(args) < 3 or args[2] is None:
        return s[start:]
    length = int_arg(args[2])
    return s[start : start + length] if length > 0 else ""


@builtin("INSTR", min_args=2, max_args=3)
def instr(ctx: FunctionContext, args: list[Value]) -> Value:
    """``INSTR([start,] s, sub)``: 1-based position of ``sub`` at or after ``start``, else 0."""
    start = max(int_arg(args[0]), 1) if len(args) == 3 else 1
    s, sub = (values.text(a) for a in args[-2:])
    if sub == "":
        return start
    return s.find(sub, start - 1) + 1


@builtin("UCASE", "UPPER", min_args=1)
def ucase(ctx: FunctionContext, args: list[Value]) -> Value:
    return values.text(args[0]).upper()


@builtin("LCASE", "LOWER", min_args=1)
def lcase(ctx: FunctionContext, args: list[Value]) -> Value:
    return values.text(args[0]).lower()


@builtin("TRIM", min_args=1)
def trim(ctx: FunctionContext, args: list[Value]) -> Value:
    return values.text(args[0]).strip()


@builtin("LTRIM", min_args=1)
def ltrim(ctx: FunctionContext, args: list[Value]) -> Value:
    return values.text(args[0]).lstrip()


@builtin("RTRIM", min_args=1)
def rtrim(ctx: FunctionContext, args: list[Value]) -> Value:
    return values.text(args[0]).rstrip()


@builtin("REPLACE", min_args=3)
def replace(ctx: FunctionContext, args: list[Value]) -> Value:
    s, find, with_ = (values.text(a) for a in args)
    if not find:
        return s
    growth = len(with_) - len(find)
    if growth > 0:  # refuse before building
        longest = len(s) + (len(s) // len(find)) * growth
        if longest > sizes.SMALL_SIZE:
            sizes.check_length(len(s) + s.count(find) * growth)
    return s.replace(find, with_)


@builtin("SPLIT", min_args=1, max_args=2)
def split(ctx: FunctionContext, args: list[Value]) -> Value:
    """Parts of ``s`` between ``sep`` (default one space); ``""`` → []; ``sep`` ``""`` → chars."""
    s = values.text(args[0])
    sep = values.text(args[1]) if len(args) > 1 else " "
    if s == "":
        return []
    if len(s) > sizes.SMALL_SIZE:  # refuse before building
        sizes.check_count(len(s) if sep == "" else s.count(sep) + 1)
    return list(s) if sep == "" else s.split(sep)


@builtin("STR", "CSTR", min_args=1)
def str_(ctx: FunctionContext, args: list[Value]) -> Value:
    return values.text(args[0])


@builtin("VAL", min_args=1)
def val(ctx: FunctionContext, args: list[Value]) -> Value:
    """The longest numeric prefix after leading spaces (``VAL("42 kg")`` → 42), else 0."""
    x = args[0]
    if values.is_number(x):
        return x
    match = _NUMERIC_PREFIX.match(values.text(x).lstrip())
    if match is None:
        return 0
    return values.parse_numeric(match.group())


@builtin("CHR", min_args=1)
def chr_(ctx: FunctionContext, args: list[Value]) -> Value:
    code = int_arg(args[0])
    if not 0 <= code <= _MAX_CODE_POINT or 0xD800 <= code <= 0xDFFF:
        raise BasicValueError(f"{code} is not a Unicode character code")
    return chr(code)


@builtin("ASC", min_args=1)
def asc(ctx: FunctionContext, args: list[Value]) -> Value:
    s = values.text(args[0])
    if s == "":
        raise BasicValueError("ASC of an empty string")
    return ord(s[0])


@builtin("CONTAINS", min_args=2)
def contains(ctx: FunctionContext, args: list[Value]) -> Value:
    """Strings ignoring case; arrays by ``=``; maps by key; null → false."""
    x, y = args
    t = type(x)
    if t is list:
        return any(values.equals(item, y) for item in x)
    if t is dict:
        return values.map_has(x, values.text(y))
    if x is None:
        return False
    return values.text(y).casefold() in values.text(x).casefold()


@builtin("STARTSWITH", min_args=2)
def startswith(ctx: FunctionContext, args: list[Value]) -> Value:
    s, prefix = (values.text(a).casefold() for a in args)
    return s.startswith(prefix)


@builtin("ENDSWITH", min_args=2)
def endswith(ctx: FunctionContext, args: list[Value]) -> Value:
    s, suffix = (values.text(a).casefold() for a in args)
    return s.endswith(suffix)
