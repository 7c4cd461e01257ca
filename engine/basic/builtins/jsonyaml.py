"""TOJSON, FROMJSON and TOYAML (BASIC.md §10.6).

TOYAML writes block YAML by hand rather than through a YAML library so the layout is exactly
the one §10.6 describes (list items at their key's indentation, minimal quoting).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Final

from engine.basic import values
from engine.basic.builtins.registry import FunctionContext, builtin
from engine.basic.errors import BasicValueError
from engine.basic.query import Value

# Plain scalars a YAML reader would not take as a string: YAML 1.1 booleans and nulls (the
# ones most readers still honour), numbers in any base or with separators, and timestamps.
_SPECIAL_WORDS = frozenset(
    {"null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", ".inf", "-.inf", ".nan"}
)
_NUMBER_LIKE = re.compile(r"[-+]?(?:\.?[0-9][0-9_,:.]*(?:[eE][-+]?[0-9]+)?|0[xob][0-9a-fA-F_]+)")
_DATE_LIKE = re.compile(r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt ].*)?")
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`=<")
# Characters YAML cannot hold in a plain or single-quoted scalar: controls (tab and line
# breaks included), NEL, the Unicode line separators, the byte-order mark, lone surrogates.
_UNPRINTABLE = re.compile(
    "[^\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
_ESCAPES: Final = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\t": "\\t", "\r": "\\r"}


@builtin("TOJSON", min_args=1)
def tojson(ctx: FunctionContext, args: list[Value]) -> Value:
    return values.json_text(args[0])


@builtin("FROMJSON", min_args=1)
def fromjson(ctx: FunctionContext, args: list[Value]) -> Value:
    """The decoded value of JSON text; a non-string argument comes back unchanged."""
    v = args[0]
    return values.from_json_text(v) if type(v) is str else v


@builtin("TOYAML", min_args=1)
def toyaml(ctx: FunctionContext, args: list[Value]) -> Value:
    return to_yaml(args[0])


def to_yaml(v: Value) -> str:
    """Block YAML text of ``v``, without a trailing line break."""
    t = type(v)
    if (t is dict or t is list) and v:
        return "\n".join(_block(v, 0, set()))
    return _scalar(v)


def _block(v: Value, indent: int, path: set[int]) -> list[str]:
    if id(v) in path:
        raise BasicValueError("cannot convert a value that contains itself to YAML")
    path.add(id(v))
    lines = _map_lines(v, indent, path) if type(v) is dict else _list_lines(v, indent, path)
    path.discard(id(v))
    return lines


def _is_block(v: Value) -> bool:
    return type(v) in (dict, list) and len(v) > 0


def _map_lines(m: dict[str, Value], indent: int, path: set[int]) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for key, item in m.items():
        head = f"{pad}{_string(key)}:"
        if not _is_block(item):
            lines.append(f"{head} {_scalar(item)}")
            continue
        lines.append(head)
        # A list under a key sits at the key's own indentation (§10.6); a map goes 2 deeper.
        lines.extend(_block(item, indent + (2 if type(item) is dict else 0), path))
    return lines


def _list_lines(items: list[Value], indent: int, path: set[int]) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for item in items:
        if not _is_block(item):
            lines.append(f"{pad}- {_scalar(item)}")
            continue
        # A nested block starts on the dash line: lay it out 2 deeper, then put the dash in.
        nested = _block(item, indent + 2, path)
        nested[0] = f"{pad}- {nested[0][indent + 2 :]}"
        lines.extend(nested)
    return lines


def _scalar(v: Value) -> str:
    t = type(v)
    if t is str:
        return _string(v)
    if t is float and not math.isfinite(v):
        return ".nan" if v != v else (".inf" if v > 0 else "-.inf")
    if t is list:
        return "[]"
    if t is dict:
        return "{}"
    if v is None:
        return "null"
    if t is datetime:
        return v.isoformat(sep=" ")  # type: ignore[no-any-return]
    if t is date:
        return v.isoformat()  # type: ignore[no-any-return]
    return values.text(v)


def _string(s: str) -> str:
    if _UNPRINTABLE.search(s):
        return '"' + "".join(_escape(ch) for ch in s) + '"'
    if _needs_quotes(s):
        return "'" + s.replace("'", "''") + "'"
    return s


def _escape(ch: str) -> str:
    """``ch`` inside a double-quoted YAML scalar."""
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    if not _UNPRINTABLE.match(ch):
        return ch
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _needs_quotes(s: str) -> bool:
    """Whether ``s`` written plain would read as another type or break the line's syntax."""
    return (
        s == ""
        or s != s.strip()
        or s[0] in _INDICATORS
        or s.endswith(":")
        or ": " in s
        or "#" in s
        or s.lower() in _SPECIAL_WORDS
        or _NUMBER_LIKE.fullmatch(s) is not None
        or _DATE_LIKE.fullmatch(s) is not None
    )
