"""JavaScript-flavoured method calls on values (docs/basic-compatibility.md, E3).

``s.trim()``, ``name.toUpperCase()``, ``list.includes(x)``, ``parts.join(", ")``… Each method
has the meaning it has in JavaScript, written with the built-ins of BASIC.md §10 where they
agree; where they differ the JavaScript meaning wins (``includes``/``startsWith`` are
case-sensitive, ``join`` defaults to ``","``, ``replace`` replaces the first occurrence), as
the script's author wrote JavaScript. ``JSON.parse``/``JSON.stringify`` and ``Math.*`` are
the static calls of the same table. The table is the single source of truth: the compiler
looks names up here, an unknown name is a compile-time diagnostic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from engine.basic import values
from engine.basic.builtins import FUNCTIONS
from engine.basic.builtins.math import int_arg
from engine.basic.builtins.registry import FunctionContext
from engine.basic.errors import BasicTypeError
from engine.basic.query import Value

MethodFn = Callable[[FunctionContext, Value, list[Value]], Value]


@dataclass(frozen=True, slots=True)
class Method:
    fn: MethodFn
    min_args: int
    max_args: int

    def check_arity(self, name: str, count: int) -> None:
        if not self.min_args <= count <= self.max_args:
            expected = str(self.min_args) if self.min_args == self.max_args \
                else f"{self.min_args} to {self.max_args}"
            raise BasicTypeError(f".{name}() takes {expected} argument(s), got {count}")


def _builtin(name: str) -> MethodFn:
    """The built-in ``name`` with the receiver as its first argument."""
    entry = FUNCTIONS[name]
    return lambda ctx, this, args: entry.fn(ctx, [this, *args])


def _includes(ctx: FunctionContext, this: Value, args: list[Value]) -> Value:
    if type(this) is list:
        return any(values.equals(item, args[0]) for item in this)
    return this is not None and values.text(args[0]) in values.text(this)


def _index_of(ctx: FunctionContext, this: Value, args: list[Value]) -> Value:
    if type(this) is list:
        return next((i for i, item in enumerate(this) if values.equals(item, args[0])), -1)
    return values.text(this).find(values.text(args[0]))


def _last_index_of(ctx: FunctionContext, this: Value, args: list[Value]) -> Value:
    if type(this) is list:
        found = [i for i, item in enumerate(this) if values.equals(item, args[0])]
        return found[-1] if found else -1
    return values.text(this).rfind(values.text(args[0]))


def _split(ctx: FunctionContext, this: Value, args: list[Value]) -> Value:
    text = values.text(this)
    if not args or args[0] is None:
        return [text]
    separator = values.text(args[0])
    return list(text) if separator == "" else text.split(separator)


def _join(ctx: FunctionContext, this: Value, args: list[Value]) -> Value:
    separator = values.text(args[0]) if args and args[0] is not None else ","
    return FUNCTIONS["JOIN"].fn(ctx, [this, separator])


def _sequence(this: Value) -> list[Value] | str:
    return this if type(this) is list else values.text(this)


def _slice(ctx: FunctionContext, this: Value, args: list[Value]) -> Value:
    seq = _sequence(this)
    start = int_arg(args[0]) if args else 0
    end = int_arg(args[1]) if len(args) > 1 and args[1] is not None else len(seq)
    return seq[start:end] if type(seq) is str else list(seq[start:end])


def _substring(ctx: FunctionContext, this: Value, args: list[Value]) -> Value:
    text = values.text(this)
    start = min(max(int_arg(args[0]), 0), len(text))
    end = min(max(int_arg(args[1]), 0), len(text)) if len(args) > 1 else len(text)
    return text[min(start, end):max(start, end)]


def _substr(ctx: FunctionContext, this: Value, args: list[Value]) -> Value:
    text = values.text(this)
    start = int_arg(args[0])
    start = max(len(text) + start, 0) if start < 0 else start
    length = int_arg(args[1]) if len(args) > 1 else len(text)
    return text[start:start + max(length, 0)]


def _char_at(ctx: FunctionContext, this: Value, args: list[Value]) -> Value:
    text = values.text(this)
    index = int_arg(args[0]) if args else 0
    return text[index] if 0 <= index < len(text) else ""


def _replace_first(ctx: FunctionContext, this: Value, args: list[Value]) -> Value:
    return values.text(this).replace(values.text(args[0]), values.text(args[1]), 1)


def _to_fixed(ctx: FunctionContext, this: Value, args: list[Value]) -> Value:
    digits = int_arg(args[0]) if args else 0
    rounded = FUNCTIONS["ROUND"].fn(ctx, [this, digits])
    return f"{values.to_number(rounded):.{max(digits, 0)}f}"


def _concat(ctx: FunctionContext, this: Value, args: list[Value]) -> Value:
    if type(this) is list:
        joined = list(this)
        for arg in args:
            joined.extend(arg if type(arg) is list else [arg])
        return joined
    return values.text(this) + "".join(values.text(a) for a in args)


def _push(ctx: FunctionContext, this: Value, args: list[Value]) -> Value:
    if type(this) is not list:
        raise BasicTypeError(f".push() needs an array, not {values.type_name(this)}")
    this.extend(args)
    return len(this)


def _pad(at_start: bool) -> MethodFn:
    def pad(ctx: FunctionContext, this: Value, args: list[Value]) -> Value:
        text = values.text(this)
        filler = values.text(args[1]) if len(args) > 1 else " "
        missing = int_arg(args[0]) - len(text)
        if missing <= 0 or filler == "":
            return text
        padding = (filler * (missing // len(filler) + 1))[:missing]
        return padding + text if at_start else text + padding
    return pad


def _case(fn: Callable[[str], str]) -> MethodFn:
    return lambda ctx, this, args: fn(values.text(this))


def _test(fn: Callable[[str, str], bool]) -> MethodFn:
    return lambda ctx, this, args: fn(values.text(this), values.text(args[0]))


# method name (lower case) -> implementation and argument counts
METHODS: dict[str, Method] = {
    "trim": Method(_builtin("TRIM"), 0, 0),
    "trimstart": Method(_builtin("LTRIM"), 0, 0),
    "trimleft": Method(_builtin("LTRIM"), 0, 0),
    "trimend": Method(_builtin("RTRIM"), 0, 0),
    "trimright": Method(_builtin("RTRIM"), 0, 0),
    "touppercase": Method(_case(str.upper), 0, 0),
    "tolowercase": Method(_case(str.lower), 0, 0),
    "tostring": Method(_case(str), 0, 0),
    "includes": Method(_includes, 1, 1),
    "indexof": Method(_index_of, 1, 1),
    "lastindexof": Method(_last_index_of, 1, 1),
    "startswith": Method(_test(str.startswith), 1, 1),
    "endswith": Method(_test(str.endswith), 1, 1),
    "split": Method(_split, 0, 1),
    "join": Method(_join, 0, 1),
    "replace": Method(_replace_first, 2, 2),
    "replaceall": Method(_builtin("REPLACE"), 2, 2),
    "slice": Method(_slice, 0, 2),
    "substring": Method(_substring, 1, 2),
    "substr": Method(_substr, 1, 2),
    "charat": Method(_char_at, 0, 1),
    "padstart": Method(_pad(True), 1, 2),
    "padend": Method(_pad(False), 1, 2),
    "repeat": Method(lambda ctx, this, args: values.text(this) * max(int_arg(args[0]), 0), 1, 1),
    "tofixed": Method(_to_fixed, 0, 1),
    "concat": Method(_concat, 0, 99),
    "push": Method(_push, 1, 99),
    "pop": Method(_builtin("POP"), 0, 0),
    "reverse": Method(_builtin("REVERSE"), 0, 0),
    "sort": Method(_builtin("SORT"), 0, 0),
}

# ``JSON.parse(s)``, ``Math.max(a, b)``: (object, method) -> built-in of the same meaning
STATIC_CALLS: dict[tuple[str, str], str] = {
    ("json", "parse"): "FROMJSON",
    ("json", "stringify"): "TOJSON",
    **{("math", name.lower()): name for name in
       ("ABS", "FLOOR", "CEIL", "ROUND", "SQRT", "POW", "MIN", "MAX", "EXP", "LOG",
        "SIN", "COS", "TAN", "ATAN")},
    ("math", "random"): "RND",
}
