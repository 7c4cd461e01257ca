"""A bot's tables over REST. Reading needs a user, writing a designer; the tables' own
READ BY / WRITE BY roles (BASIC.md §7.2) apply on top (an admin passes every check).

Rows are addressed by the table's key column (``id`` unless the TABLE declares another).
``filter`` takes a FIND filter (``status = 'open' AND total > 10``), parsed into
parameterised SQL by the data layer, never pasted into SQL.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from aiohttp import web

from engine.basic.filters import parse_filter
from engine.basic.names import column_name, table_name
from engine.basic.query import ALL_ROWS, Column, Compare, Query
from engine.bots.registry import CompiledBot
from engine.server import schemas
from engine.server.bodies import json_response, no_content, query_int, read_json
from engine.server.errors import BadRequest, NotFound
from engine.server.routes.common import bot_of
from engine.server.routing import Param, Route, principal_of
from engine.server.state import state_of

T = TypeVar("T")
MAX_ROWS = 1000


async def _as_caller(request: web.Request, bot: CompiledBot, work: Callable[[], T]) -> T:
    """Run a data call on a worker thread with the caller's roles (the store checks them)."""
    services = state_of(request).engine.bots.services(bot.package.name)
    roles = principal_of(request).table_roles()

    def job() -> T:
        services.acting_as(roles)
        try:
            return work()
        finally:
            services.acting_as(None)

    return await asyncio.to_thread(job)


def _key_of(bot: CompiledBot, table: str) -> str:
    for program in bot.programs.values():
        for declared in program.module.tables:
            if table_name(declared.name) == table:
                return next((column_name(f.name) for f in declared.fields if f.key), "id")
    return "id"


def _table(request: web.Request) -> str:
    try:
        return table_name(request.match_info["table"])
    except Exception:
        raise BadRequest(f"invalid table name '{request.match_info['table']}'") from None


def _catalog_names(path: Path) -> list[str]:
    """Tables the data layer created (also automatic ones), read from its schema catalog."""
    if not path.is_file():
        return []
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return [r[0] for r in conn.execute("SELECT name FROM _hearth_bot_tables")]
    except sqlite3.Error:
        return []


async def list_tables(request: web.Request) -> web.Response:
    bot = bot_of(request)
    engine = state_of(request).engine
    names = {table_name(t.name) for p in bot.programs.values() if p.ok for t in p.module.tables}
    data_dir = bot.package.data_dir
    if data_dir.is_dir():
        for path in data_dir.iterdir():
            if path.suffix.lower() in (".csv", ".tsv", ".json") and path.is_file():
                names.add(table_name(path.name))
    catalog = engine.config.work_dir / bot.package.name / "tables.db"
    names.update(await asyncio.to_thread(_catalog_names, catalog))
    tables = engine.bots.services(bot.package.name).tables
    found = []
    for name in sorted(names):
        columns = await _as_caller(request, bot, lambda n=name: tables.columns(n))  # type: ignore[misc]
        found.append({"name": name, "columns": columns, "key": _key_of(bot, name)})
    return json_response({"tables": found})


async def list_rows(request: web.Request) -> web.Response:
    bot, table = bot_of(request), _table(request)
    text = request.query.get("filter", "").strip()
    limit = query_int(request, "limit", 100, 1, MAX_ROWS)
    query = parse_filter(text) if text else ALL_ROWS
    query = Query(query.condition, query.order, min(query.limit or limit, limit))
    tables = state_of(request).engine.bots.services(bot.package.name).tables
    rows = await _as_caller(request, bot, lambda: tables.find(table, query))
    return json_response({"table": table, "rows": rows, "count": len(rows)})


def _by_key(bot: CompiledBot, table: str, key: str) -> Query:
    return Query(Compare(Column(_key_of(bot, table)), "=", key))


async def get_row(request: web.Request) -> web.Response:
    bot, table, key = bot_of(request), _table(request), request.match_info["key"]
    tables = state_of(request).engine.bots.services(bot.package.name).tables
    rows = await _as_caller(request, bot, lambda: tables.find(table, _by_key(bot, table, key)))
    if not rows:
        raise NotFound(f"no row '{key}' in table '{table}'")
    return json_response({"row": rows[0]})


async def create_row(request: web.Request) -> web.Response:
    bot, table = bot_of(request), _table(request)
    record = (await read_json(request, schemas.Record)).root
    tables = state_of(request).engine.bots.services(bot.package.name).tables
    created: dict[str, Any] = await _as_caller(request, bot,
                                               lambda: tables.insert(table, record))
    return json_response({"id": created.get("id")}, status=201)


async def update_row(request: web.Request) -> web.Response:
    bot, table, key = bot_of(request), _table(request), request.match_info["key"]
    changes = (await read_json(request, schemas.Record)).root
    tables = state_of(request).engine.bots.services(bot.package.name).tables
    changed = await _as_caller(request, bot, lambda: tables.update(
        table, _by_key(bot, table, key), changes))
    if not changed:
        raise NotFound(f"no row '{key}' in table '{table}'")
    return json_response({"changed": changed})


async def delete_row(request: web.Request) -> web.Response:
    bot, table, key = bot_of(request), _table(request), request.match_info["key"]
    tables = state_of(request).engine.bots.services(bot.package.name).tables
    changed = await _as_caller(request, bot, lambda: tables.delete(
        table, _by_key(bot, table, key)))
    if not changed:
        raise NotFound(f"no row '{key}' in table '{table}'")
    return no_content()


_ROWS = "/api/bots/{bot}/tables/{table}/rows"
_FILTER = (Param("filter", "a FIND filter, e.g. status = 'open' ORDER BY id DESC"),
           Param("limit", f"rows to return (1-{MAX_ROWS}, default 100)", "integer"))
ROUTES = [
    Route("GET", "/api/bots/{bot}/tables", list_tables, "user", "List a bot's tables",
          "tables", responses={200: schemas.TableList}),
    Route("GET", _ROWS, list_rows, "user", "Find rows", "tables",
          responses={200: schemas.Rows}, query=_FILTER),
    Route("POST", _ROWS, create_row, "designer", "Insert a row", "tables",
          body=schemas.Record, responses={201: schemas.RowCreated}),
    Route("GET", _ROWS + "/{key}", get_row, "user", "One row by key", "tables",
          responses={200: schemas.Row}),
    Route("PUT", _ROWS + "/{key}", update_row, "designer", "Change a row's values", "tables",
          body=schemas.Record, responses={200: schemas.RowsChanged}),
    Route("DELETE", _ROWS + "/{key}", delete_row, "designer", "Delete a row", "tables",
          responses={204: None}),
]
