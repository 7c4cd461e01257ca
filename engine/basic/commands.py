"""Keyword statements with their own argument shapes (suggestions, data forms, PRINT…)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.basic import ast
from engine.basic.expressions import Cursor, ExpressionParser, ParseError
from engine.basic.findforms import find_command
from engine.basic.lexer import NAME, STRING, LogicalLine

if TYPE_CHECKING:
    from engine.basic.diagnostics import DiagnosticSink


class CommandParser:
    x: ExpressionParser
    sink: DiagnosticSink

    def generic(self, phrase: str, c: Cursor, line: LogicalLine,
                args: tuple[ast.Expr, ...] = ()) -> ast.Command:
        raise NotImplementedError

    def expr_list(self, c: Cursor, stop_words: tuple[str, ...] = ()) -> list[ast.Expr]:
        raise NotImplementedError

    def target(self, c: Cursor) -> ast.Target:
        raise NotImplementedError

    @staticmethod
    def _node(phrase: str, line: LogicalLine, args: list[ast.Expr] | tuple[ast.Expr, ...],
              **extra: Any) -> ast.Command:
        return ast.Command(phrase, tuple(args), line=line.line, col=line.tokens[0].col,
                           **extra)

    def _cmd_suggestion(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Command:
        kind = "context"
        if c.at_word("TEXT", "TOOL") and c.peek(1) is not None:
            kind = c.next().upper.lower()
        value = self.x.expr(c)
        label = self.x.expr(c) if c.accept_word("AS") else None
        if kind == "context" and label is None:
            kind = "text"
        args = [ast.Literal(kind), value] + ([label] if label is not None else [])
        return self._node(phrase, line, args)

    def _cmd_clear_kb(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Command:
        if c.accept_word("ALL") or c.done:
            return self._node(phrase, line, [])
        return self._node(phrase, line, [self.x.expr(c)])

    def _cmd_print(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Command:
        args: list[ast.Expr] = []
        seps: list[ast.Expr] = []
        while not c.done:
            args.append(self.x.expr(c))
            if c.accept_op(";"):
                seps.append(ast.Literal(""))
            elif c.accept_op(","):
                seps.append(ast.Literal(" "))
            else:
                break
        return self._node(phrase, line, args, clauses=(("SEP", tuple(seps)),))

    def _cmd_remember(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Command:
        key = self.x._concat(c)
        if c.accept_op("="):
            return self._node(phrase, line, [key, self.x.expr(c)])
        c.expect_op(",")
        return self._node(phrase, line, [key, *self.expr_list(c)])

    def _cmd_save(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Command:
        args = self.expr_list(c)
        names = tuple(_derived_name(a) for a in args)
        return self._node(phrase, line, args, names=names)

    def _cmd_where(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Command:
        if phrase == "FIND":
            return find_command(self, c, line)
        args = self.expr_list(c, ("WHERE",))
        where = self.x.expr(c) if c.accept_word("WHERE") else None
        return self._node(phrase, line, args, where=where)

    def _cmd_delete(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Command:
        if c.accept_word("FROM"):
            table = self.x.primary(c)
            c.expect_word("WHERE")
            return self._node(phrase, line, [table], where=self.x.expr(c))
        return self._cmd_where(phrase, c, line)

    def _cmd_insert(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Command:
        if c.accept_word("INTO"):
            table = self.x.primary(c)
            c.expect_word("VALUES")
            return self._node(phrase, line, [table, self.x.expr(c)])
        return self.generic(phrase, c, line)

    def _cmd_merge(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Command:
        first = self.x.expr(c)
        if c.accept_word("WITH"):
            rows = self.x.expr(c)
            c.expect_word("BY")
            return self._node(phrase, line, [first, rows, self.x.expr(c)])
        c.expect_op(",")
        return self._node(phrase, line, [first, *self.expr_list(c)])

    def _cmd_update(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Command:
        table = self.x.expr(c)
        if not c.accept_word("SET"):
            c.expect_op(",")
            return self._node(phrase, line, [table, *self.expr_list(c)])
        sets: list[tuple[str, ast.Expr]] = []
        while True:
            column = c.name()
            c.expect_op("=")
            sets.append((str(column.value), self.x._concat(c)))
            if not c.accept_op(","):
                break
        where = self.x.expr(c) if c.accept_word("WHERE") else None
        if where is None:
            raise c.error("expected WHERE")
        return self._node(phrase, line, [table], sets=tuple(sets), where=where)

    def _cmd_args(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Command:
        if phrase in ("PUSH", "APPEND") and not c.done:
            return self._push(phrase, c, line)
        if phrase == "WRITE" and not c.done:
            return self._write(phrase, c, line)
        if phrase == "SET HEADER" and not c.done:
            return self._set_header(phrase, c, line)
        head, after = c.peek(), c.peek(1)
        if phrase == "SET" and head is not None and head.kind == STRING and \
                after is not None and after.is_op("="):
            key = self.x.primary(c)  # SET "session.k" = v (compat R4)
            c.expect_op("=")
            return self._node(phrase, line, [key, self.x.expr(c)])
        return self.generic(phrase, c, line)

    def _set_header(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Command:
        """``SET HEADER name, value`` and ``SET HEADER name = value`` (compat R4); a bare
        name may contain ``-`` (``SET HEADER Content-Type = "text/plain"``)."""
        token = c.peek()
        separator = next((t for t in c.tokens[c.pos:] if t.is_op("=", ",")), None)
        if token is not None and token.kind == NAME and separator is not None and \
                separator.is_op("="):
            parts: list[str] = []
            while not c.done and not c.at_op("=", ","):
                parts.append(str(c.next().value))
            c.next()
            return self._node(phrase, line, [ast.Literal("".join(parts)), self.x.expr(c)])
        name = self.x._concat(c)
        if not c.accept_op("="):
            c.expect_op(",")
        return self._node(phrase, line, [name, self.x.expr(c)])

    def _push(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Command:
        start = c.pos
        if c.at_op("("):  # PUSH(list, item): the function spelling (§4.0)
            try:
                c.next()
                args = self.expr_list(c)
                c.expect_op(")")
                c.expect_end()
            except ParseError:
                c.pos = start
            else:
                target = args[0] if isinstance(args[0], ast.Name | ast.Member | ast.Index) \
                    else None
                names = (_derived_name(target),) if target is not None else ()
                return self._node(phrase, line, args, names=names)
        first = self.x.expr(c)
        if isinstance(first, ast.Name | ast.Member | ast.Index) and c.at_op(","):
            c.next()
            return self._node(phrase, line, [first, *self.expr_list(c)],
                              names=(_derived_name(first),))
        c.pos = start
        return self.generic(phrase, c, line)

    def _write(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Command:
        content = self.x.expr(c)
        if c.accept_word("TO"):
            return self._node(phrase, line, [self.x.expr(c), content])
        c.expect_op(",")
        return self._node(phrase, line, [content, *self.expr_list(c)])

    def expect_name_token(self, c: Cursor) -> str:
        token = c.next()
        if token.kind != NAME:
            raise ParseError("expected a name", token.line, token.col)
        return str(token.value)


def _derived_name(expr: ast.Expr) -> str | None:
    """SAVE's derived name (§7.5): a variable's name or a property path's last part."""
    if isinstance(expr, ast.Name):
        return expr.name
    if isinstance(expr, ast.Member):
        return expr.name
    return None
