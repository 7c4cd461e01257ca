"""The virtual machine: an explicit program counter and frame stack (ARCHITECTURE.md §4).

A run starts with :meth:`VM.start` and ends, or suspends at a HEAR. A suspended run's whole
state is plain data (:meth:`VM.snapshot`), so it resumes in a fresh process
(:meth:`VM.restore` + :meth:`VM.deliver`). Statement-level calls push frames and are
resumable; a FUNCTION called inside a larger expression runs in a nested loop.
"""

from __future__ import annotations

import contextlib
import random
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from engine.basic import sizes
from engine.basic.errors import BasicError, LimitExceeded, ScriptError
from engine.basic.host import Host, Suggestion
from engine.basic.instructions import Message
from engine.basic.limits import Limits
from engine.basic.program import ENDED, PUSHED, RETURNED, SUSPENDED, Code, ProcCode, Program
from engine.basic.runs import RunSetup
from engine.basic.validators import Attachment
from engine.basic.watchdog import GRACE, WATCHDOG, Overtime, Watch

sys.setrecursionlimit(max(sys.getrecursionlimit(), 20000))

# Steps between two checks of the clock: small enough that a loop of slow statements (a SORT
# of a large array) still stops close to basic-max-seconds.
_CHECK_EVERY = 128


class Frame:
    __slots__ = ("base", "code", "error_pc", "globals", "on_error", "pc", "proc", "program",
                 "result", "returned", "vars", "vm")

    def __init__(self, vm: VM, program: Program, code: Code, variables: dict[str, Any],
                 global_vars: dict[str, Any], proc: ProcCode | None, base: bool) -> None:
        self.vm = vm
        self.program = program
        self.code = code
        self.vars = variables
        self.globals = global_vars
        self.proc = proc
        self.base = base
        self.pc = 0
        self.on_error = "off"
        self.error_pc = -1
        self.result: Any = None
        self.returned = False


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a run (or a resumed run) stopped."""

    waiting: bool
    result: Any = None
    error: ScriptError | LimitExceeded | BasicError | None = None

    @property
    def finished(self) -> bool:
        return not self.waiting


class _ScriptEnded(Exception):
    """END inside a FUNCTION called from an expression: unwinds the nested loop."""


class VM(RunSetup):
    frame_class = Frame

    def __init__(self, host: Host, limits: Limits | None = None, seed: int | None = None) -> None:
        self.host = host
        self.limits = limits or Limits.from_config(host.config)
        self.max_steps = self.limits.max_steps
        self.max_depth = self.limits.max_depth
        self._time_check_at = 0  # self.steps at or after which the clock is read again
        self.max_loop = self.limits.max_loop
        self.max_hear_attempts = self.limits.hear_attempts
        self.rng = random.Random(seed)
        self.frames: list[Frame] = []
        self.err: dict[str, Any] | None = None
        self.waiting: dict[str, Any] | None = None
        self.headers: dict[str, str] = {}
        self.steps = 0
        self.output_chars = 0
        self.elapsed = 0.0
        self._resumed_at = 0.0
        self._service_since: float | None = None  # the outermost service call's start
        self.locale = (host.config.get("locale") or "en").lower()

    # -- FunctionContext -------------------------------------------------------------------
    def now(self) -> datetime:
        return self.host.clock.now()

    # -- running ---------------------------------------------------------------------------
    def start(self, program: Program, arguments: dict[str, Any] | None = None,
              request: dict[str, Any] | None = None) -> Outcome:
        """Run ``program`` from its first statement (tool arguments / webhook request)."""
        self._resumed_at = time.monotonic()
        try:
            frame = self.entry_frame(program, arguments, request)
        except ScriptError as error:
            return Outcome(False, None, error)
        self.frames = [frame]
        return self._go()

    def start_handler(self, program: Program, handler: ProcCode, event: Any,
                      extra_globals: dict[str, Any] | None = None) -> Outcome:
        """Run one ``ON EVENT`` handler of ``program`` in a run of its own (§9.7);
        ``extra_globals`` (a form's fields) come after the config parameters."""
        self._resumed_at = time.monotonic()
        from engine.basic.runs import config_parameters

        global_vars = config_parameters(self.host.config)
        global_vars.update(extra_globals or {})
        frame = Frame(self, program, handler.code, {"event": event}, global_vars, handler, True)
        self.frames = [frame]
        return self._go()

    def deliver(self, message: Message | str) -> Outcome:
        """Give the user's answer to the suspended HEAR and continue."""
        if isinstance(message, str):
            message = Message(message)
        if not self.frames:
            raise BasicError("no run is waiting for input")
        self._resumed_at = time.monotonic()
        frame = self.frames[-1]
        instr = frame.code.instrs[frame.pc]
        try:
            if instr.deliver(frame, message) == SUSPENDED:  # type: ignore[attr-defined]
                return self._pause()
        except ScriptError as error:
            return Outcome(False, None, error)
        frame.pc += 1
        return self._go()

    @property
    def suspended(self) -> bool:
        return bool(self.frames)

    def _go(self) -> Outcome:
        watch = Watch(self._overdue)
        try:
            try:
                WATCHDOG.watch(watch)
                with sizes.applied(self.limits.sizes):
                    result = self._execute(0)
            finally:
                WATCHDOG.release(watch)
        except Overtime:  # one statement ran past the time limit (engine.basic.watchdog)
            WATCHDOG.release(watch)
            self.frames = []
            return Outcome(False, None, LimitExceeded("time limit exceeded inside one statement"))
        except (ScriptError, LimitExceeded, BasicError) as error:
            self.frames = []
            return Outcome(False, None, error)
        except _ScriptEnded:
            self.frames = []
            return Outcome(False, None, None)
        except RecursionError:
            self.frames = []
            return Outcome(False, None, LimitExceeded("call depth limit exceeded"))
        except MemoryError:  # a value no size limit foresaw: end the run, keep the process
            self.frames = []
            return Outcome(False, None, sizes.memory_exceeded())
        if result is _SUSPEND:
            return self._pause()
        self.frames = []
        return Outcome(False, result, None)

    def _overdue(self) -> bool:
        """Past the time limit by the watchdog's grace, a WAIT or service call aside."""
        if self._service_since is not None:
            return False
        spent = self.elapsed + time.monotonic() - self._resumed_at
        return spent > self.limits.max_seconds + GRACE

    def _pause(self) -> Outcome:
        self.elapsed += time.monotonic() - self._resumed_at
        return Outcome(True)

    def _execute(self, stop: int) -> Any:
        # Steps are counted in a local budget ("left" of "chunk") and added to self.steps
        # when the budget is renewed and when this loop exits; renewing checks the clock and
        # the step limit. A nested loop (a FUNCTION called inside an expression) starts from
        # self.steps without the caller's unsettled part of its chunk, so the step limit may
        # be passed by less than one chunk per nesting level.
        frames = self.frames
        f = frames[-1]
        instrs = f.code.instrs
        pc = f.pc
        chunk = left = 0
        try:
            while True:
                if not left:
                    self.steps += chunk
                    chunk = 0
                    chunk = left = self._next_chunk(f.code.lines[pc])
                left -= 1
                try:
                    r = instrs[pc](f)
                except ScriptError as error:
                    f, pc = self._trap(error, f, pc, stop)
                    instrs = f.code.instrs
                    continue
                except LimitExceeded as error:
                    if error.line is None:
                        error.line = f.code.lines[pc]
                    raise
                except MemoryError:
                    raise sizes.memory_exceeded(f.code.lines[pc]) from None
                if r is None:
                    pc += 1
                elif r >= 0:
                    pc = r
                elif r == PUSHED:
                    f.pc = pc
                    f = frames[-1]
                    instrs = f.code.instrs
                    pc = 0
                elif r == RETURNED:
                    result = f.result
                    frames.pop()
                    if len(frames) <= stop:
                        return result
                    f = frames[-1]
                    instrs = f.code.instrs
                    pc = f.pc
                    instrs[pc].finish(f, result)  # type: ignore[attr-defined]
                    pc += 1
                elif r == SUSPENDED:
                    if stop:
                        raise BasicError("HEAR cannot wait inside a FUNCTION called from an "
                                         "expression; call it as a statement")
                    f.pc = pc
                    return _SUSPEND
                else:  # ENDED
                    assert r == ENDED
                    while frames and not frames.pop().base:
                        pass
                    if len(frames) < stop or (stop and len(frames) == stop):
                        raise _ScriptEnded()
                    if not frames:
                        return None
                    f = frames[-1]
                    instrs = f.code.instrs
                    pc = f.pc
                    instrs[pc].finish(f, None)  # type: ignore[attr-defined]
                    pc += 1
        finally:
            self.steps += chunk - left

    def _next_chunk(self, line: int) -> int:
        """How many steps may run before the next check; raises at a limit (§12.6)."""
        steps = self.steps
        if steps >= self._time_check_at:  # nested loops renew often: read the clock less
            self._check_time(line)
            self._time_check_at = steps + _CHECK_EVERY
        allowed = self.max_steps - steps
        if allowed <= 0:
            raise LimitExceeded("step limit exceeded", line)
        return allowed if allowed < _CHECK_EVERY else _CHECK_EVERY

    def _trap(self, error: ScriptError, f: Frame, pc: int, stop: int) -> tuple[Frame, int]:
        """Find the ON ERROR handler for ``error``; re-raise when none traps it (§4.11)."""
        if error.line is None:
            error.line = f.code.lines[pc]
        frames = self.frames
        while True:
            if f.on_error == "resume":
                self.err = _err_map(error)
                return f, f.code.resume[pc]
            if f.on_error == "goto":
                self.err = _err_map(error)
                f.on_error = "off"
                return f, f.error_pc
            if len(frames) - 1 <= stop:
                if stop:
                    frames.pop()
                raise error
            frames.pop()
            f = frames[-1]
            pc = f.pc

    def _check_time(self, line: int) -> None:
        spent = self.elapsed + time.monotonic() - self._resumed_at
        if spent > self.limits.max_seconds:
            raise LimitExceeded("time limit exceeded", line)

    # -- calls -------------------------------------------------------------------------------
    def push_call(self, f: Frame, name: str, args: list[Any], is_proc: bool) -> int:
        self._check_depth()
        if is_proc:
            frame = self.proc_frame(f, f.program.procs[name], args)
        else:
            frame = self.script_frame(name, args)
        self.frames.append(frame)
        return PUSHED

    def call_function(self, f: Frame, key: str, args: list[Any]) -> Any:
        """A procedure called inside an expression: run it to completion here."""
        self._check_depth()
        self.frames.append(self.proc_frame(f, f.program.procs[key], args))
        return self._execute(len(self.frames) - 1)

    def run_handler(self, f: Frame, handler: ProcCode, event: Any) -> None:
        self._check_depth()
        self.frames.append(self.proc_frame(f, handler, [event]))
        self._execute(len(self.frames) - 1)

    def _check_depth(self) -> None:
        if len(self.frames) >= self.max_depth:
            raise LimitExceeded("call depth limit exceeded")

    def function_result(self, f: Frame) -> Any:
        proc = f.proc
        return f.vars.get(proc.key) if proc is not None and proc.is_function else None

    # -- output ------------------------------------------------------------------------------
    def talk(self, text: str) -> None:
        text = text.rstrip("\n")
        if not text:
            return
        if self.output_chars + len(text) > self.limits.max_output:
            raise LimitExceeded("output limit exceeded")
        self.output_chars += len(text)
        self.host.output.talk(text)

    def offer_options(self, options: list[str] | None) -> None:
        for option in options or ():
            self.host.output.suggest(Suggestion(option, option, "text"))

    def log(self, text: str) -> None:
        self.host.output.log(text)

    def wait(self, seconds: float) -> None:
        """WAIT: time spent waiting does not count toward the time limit (§4.14)."""
        with self.service_wait():
            self.host.clock.sleep(seconds)

    @contextlib.contextmanager
    def service_wait(self) -> Iterator[None]:
        """Around a call to an outside service (LLM, KB, HTTP, mail, speech): the time spent
        there is not script time, so it never counts toward ``basic-max-seconds``; the
        service's own timeout (``llm-timeout``, ``kb-timeout``, ``http-timeout``) bounds it and
        fails as a ``ServiceError``/``TimeoutError`` that ON ERROR catches. Nested calls
        (THINK KB asks the LLM) are counted once."""
        if self._service_since is not None:
            yield
            return
        self._service_since = started = time.monotonic()
        try:
            yield
        finally:
            self._service_since = None
            self._resumed_at += time.monotonic() - started

    def transcribe(self, attachment: Attachment) -> str:
        with self.service_wait():
            return self.host.speech.transcribe(attachment.path)

    def send_mail_block(self, recipient: Any, body: str) -> None:
        subject = ""
        lines = body.split("\n")
        if lines and lines[0].lower().startswith("subject:"):
            subject = lines[0][len("subject:"):].strip()
            lines = lines[1:]
            while lines and not lines[0].strip():
                lines.pop(0)
        with self.service_wait():
            self.host.messaging.send_mail(recipient, subject, "\n".join(lines), [], None)


class _Suspend:
    pass


_SUSPEND = _Suspend()


def _err_map(error: ScriptError) -> dict[str, Any]:
    return {"number": error.number, "kind": error.kind, "description": error.message,
            "line": error.line}
