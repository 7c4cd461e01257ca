"""Compiled programs: flat instruction lists with jumps (ARCHITECTURE.md §4).

An instruction is a callable ``(frame) -> int | None``: None continues with the next one,
a non-negative int jumps there, and the negative codes below tell the VM that the frame stack
changed. Each code list carries, per instruction, its source line and where ``ON ERROR RESUME
NEXT`` continues (after the whole compound statement for a block header).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from engine.basic import ast
from engine.basic.diagnostics import Diagnostic
from engine.basic.tools import ParamSpec, mcp_descriptor, openai_descriptor, tool_name

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
    # a procedure tool (docs/basic-compatibility.md P2): a view of its file's program whose
    # run starts in this procedure, described by ``tool``
    entry: ProcCode | None = None
    tool: ast.ProcTool | None = None
    proc_tools: dict[str, Program] = field(default_factory=dict)  # lower-case tool name

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
        """§11.1: a PARAM or DESCRIPTION line, and not start.bas / tables.bas; or a
        procedure tool."""
        if self.tool is not None:
            return True
        if self.name.lower() in ("start", "tables"):
            return False
        return bool(self.module.params) or self.module.has_description

    @property
    def params(self) -> list[ParamSpec]:
        """The PARAM lines of the tool: the file's, or the procedure tool's."""
        return list(self.tool.params) if self.tool is not None else self.module.params

    def openai_tool(self) -> dict[str, Any]:
        return openai_descriptor(*self._descriptor_parts())

    def mcp_tool(self) -> dict[str, Any]:
        return mcp_descriptor(*self._descriptor_parts())

    def _descriptor_parts(self) -> tuple[str, str | None, list[ParamSpec]]:
        if self.tool is not None:
            return tool_name(self.tool.name), self.tool.description, self.params
        return tool_name(self.name), self.module.description, self.module.params

    def tools(self) -> list[Program]:
        """Every tool this file declares: itself (when a tool), then its procedure tools."""
        return ([self] if self.is_tool else []) + list(self.proc_tools.values())

    def make_proc_tools(self) -> None:
        """One view per procedure tool of the module (after the procedures compiled)."""
        for decl in self.module.proc_tools:
            proc = self.procs.get(decl.key)
            if proc is not None:
                self.proc_tools[tool_name(decl.name).lower()] = replace(
                    self, name=decl.name, entry=proc, tool=decl, proc_tools={})
