"""Building one code list: instructions, forward labels, GOTO targets, resume points."""

from __future__ import annotations

from engine.basic.diagnostics import Diagnostic
from engine.basic.program import Code, Instr


class Label:
    """A jump target whose position is fixed later; instructions read ``pc`` at run time."""

    __slots__ = ("pc",)

    def __init__(self) -> None:
        self.pc = -1


class Emitter:
    def __init__(self) -> None:
        self.code = Code()
        self._resume_labels: dict[int, Label] = {}
        self.goto_labels: dict[str, Label] = {}
        self._goto_uses: list[tuple[str, int, int]] = []
        self._defined: dict[str, int] = {}

    @property
    def here(self) -> int:
        return len(self.code.instrs)

    def emit(self, instr: Instr, line: int, resume: Label | None = None) -> int:
        pc = self.here
        self.code.instrs.append(instr)
        self.code.lines.append(line)
        self.code.resume.append(pc + 1)
        if resume is not None:
            self._resume_labels[pc] = resume
        return pc

    def mark(self, label: Label) -> None:
        label.pc = self.here

    def goto_label(self, name: str, line: int, col: int) -> Label:
        self._goto_uses.append((name, line, col))
        return self.goto_labels.setdefault(name, Label())

    def define_label(self, name: str, line: int) -> Diagnostic | None:
        if name in self._defined:
            return Diagnostic("error", f"duplicate label '{name}'", line, 1, len(name))
        self._defined[name] = line
        label = self.goto_labels.setdefault(name, Label())
        label.pc = self.here
        self.code.labels[name] = self.here
        return None

    def resolve_labels(self) -> list[Diagnostic]:
        for pc, label in self._resume_labels.items():
            self.code.resume[pc] = label.pc
        problems = []
        for name, line, col in self._goto_uses:
            if name not in self._defined:
                problems.append(Diagnostic("error", f"unknown label '{name}'", line, col,
                                           len(name)))
        return problems
