"""Tools (BASIC.md §11): PARAM specs, the OpenAI and MCP descriptors, argument coercion.

The parser builds one :class:`ParamSpec` per PARAM line; everything here is pure. Coercion
is the decision of §11.4: a value that cannot be coerced raises :class:`BasicTypeError` with
``argument 'qty': expected integer, got "abc"``, which the VM returns to the LLM.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from engine.basic.errors import BasicTypeError, BasicValueError
from engine.basic.query import Value
from engine.basic.validators import (
    canonical_type,
    parse_boolean,
    parse_date,
    parse_datetime,
    round_money,
    validate,
)
from engine.basic.values import from_json_text, json_text, parse_numeric, text


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One PARAM line (§11.2). ``type`` is upper case as written; ``item_type`` is the x of
    ``ARRAY OF x``. ``has_example``/``has_default`` tell a null LIKE/DEFAULT from none."""

    name: str
    type: str = "STRING"
    item_type: str | None = None
    example: Value = None
    has_example: bool = False
    description: str | None = None
    enum: tuple[str, ...] | None = None
    optional: bool = False
    default: Value = None
    has_default: bool = False
    line: int = 0

    @property
    def required(self) -> bool:
        """OPTIONAL or a DEFAULT takes a parameter out of ``required``."""
        return not (self.optional or self.has_default)


# --- names and types -----------------------------------------------------------------------

_TOOL_NAME_RE = re.compile(r"[^A-Za-z0-9_-]")


def tool_name(file_stem: str) -> str:
    """The tool name of a script: other characters become ``_``, cut to 64 (§11.1)."""
    return _TOOL_NAME_RE.sub("_", file_stem)[:64]


# PARAM type -> coercion kind. HEAR types not listed here are "validated" (or "string" when
# there is nothing to validate: TEXT, the file types and unknown names).
_KINDS = {
    **dict.fromkeys(("STRING", "TEXT"), "string"),
    **dict.fromkeys(("INTEGER", "INT", "NUMBER"), "integer"),
    **dict.fromkeys(("FLOAT", "DOUBLE", "DECIMAL"), "number"),
    **dict.fromkeys(("MONEY", "CURRENCY", "AMOUNT"), "money"),
    **dict.fromkeys(("BOOLEAN", "BOOL"), "boolean"),
    "DATE": "date",
    "DATETIME": "datetime",
    **dict.fromkeys(("ARRAY", "LIST"), "array"),
    **dict.fromkeys(("OBJECT", "MAP"), "object"),
}
_UNVALIDATED_HEAR_TYPES = frozenset(
    {"TEXT", "FILE", "DOCUMENT", "IMAGE", "AUDIO", "VIDEO", "QRCODE"}
)
_JSON_TYPES = {
    "string": "string",
    "validated": "string",
    "integer": "integer",
    "number": "number",
    "money": "number",
    "boolean": "boolean",
    "date": "string",
    "datetime": "string",
    "array": "array",
    "object": "object",
}
_FORMATS = {"DATE": "date", "DATETIME": "date-time", "EMAIL": "email", "URL": "uri", "UUID": "uuid"}


def _kind(type_name: str) -> str:
    upper = type_name.upper()
    if upper in _KINDS:
        return _KINDS[upper]
    hear = canonical_type(upper)
    return "string" if hear is None or hear in _UNVALIDATED_HEAR_TYPES else "validated"


def _format(type_name: str) -> str | None:
    upper = type_name.upper()
    return _FORMATS.get(upper) or _FORMATS.get(canonical_type(upper) or "")


def _type_schema(type_name: str, item_type: str | None) -> dict[str, Any]:
    """``type`` and, when applicable, ``format`` or ``items`` of one type (§11.2 table)."""
    kind = _kind(type_name)
    schema: dict[str, Any] = {"type": _JSON_TYPES[kind]}
    if (fmt := _format(type_name)) is not None:
        schema["format"] = fmt
    if kind == "array":
        schema["items"] = _type_schema(item_type or "STRING", None)
    return schema


# --- descriptors ---------------------------------------------------------------------------


def _property(param: ParamSpec) -> dict[str, Any]:
    """Keys in the order §11.3 lists them: type, description, format, enum, example,
    default, items."""
    schema = _type_schema(param.type, param.item_type)
    prop: dict[str, Any] = {"type": schema["type"], "description": param.description or ""}
    if "format" in schema:
        prop["format"] = schema["format"]
    if param.enum is not None:
        prop["enum"] = list(param.enum)
    if param.has_example:
        prop["example"] = copy.deepcopy(param.example)
    if param.has_default:
        prop["default"] = copy.deepcopy(param.default)
    if "items" in schema:
        prop["items"] = schema["items"]
    return prop


def _input_schema(params: Sequence[ParamSpec]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {param.name: _property(param) for param in params},
        "required": [param.name for param in params if param.required],
    }


def openai_descriptor(
    name: str, description: str | None, params: Sequence[ParamSpec]
) -> dict[str, Any]:
    """The OpenAI function descriptor (``NAME.tool.json``, §11.3)."""
    function = {"name": name, "description": description or "", "parameters": _input_schema(params)}
    return {"type": "function", "function": function}


