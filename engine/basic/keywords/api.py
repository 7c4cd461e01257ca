"""Relative URLs: ``GET "/api/…"``, ``POST "/api/…", body``, ``CALL "/api/…", args``
(docs/basic-compatibility.md R2).

A path under ``/api/`` names Hearth's own REST API (docs/api.md), called in-process as the
session's user. The routes a script can reach this way are the bot's own table rows, which
run through the same data service (and so the same table roles) as the REST routes:

* ``GET /api/bots/{bot}/tables/{table}/rows[?filter=…&limit=n]`` → the rows;
* ``POST /api/bots/{bot}/tables/{table}/rows`` with a map → the new row's ``{id, success}``.

``{bot}`` must be the running bot. Every other path raises ``ServiceError`` naming the
endpoint (General Bots packages call server routes Hearth does not have); a relative URL is
never read as a drive file.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from engine.basic import values
from engine.basic.errors import DataError, ServiceError
from engine.basic.filters import parse_filter
from engine.basic.keywords.registry import Invocation, keyword
from engine.basic.query import ALL_ROWS, Query

if TYPE_CHECKING:
    from engine.basic.vm import VM

_ROWS = re.compile(r"^/api/bots/(?P<bot>[^/]+)/tables/(?P<table>[^/]+)/rows/?$")
_ESCAPE = re.compile(rb"%([0-9A-Fa-f]{2})")


def unquote(text: str, plus: bool = False) -> str:
    """Percent-decoding of a URL part (``+`` is a space in a query when ``plus``); the
    language reaches the network only through its host, so it decodes by itself."""
    raw = (text.replace("+", " ") if plus else text).encode("utf-8")
    return _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), raw).decode("utf-8", "replace")


def query_params(text: str) -> dict[str, str]:
    """The first value of each ``name=value`` of a query string."""
    params: dict[str, str] = {}
    for part in text.split("&"):
        name, _, value = part.partition("=")
        if name:
            params.setdefault(unquote(name, True), unquote(value, True))
    return params


def is_api_path(target: str) -> bool:
    """Whether ``target`` is a relative URL of the REST API (``/api`` or ``/api/…``)."""
    return target == "/api" or target.startswith("/api/") or target.startswith("/api?")


def api_call(vm: VM, method: str, url: str, body: Any) -> Any:
    path, _, query_text = url.partition("?")
    rows = _ROWS.match(path)
    if rows is not None and unquote(rows.group("bot")).lower() == _bot_name(vm):
        table = unquote(rows.group("table"))
        if method == "GET":
            return vm.host.data.find(table, _query(query_text))
        if method == "POST":
            if type(body) is not dict:
                raise DataError(f"POST {path} needs a map of column values")
            return vm.host.data.insert(table, dict(body))
    raise ServiceError(f"endpoint {method} {path} is not available in Hearth")


def _bot_name(vm: VM) -> str:
    return values.text(vm.host.session.get("bot_name")).lower()


def _query(text: str) -> Query:
    params = query_params(text)
    filter_text = params.get("filter", "").strip()
    query = parse_filter(filter_text) if filter_text else ALL_ROWS
    limit = params.get("limit", "")
    if limit.isdigit():
        query = Query(query.condition, query.order, int(limit))
    return query


@keyword("CALL API")
def call_api(vm: VM, call: Invocation) -> Any:
    """``CALL "/api/…"`` is a GET; with arguments a POST of the argument (several: an array)."""
    url = values.text(call.arg(0))
    rest = call.args[1:]
    if not rest:
        return api_call(vm, "GET", url, None)
    return api_call(vm, "POST", url, rest[0] if len(rest) == 1 else list(rest))
