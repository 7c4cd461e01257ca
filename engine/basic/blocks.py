"""Block structure: IF/FOR/WHILE/DO/SELECT/WITH/SUB/FUNCTION/ON EVENT/TABLE over lines."""

from __future__ import annotations

from engine.basic import ast
from engine.basic.diagnostics import DiagnosticSink
from engine.basic.expressions import (
    DEFAULT_NESTING,
    Cursor,
    ExpressionParser,
    NestingTooDeep,
    ParseError,
)
from engine.basic.lexer import NAME, OP, LogicalLine, Token
from engine.basic.statements import StatementParser

# closer id -> the opener it closes (for "X without Y" messages)
_CLOSERS = {
    "END IF": "IF", "ELSE": "IF", "ELSEIF": "IF", "NEXT": "FOR", "END FOR": "FOR",
    "WEND": "WHILE", "END WHILE": "WHILE", "LOOP": "DO", "CASE": "SELECT",
    "END SELECT": "SELECT", "END WITH": "WITH", "END SUB": "SUB",
    "END FUNCTION": "FUNCTION", "END ON": "ON EVENT", "END TABLE": "TABLE",
}


def closer_of(tokens: tuple[Token, ...]) -> str | None:
    """The block closer/clause a line starts with, if any."""
    if not tokens or tokens[0].kind != NAME:
        return None
    first = tokens[0].upper
    second = tokens[1].upper if len(tokens) > 1 and tokens[1].kind == NAME else ""
    if first in ("ENDIF", "END_IF"):
        return "END IF"
    if first == "END" and second in ("IF", "FOR", "WHILE", "SELECT", "SWITCH", "WITH", "SUB",
                                     "FUNCTION", "ON", "TABLE"):
        return "END SELECT" if second == "SWITCH" else f"END {second}"
    if first.startswith("END_") and first[4:] in ("FOR", "WHILE", "SELECT", "WITH", "SUB",
                                                  "FUNCTION", "TABLE"):
        return f"END {first[4:]}"
    if first == "ELSE":
        return "ELSEIF" if second == "IF" else "ELSE"
    if first in ("ELSEIF", "NEXT", "WEND", "LOOP"):
        return first
    if first in ("CASE", "DEFAULT") and (len(tokens) == 1 or first == "CASE"):
        after = tokens[1] if len(tokens) > 1 else None
        if first == "CASE" and after is not None and after.kind == OP and (
                after.value in ("=", "+=", "-=", "*=", "/=", "&=")
                or (after.value in (".", "[") and not after.space_before)):
            return None  # `case = …`, `case.x = …`, `case[0] = …` are assignments (§4.0)
        return "CASE"
    return None


