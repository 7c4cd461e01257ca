"""TABLE lines written in SQL (docs/basic-compatibility.md T1).

General Bots packages declare tables in SQL's words: ``DEFAULT 'x'`` (single quotes, which the
BASIC lexer reads as the start of a comment), ``DEFAULT NOW()``, ``GENERATED ALWAYS AS …``,
column lists ending in ``,`` and table-level constraints on their own line:
``UNIQUE(a, b)``, ``PRIMARY KEY (id)``, ``CONSTRAINT name …``, ``FOREIGN KEY …``,
``CHECK (…)``. The helpers here read those forms; :mod:`engine.basic.declarations` keeps
the BASIC ones.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from engine.basic.expressions import Cursor
from engine.basic.lexer import NAME, LogicalLine, Token
from engine.basic.names import column_name
from engine.basic.query import FieldDecl

if TYPE_CHECKING:
    from engine.basic.declarations import DeclarationParser

_IGNORED = frozenset({"FOREIGN", "CHECK", "INDEX", "KEY"})


def column_parts(line: LogicalLine) -> list[LogicalLine]:
    """A TABLE line split at its top-level commas: a line ending in ``,`` joins the next
    one (BASIC.md §2.6), so SQL column lists arrive as one logical line."""
    parts: list[LogicalLine] = []
    current: list[Token] = []
    depth = 0
    for token in line.tokens:
        if token.is_op("(", "[", "{"):
            depth += 1
        elif token.is_op(")", "]", "}"):
            depth -= 1
        if depth == 0 and token.is_op(","):
            if current:
                parts.append(LogicalLine(tuple(current), current[0].line))
            current = []
            continue
        current.append(token)
    if current:
        parts.append(LogicalLine(tuple(current), current[0].line))
    return parts


def skip_group(c: Cursor) -> None:
    """Skip a parenthesised group at the cursor (``NOW()``, ``REFERENCES t(id)``…)."""
    if not c.at_op("("):
        return
    depth = 0
    while not c.done:
        token = c.next()
        if token.is_op("("):
            depth += 1
        elif token.is_op(")"):
            depth -= 1
            if depth == 0:
                return


def sql_quoted_default(source_line: str, end_col: int) -> str | None:
    """The ``'text'`` after DEFAULT (``''`` inside is one quote), read from the raw line."""
    rest = source_line[end_col - 1:].lstrip()
    if not rest.startswith("'"):
        return None
    out: list[str] = []
    i = 1
    while i < len(rest):
        ch = rest[i]
        if ch == "'":
            if rest[i + 1:i + 2] == "'":
                out.append("'")
                i += 2
                continue
            return "".join(out)
        out.append(ch)
        i += 1
    return None


def table_constraint(p: DeclarationParser, c: Cursor, line: LogicalLine,
                     fields: list[FieldDecl], groups: list[tuple[str, ...]]) -> bool:
    """Handle a table-level constraint line; False when the line is a column. A
    ``UNIQUE(a, b)`` of several columns is added to ``groups``."""
    first = c.peek()
    after = c.peek(1)
    if first is None or first.kind != NAME:
        return False
    word = first.upper
    if word == "CONSTRAINT" and after is not None and after.kind == NAME:
        c.next()
        c.next()
        return table_constraint(p, c, line, fields, groups) or True
    if word == "UNIQUE" and after is not None and after.is_op("("):
        c.next()
        _unique(_names(c), fields, groups)
        return True
    if word == "PRIMARY" and after is not None and after.is_word("KEY"):
        c.next()
        c.next()
        names = _names(c)
        if len(names) == 1:
            _mark(fields, names[0], key=True)
        else:
            p.sink.warning("a composite PRIMARY KEY is not supported; the table keeps its "
                           "own key", line.line, first.col)
        return True
    if word in _IGNORED and after is not None and (after.is_op("(") or after.kind == NAME) \
            and not (after.kind == NAME and word == "KEY"):
        p.sink.warning(f"table constraint {word} ignored", line.line, first.col)
        return True
    return False


def _names(c: Cursor) -> list[str]:
    names: list[str] = []
    c.expect_op("(")
    while not c.accept_op(")"):
        token = c.next()
        if token.kind == NAME:
            names.append(column_name(str(token.value)))
    return names


def _unique(names: list[str], fields: list[FieldDecl],
            groups: list[tuple[str, ...]]) -> None:
    if len(names) == 1:
        _mark(fields, names[0], unique=True)
    elif names and tuple(names) not in groups:
        groups.append(tuple(names))


def _mark(fields: list[FieldDecl], name: str, **flags: bool) -> None:
    for i, field in enumerate(fields):
        if field.name == name:
            fields[i] = replace(field, **flags)  # type: ignore[arg-type]
