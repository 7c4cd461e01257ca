"""BASIC ``WEBHOOK "name"`` scripts at ``POST|GET /api/<bot>/webhook/<name>`` (BASIC.md §9.7).

The run gets ``method``, ``path``, ``params`` (query map), ``headers`` (lower-case keys;
credentials removed) and ``body`` (decoded JSON, else text). Its result is the response: a
map with an integer ``status`` gives that status with its ``body`` and ``headers``; any
other non-null value is 200 with its JSON; null is 204. A script error is a 500 with the
error shape (code ``script_error``). Calls need a user or API key unless the bot's config
has ``webhook-anonymous,true``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from engine.basic.program import Program
from engine.bots.registry import CompiledBot
from engine.server.bodies import TooDeep, dumps, parse_json, read_body
from engine.server.errors import ApiError, BadRequest, NotFound
from engine.server.routes.common import bot_of
from engine.server.routing import TURN, Route
from engine.server.scripts import run_script
from engine.server.state import state_of

log = logging.getLogger("hearth.server")
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_HIDDEN_HEADERS = frozenset({"authorization", "x-api-key", "cookie"})
_FIXED_HEADERS = frozenset({"content-length", "transfer-encoding", "connection",
                            "content-type"})


class ScriptFailed(ApiError):
    status, code = 500, "script_error"


def _program(bot: CompiledBot, name: str) -> Program:
    for program in bot.programs.values():
        if program.ok and any(h.lower() == name.lower() for h in program.module.webhooks):
            return program
    raise NotFound(f"no webhook '{name}' in bot '{bot.package.name}'")


async def _request_value(request: web.Request) -> dict[str, Any]:
    raw = await read_body(request) if request.can_read_body else b""
    text = raw.decode("utf-8", errors="replace")
    body: Any = None
    if text:
        try:
            body = parse_json(text)
        except TooDeep:
            raise
        except BadRequest:
            body = text
    return {
        "method": request.method,
        "path": request.path,
        "params": {k: request.query[k] for k in request.query},
        "headers": {k.lower(): v for k, v in request.headers.items()
                    if k.lower() not in _HIDDEN_HEADERS},
        "body": body,
    }


async def webhook(request: web.Request) -> web.Response:
    bot = bot_of(request)
    program = _program(bot, request.match_info["name"])
    value = await _request_value(request)
    with state_of(request).admission.slot():
        run = await run_script(state_of(request).engine, bot.package.name, program,
                               channel="webhook", request=value)
    if run.error is not None:
        raise ScriptFailed(run.error)
    return _response(run.outcome.result)


def _response(result: Any) -> web.Response:
    if result is None:
        return web.Response(status=204)
    if isinstance(result, Mapping):
        keys = {str(k).lower(): k for k in result}
        status = result.get(keys.get("status", "status"))
        if isinstance(status, int) and not isinstance(status, bool):
            if not 200 <= status <= 599:
                raise ScriptFailed(f"the webhook returned an invalid status {status}")
            body = result.get(keys.get("body", "body"))
            headers = result.get(keys.get("headers", "headers")) or {}
            return _with_body(status, body, headers if isinstance(headers, Mapping) else {})
    return _with_body(200, result, {}, text=False)


def _with_body(status: int, body: Any, headers: Mapping[Any, Any], *,
               text: bool = True) -> web.Response:
    """``text``: a string body is sent as text (a ``status`` map's body), else as JSON."""
    extra = {str(k): str(v) for k, v in headers.items()
             if str(k).lower() not in _FIXED_HEADERS and _valid_header(str(k), str(v))}
    if body is None or status == 204:
        return web.Response(status=status, headers=extra)
    if isinstance(body, str) and text:
        return web.Response(status=status, text=body, content_type="text/plain", headers=extra)
    return web.Response(status=status, text=dumps(body), content_type="application/json",
                        headers=extra)


_PATH = "/api/{bot}/webhook/{name}"
ROUTES = [
    Route("POST", _PATH, webhook, "webhook", "Call a BASIC WEBHOOK script", "webhooks",
          body="any", responses={200: "any", 204: None}, errors=TURN),
    Route("GET", _PATH, webhook, "webhook", "Call a BASIC WEBHOOK script", "webhooks",
          responses={200: "any", 204: None}, errors=(*TURN, 507)),
]


def _valid_header(name: str, value: str) -> bool:
    """A header the script may set: a token name, a value without control characters (a CR or
    LF would split the response). Others are left out and logged for the bot's designer."""
    if _TOKEN.fullmatch(name) and not _CONTROL.search(value):
        return True
    log.warning("webhook response header %r left out: invalid name or value", name[:80])
    return False
