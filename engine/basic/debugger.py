"""Stepping through a BASIC run: breakpoints, step into/over/out, frames and variables.

The normal :class:`~engine.basic.vm.VM` loop is left untouched (and as fast as ever): a
debugged run executes a *traced copy* of each program, whose instructions call a hook before
they run. The hook decides, once per statement (a change of line or of frame), whether to
pause; pausing calls ``on_pause`` with a :class:`Paused` snapshot and blocks the run's thread
until it returns the next :class:`StepCommand`. The VM runs on a worker thread, as it always
does, so a caller (the desktop's debug panel) waits for pauses without blocking its own loop::

    channel = DebugChannel(notify=show_pause)          # show_pause runs on the VM thread
    vm = DebugVM(host, channel, Breakpoints({("start", 4)}))
    outcome = vm.start(program)                        # in a worker thread
    ...                                                # elsewhere: channel.send(StepCommand.OVER)

Time spent paused does not count toward the run's time limit. ``STOP`` (or :meth:`DebugVM.stop`
while running) ends the run with :class:`DebugStopped`.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from engine.basic import values
from engine.basic.host import Host
from engine.basic.instructions import Message
from engine.basic.limits import Limits
from engine.basic.program import Code, Instr, ProcCode, Program
from engine.basic.vm import VM, Frame, Outcome

_SLOT_PREFIX = "\x00"  # compiler-made hidden variables (loop counters, WITH targets)
_MAX_SHOWN = 200  # characters of a value shown in a variables table


class StepCommand(StrEnum):
    CONTINUE = "continue"
    INTO = "into"
    OVER = "over"
    OUT = "out"
    STOP = "stop"


class DebugStopped(Exception):
    """The person stopped the debugged run."""


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    value: str
    type: str


@dataclass(frozen=True, slots=True)
class StackFrame:
    """One frame of the call stack: ``start`` or ``start › Greet``."""

    name: str
    script: str
    line: int
    variables: tuple[Variable, ...]


@dataclass(frozen=True, slots=True)
class Paused:
    """Where and why a run paused; ``stack`` is innermost first."""

    script: str
    line: int
    reason: str  # entry | step | breakpoint
    stack: tuple[StackFrame, ...]
    globals: tuple[Variable, ...]


class Breakpoints:
    """Thread-safe set of ``(script, line)`` (script names compare case-insensitively)."""

    def __init__(self, points: Iterable[tuple[str, int]] = ()) -> None:
        self._lock = threading.Lock()
        self._points = {(s.lower(), n) for s, n in points}

    def toggle(self, script: str, line: int) -> bool:
        """Add or remove a breakpoint; True when it is now set."""
        key = (script.lower(), line)
        with self._lock:
            if key in self._points:
                self._points.discard(key)
                return False
            self._points.add(key)
            return True

    def set_lines(self, script: str, lines: Iterable[int]) -> None:
        name = script.lower()
        with self._lock:
            self._points = {p for p in self._points if p[0] != name}
            self._points.update((name, n) for n in lines)

    def lines(self, script: str) -> set[int]:
        with self._lock:
            return {n for s, n in self._points if s == script.lower()}

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, tuple) or len(key) != 2:
            return False
        with self._lock:
            return (str(key[0]).lower(), key[1]) in self._points


class DebugChannel:
    """Hands pauses to the caller and commands back (the ``on_pause`` of a :class:`DebugVM`).

    ``notify`` is called on the VM's thread; :meth:`send` may be called from any thread.
    """

    def __init__(self, notify: Callable[[Paused], None]) -> None:
        self._notify = notify
        self._commands: queue.Queue[StepCommand] = queue.Queue()

    def __call__(self, paused: Paused) -> StepCommand:
        self._notify(paused)
        return self._commands.get()

    def send(self, command: StepCommand) -> None:
        self._commands.put(command)


class _Traced:
    """An instruction that calls the debugger's hook first; other attributes pass through."""

    __slots__ = ("code", "hook", "index", "instr")

    def __init__(self, instr: Instr, code: Code, index: int,
                 hook: Callable[[Frame, Code, int], None]) -> None:
        self.instr = instr
        self.code = code
        self.index = index
        self.hook = hook

    def __call__(self, f: Frame) -> int | None:
        self.hook(f, self.code, self.index)
        return self.instr(f)

    def __getattr__(self, name: str) -> Any:  # deliver / finish of HEAR and call instructions
        return getattr(self.instr, name)


