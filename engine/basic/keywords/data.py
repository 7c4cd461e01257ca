"""Data keywords (BASIC.md §7, §9.8): FIND, SAVE, INSERT, UPDATE, DELETE, MERGE, SEARCH,
the legacy SET, CREATE TASK and BOOK. Filters become a :class:`Query` here, in the language;
the host's data service only ever sees parsed queries."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from engine.basic import values
from engine.basic.builtins.rows import merge_lists
from engine.basic.errors import BasicTypeError, DataError
from engine.basic.filters import parse_filter, query_from_map, query_from_pair
from engine.basic.findforms import apply_clauses
from engine.basic.keywords.registry import Invocation, keyword
from engine.basic.query import (
    ALL_ROWS,
    And,
    Column,
    Compare,
    FieldDecl,
    Query,
    TableDecl,
)

if TYPE_CHECKING:
    from engine.basic.vm import VM


def selection(call: Invocation, start: int = 1) -> Query:
    """The rows a data keyword names: inline WHERE, a filter string, a map or column+value."""
    if call.query is not None:
        return call.query
    rest = call.args[start:]
    if not rest or rest[0] is None:
        return ALL_ROWS
    first = rest[0]
    if type(first) is dict:
        return query_from_map(first)
    if len(rest) >= 2:
        return query_from_pair(values.text(first), rest[1])
    return parse_filter(values.text(first))


def _table(call: Invocation) -> str:
    return values.text(call.arg(0))


@keyword("FIND")
def find(vm: VM, call: Invocation) -> Any:
    if not call.clauses:
        return vm.host.data.find(_table(call), selection(call))
    query, first = apply_clauses(selection(call), call.clauses)
    rows = vm.host.data.find(_table(call), query)
    if first:
        return rows[0] if rows else None
    return rows


@keyword("SEARCH")
def search(vm: VM, call: Invocation) -> list[dict[str, Any]]:
    limit = int(values.to_number(call.arg(2))) if len(call.args) > 2 else 10
    return vm.host.data.search(_table(call), values.text(call.arg(1)), limit)


@keyword("SAVE")
def save(vm: VM, call: Invocation) -> Any:
    table, rest = _table(call), call.args[1:]
    if len(rest) == 1 and type(rest[0]) is dict:
        return vm.host.data.save(table, dict(rest[0]))
    if len(rest) == 2 and type(rest[1]) is dict:
        return vm.host.data.save_keyed(table, rest[0], dict(rest[1]))
    if not rest:
        raise DataError("SAVE needs a record")
    names = call.command.names[1:] if call.command.names else ()
    pairs = [(names[i] if i < len(names) else None, value) for i, value in enumerate(rest)]
    return vm.host.data.save_values(table, pairs)


@keyword("INSERT")
def insert(vm: VM, call: Invocation) -> dict[str, Any]:
    record = call.arg(1)
    if type(record) is not dict:
        raise DataError("INSERT needs a map")
    return vm.host.data.insert(_table(call), dict(record))


@keyword("UPDATE")
def update(vm: VM, call: Invocation) -> int:
    if call.sets:
        return vm.host.data.update(_table(call), call.query or ALL_ROWS, call.sets)
    changes = call.arg(len(call.args) - 1)
    if type(changes) is not dict:
        raise DataError("UPDATE needs a map of changes")
    query = selection(Invocation(call.args[:-1], {}, call.command, call.frame))
    return vm.host.data.update(_table(call), query, changes)


@keyword("DELETE")
def delete(vm: VM, call: Invocation) -> Any:
    target = values.text(call.arg(0))
    if "://" in target:
        from engine.basic.keywords.files import http_call

        return http_call(vm, "DELETE", target, None)
    if call.query is None and (len(call.args) < 2 or values.text(call.arg(1)).strip() == ""):
        raise DataError("DELETE needs a filter; use \"*\" to delete every row")
    return vm.host.data.delete(target, selection(call))


@keyword("SET")
def set_rows(vm: VM, call: Invocation) -> Any:
    first = call.arg(0)
    if len(call.args) == 2 and type(first) is str and first.lower().startswith("session."):
        vm.host.session.set(first[len("session."):], call.arg(1))  # compat R4
        return None
    if len(call.args) != 3:
        raise DataError('SET needs "table", filter, "col = value, …"')
    query = selection(Invocation(call.args[:2], {}, call.command, call.frame))
    return vm.host.data.update_assignments(_table(call), query, values.text(call.arg(2)))


@keyword("MERGE")
def merge(vm: VM, call: Invocation) -> Any:
    first = call.arg(0)
    if type(first) is list or (first is None and type(call.arg(1)) is list and
                               len(call.args) == 2):
        return merge_lists(first or [], call.arg(1) or [])
    rows = call.arg(1)
    if type(rows) is not list:
        raise BasicTypeError("MERGE needs an array of rows")
    return vm.host.data.merge(values.text(first), rows, values.text(call.arg(2) or "id"))


_TASKS = TableDecl("tasks", (
    FieldDecl("id", "integer", key=True), FieldDecl("title", "text"),
    FieldDecl("description", "text"), FieldDecl("assignee", "text"),
    FieldDecl("due_date", "date"), FieldDecl("priority", "text", default="normal"),
    FieldDecl("status", "text", default="open"), FieldDecl("created_at", "datetime")))

_EVENTS = TableDecl("calendar_events", (
    FieldDecl("id", "integer", key=True), FieldDecl("title", "text"),
    FieldDecl("description", "text"), FieldDecl("start", "datetime"),
    FieldDecl("end", "datetime"), FieldDecl("location", "text")))


@keyword("CREATE TASK")
def create_task(vm: VM, call: Invocation) -> Any:
    vm.host.data.declare_table(_TASKS)
    record = {"title": call.arg(0), "description": call.arg(1), "assignee": call.arg(2),
              "due_date": call.arg(3), "priority": call.arg(4) or "normal", "status": "open",
              "created_at": vm.now()}
    return vm.host.data.save(_TASKS.name, record)


@keyword("BOOK")
def book(vm: VM, call: Invocation) -> Any:
    vm.host.data.declare_table(_EVENTS)
    start = _as_datetime(call.arg(2))
    end = start + timedelta(minutes=float(values.to_number(call.arg(3))))
    overlap = Query(And((Compare(Column("start"), "<", end), Compare(Column("end"), ">", start))))
    if vm.host.data.count(_EVENTS.name, overlap):
        return None
    record = {"title": call.arg(0), "description": call.arg(1), "start": start, "end": end,
              "location": call.arg(4)}
    return vm.host.data.save(_EVENTS.name, record)


def _as_datetime(value: Any) -> datetime:
    if type(value) is datetime:
        return value
    if type(value) is date:
        return datetime(value.year, value.month, value.day)
    from engine.basic.validators import parse_datetime

    parsed = parse_datetime(values.text(value))
    if parsed is None:
        raise BasicTypeError(f"BOOK needs a start date and time, got {values.text(value)!r}")
    return parsed if type(parsed) is datetime else datetime.combine(parsed, datetime.min.time())
