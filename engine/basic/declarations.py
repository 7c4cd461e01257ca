"""Compile-time directives: PARAM, DESCRIPTION, TABLE, WEBHOOK, SET SCHEDULE, ON EMAIL…"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.basic import ast
from engine.basic.commands import CommandParser
from engine.basic.expressions import Cursor, ParseError
from engine.basic.lexer import NAME, STRING, LogicalLine, Token
from engine.basic.names import column_name, table_name
from engine.basic.query import COMPUTED_DEFAULTS, ColumnType, FieldDecl, TableDecl
from engine.basic.schedules import to_cron
from engine.basic.sqlcolumns import (
    column_parts,
    skip_group,
    sql_quoted_default,
    table_constraint,
)
from engine.basic.tools import ParamSpec

if TYPE_CHECKING:
    from engine.basic.blocks import BlockParser

_TYPES: dict[str, ColumnType] = {
    "STRING": "text", "TEXT": "text", "VARCHAR": "text", "CHAR": "text", "UUID": "text",
    "GUID": "text", "INTEGER": "integer", "INT": "integer", "BIGINT": "integer",
    "SMALLINT": "integer", "SERIAL": "integer", "NUMBER": "float", "FLOAT": "float",
    "DOUBLE": "float", "REAL": "float", "DECIMAL": "float", "NUMERIC": "float",
    "MONEY": "float", "BOOLEAN": "boolean", "BOOL": "boolean", "DATE": "date",
    "DATETIME": "datetime", "TIMESTAMP": "datetime", "JSON": "json", "OBJECT": "json",
    "ARRAY": "json",
    # SQL spellings found in General Bots packages (compat T1)
    "NVARCHAR": "text", "NCHAR": "text", "CLOB": "text", "TINYINT": "integer",
    "BIGSERIAL": "integer", "SMALLSERIAL": "integer", "FLOAT8": "float", "FLOAT4": "float",
    "TIMESTAMPTZ": "datetime", "JSONB": "json",
}


class DeclarationParser(CommandParser):
    b: BlockParser
    source_lines: list[str]

    def raw_text_after(self, token: Token) -> str:
        raise NotImplementedError

    def string_arg(self, c: Cursor) -> str:
        raise NotImplementedError

    def declaration(self, rule: str, phrase: str, c: Cursor, line: LogicalLine) -> ast.Stmt:
        method = getattr(self, f"_decl_{rule}")
        return method(phrase, c, line)  # type: ignore[no-any-return]

    # -- tools ----------------------------------------------------------------------------
    def _decl_param(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Stmt:
        name = c.name()
        fields: dict[str, object] = {"name": str(name.value), "line": line.line}
        while not c.done:
            word = c.next()
            if word.kind != NAME:
                raise ParseError(f"unexpected '{word.value}' in PARAM", word.line, word.col)
            self._param_clause(word.upper, c, fields)
        self.b.mod.params.append(ParamSpec(**fields))  # type: ignore[arg-type]
        return ast.Nothing(line.line)

    def _param_clause(self, word: str, c: Cursor, fields: dict[str, object]) -> None:
        if word == "AS":
            if c.peek() is not None and c.peek().kind == STRING:  # type: ignore[union-attr]
                fields["description"] = self.string_arg(c)  # AS "what it is" (compat P1)
                return
            token = c.name()
            # the JSON-schema spelling `number` (lower case) is a number, not BASIC's
            # integer NUMBER (compat P1)
            type_name = "FLOAT" if token.value == "number" else token.upper
            if c.accept_word("OF"):
                fields["item_type"] = c.name().upper
            fields["type"] = type_name
            if c.accept_op("("):  # VARCHAR(50)
                while not c.accept_op(")"):
                    c.next()
        elif word == "LIKE":
            fields["example"] = self.constant(c)
            fields["has_example"] = True
        elif word == "DESCRIPTION":
            fields["description"] = self.string_arg(c)
        elif word == "ENUM":
            fields["enum"] = tuple(str(v) for v in self._enum_values(c))
        elif word == "OPTIONAL":
            fields["optional"] = True
        elif word == "DEFAULT":
            fields["default"] = self.constant(c)
            fields["has_default"] = True
        else:
            raise ParseError(f"unknown PARAM clause '{word}'", c.line, 1)

    def _enum_values(self, c: Cursor) -> list[object]:
        bracket = c.accept_op("[")
        values = [self.constant(c)]
        while c.accept_op(","):
            if bracket and c.at_op("]"):
                break
            values.append(self.constant(c))
        if bracket:
            c.expect_op("]")
        return values

    def constant(self, c: Cursor) -> object:
        """A literal value written in a declaration (``-5``, ``"x"``, ``TRUE``, ``[1, 2]``)."""
        expr = self.x._unary(c)
        return _constant_value(expr, c)

    def _decl_description(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Stmt:
        text = self.string_arg(c)
        c.expect_end()
        self.b.mod.description = text
        self.b.mod.has_description = True
        return ast.Nothing(line.line)

    # -- handlers and schedules -------------------------------------------------------------
    def _decl_webhook(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Stmt:
        name = self.string_arg(c)
        c.expect_end()
        self.b.mod.webhooks.append(name)
        return ast.Nothing(line.line)

    def on_email(self, c: Cursor, line: LogicalLine) -> ast.Stmt:
        address = self.string_arg(c)
        sender = subject = None
        if c.accept_word("FROM"):
            sender = self.string_arg(c)
        elif c.accept_word("SUBJECT"):
            subject = self.string_arg(c)
        c.expect_end()
        self.b.mod.email_triggers.append((address, sender, subject))
        return ast.Nothing(line.line)

    def _decl_schedule(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Stmt:
        first = c.peek()
        if first is None:
            raise c.error("SET SCHEDULE needs a schedule")
        if first.kind != STRING:
            start = c.pos
            try:
                expr = self.x.expr(c)
                if c.accept_op(","):
                    rest = self.expr_list(c)
                    c.expect_end()
                    return ast.Command("SET SCHEDULE", (expr, *rest), line=line.line)
            except ParseError:
                pass
            c.pos = start
            spec = self.raw_text_after(line.tokens[c.pos - 1])
            return self._schedule(spec, None, line)
        values = [self.string_arg(c)]
        while c.accept_op(","):
            values.append(self.string_arg(c))
        c.expect_end()
        if len(values) == 1:
            return self._schedule(values[0], None, line)
        if to_cron(values[0]) is not None:
            return self._schedule(values[0], values[1], line)
        self.b.mod.schedules.append(ast.Schedule(values[1], None, values[0], line.line))
        if to_cron(values[1]) is None:
            self.sink.warning(f"invalid schedule '{values[1]}'", line.line, 1)
        return ast.Nothing(line.line)

    def _schedule(self, spec: str, script: str | None, line: LogicalLine) -> ast.Stmt:
        if to_cron(spec) is None:
            self.sink.warning(f"invalid schedule '{spec}'; nothing scheduled", line.line, 1)
        else:
            self.b.mod.schedules.append(ast.Schedule(spec, script, None, line.line))
        return ast.Nothing(line.line)

    def _decl_create_index(self, phrase: str, c: Cursor, line: LogicalLine) -> ast.Stmt:
        name = self.expect_name_token(c)
        c.expect_word("ON")
        table = self.expect_name_token(c)
        c.expect_op("(")
        columns = [self.expect_name_token(c)]
        while c.accept_op(","):
            columns.append(self.expect_name_token(c))
        c.expect_op(")")
        c.expect_end()
        self.b.mod.indexes.append((name, table, tuple(columns)))
        return ast.Nothing(line.line)

    # -- TABLE ------------------------------------------------------------------------------
    def table(self, c: Cursor, line: LogicalLine) -> ast.Stmt:
        name_token = c.next()
        name = self.literal_or_name(name_token)
        read_by, write_by, connection = self._access(c)
        c.expect_end()
        fields: list[FieldDecl] = []
        groups: list[tuple[str, ...]] = []  # table-level UNIQUE(a, b)
        while self.b.has_line():
            field_line = self.b.advance()
            for part in column_parts(field_line):  # SQL lists: `a TEXT, b INT` (compat T1)
                pc = Cursor(part.tokens, part.line)
                if pc.at_word("END") and pc.peek(1) is not None and pc.peek(1).is_word("TABLE"):  # type: ignore[union-attr]
                    decl = TableDecl(table_name(name), tuple(fields), read_by, write_by,
                                     connection, line.line, tuple(groups))
                    self.b.mod.tables.append(decl)
                    return ast.Nothing(line.line)
                if not table_constraint(self, pc, part, fields, groups):
                    fields.append(self._field(pc, part))
        raise ParseError("'TABLE' without 'END TABLE'", line.line, line.tokens[0].col, 5)

    def literal_or_name(self, token: Token) -> str:
        if token.kind == STRING:
            return "".join(p for p in token.value if isinstance(p, str))  # type: ignore[attr-defined]
        if token.kind == NAME:
            return str(token.value)
        raise ParseError("expected a table name", token.line, token.col)

    def _access(self, c: Cursor) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
        read_by: tuple[str, ...] = ()
        write_by: tuple[str, ...] = ()
        connection = None
        while not c.done:
            if c.accept_word("READ"):
                c.expect_word("BY")
                read_by = _roles(self.string_arg(c))
            elif c.accept_word("WRITE"):
                c.expect_word("BY")
                write_by = _roles(self.string_arg(c))
            elif c.accept_word("ON"):
                connection = self.expect_name_token(c)
            else:
                break
        return read_by, write_by, connection

    def _field(self, c: Cursor, line: LogicalLine) -> FieldDecl:
        if c.accept_word("FIELD"):
            name = self.expect_name_token(c)
            c.expect_word("AS")
        else:
            name = self.expect_name_token(c)
        type_token = c.name()
        column_type = _TYPES.get(type_token.upper)
        if column_type is None:
            raise ParseError(f"unknown column type '{type_token.value}'", type_token.line,
                             type_token.col, type_token.end_col - type_token.col)
        if c.accept_op("("):
            while not c.accept_op(")"):
                c.next()
        flags: dict[str, object] = {}
        while not c.done:
            self._field_modifier(c, flags, line)
        return FieldDecl(column_name(name), column_type, **flags)  # type: ignore[arg-type]

    def _field_modifier(self, c: Cursor, flags: dict[str, object], line: LogicalLine) -> None:
        word = c.next()
        upper = word.upper
        if word.is_op(","):  # SQL column lists end each line with a comma (compat T1)
            return
        if upper == "PRIMARY":
            c.expect_word("KEY")
            flags["key"] = True
        elif upper == "KEY":
            flags["key"] = True
        elif upper == "UNIQUE":
            flags["unique"] = True
        elif upper == "NOT":
            c.expect_word("NULL")
            flags["not_null"] = True
        elif upper == "DEFAULT":
            self._default(c, word, flags, line)
        elif upper == "GENERATED":
            self.sink.warning("generated column: its value is not computed; it is stored "
                              "like a plain column", line.line, word.col)
            c.pos = len(c.tokens)
        elif upper in ("READ", "WRITE"):
            c.expect_word("BY")
            flags[f"{upper.lower()}_by"] = _roles(self.string_arg(c))
        else:
            self.sink.warning(f"column modifier '{word.value}' ignored", line.line, word.col)
            skip_group(c)

    def _default(self, c: Cursor, word: Token, flags: dict[str, object],
                 line: LogicalLine) -> None:
        """``DEFAULT literal``; SQL's ``DEFAULT 'x'`` (a quote the lexer read as a comment)
        and ``DEFAULT NOW()``-style functions, computed when a row is inserted (compat T1)."""
        token = c.peek()
        if token is None:
            quoted = sql_quoted_default(self.source_lines[word.line - 1], word.end_col)
            if quoted is None:
                raise c.error("expected a default value")
            flags["default"] = quoted
            return
        if token.kind == NAME and token.upper in COMPUTED_DEFAULTS:
            c.next()
            skip_group(c)
            flags["computed_default"] = COMPUTED_DEFAULTS[token.upper]
            return
        flags["default"] = self.constant(c)


def _roles(text: str) -> tuple[str, ...]:
    return tuple(r.strip().lower() for r in text.replace(",", ";").split(";") if r.strip())


def _constant_value(expr: ast.Expr, c: Cursor) -> object:
    if isinstance(expr, ast.Literal):
        return expr.value
    if isinstance(expr, ast.ArrayLit):
        return [_constant_value(item, c) for item in expr.items]
    if isinstance(expr, ast.Name) and expr.name.upper() in ("NULL", "NOTHING"):
        return None
    raise ParseError("expected a literal value", getattr(expr, "line", c.line),
                     getattr(expr, "col", 1))