def mcp_descriptor(
    name: str, description: str | None, params: Sequence[ParamSpec]
) -> dict[str, Any]:
    """The MCP tool descriptor (``NAME.mcp.json``, §11.3)."""
    return {"name": name, "description": description or "", "inputSchema": _input_schema(params)}


# --- coercion ------------------------------------------------------------------------------
# Each coercer returns the coerced value, or None when the value does not fit the type.

_INTEGER_TEXT_RE = re.compile(r"\s*[+-]?[0-9]+\s*")

Coercer = Callable[[Value, dt.date], Value]


def _to_string(value: Value, today: dt.date) -> Value:
    return text(value)


def _to_integer(value: Value, today: dt.date) -> Value:
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    if type(value) is str and _INTEGER_TEXT_RE.fullmatch(value):
        return parse_numeric(value)  # an integer, whatever its length
    return None


def _to_number(value: Value, today: dt.date) -> Value:
    number: Value = parse_numeric(value) if type(value) is str else value
    if type(number) not in (int, float):
        return None
    try:
        result = float(number)
    except OverflowError:  # an integer beyond the float range
        return None
    return result if math.isfinite(result) else None


def _to_money(value: Value, today: dt.date) -> Value:
    number = _to_number(value, today)
    return None if number is None else round_money(number)


def _to_boolean(value: Value, today: dt.date) -> Value:
    if type(value) is bool:
        return value
    if type(value) in (int, float) and value in (0, 1):
        return bool(value)
    return parse_boolean(value) if type(value) is str else None


def _to_date(value: Value, today: dt.date) -> Value:
    if type(value) is dt.date:
        return value
    if type(value) is dt.datetime:
        return value.date()
    if type(value) is not str:
        return None
    moment = parse_datetime(value)
    return moment.date() if moment else parse_date(value, today)


def _to_datetime(value: Value, today: dt.date) -> Value:
    if type(value) is dt.datetime:
        return value
    day = value if type(value) is dt.date else None
    if type(value) is str:
        day = parse_datetime(value) or parse_date(value, today)
    if type(day) is dt.date:
        return dt.datetime.combine(day, dt.time())
    return day


def _decoded(value: Value, wanted: type) -> Value:
    """``value`` itself when of the ``wanted`` type, else the value its JSON text holds."""
    if type(value) is str:
        try:
            value = from_json_text(value)
        except BasicValueError:
            return None
    return value if type(value) is wanted else None


def _to_object(value: Value, today: dt.date) -> Value:
    return _decoded(value, dict)


_COERCERS: dict[str, Coercer] = {
    "string": _to_string,
    "integer": _to_integer,
    "number": _to_number,
    "money": _to_money,
    "boolean": _to_boolean,
    "date": _to_date,
    "datetime": _to_datetime,
    "object": _to_object,
}


def _coerce(type_name: str, item_type: str | None, value: Value, today: dt.date) -> Value:
    kind = _kind(type_name)
    if kind == "array":
        return _to_array(item_type, value, today)
    if kind == "validated":
        return _to_validated(type_name, value, today)
    return _COERCERS[kind](value, today)


def _to_array(item_type: str | None, value: Value, today: dt.date) -> Value:
    items = _decoded(value, list)
    if items is None or item_type is None:
        return items
    coerced = [None if item is None else _coerce(item_type, None, item, today) for item in items]
    failed = any(new is None and old is not None for old, new in zip(items, coerced))
    return None if failed else coerced


def _to_validated(type_name: str, value: Value, today: dt.date) -> Value:
    if type(value) not in (str, int, float):
        return None
    return validate(type_name, text(value), today).value


def _expected(param: ParamSpec) -> str:
    kind = _kind(param.type)
    if kind == "array" and param.item_type:
        return f"array of {param.item_type.lower()}"
    if kind == "validated":
        return param.type.lower()
    return {"money": "number", "string": "string"}.get(kind, kind)


def _shown(value: Value) -> str:
    return json_text(value) if type(value) in (str, list, dict) else text(value)


def coerce_argument(param: ParamSpec, value: Value, today: dt.date) -> Value:
    """A tool argument coerced to its PARAM type and ENUM (§11.4); null stays null.

    ``today`` anchors relative dates (``tomorrow``). Raises :class:`BasicTypeError` when the
    value does not fit.
    """
    if value is None:
        return None
    coerced = _coerce(param.type, param.item_type, value, today)
    if coerced is None:
        raise BasicTypeError(
            f"argument '{param.name}': expected {_expected(param)}, got {_shown(value)}"
        )
    return coerced if param.enum is None else _enum_value(param, param.enum, coerced)


def _enum_value(param: ParamSpec, options: tuple[str, ...], value: Value) -> Value:
    """The declared spelling of the option ``value`` equals ignoring case; non-strings keep
    their type (an INTEGER ENUM compares text forms)."""
    folded = text(value).casefold()
    for option in options:
        if option.casefold() == folded:
            return option if type(value) is str else value
    listed = ", ".join(json_text(option) for option in options)
    raise BasicTypeError(f"argument '{param.name}': expected one of {listed}, got {_shown(value)}")
