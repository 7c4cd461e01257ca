"""IF and SELECT CASE: the conditional block statements (§4.2, §4.3); ``structure`` dispatches
to ``parse_if`` and ``parse_select``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.basic import ast
from engine.basic.blocks import closer_of
from engine.basic.expressions import Cursor, ParseError
from engine.basic.lexer import NAME, LogicalLine

if TYPE_CHECKING:
    from engine.basic.statements import StatementParser

_IF_STOP = frozenset({"ELSEIF", "ELSE", "END IF"})
_CASE_STOP = frozenset({"CASE", "END SELECT"})


# -- IF ------------------------------------------------------------------------------------
def parse_if(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    condition = sp.x.expr(c)
    if c.accept_word("THEN") and not c.done:
        return _single_line_if(sp, condition, c, line)
    c.expect_end()
    clauses: list[ast.IfClause] = []
    body = sp.b.nested(_IF_STOP)
    clauses.append(ast.IfClause(condition, tuple(body), line.line))
    seen_else = False
    while sp.b.has_line():
        clause_line = sp.b.current_line()
        closer = closer_of(clause_line.tokens)
        if closer == "END IF":
            sp.b.advance()
            return ast.If(tuple(clauses), line.line)
        if closer not in ("ELSE", "ELSEIF"):
            break
        sp.b.advance()
        if seen_else:
            raise ParseError(f"'{clause_line.tokens[0].value}' after ELSE", clause_line.line,
                             clause_line.tokens[0].col, 4)
        clauses.append(_clause(sp, clause_line, closer))
        seen_else = closer == "ELSE"
    raise ParseError("'IF' without 'END IF'", line.line, line.tokens[0].col, 2)


def _clause(sp: StatementParser, clause_line: LogicalLine, closer: str) -> ast.IfClause:
    c = Cursor(clause_line.tokens, clause_line.line)
    c.next()
    condition: ast.Expr | None = None
    if closer == "ELSEIF":
        if c.at_word("IF"):
            c.next()
        condition = sp.x.expr(c)
        c.accept_word("THEN")
    first: list[ast.Stmt] = []
    if not c.done:
        stmt = sp.b.line_statement(LogicalLine(tuple(c.tokens[c.pos:]), clause_line.line))
        if stmt is not None:
            first.append(stmt)
    body = first + sp.b.nested(_IF_STOP)
    return ast.IfClause(condition, tuple(body), clause_line.line)


def _single_line_if(sp: StatementParser, condition: ast.Expr, c: Cursor,
                    line: LogicalLine) -> ast.Stmt:
    rest = list(c.tokens[c.pos:])
    if len(rest) >= 2 and rest[-2].is_word("END") and rest[-1].is_word("IF"):
        rest = rest[:-2]
    elif rest and rest[-1].is_word("ENDIF", "END_IF"):
        rest = rest[:-1]
    then_tokens, else_tokens = _split_else(rest)
    then_stmt = _inline(sp, then_tokens, line)
    clauses = [ast.IfClause(condition, (then_stmt,) if then_stmt else (), line.line)]
    if else_tokens is not None:
        else_stmt = _inline(sp, else_tokens, line)
        clauses.append(ast.IfClause(None, (else_stmt,) if else_stmt else (), line.line))
    return ast.If(tuple(clauses), line.line)


def _split_else(tokens: list) -> tuple[list, list | None]:  # type: ignore[type-arg]
    if tokens and tokens[0].is_word("IF"):
        return tokens, None  # a nested single-line IF takes the ELSE (§4.2)
    depth = 0
    for j, token in enumerate(tokens):
        if token.is_op("(", "[", "{"):
            depth += 1
        elif token.is_op(")", "]", "}"):
            depth -= 1
        elif depth == 0 and token.is_word("ELSE"):
            return tokens[:j], tokens[j + 1:]
    return tokens, None


def _inline(sp: StatementParser, tokens: list, line: LogicalLine) -> ast.Stmt | None:  # type: ignore[type-arg]
    if not tokens:
        raise ParseError("expected a statement", line.line, line.tokens[-1].end_col)
    first = tokens[0]
    if first.kind == NAME and first.upper in ("FOR", "WHILE", "DO", "SELECT", "SWITCH",
                                              "WITH", "SUB", "FUNCTION", "BEGIN"):
        raise ParseError(f"'{first.value}' cannot follow THEN on the same line",
                         first.line, first.col)
    inner = LogicalLine(tuple(tokens), line.line)
    return sp.statement(Cursor(inner.tokens, line.line), inner)


# -- SELECT ------------------------------------------------------------------------------
def parse_select(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    c.accept_word("CASE")
    subject = sp.x.expr(c)
    c.expect_end()
    before = sp.b.nested(_CASE_STOP)
    if before:
        raise ParseError("statements between SELECT and the first CASE", before[0].line, 1)
    cases: list[ast.CaseClause] = []
    seen_else = False
    while sp.b.has_line():
        case_line = sp.b.current_line()
        closer = closer_of(case_line.tokens)
        if closer == "END SELECT":
            sp.b.advance()
            return ast.Select(subject, tuple(cases), line.line)
        if closer != "CASE":
            break
        sp.b.advance()
        if seen_else:
            raise ParseError("CASE ELSE must be the last clause", case_line.line, 1, 4)
        items = _case_items(sp, case_line)
        seen_else = not items
        body = sp.b.nested(_CASE_STOP)
        cases.append(ast.CaseClause(tuple(items), tuple(body), case_line.line))
    raise ParseError("'SELECT' without 'END SELECT'", line.line, line.tokens[0].col, 6)


def _case_items(sp: StatementParser, case_line: LogicalLine) -> list[ast.CaseItem]:
    c = Cursor(case_line.tokens, case_line.line)
    if c.next().upper == "DEFAULT" or (c.at_word("ELSE") and len(c.tokens) == 2):
        return []
    items: list[ast.CaseItem] = []
    while True:
        if c.accept_word("IS"):
            op_token = c.next()
            op = {"==": "=", "!=": "<>"}.get(str(op_token.value), str(op_token.value))
            if op not in ("=", "<>", "<", ">", "<=", ">="):
                raise ParseError("expected a comparison after IS", op_token.line, op_token.col)
            items.append(ast.CaseItem("is", op, sp.x.expr(c)))
        else:
            low = sp.x.expr(c)
            if c.accept_word("TO"):
                items.append(ast.CaseItem("range", "", low, sp.x.expr(c)))
            else:
                items.append(ast.CaseItem("eq", "=", low))
        if not c.accept_op(","):
            break
    c.expect_end()
    return items
