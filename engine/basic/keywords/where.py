"""Inline ``WHERE`` (BASIC.md §7.3): a BASIC condition whose left sides are columns.

The condition is parsed as an ordinary expression; here each predicate's left side becomes
a column and its right side stays a BASIC expression, evaluated when the statement runs.
The result is the same :class:`Query` a filter string gives, so it is bound as parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from engine.basic import ast, values
from engine.basic.errors import DataError
from engine.basic.names import column_name
from engine.basic.program import Eval
from engine.basic.query import (
    And,
    Column,
    Compare,
    CompareOp,
    Condition,
    InList,
    IsNull,
    Like,
    Not,
    Or,
    Query,
)

if TYPE_CHECKING:
    from engine.basic.vm import Frame

Builder = Callable[["Frame"], Condition]
_COMPARE = frozenset({"=", "<>", "<", ">", "<=", ">="})


def compile_where(expr: ast.Expr, compile_expr: Callable[[ast.Expr], Eval]
                  ) -> Callable[[Frame], Query]:
    try:
        build = _condition(expr, compile_expr)
    except DataError as error:
        problem = error

        def fail(f: Frame) -> Query:
            raise problem
        return fail
    return lambda f: Query(build(f))


def _condition(expr: ast.Expr, compile_expr: Callable[[ast.Expr], Eval]) -> Builder:
    if isinstance(expr, ast.Binary) and expr.op in ("AND", "OR"):
        left = _condition(expr.left, compile_expr)
        right = _condition(expr.right, compile_expr)
        node = And if expr.op == "AND" else Or
        return lambda f: node((left(f), right(f)))
    if isinstance(expr, ast.Unary) and expr.op == "NOT":
        inner = _condition(expr.operand, compile_expr)
        return lambda f: Not(inner(f))
    if isinstance(expr, ast.IsNull):
        column = _column(expr.operand)
        negate = expr.negate
        return lambda f: IsNull(column, negate)
    if isinstance(expr, ast.Binary):
        return _predicate(expr, compile_expr)
    raise _invalid(expr)


def _predicate(expr: ast.Binary, compile_expr: Callable[[ast.Expr], Eval]) -> Builder:
    column = _column(expr.left)
    value = compile_expr(expr.right)
    negate = expr.negate
    if expr.op in _COMPARE:
        op = cast(CompareOp, expr.op)
        return lambda f: Compare(column, op, value(f))
    if expr.op == "LIKE":
        return lambda f: Like(column, values.text(value(f)), negate)
    if expr.op == "IN":
        def in_list(f: Frame) -> Condition:
            items = value(f)
            listed: list[Any] = items if type(items) is list else [items]
            return InList(column, tuple(listed), negate)
        return in_list
    raise _invalid(expr)


def _column(expr: ast.Expr) -> Column:
    if isinstance(expr, ast.Name):
        return Column(column_name(expr.name))
    if isinstance(expr, ast.Call) and expr.name in ("LOWER", "UPPER", "DATE") and \
            len(expr.args) == 1 and isinstance(expr.args[0], ast.Name):
        fn = cast(Any, expr.name)
        return Column(column_name(expr.args[0].name), fn)
    raise _invalid(expr)


def _invalid(expr: ast.Expr) -> DataError:
    col = getattr(expr, "col", 0)
    return DataError(f"invalid WHERE condition at column {col}: the left side of each "
                     "comparison must be a column name")
