"""HEAR's clauses (BASIC.md §5.3 plus docs/basic-compatibility.md H1).

After the target: ``AS type``, ``AS MENU "a", "b"``, ``AS "a", "b"`` or ``AS list``; a final
``, *`` option lets any other answer through (free text); ``WITH prompt`` says the prompt
before waiting; ``DEFAULT v`` is the value of an empty answer. ``AS "A question?"`` with a
single string is a prompt, not a one-option menu.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.basic import ast
from engine.basic.expressions import Cursor
from engine.basic.lexer import NAME, LogicalLine

if TYPE_CHECKING:
    from engine.basic.statements import StatementParser

_CLAUSES = ("WITH", "DEFAULT")


def hear_form(sp: StatementParser, c: Cursor, target: ast.Target | None,
              prompt: ast.Expr | None, line: LogicalLine) -> ast.Hear:
    type_name: str | None = None
    menu: list[ast.Expr] = []
    free = False
    if c.accept_word("AS"):
        type_name, menu, free = _after_as(sp, c)
    default: ast.Expr | None = None
    while not c.done:
        if c.accept_word("WITH"):
            prompt = sp.x.expr(c)
        elif c.accept_word("DEFAULT"):
            default = sp.x.expr(c)
        else:
            break
    c.expect_end()
    if prompt is None and len(menu) == 1 and not free and _is_text(menu[0]):
        prompt, menu = menu[0], []
    return ast.Hear(target, type_name, tuple(menu), prompt, line.line, default, free)


def _is_text(expr: ast.Expr) -> bool:
    return isinstance(expr, ast.Interpolated) or (
        isinstance(expr, ast.Literal) and isinstance(expr.value, str))


def _after_as(sp: StatementParser, c: Cursor) -> tuple[str | None, list[ast.Expr], bool]:
    from engine.basic.validators import canonical_type

    token = c.peek()
    if token is None:
        raise c.error("expected a type or menu after AS")
    after = c.peek(1)
    if token.is_word("MENU") and after is not None and not after.is_word(*_CLAUSES) \
            and not after.is_op(","):
        c.next()
        return _menu(sp, c)
    if token.kind == NAME and (after is None or after.is_word(*_CLAUSES)):
        canonical = canonical_type(str(token.value))
        if canonical is not None:
            c.next()
            return canonical, [], False
        if token.upper in ("LOGIN", "AUTH"):
            c.next()
            sp.sink.warning(f"HEAR type {token.upper} is not supported; read as TEXT",
                            token.line, token.col)
            return "TEXT", [], False
        if not sp.b.stmts_declares(str(token.value)):
            c.next()
            sp.sink.warning(f"unknown HEAR type '{token.value}'; read as TEXT",
                            token.line, token.col, token.end_col - token.col)
            return "TEXT", [], False
    return _menu(sp, c)


def _menu(sp: StatementParser, c: Cursor) -> tuple[str | None, list[ast.Expr], bool]:
    items = [sp.x.expr(c)]
    while c.accept_op(","):
        if c.at_op("*"):
            c.next()
            return None, items, True
        items.append(sp.x.expr(c))
    return None, items, False
