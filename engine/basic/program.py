"""Compiled programs: flat instruction lists with jumps (ARCHITECTURE.md §4).

An instruction is a callable ``(frame) -> int | None``: None continues with the next one,
a non-negative int jumps there, and the negative codes below tell the VM that the frame stack
changed. Each code list carries, per instruction, its source line and where ``ON ERROR RESUME
NEXT`` continues (after the whole compound statement for a block header).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.basic import ast
from engine.basic.diagnostics import Diagnostic
from engine.basic.tools import mcp_descriptor, openai_descriptor, tool_name

if TYPE_CHECKING:
    from engine.basic.vm import Frame

PUSHED = -1  # a frame was pushed (procedure or script call)
RETURNED = -2  # the current frame finished
SUSPENDED = -3  # the run waits for the user (HEAR)
ENDED = -4  # END: the current script stops

Instr = Callable[["Frame"], int | None]
Eval = Callable[["Frame"], Any]


@dataclass
class Code:
    instrs: list[Instr] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    resume: list[int] = field(default_factory=list)
    labels: dict[str, int] = field(default_factory=dict)


@dataclass
class ProcCode:
    name: str  # as written
    key: str  # lower case
    is_function: bool
    params: list[tuple[str, Eval | None]]
    code: Code
    line: int
    names: tuple[str, ...] = field(init=False, repr=False)  # the parameter names, in order

    def __post_init__(self) -> None:
        self.names = tuple(name for name, _ in self.params)


@dataclass
class Program:
    """One compiled ``.bas`` file."""

    name: str
    source: str
    module: ast.Module
    diagnostics: list[Diagnostic]
    main: Code = field(default_factory=Code)
    procs: dict[str, ProcCode] = field(default_factory=dict)
    handlers: dict[str, list[ProcCode]] = field(default_factory=dict)
    declared: frozenset[str] = frozenset()

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()[:16]

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.is_error]

    @property
    def is_tool(self) -> bool:
        """§11.1: a PARAM or DESCRIPTION line, and not start.bas / tables.bas."""
        if self.name.lower() in ("start", "tables"):
            return False
        return bool(self.module.params) or self.module.has_description

    def openai_tool(self) -> dict[str, Any]:
        return openai_descriptor(tool_name(self.name), self.module.description,
                                 self.module.params)

    def mcp_tool(self) -> dict[str, Any]:
        return mcp_descriptor(tool_name(self.name), self.module.description, self.module.params)
