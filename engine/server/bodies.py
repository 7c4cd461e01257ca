"""Reading request bodies and writing JSON responses, with the server's limits."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar
from urllib.parse import quote

from aiohttp import web
from pydantic import BaseModel, ValidationError

from engine.server.errors import BadRequest, PayloadTooLarge
from engine.server.state import state_of

M = TypeVar("M", bound=BaseModel)
MAX_JSON_DEPTH = 64
"""How deeply arrays and objects may nest in a JSON body (deeper ones are refused, 400)."""


def _default(value: Any) -> Any:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    return str(value)


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=_default)


def json_response(data: Any, status: int = 200,
                  headers: dict[str, str] | None = None) -> web.Response:
    """``data`` as JSON. A string that is not valid Unicode (a file name with bytes that are
    not UTF-8 comes back from the OS with lone surrogates) is sent escaped (``\\udcff``)."""
    body = dumps(data).encode("utf-8", "backslashreplace")
    return web.Response(body=body, status=status, content_type="application/json",
                        charset="utf-8", headers=headers)


def no_content() -> web.Response:
    return web.Response(status=204)


_NOT_PLAIN = re.compile(r'[^\x20-\x7e]|["\\%]')
_ATTR_CHARS = "!#$&+-.^_`|~"  # RFC 5987 attr-char, besides letters and digits


def attachment(name: str) -> str:
    """A ``Content-Disposition`` value for a download named ``name`` (RFC 6266): an ASCII
    ``filename`` (other characters as ``_``) and, when that is not the name itself, the
    exact name as UTF-8 in ``filename*``. Control characters never reach the header."""
    fallback = _NOT_PLAIN.sub("_", name) or "download"
    if fallback == name:
        return f'attachment; filename="{name}"'
    encoded = quote(name, safe=_ATTR_CHARS, errors="replace")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


async def read_body(request: web.Request, limit: int | None = None) -> bytes:
    limit = limit or state_of(request).options.max_json_bytes
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"the body is larger than {limit} bytes",
                              details={"limit": limit})
    data = await request.read()
    if len(data) > limit:
        raise PayloadTooLarge(f"the body is larger than {limit} bytes", details={"limit": limit})
    return data


async def read_json(request: web.Request, model: type[M]) -> M:
    """The body validated by ``model`` (unknown fields refused); errors name the field."""
    raw = await read_body(request)
    data = parse_json(raw) if raw.strip() else {}
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise BadRequest("the body is not valid", code="validation",
                         details={"errors": _problems(error)}) from None


class TooDeep(BadRequest):
    """JSON nested deeper than :data:`MAX_JSON_DEPTH` (parsing it would exhaust the stack)."""

    def __init__(self) -> None:
        super().__init__(f"the JSON nests deeper than {MAX_JSON_DEPTH} levels",
                         code="invalid_json", details={"limit": MAX_JSON_DEPTH})


def parse_json(raw: bytes | str) -> Any:
    """The JSON value of a request body or frame; :class:`BadRequest` (``invalid_json``) when
    it is not JSON or nests deeper than :data:`MAX_JSON_DEPTH`."""
    try:
        value = json.loads(raw)
    except RecursionError:
        raise TooDeep() from None
    except ValueError:
        raise BadRequest("the body is not valid JSON", code="invalid_json") from None
    if _brackets(raw) > MAX_JSON_DEPTH and nesting(value) > MAX_JSON_DEPTH:
        raise TooDeep()
    return value


def _brackets(raw: bytes | str) -> int:
    if isinstance(raw, bytes):
        return raw.count(b"[") + raw.count(b"{")
    return raw.count("[") + raw.count("{")


def nesting(value: Any, stop: int = MAX_JSON_DEPTH) -> int:
    """How deeply lists and dicts nest in ``value`` (without recursion; stops counting
    beyond ``stop``)."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, list | dict):
            deepest = max(deepest, depth)
            if depth > stop:
                return depth
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return deepest


def _problems(error: ValidationError) -> list[dict[str, str]]:
    return [{"field": ".".join(str(p) for p in e["loc"]) or "(body)", "message": e["msg"]}
            for e in error.errors()]


def query_int(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    raw = request.query.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"'{name}' must be an integer", code="validation") from None
    if not low <= value <= high:
        raise BadRequest(f"'{name}' must be between {low} and {high}", code="validation")
    return value
