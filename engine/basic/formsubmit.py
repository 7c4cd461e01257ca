"""``ON FORM SUBMIT ["name"] [DO] … END ON`` (docs/basic-compatibility.md F1).

The block is an event handler of the script, run in the user's session when a form posted
from the web chat or the desktop arrives (``UserMessage.form``). It sees the submitted
fields as the map ``form`` (also ``fields``), the form's name as ``form_name``, and each
field as a name of its own (``TALK "Thanks, " + name``) unless the script uses that name
for something else. Without a name the handler takes every form; with one, only that form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.basic import ast
from engine.basic.expressions import Cursor
from engine.basic.lexer import STRING, LogicalLine

if TYPE_CHECKING:
    from engine.basic.statements import StatementParser

FORM_EVENT = "form:submit"


def form_events(name: str) -> tuple[str, ...]:
    """The handler keys a form named ``name`` runs: its own handlers, then the handlers of
    every form."""
    if not name.strip():
        return (FORM_EVENT,)
    return f"{FORM_EVENT}:{name.strip().lower()}", FORM_EVENT


def form_event_value(name: str, fields: dict[str, Any]) -> dict[str, Any]:
    """The ``event`` a form handler receives."""
    return {"name": name, "fields": dict(fields)}


def form_globals(fields: dict[str, Any]) -> dict[str, Any]:
    """Each submitted field as a global of the handler run (keys lower-cased)."""
    return {str(key).lower(): value for key, value in fields.items()}


def parse_on_form(sp: StatementParser, c: Cursor, line: LogicalLine) -> None:
    """After ``ON FORM``: record the handler on the module (it is not a statement)."""
    c.expect_word("SUBMIT")
    name = ""
    token = c.peek()
    if token is not None and token.kind == STRING:
        name = sp.string_arg(c)
    body = sp.b.handler_body(c, line, "ON FORM SUBMIT", 2)
    event = ast.Name("event", line.line, 1)
    prologue = (
        ast.Assign(ast.Name("form", line.line, 1), "=", ast.Member(event, "fields"), line.line),
        ast.Assign(ast.Name("fields", line.line, 1), "=", ast.Member(event, "fields"),
                   line.line),
        ast.Assign(ast.Name("form_name", line.line, 1), "=", ast.Member(event, "name"),
                   line.line),
    )
    key = form_events(name)[0]
    sp.b.mod.handlers.append(ast.EventHandler(key, prologue + tuple(body), line.line))
