"""BEGIN TALK / BEGIN SYSTEM PROMPT / BEGIN MAIL raw text blocks (BASIC.md §4.13)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.basic import ast
from engine.basic.expressions import Cursor, ParseError
from engine.basic.lexer import Interp, LogicalLine, RawLine

if TYPE_CHECKING:
    from engine.basic.statements import StatementParser


def text_block(sp: StatementParser, c: Cursor, line: LogicalLine) -> ast.Stmt:
    words = [w for t in line.tokens[:3] for w in t.upper.split("_") if w]
    kind = "SYSTEM PROMPT" if "SYSTEM" in words else ("MAIL" if "MAIL" in words else "TALK")
    c.pos = _after_phrase(line, kind)
    recipient = sp.x.expr(c) if kind == "MAIL" else None
    c.expect_end()
    if line.block is None or line.block_end_line < 0:
        raise ParseError(f"BEGIN {kind} without END {kind}", line.line, line.tokens[0].col, 5)
    lines, cut = _dedent(line.block)
    parts = _parts(sp, lines, cut)
    return ast.TextBlock(kind, tuple(parts), recipient, line.line)


def _after_phrase(line: LogicalLine, kind: str) -> int:
    needed = len(kind.split()) + 1
    seen = 0
    for j, token in enumerate(line.tokens):
        seen += len([w for w in token.upper.split("_") if w])
        if seen >= needed:
            return j + 1
    return len(line.tokens)


def _dedent(lines: tuple[RawLine, ...]) -> tuple[list[RawLine], int]:
    """The block's lines without their common indentation, and how many columns were cut."""
    stripped = [RawLine(r.text.rstrip(), r.line) for r in lines]
    while stripped and not stripped[0].text:
        stripped.pop(0)
    while stripped and not stripped[-1].text:
        stripped.pop()
    indents = [len(r.text) - len(r.text.lstrip()) for r in stripped if r.text]
    cut = min(indents) if indents else 0
    return [RawLine(r.text[cut:], r.line) for r in stripped], cut


def _parts(sp: StatementParser, lines: list[RawLine], cut: int) -> list[str | ast.Expr]:
    parts: list[str | ast.Expr] = []
    for index, raw in enumerate(lines):
        if index:
            parts.append("\n")
        parts.extend(_line_parts(sp, raw, cut))
    return parts


def _line_parts(sp: StatementParser, raw: RawLine, cut: int) -> list[str | ast.Expr]:
    """Text and ``${…}`` parts; ``cut`` columns of indentation were removed (for positions)."""
    text = raw.text
    out: list[str | ast.Expr] = []
    buf: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("\\${", i):
            buf.append("${")
            i += 3
            continue
        if text.startswith("${", i):
            end = _closing_brace(text, i + 2)
            if end >= 0:
                if buf:
                    out.append("".join(buf))
                    buf = []
                out.append(sp.x.interpolation(Interp(text[i + 2:end], raw.line, cut + i + 3)))
                i = end + 1
                continue
        buf.append(text[i])
        i += 1
    if buf:
        out.append("".join(buf))
    return out


def _closing_brace(text: str, start: int) -> int:
    depth = 1
    quote: str | None = None
    j = start
    while j < len(text):
        ch = text[j]
        if quote:
            if ch == quote:
                quote = None
        elif ch in "\"`":
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return -1
