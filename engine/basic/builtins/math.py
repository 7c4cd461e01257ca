"""Math built-ins (BASIC.md §10.3) and the number helpers other built-in modules share."""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Context, Decimal

from engine.basic import values
from engine.basic.builtins.registry import FunctionContext, builtin
from engine.basic.errors import BasicValueError
from engine.basic.query import Value
from engine.basic.values import Number


def int_arg(v: Value) -> int:
    """A whole-number argument: null is 0, numeric strings convert, fractions are truncated."""
    n = values.to_number(v)
    if type(n) is int:
        return n
    if not math.isfinite(n):
        raise BasicValueError(f"expected a whole number, got {values.text(n)}")
    return int(n)


def exact_decimal(x: Number) -> Decimal:
    """``x`` as a Decimal; a float counts as its shortest decimal form, so 1.005 stays 1.005."""
    if type(x) is float and not math.isfinite(x):
        raise BasicValueError(f"cannot round {values.text(x)}")
    return Decimal(repr(x)) if type(x) is float else Decimal(x)


def round_half_away(x: Number, places: int) -> Decimal:
    """``x`` rounded half away from zero to ``places`` decimals (negative: tens, hundreds…)."""
    return round_decimal(exact_decimal(x), places)


def round_decimal(d: Decimal, places: int) -> Decimal:
    """``d`` rounded half away from zero; a value with fewer decimals comes back unchanged."""
    exponent = d.as_tuple().exponent
    if isinstance(exponent, int) and exponent >= -places:
        return d  # already has no more decimals than asked
    if places < -(d.adjusted() + 1):
        return Decimal(0)  # every digit is below the rounding position
    digits = max(d.adjusted(), 0) + max(places, 0) + 3
    step = Decimal(1).scaleb(-places)
    return d.quantize(step, rounding=ROUND_HALF_UP, context=Context(prec=digits))


def _rounded(d: Decimal, places: int) -> Number:
    if places == 0:
        return int(d)
    return _to_float(d)


def _to_float(x: Decimal | Number) -> float:
    try:
        return float(x)
    except OverflowError:
        raise BasicValueError("number too large for a float") from None


def _real(fn: Callable[[float], float], x: Number) -> float:
    """``fn(x)`` with Python's math errors turned into BASIC ValueErrors."""
    try:
        return fn(x)
    except (ValueError, OverflowError):
        raise BasicValueError(f"{fn.__name__}({values.text(x)}) is not defined") from None


def _whole(fn: Callable[[float], int], v: Value) -> int:
    x = values.to_number(v)
    if type(x) is int:
        return x
    if not math.isfinite(x):
        raise BasicValueError(f"{values.text(x)} has no integer part")
    return fn(x)


@builtin("ABS", min_args=1)
def abs_(ctx: FunctionContext, args: list[Value]) -> Value:
    return abs(values.to_number(args[0]))


@builtin("INT", min_args=1)
def int_(ctx: FunctionContext, args: list[Value]) -> Value:
    return _whole(math.floor, args[0])


@builtin("FIX", min_args=1)
def fix(ctx: FunctionContext, args: list[Value]) -> Value:
    return _whole(math.trunc, args[0])


@builtin("FLOOR", min_args=1)
def floor(ctx: FunctionContext, args: list[Value]) -> Value:
    return _whole(math.floor, args[0])


@builtin("CEIL", "CEILING", min_args=1)
def ceil(ctx: FunctionContext, args: list[Value]) -> Value:
    return _whole(math.ceil, args[0])


@builtin("ROUND", min_args=1, max_args=2)
def round_(ctx: FunctionContext, args: list[Value]) -> Value:
    """An integer without decimals (``ROUND(2.5)`` → 3), else a float (``ROUND(10, 2)`` → 10.0)."""
    places = int_arg(args[1]) if len(args) > 1 else 0
    return _rounded(round_half_away(values.to_number(args[0]), places), places)


@builtin("SQR", "SQRT", min_args=1)
def sqr(ctx: FunctionContext, args: list[Value]) -> Value:
    x = values.to_number(args[0])
    if x < 0:
        raise BasicValueError(f"cannot take the square root of {values.text(x)}")
    return _real(math.sqrt, x)