class BlockParser:
    max_nesting = DEFAULT_NESTING  # blocks inside blocks (parse() sets the configured one)

    def __init__(self, lines: list[LogicalLine], sink: DiagnosticSink, source: str,
                 strict: bool) -> None:
        self.lines = lines
        self.i = 0
        self.sink = sink
        self.mod = ast.Module(strict=strict)
        self.exprs = ExpressionParser(sink)
        self.stmts = StatementParser(self, source)
        self.open: list[frozenset[str]] = []
        self.proc_names = self._procedure_names()
        self.loops: list[str] = []
        self.proc_kind: str | None = None
        self.at_top = True
        self._assigned: set[str] | None = None

    def module(self) -> ast.Module:
        self._option_strict()
        body = self.body(frozenset())
        self.mod.body = tuple(body)
        return self.mod

    def _option_strict(self) -> None:
        for line in self.lines:
            words = [t.upper for t in line.tokens[:2]]
            if words == ["OPTION", "STRICT"]:
                self.mod.strict = True
            return

    def _procedure_names(self) -> dict[str, bool]:
        names: dict[str, bool] = {}
        for line in self.lines:
            t = line.tokens
            if len(t) >= 2 and t[0].is_word("SUB", "FUNCTION") and t[1].kind == NAME:
                names[str(t[1].value).lower()] = t[0].is_word("FUNCTION")
        return names

    # -- bodies --------------------------------------------------------------------------
    def body(self, stop: frozenset[str]) -> list[ast.Stmt]:
        """Statements up to (not including) a line whose closer is in ``stop``."""
        out: list[ast.Stmt] = []
        self.open.append(stop)
        try:
            while self.i < len(self.lines):
                line = self.lines[self.i]
                closer = closer_of(line.tokens)
                if closer is not None:
                    if closer in stop:
                        return out
                    if any(closer in s for s in self.open):
                        return out  # closes an outer block: ours is unclosed
                    self._stray_closer(line, closer)
                    self.i += 1
                    continue
                self.i += 1
                stmt = self.line_statement(line)
                if stmt is not None:
                    out.append(stmt)
            return out
        finally:
            self.open.pop()

    def _stray_closer(self, line: LogicalLine, closer: str) -> None:
        opener = _CLOSERS[closer]
        shown = " ".join(t.upper for t in line.tokens[:2]) if closer.startswith("END") \
            else line.tokens[0].upper
        self.sink.error(f"'{shown}' without '{opener}'", line.line, line.tokens[0].col,
                        len(shown))

    def expect_closer(self, opener_line: LogicalLine, closers: frozenset[str],
                      name: str) -> str | None:
        """The closer the current line is, or None: the caller then reports the unclosed
        block once, at its opening line (BASIC.md §12.7)."""
        if self.i < len(self.lines):
            closer = closer_of(self.lines[self.i].tokens)
            if closer in closers:
                return closer
        return None

    def line_statement(self, line: LogicalLine) -> ast.Stmt | None:
        cursor = Cursor(line.tokens, line.line)
        try:
            return self.stmts.statement(cursor, line)
        except ParseError as err:
            self.sink.error(err.message, err.line, err.col, err.width)
            return None

    # -- nested blocks ---------------------------------------------------------------------
    def nested(self, stop: frozenset[str], loop: str | None = None) -> list[ast.Stmt]:
        if len(self.open) > self.max_nesting:  # the module's body is open[0]
            opener = self.lines[self.i - 1]
            col = opener.tokens[0].col if opener.tokens else 1
            raise NestingTooDeep("blocks", self.max_nesting, opener.line, col)
        was_top = self.at_top
        self.at_top = False
        if loop:
            self.loops.append(loop)
        try:
            return self.body(stop)
        finally:
            if loop:
                self.loops.pop()
            self.at_top = was_top

    def handler_body(self, c: Cursor, line: LogicalLine, name: str,
                     width: int) -> list[ast.Stmt]:
        """The body of an ON handler (``name``: "ON EVENT", "ON FORM SUBMIT") whose head ``c``
        has read: an optional DO ends the line, the body runs to END ON, which is consumed.
        Without END ON: a ParseError at the opening line, ``width`` characters wide."""
        c.accept_word("DO")
        c.expect_end()
        body = self.nested(frozenset({"END ON"}))
        if self.expect_closer(line, frozenset({"END ON"}), name) is None:
            raise ParseError(f"'{name}' without 'END ON'", line.line, line.tokens[0].col, width)
        self.advance()
        return body

    def stmts_declares(self, name: str) -> bool:
        """Whether ``name`` is assigned, DIMed or a loop variable somewhere in the file."""
        if self._assigned is None:
            self._assigned = set()
            for line in self.lines:
                t = line.tokens
                j = 1 if t and t[0].is_word("LET", "SET", "CONST", "DIM", "FOR") else 0
                if j < len(t) and t[j].is_word("EACH"):
                    j += 1
                if j < len(t) and t[j].kind == NAME:
                    self._assigned.add(str(t[j].value).lower())
        return name.lower() in self._assigned

    def current_line(self) -> LogicalLine:
        return self.lines[self.i]

    def advance(self) -> LogicalLine:
        line = self.lines[self.i]
        self.i += 1
        return line

    def has_line(self) -> bool:
        return self.i < len(self.lines)
