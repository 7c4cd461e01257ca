"""Structural statements (§4): ``parse`` dispatches a line's first word to its parser. IF and
SELECT live in ``conditionals``, loops in ``loops``, SUB/FUNCTION and ON handlers in
``procedures``; WITH, the jumps (EXIT, CONTINUE, GOTO, RETURN, END) and DIM, OPTION, CALL,
TABLE and BEGIN blocks are here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.basic import ast
from engine.basic.conditionals import parse_if, parse_select
from engine.basic.expressions import Cursor, ParseError
from engine.basic.lexer import LogicalLine
from engine.basic.loops import parse_do, parse_for, parse_while
from engine.basic.procedures import parse_on, parse_procedure

if TYPE_CHECKING:
    from engine.basic.statements import StatementParser


def parse(sp: StatementParser, word: str, c: Cursor, line: LogicalLine) -> ast.Stmt | bool | None:
    """The statement if ``word`` opens a structural statement, else False."""
    handler = _HANDLERS.get(word)
    if handler is None:
        return False
    if word == "END" and not _is_bare_end(c):
        return False
    after = c.peek(1)
    if word == "ON" and not (after is not None and
                             after.is_word("ERROR", "EVENT", "EMAIL", "FORM")):
        return False
    if word == "SELECT" and c.peek(1) is None:
        return False
    c.next()
    return handler(sp, c, line)


def _is_bare_end(c: Cursor) -> bool:
    return len(c.tokens) == 1


# -- WITH ----------------------------------------------------------------------------------
def _with(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    start = c.pos
    try:
        target = sp.target(c)
        c.expect_end()
    except ParseError:
        c.pos = start
        sp.sink.warning("WITH option line ignored", line.line, line.tokens[0].col, 4)
        return ast.Nothing(line.line)
    sp.x.in_with += 1
    try:
        body = sp.b.nested(frozenset({"END WITH"}))
    finally:
        sp.x.in_with -= 1
    if sp.b.expect_closer(line, frozenset({"END WITH"}), "WITH") is None:
        raise ParseError("'WITH' without 'END WITH'", line.line, line.tokens[0].col, 4)
    sp.b.advance()
    return ast.With(target, tuple(body), line.line)


# -- jumps -------------------------------------------------------------------------------
def _exit(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    if c.done:  # a bare EXIT ends the script, like END (compat L1)
        return ast.End(line.line)
    return _jump(sp, c, line, ast.Exit, ("FOR", "WHILE", "DO", "SUB", "FUNCTION"))


def _continue(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    return _jump(sp, c, line, ast.Continue, ("FOR", "WHILE", "DO"))


def _jump(sp: StatementParser, c: Cursor, line: LogicalLine, node: type,
          kinds: tuple[str, ...]) -> ast.Stmt:
    word = line.tokens[0].upper
    if not c.at_word(*kinds):
        raise c.error(f"expected {' or '.join(kinds)} after {word}")
    kind = c.next().upper
    c.accept_word("EACH")
    c.expect_end()
    inside = kind in sp.b.loops if kind in ("FOR", "WHILE", "DO") else sp.b.proc_kind == kind
    if not inside:
        raise ParseError(f"{word} {kind} outside {kind}", line.line, line.tokens[0].col,
                         len(word) + len(kind) + 1)
    return node(kind, line.line)  # type: ignore[no-any-return]


def _goto(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    token = c.name()
    c.expect_end()
    return ast.Goto(str(token.value).lower(), line.line, token.col)


def _return(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    if c.done:
        return ast.Return(None, line.line)
    if c.at_word("WITH"):
        c.next()
        pairs: list[tuple[str, ast.Expr]] = []
        while True:
            key = c.name()
            c.expect_word("AS")
            pairs.append((str(key.value), sp.x.expr(c)))
            if not c.accept_op(","):
                break
        c.expect_end()
        return ast.Return(ast.MapLit(tuple(pairs), line.line, 1), line.line)
    value = sp.right_side(c, line, None)
    if isinstance(value, ast.CallProc | ast.Hear):
        raise ParseError("RETURN cannot wait for input", line.line, 1)
    c.expect_end()
    return ast.Return(value, line.line)


def _end(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    return ast.End(line.line)


def _call(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    call = sp.call_statement(c, line)
    return call.command if isinstance(call, ast.KeywordExpr) else call


def _dim(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    stmts: list[ast.Dim] = []
    while True:
        name = c.name()
        value: ast.Expr | None = None
        if c.accept_op("("):
            size = None if c.at_op(")") else sp.x.expr(c)
            c.expect_op(")")
            value = ast.Call("_DIM_ARRAY", (size,) if size else (), line.line, name.col)
        if c.accept_word("AS"):
            c.name()
            if c.at_op("("):
                c.next()
                c.expect_op(")")
        if c.accept_op("="):
            value = sp.x.expr(c)
        stmts.append(ast.Dim(str(name.value), value, line.line))
        if not c.accept_op(","):
            break
    c.expect_end()
    if len(stmts) == 1:
        return stmts[0]
    return ast.If((ast.IfClause(ast.Literal(True), tuple(stmts), line.line),), line.line)


def _option(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    c.expect_word("STRICT")
    c.expect_end()
    return ast.Nothing(line.line)


def _table(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    return sp.table(c, line)


def _begin(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    return sp.text_block(c, line)


_HANDLERS = {
    "IF": parse_if, "FOR": parse_for, "WHILE": parse_while, "DO": parse_do,
    "SELECT": parse_select, "SWITCH": parse_select, "WITH": _with, "SUB": parse_procedure,
    "FUNCTION": parse_procedure, "ON": parse_on, "EXIT": _exit,
    "CONTINUE": _continue, "GOTO": _goto, "RETURN": _return, "END": _end, "CALL": _call,
    "DIM": _dim, "OPTION": _option, "TABLE": _table, "BEGIN": _begin, "BEGIN_TALK": _begin,
    "BEGIN_MAIL": _begin, "BEGIN_SYSTEM": _begin, "BEGIN_SYSTEM_PROMPT": _begin,
}
