"""Array and map built-ins (BASIC.md §10.5, FIRST/LAST of §7.8).

``COUNT``, ``SORT`` and the other row functions live in ``rows.py``; ``CONTAINS`` with the
string functions. Arrays are shared by reference, so PUSH and POP change their argument.
"""

from __future__ import annotations

from typing import Any

from engine.basic import sizes, values
from engine.basic.builtins.math import int_arg
from engine.basic.builtins.registry import FunctionContext, builtin
from engine.basic.errors import BasicTypeError
from engine.basic.query import Value


def _array(name: str, v: Value) -> list[Value]:
    if type(v) is not list:
        raise BasicTypeError(f"{name} needs an array, got {values.type_name(v)}")
    return v


def _map(name: str, v: Value) -> dict[str, Value]:
    if type(v) is not dict:
        raise BasicTypeError(f"{name} needs a map, got {values.type_name(v)}")
    return v


@builtin("UBOUND", min_args=1)
def ubound(ctx: FunctionContext, args: list[Value]) -> Value:
    """The last index: ``LEN - 1``, so -1 for an empty array or null."""
    v = args[0]
    if v is None:
        return -1
    if type(v) is str:
        return len(v) - 1
    return len(_array("UBOUND", v)) - 1


@builtin("LBOUND", min_args=1)
def lbound(ctx: FunctionContext, args: list[Value]) -> Value:
    return 0


@builtin("ARRAY", "NEW_ARRAY", max_args=None)
def array(ctx: FunctionContext, args: list[Value]) -> Value:
    return list(args)


@builtin("NEW_OBJECT", "CREATE_OBJECT")
def new_object(ctx: FunctionContext, args: list[Value]) -> Value:
    return {}


@builtin("PUSH", "APPEND", min_args=2)
def push(ctx: FunctionContext, args: list[Value]) -> Value:
    """Append in place and return the array; a null array gives a new one."""
    target, item = args
    if target is None:
        return [item]
    items = _array("PUSH", target)
    if len(items) >= sizes.SMALL_SIZE:
        sizes.check_count(len(items) + 1)
    items.append(item)
    return items


@builtin("POP", min_args=1)
def pop(ctx: FunctionContext, args: list[Value]) -> Value:
    """Remove and return the last element (null when empty)."""
    if args[0] is None:
        return None
    items = _array("POP", args[0])
    return items.pop() if items else None


def _identity(v: Value) -> Any:
    """A hashable key that tells values apart by type and value (1, 1.0 and "1" differ)."""
    t = type(v)
    if t is list:
        return (list, tuple(_identity(item) for item in v))
    if t is dict:
        return (dict, tuple((k, _identity(item)) for k, item in v.items()))
    if t is float and v != v:
        return (float, "nan")
    return (t, v)


@builtin("UNIQUE", "DISTINCT", min_args=1)
def unique(ctx: FunctionContext, args: list[Value]) -> Value:
    """First occurrences in order; elements are the same when type and value are."""
    if args[0] is None:
        return []
    seen: set[Any] = set()
    result: list[Value] = []
    for item in _array("UNIQUE", args[0]):
        key = _identity(item)
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result


@builtin("REVERSE", min_args=1)
def reverse(ctx: FunctionContext, args: list[Value]) -> Value:
    """A new reversed array, or the reversed text form of anything else."""
    v = args[0]
    if type(v) is list:
        return v[::-1]
    return values.text(v)[::-1]


@builtin("SLICE", min_args=2, max_args=3)
def slice_(ctx: FunctionContext, args: list[Value]) -> Value:
    """Elements from ``start`` up to, not including, ``end``; negatives count from the end."""
    v = args[0]
    start = int_arg(args[1])
    end = int_arg(args[2]) if len(args) > 2 and args[2] is not None else None
    if v is None:
        return []
    if type(v) is str:
        return v[start:end]
    return _array("SLICE", v)[start:end]


@builtin("INDEX_OF", min_args=2)
def index_of(ctx: FunctionContext, args: list[Value]) -> Value:
    """First index of an element ``= x`` (-1 if none); in a string, of a substring."""
    container, x = args
    if container is None:
        return -1
    if type(container) is str:
        return container.find(values.text(x))
    items = _array("INDEX_OF", container)
    return next((i for i, item in enumerate(items) if values.equals(item, x)), -1)


@builtin("KEYS", min_args=1)
def keys(ctx: FunctionContext, args: list[Value]) -> Value:
    return [] if args[0] is None else list(_map("KEYS", args[0]))


@builtin("VALUES", min_args=1)
def values_(ctx: FunctionContext, args: list[Value]) -> Value:
    return [] if args[0] is None else list(_map("VALUES", args[0]).values())


def _ends(name: str, v: Value) -> list[Value]:
    """What FIRST/LAST pick from: an array's elements or a text's words."""
    if type(v) is list:
        return v
    if type(v) is dict:
        raise BasicTypeError(f"{name} needs an array or a string, got map")
    return values.text(v).split()


@builtin("FIRST", min_args=1)
def first(ctx: FunctionContext, args: list[Value]) -> Value:
    """The first element of an array or word of a string; null when there is none."""
    items = _ends("FIRST", args[0])
    return items[0] if items else None


@builtin("LAST", min_args=1)
def last(ctx: FunctionContext, args: list[Value]) -> Value:
    items = _ends("LAST", args[0])
    return items[-1] if items else None
