"""Diagnostics: what the lexer, parser and compiler report (BASIC.md §12.7, §12.8).

A diagnostic never stops the pipeline by itself; the parser returns the program *and* the
list. ``render`` gives ``file:line:col: Kind: message``, the source line and a caret.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: Severity
    message: str
    line: int
    col: int
    width: int = 1
    kind: str = "SyntaxError"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def headline(self, file: str = "<script>") -> str:
        label = self.kind if self.is_error else "Warning"
        return f"{file}:{self.line}:{self.col}: {label}: {self.message}"

    def render(self, source: str, file: str = "<script>") -> str:
        """The headline, the offending source line and a caret under the code."""
        lines = source.splitlines()
        text = lines[self.line - 1] if 0 < self.line <= len(lines) else ""
        # keep the line's tabs in the caret's indentation so the caret lines up under the
        # code whatever the tab width (a tab counts as one column, §2.1)
        lead = "".join(ch if ch == "\t" else " " for ch in text[: max(self.col - 1, 0)])
        caret = lead.ljust(max(self.col - 1, 0)) + "^" * max(self.width, 1)
        return f"{self.headline(file)}\n    {text}\n    {caret}"

    def transcript(self) -> str:
        """The ``SyntaxError: line N, column C: message`` form of BASIC.md §12.7."""
        return f"{self.kind}: line {self.line}, column {self.col}: {self.message}"

    def to_json(self) -> dict[str, object]:
        return {
            "severity": self.severity,
            "kind": self.kind,
            "message": self.message,
            "line": self.line,
            "col": self.col,
            "width": self.width,
        }


class DiagnosticSink:
    """Collects diagnostics in source order."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def error(self, message: str, line: int, col: int, width: int = 1) -> None:
        self.items.append(Diagnostic("error", message, line, col, width))

    def warning(self, message: str, line: int, col: int, width: int = 1,
                kind: str = "Warning") -> None:
        """``kind`` names the run-time error a warned line raises, when it is sure to."""
        self.items.append(Diagnostic("warning", message, line, col, width, kind=kind))

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=lambda d: (d.line, d.col))