class DebugVM(VM):
    def __init__(self, host: Host, on_pause: Callable[[Paused], StepCommand],
                 breakpoints: Breakpoints | None = None, *, stop_on_entry: bool = True,
                 limits: Limits | None = None, seed: int | None = None) -> None:
        super().__init__(host, limits, seed)
        self.on_pause = on_pause
        self.breakpoints = breakpoints or Breakpoints()
        self._mode = StepCommand.INTO if stop_on_entry else StepCommand.CONTINUE
        self._depth = 0  # the frame depth the last step command was given at
        self._entry = stop_on_entry
        self._last: tuple[int, int] | None = None  # (frame id, line) of the last statement
        self._traced: dict[int, Program] = {}
        self._stop = threading.Event()

    # -- public ------------------------------------------------------------------------------
    def start(self, program: Program, arguments: dict[str, Any] | None = None,
              request: dict[str, Any] | None = None) -> Outcome:
        return super().start(self.traced(program), arguments, request)

    def deliver(self, message: Message | str) -> Outcome:
        self._last = None  # the statement after a HEAR is a new stop
        return super().deliver(message)

    def stop(self) -> None:
        """Ask a running (not paused) run to stop at its next statement."""
        self._stop.set()

    def traced(self, program: Program) -> Program:
        """A copy of ``program`` whose instructions call the hook (cached per program)."""
        found = self._traced.get(id(program))
        if found is not None:
            return found
        copy = Program(program.name, program.source, program.module, program.diagnostics,
                       self._trace(program.main),
                       {k: self._trace_proc(p) for k, p in program.procs.items()},
                       {k: [self._trace_proc(p) for p in ps]
                        for k, ps in program.handlers.items()},
                       program.declared)
        self._traced[id(program)] = copy
        self._traced[id(copy)] = copy
        return copy

    def script_frame(self, name: str, args: list[Any]) -> Frame:
        frame = super().script_frame(name, args)
        frame.program = self.traced(frame.program)
        frame.code = frame.program.main
        return frame

    # -- tracing -----------------------------------------------------------------------------
    def _trace(self, code: Code) -> Code:
        traced = Code([], list(code.lines), list(code.resume), dict(code.labels))
        traced.instrs = [_Traced(i, traced, n, self._hook) for n, i in enumerate(code.instrs)]
        return traced

    def _trace_proc(self, proc: ProcCode) -> ProcCode:
        return ProcCode(proc.name, proc.key, proc.is_function, proc.params,
                        self._trace(proc.code), proc.line)

    def _hook(self, f: Frame, code: Code, index: int) -> None:
        if self._stop.is_set():
            raise DebugStopped("stopped by the debugger")
        line = code.lines[index]
        where = (id(f), line)
        if where == self._last:
            return
        self._last = where
        reason = self._reason(f.program.name, line)
        if reason is not None:
            self._break(f, line, reason)

    def _reason(self, script: str, line: int) -> str | None:
        if (script, line) in self.breakpoints:
            return "breakpoint"
        depth = len(self.frames)
        mode = self._mode
        if mode is StepCommand.INTO or (mode is StepCommand.OVER and depth <= self._depth) \
                or (mode is StepCommand.OUT and depth < self._depth):
            return "entry" if self._entry else "step"
        return None

    def _break(self, f: Frame, line: int, reason: str) -> None:
        self._entry = False
        with self.service_wait():  # pauses are not run time (nor overtime for the watchdog)
            command = self.on_pause(self.describe(f, line, reason))
        if command is StepCommand.STOP:
            raise DebugStopped("stopped by the debugger")
        self._mode = command
        self._depth = len(self.frames)

    # -- inspection ----------------------------------------------------------------------------
    def describe(self, current: Frame, line: int, reason: str) -> Paused:
        """The paused state: the call stack (innermost first) and the script's globals."""
        stack = []
        for frame in reversed(self.frames):
            at = line if frame is current else _frame_line(frame)
            stack.append(StackFrame(_frame_name(frame), frame.program.name, at,
                                    variables_of(frame.vars)))
        return Paused(current.program.name, line, reason, tuple(stack),
                      variables_of(current.globals))


def _frame_name(frame: Frame) -> str:
    return f"{frame.program.name} › {frame.proc.name}" if frame.proc else frame.program.name


def _frame_line(frame: Frame) -> int:
    lines = frame.code.lines
    return lines[frame.pc] if 0 <= frame.pc < len(lines) else 0


def variables_of(scope: dict[str, Any]) -> tuple[Variable, ...]:
    """A scope's user-visible variables, sorted by name, values as BASIC text."""
    shown = []
    for name in sorted(scope):
        if name.startswith(_SLOT_PREFIX):
            continue
        value = scope[name]
        shown.append(Variable(name, shown_value(value), values.type_name(value)))
    return tuple(shown)


def shown_value(value: Any) -> str:
    try:
        text = values.json_text(value) if isinstance(value, (list, dict)) else values.text(value)
    except Exception:  # a value the formatter refuses still deserves a row
        text = repr(value)
    if value is None:
        text = "null"
    elif isinstance(value, str):
        text = '"' + text + '"'
    return text if len(text) <= _MAX_SHOWN else text[:_MAX_SHOWN - 1] + "…"