@builtin("POW", "POWER", min_args=2)
def pow_(ctx: FunctionContext, args: list[Value]) -> Value:
    return values.power(args[0], args[1])


@builtin("MOD", min_args=2)
def mod(ctx: FunctionContext, args: list[Value]) -> Value:
    return values.mod(args[0], args[1])


@builtin("SGN", min_args=1)
def sgn(ctx: FunctionContext, args: list[Value]) -> Value:
    x = values.to_number(args[0])
    return (x > 0) - (x < 0)


def _operands(args: list[Value]) -> list[Value]:
    """The values a MIN/MAX/SUM/AVG call works on: one array's elements, or the arguments."""
    if len(args) == 1 and type(args[0]) is list:
        return list(args[0])
    return args


def _extreme(args: list[Value], op: str) -> Value:
    best: Value = None
    for item in _operands(args):
        if item is not None and (best is None or values.compare(op, item, best)):
            best = item
    return best


@builtin("MIN", min_args=1, max_args=None)
def min_(ctx: FunctionContext, args: list[Value]) -> Value:
    """The smallest non-null value (§3.6 ordering); null when there is none."""
    return _extreme(args, "<")


@builtin("MAX", min_args=1, max_args=None)
def max_(ctx: FunctionContext, args: list[Value]) -> Value:
    return _extreme(args, ">")


def _numbers(args: list[Value]) -> list[Number]:
    return [values.to_number(item) for item in _operands(args) if item is not None]


@builtin("SUM", min_args=1, max_args=None)
def sum_(ctx: FunctionContext, args: list[Value]) -> Value:
    total: Value = 0
    for n in _numbers(args):
        total = values.add(total, n)
    return total


@builtin("AVG", "AVERAGE", min_args=1, max_args=None)
def avg(ctx: FunctionContext, args: list[Value]) -> Value:
    numbers = _numbers(args)
    if not numbers:
        return None
    return values.div(sum_(ctx, numbers), len(numbers))


@builtin("RANDOM", min_args=2)
def random_(ctx: FunctionContext, args: list[Value]) -> Value:
    low, high = sorted((int_arg(args[0]), int_arg(args[1])))
    return ctx.rng.randint(low, high)


@builtin("RND", max_args=1)
def rnd(ctx: FunctionContext, args: list[Value]) -> Value:
    # Classic BASIC passes a seed-like argument to RND; it is accepted and ignored.
    return ctx.rng.random()


def _positive(name: str, v: Value) -> Number:
    x = values.to_number(v)
    if x <= 0:
        raise BasicValueError(f"{name} needs a number greater than 0, got {values.text(x)}")
    return x


@builtin("EXP", min_args=1)
def exp(ctx: FunctionContext, args: list[Value]) -> Value:
    return _real(math.exp, values.to_number(args[0]))


@builtin("LOG", min_args=1)
def log(ctx: FunctionContext, args: list[Value]) -> Value:
    return _real(math.log, _positive("LOG", args[0]))


@builtin("LOG10", min_args=1)
def log10(ctx: FunctionContext, args: list[Value]) -> Value:
    return _real(math.log10, _positive("LOG10", args[0]))


@builtin("SIN", min_args=1)
def sin(ctx: FunctionContext, args: list[Value]) -> Value:
    return _real(math.sin, values.to_number(args[0]))


@builtin("COS", min_args=1)
def cos(ctx: FunctionContext, args: list[Value]) -> Value:
    return _real(math.cos, values.to_number(args[0]))


@builtin("TAN", min_args=1)
def tan(ctx: FunctionContext, args: list[Value]) -> Value:
    return _real(math.tan, values.to_number(args[0]))


@builtin("ATN", "ATAN", min_args=1)
def atn(ctx: FunctionContext, args: list[Value]) -> Value:
    return _real(math.atan, values.to_number(args[0]))


@builtin("PI")
def pi(ctx: FunctionContext, args: list[Value]) -> Value:
    return math.pi
