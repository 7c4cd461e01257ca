"""Logical lines that continue on the next line in ways BASIC.md §2.6 does not list.

General Bots packages write a long inline ``WHERE`` over several lines with the connective
at the start of the next line::

    rows = FIND "orders" WHERE status = "open"
        AND total > 100
        ORDER BY total DESC

A line that holds the word ``WHERE`` absorbs the following lines that start with ``AND``,
``OR``, ``ORDER BY`` or ``LIMIT`` (docs/basic-compatibility.md S1). Nothing else changes:
such a line could not be a statement of its own.

The reverse also happens: a HEAR menu ending in the free-text option ``, *`` ends with an
operator, which §2.6 reads as "continued on the next line"; such a line is split again
after the ``*`` (``, *`` is never the start of an expression).
"""

from __future__ import annotations

from dataclasses import replace

from engine.basic.lexer import NAME, LogicalLine, Token

_CONTINUERS = frozenset({"AND", "OR", "LIMIT"})


def join_where_continuations(lines: list[LogicalLine]) -> list[LogicalLine]:
    out: list[LogicalLine] = []
    for line in _split_star_options(lines):
        if out and _has_where(out[-1]) and _continues_where(line.tokens):
            out[-1] = replace(out[-1], tokens=out[-1].tokens + line.tokens)
        else:
            out.append(line)
    return out


def _has_where(line: LogicalLine) -> bool:
    return line.block is None and any(t.kind == NAME and t.upper == "WHERE"
                                      for t in line.tokens)


def _continues_where(tokens: tuple[Token, ...]) -> bool:
    if not tokens or tokens[0].kind != NAME:
        return False
    first = tokens[0].upper
    if first == "ORDER":
        return len(tokens) > 1 and tokens[1].is_word("BY")
    return first in _CONTINUERS and len(tokens) > 1


def _split_star_options(lines: list[LogicalLine]) -> list[LogicalLine]:
    out: list[LogicalLine] = []
    for line in lines:
        while line.block is None:
            cut = _star_cut(line.tokens)
            if cut is None:
                break
            out.append(replace(line, tokens=line.tokens[:cut]))
            line = LogicalLine(line.tokens[cut:], line.tokens[cut].line)
        out.append(line)
    return out


def _star_cut(tokens: tuple[Token, ...]) -> int | None:
    for j in range(1, len(tokens) - 1):
        star = tokens[j]
        if star.is_op("*") and tokens[j - 1].is_op(",") and tokens[j + 1].line != star.line:
            return j + 1
    return None
