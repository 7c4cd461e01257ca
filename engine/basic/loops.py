"""FOR, FOR EACH, WHILE and DO loops (§4.4–§4.7); ``structure`` dispatches to ``parse_for``,
``parse_while`` and ``parse_do``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.basic import ast
from engine.basic.expressions import Cursor, ParseError
from engine.basic.lexer import LogicalLine

if TYPE_CHECKING:
    from engine.basic.statements import StatementParser


def parse_for(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    each = c.accept_word("EACH")
    if not each:  # `FOR x IN list` is FOR EACH (compat L2)
        head = c.pos
        sp.target(c)
        each = c.at_word("IN")
        c.pos = head
    if each:
        var = sp.target(c)
        c.expect_word("IN")
        iterable = _iterable(sp, c, line)
        c.accept_word("DO")
        c.expect_end()
        body = sp.b.nested(frozenset({"NEXT", "END FOR"}), "FOR")
        _close_for(sp, line, var)
        return ast.ForEach(var, iterable, tuple(body), line.line)
    var = sp.target(c)
    c.expect_op("=")
    start = sp.x.expr(c)
    c.expect_word("TO")
    end = sp.x.expr(c)
    step = sp.x.expr(c) if c.accept_word("STEP") else None
    c.expect_end()
    body = sp.b.nested(frozenset({"NEXT", "END FOR"}), "FOR")
    _close_for(sp, line, var)
    return ast.For(var, start, end, step, tuple(body), line.line)


def _iterable(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Expr:
    """FOR EACH's collection: an expression or a value keyword (`IN FIND "t" WHERE …`),
    optionally followed by ``LAST n`` (the last n elements, compat L2)."""
    value = sp.right_side(c, line, None)
    if isinstance(value, ast.Hear | ast.CallProc):
        raise ParseError("FOR EACH cannot wait for input", line.line, 1)
    if c.accept_word("LAST"):
        count = sp.x.expr(c)
        negative = ast.Unary("-", count, line.line, 1)
        value = ast.Call("SLICE", (value, negative), line.line, 1)
    return value


def _close_for(sp: StatementParser, line: LogicalLine, var: ast.Target) -> None:
    if sp.b.expect_closer(line, frozenset({"NEXT", "END FOR"}), "FOR") is None:
        raise ParseError("'FOR' without 'NEXT'", line.line, line.tokens[0].col, 3)
    closing = sp.b.advance()
    tokens = closing.tokens
    if tokens[0].is_word("NEXT") and len(tokens) > 1:
        named = str(tokens[1].value).lower()
        expected = var.name.lower() if isinstance(var, ast.Name) else ""
        if named != expected:
            raise ParseError(f"'NEXT {tokens[1].value}' does not match 'FOR {expected}'",
                             closing.line, tokens[1].col, tokens[1].end_col - tokens[1].col)


def parse_while(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    condition = sp.x.expr(c)
    c.accept_word("DO")  # `WHILE cond DO` (compat L2)
    c.expect_end()
    body = sp.b.nested(frozenset({"WEND", "END WHILE"}), "WHILE")
    if sp.b.expect_closer(line, frozenset({"WEND", "END WHILE"}), "WHILE") is None:
        raise ParseError("'WHILE' without 'WEND'", line.line, line.tokens[0].col, 5)
    sp.b.advance()
    return ast.While(condition, tuple(body), line.line)


def parse_do(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    condition: ast.Expr | None = None
    until = False
    test_first = False
    if c.at_word("WHILE", "UNTIL"):
        until = c.next().upper == "UNTIL"
        condition = sp.x.expr(c)
        test_first = True
    c.expect_end()
    body = sp.b.nested(frozenset({"LOOP"}), "DO")
    if sp.b.expect_closer(line, frozenset({"LOOP"}), "DO") is None:
        raise ParseError("'DO' without 'LOOP'", line.line, line.tokens[0].col, 2)
    closing = sp.b.advance()
    lc = Cursor(closing.tokens, closing.line)
    lc.next()
    if lc.at_word("WHILE", "UNTIL"):
        if test_first:
            raise lc.error("a DO loop has one condition")
        until = lc.next().upper == "UNTIL"
        condition = sp.x.expr(lc)
    lc.expect_end()
    return ast.DoLoop(condition, until, test_first, tuple(body), line.line)
