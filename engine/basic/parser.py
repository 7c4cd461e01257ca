"""The parser: logical lines → :class:`ast.Module` plus diagnostics (BASIC.md §4).

Lines are classified in the order of §4.0: label, assignment shape, statement keyword
(longest phrase, ``_`` joins words), procedure call, value keyword, unknown. Block lines,
assignments and labels must parse; a simple keyword statement that does not parse is a
warning and is skipped (tolerant mode) or an error (strict mode). The parser never executes
anything and never raises: every problem becomes a diagnostic.
"""

from __future__ import annotations

from engine.basic import ast
from engine.basic.blocks import BlockParser
from engine.basic.diagnostics import Diagnostic, DiagnosticSink
from engine.basic.expressions import DEFAULT_NESTING, NestingTooDeep
from engine.basic.joinlines import join_where_continuations
from engine.basic.lexer import LogicalLine, tokenize


def parse(source: str, strict: bool = False,
          max_nesting: int = DEFAULT_NESTING) -> tuple[ast.Module, list[Diagnostic]]:
    """Parse a whole file. ``strict`` is the bot-wide ``basic-strict`` setting;
    ``max_nesting`` bounds blocks inside blocks and expression levels (NestingTooDeep)."""
    sink = DiagnosticSink()
    lines: list[LogicalLine] = join_where_continuations(tokenize(source, sink))
    parser = BlockParser(lines, sink, source, strict)
    parser.max_nesting = parser.exprs.max_depth = max_nesting
    try:
        module = parser.module()
    except NestingTooDeep as err:  # one error for the file; nothing after it is parsed
        sink.error(err.message, err.line, err.col)
        module = ast.Module(strict=strict)
    return module, sink.sorted()
