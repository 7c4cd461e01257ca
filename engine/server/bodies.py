"""Reading request bodies and writing JSON responses, with the server's limits."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypeVar

from aiohttp import web
from pydantic import BaseModel, ValidationError

from engine.server.errors import BadRequest, PayloadTooLarge
from engine.server.state import state_of

M = TypeVar("M", bound=BaseModel)


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
    return web.Response(text=dumps(data), status=status, content_type="application/json",
                        headers=headers)


def no_content() -> web.Response:
    return web.Response(status=204)


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
    if not raw.strip():
        raw = b"{}"
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadRequest("the body is not valid JSON", code="invalid_json") from None
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise BadRequest("the body is not valid", code="validation",
                         details={"errors": _problems(error)}) from None


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
