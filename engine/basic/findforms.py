"""FIND's statement forms written by General Bots packages (docs/basic-compatibility.md S1).

On top of BASIC.md §7.4 the keyword form of FIND accepts ``FIND ALL "t"`` (all rows),
``FIND "t" WITH "filter"`` (the filter string after WITH) and, after the arguments or an
inline ``WHERE``, the clauses ``ORDER BY col [ASC|DESC] {, col [ASC|DESC]}``, ``LIMIT n`` and
``FIRST`` (the first row, or null). The clauses travel as the command's ``ORDER``, ``LIMIT``
and ``FIRST`` clauses; :func:`apply_clauses` folds them into the query at run time.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from engine.basic import ast, values
from engine.basic.errors import BasicValueError
from engine.basic.expressions import Cursor
from engine.basic.lexer import NAME, STRING, LogicalLine
from engine.basic.names import column_name
from engine.basic.query import Order, Query

if TYPE_CHECKING:
    from engine.basic.commands import CommandParser

_STOP = ("WHERE", "WITH", "ORDER", "LIMIT", "FIRST")


def find_command(p: CommandParser, c: Cursor, line: LogicalLine) -> ast.Command:
    """Parse the arguments of a keyword-form FIND (after the word FIND)."""
    after = c.peek(1)
    if c.at_word("ALL") and after is not None and after.kind in (STRING, NAME):
        c.next()
    args = p.expr_list(c, _STOP)
    if c.accept_word("WITH"):
        args.extend(p.expr_list(c, _STOP))
    where = p.x.expr(c) if c.accept_word("WHERE") else None
    clauses: list[tuple[str, tuple[ast.Expr, ...]]] = []
    while not c.done:
        if c.accept_word("ORDER"):
            c.expect_word("BY")
            clauses.append(("ORDER", _order_items(c)))
        elif c.accept_word("LIMIT"):
            clauses.append(("LIMIT", (p.x.expr(c),)))
        elif c.accept_word("FIRST"):
            clauses.append(("FIRST", ()))
        else:
            break
    return ast.Command("FIND", tuple(args), tuple(clauses), line.line, line.tokens[0].col,
                       where=where)


def _order_items(c: Cursor) -> tuple[ast.Expr, ...]:
    """``col [ASC|DESC] {, …}`` as literal pairs (column name, descending)."""
    items: list[ast.Expr] = []
    while True:
        token = c.next()
        if token.kind == STRING:
            name = "".join(part for part in token.value if isinstance(part, str))  # type: ignore[attr-defined]
        elif token.kind == NAME:
            name = str(token.value)
        else:
            raise c.error("expected a column name after ORDER BY")
        descending = c.accept_word("DESC")
        if not descending:
            c.accept_word("ASC")
        items += [ast.Literal(name, token.line, token.col), ast.Literal(descending)]
        if not c.accept_op(","):
            return tuple(items)


def apply_clauses(query: Query, clauses: dict[str, list[Any]]) -> tuple[Query, bool]:
    """The query with FIND's ORDER BY / LIMIT clauses applied, and whether FIRST was given."""
    order = clauses.get("ORDER")
    if order:
        pairs = zip(order[0::2], order[1::2], strict=True)
        query = replace(query, order=tuple(Order(column_name(values.text(name)), bool(desc))
                                           for name, desc in pairs))
    limit = clauses.get("LIMIT")
    if limit:
        count = values.to_number(limit[0])
        if count < 0 or count != int(count):
            raise BasicValueError(f"LIMIT needs a whole number ≥ 0, not {values.text(count)}")
        query = replace(query, limit=int(count))
    first = "FIRST" in clauses
    if first and query.limit is None:
        query = replace(query, limit=1)
    return query, first
