"""SUB and FUNCTION declarations (procedure tools among them) and the ON handlers: ON EVENT,
ON ERROR, ON EMAIL, ON FORM (§4.9, §4.11); ``structure`` dispatches to ``parse_procedure`` and
``parse_on``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.basic import ast
from engine.basic.expressions import Cursor, ParseError
from engine.basic.formsubmit import parse_on_form
from engine.basic.lexer import NAME, NUMBER, LogicalLine

if TYPE_CHECKING:
    from engine.basic.statements import StatementParser


def parse_procedure(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt | None:
    is_function = line.tokens[0].is_word("FUNCTION")
    kind = "FUNCTION" if is_function else "SUB"
    if not sp.b.at_top or sp.b.proc_kind is not None:
        raise ParseError(f"{kind} must be declared at the top level", line.line,
                         line.tokens[0].col, len(kind))
    name = c.name()
    params = _proc_params(sp, c)
    c.accept_word("AS") and c.next()
    c.expect_end()
    sp.b.proc_kind = kind
    mod = sp.b.mod
    outer = (len(mod.params), mod.description, mod.has_description)
    mod.has_description = False
    try:
        body = sp.b.body(frozenset({f"END {kind}"}))
    finally:
        sp.b.proc_kind = None
        proc_tool = _proc_tool(mod, str(name.value), outer, line.line)
    if sp.b.expect_closer(line, frozenset({f"END {kind}"}), kind) is None:
        raise ParseError(f"'{kind}' without 'END {kind}'", line.line, line.tokens[0].col,
                         len(kind))
    sp.b.advance()
    key = str(name.value).lower()
    sp.b.mod.procedures[key] = ast.Procedure(str(name.value), is_function, tuple(params),
                                             tuple(body), line.line)
    if proc_tool is not None:
        mod.proc_tools.append(proc_tool)
    return None


def _proc_tool(mod: ast.Module, name: str, outer: tuple[int, str | None, bool],
               line: int) -> ast.ProcTool | None:
    """A procedure whose body has a DESCRIPTION line is a tool of its own: its PARAM lines
    (and DESCRIPTION) leave the file's and become the procedure's. Without one, the PARAM
    lines of the body stay the file's, as before (docs/basic-compatibility.md P2)."""
    count, description, has_description = outer
    tool = None
    if mod.has_description:
        tool = ast.ProcTool(name, name.lower(), mod.description or "",
                            tuple(mod.params[count:]), line)
        del mod.params[count:]
    mod.description, mod.has_description = description, has_description
    return tool


def _proc_params(sp: StatementParser, c: Cursor) -> list[ast.ProcParam]:
    params: list[ast.ProcParam] = []
    if not c.accept_op("("):
        return params
    while not c.accept_op(")"):
        c.accept_word("BYVAL", "BYREF", "OPTIONAL")
        name = c.name()
        if c.accept_word("AS"):
            c.name()
        default = sp.x.expr(c) if c.accept_op("=") else None
        params.append(ast.ProcParam(str(name.value), default))
        if not c.accept_op(","):
            c.expect_op(")")
            break
    return params


def parse_on(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt | None:
    word = c.next().upper
    if word == "ERROR":
        return _on_error(c, line)
    if word == "EMAIL":
        return sp.on_email(c, line)
    if word == "FORM":
        parse_on_form(sp, c, line)
        return None
    event = sp.x.expr(c)
    if not isinstance(event, ast.Literal) or not isinstance(event.value, str):
        raise ParseError("ON EVENT needs the event name as a string", line.line,
                         line.tokens[2].col if len(line.tokens) > 2 else 1)
    body = sp.b.handler_body(c, line, "ON EVENT", 8)
    sp.b.mod.handlers.append(ast.EventHandler(event.value, tuple(body), line.line))
    return None


def _on_error(c: Cursor, line: LogicalLine) -> ast.Stmt:
    col = line.tokens[0].col
    if c.accept_word("RESUME"):
        c.expect_word("NEXT")
        c.expect_end()
        return ast.OnError("resume", None, line.line, col)
    c.expect_word("GOTO")
    token = c.next()
    c.expect_end()
    if token.kind == NUMBER and token.value == 0:
        return ast.OnError("off", None, line.line, col)
    if token.kind != NAME:
        raise ParseError("expected a label after ON ERROR GOTO", token.line, token.col)
    return ast.OnError("goto", str(token.value).lower(), line.line, token.col)
