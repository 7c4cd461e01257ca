"""The run/debug panel's logic, over :mod:`engine.basic.debugger`.

A run executes on its own worker thread (as every BASIC run does); pauses, transcript lines
and the end of the run come back to the GUI thread through ``call_soon_threadsafe``. The
person steers with ``run``/``step_*``/``stop`` and answers HEARs with ``answer``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Literal

from PySide6.QtCore import QObject, Signal

from engine.basic.compiler import compile_source
from engine.basic.debugger import (
    Breakpoints,
    DebugChannel,
    DebugStopped,
    DebugVM,
    Paused,
    StackFrame,
    StepCommand,
    Variable,
)
from engine.basic.program import Program
from engine.basic.vm import Outcome
from engine.bots.host import compile_options
from ui.models.lists import stack_model, variables_model
from ui.models.table import DtoTableModel
from ui.ports import BotRegistryPort
from ui.services.debug_host import debug_host, result_line
from ui.tasks import TaskSet

State = Literal["idle", "running", "paused", "waiting", "finished"]


class DebugController(QObject):
    error = Signal(str)
    state_changed = Signal(str)
    paused = Signal(object)  # Paused
    line = Signal(str)  # one transcript line

    def __init__(self, bots: BotRegistryPort) -> None:
        super().__init__()
        self.bots = bots
        self.breakpoints = Breakpoints()
        self.stack: DtoTableModel[StackFrame] = stack_model()
        self.locals: DtoTableModel[Variable] = variables_model()
        self.globals: DtoTableModel[Variable] = variables_model()
        self.transcript: list[str] = []
        self.state: State = "idle"
        self.script = ""
        self.last_pause: Paused | None = None
        self.tasks = TaskSet(self.error.emit)
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="basic-debug")
        self._vm: DebugVM | None = None
        self._channel: DebugChannel | None = None

    # -- gestures ------------------------------------------------------------------------------
    def start(self, bot: str, script: str, source: str, *, step: bool = False) -> None:
        if self.state in ("running", "paused", "waiting"):
            self.error.emit("A run is already going: stop it first.")
            return
        program = self._compile(bot, script, source)
        if program is not None:
            self.tasks.spawn(self._run(bot, program, step))

    def run(self) -> None:
        self._command(StepCommand.CONTINUE)

    def step_over(self) -> None:
        self._command(StepCommand.OVER)

    def step_into(self) -> None:
        self._command(StepCommand.INTO)

    def step_out(self) -> None:
        self._command(StepCommand.OUT)

    def stop(self) -> None:
        if self.state == "paused":
            self._command(StepCommand.STOP)
        elif self.state == "running" and self._vm is not None:
            self._vm.stop()
        elif self.state == "waiting":
            self._end("Stopped while waiting for an answer.")

    def answer(self, text: str) -> None:
        if self.state != "waiting" or self._vm is None:
            return
        self._add_line(f"> {text}")
        vm = self._vm
        self._set_state("running")
        self.tasks.spawn(self._continue(lambda: vm.deliver(text)))

    def toggle_breakpoint(self, script: str, line: int) -> bool:
        return self.breakpoints.toggle(script, line)

    def select_frame(self, row: int) -> None:
        if self.last_pause is not None and 0 <= row < len(self.last_pause.stack):
            self.locals.set_rows(self.last_pause.stack[row].variables)

    # -- the run -------------------------------------------------------------------------------
    def _compile(self, bot: str, script: str, source: str) -> Program | None:
        config = self.bots.bot(bot).config
        program = compile_source(source, script, compile_options(config))
        if not program.ok:
            first = program.errors[0]
            self.error.emit(f"{script}.bas cannot run: line {first.line}:{first.col}: "
                            f"{first.message}")
            return None
        return program

    async def _run(self, bot: str, program: Program, step: bool) -> None:
        loop = asyncio.get_running_loop()
        self.transcript = []
        self.script = program.name
        def paused(p: Paused) -> None:
            loop.call_soon_threadsafe(self._on_pause, p)

        def said(text: str) -> None:
            loop.call_soon_threadsafe(self._add_line, text)

        self._channel = DebugChannel(paused)
        host = debug_host(self.bots, bot, said)
        self._vm = DebugVM(host, self._channel, self.breakpoints, stop_on_entry=step)
        vm = self._vm
        self._set_state("running")
        await self._continue(lambda: vm.start(program))

    async def _continue(self, work: Callable[[], Outcome]) -> None:
        loop = asyncio.get_running_loop()
        try:
            outcome = await loop.run_in_executor(self._executor, work)
        except DebugStopped:
            self._end("Stopped.")
            return
        if outcome.waiting:
            self._clear_pause()
            self._set_state("waiting")
            return
        if outcome.error is not None:
            self._end(f"Error: {outcome.error}")
        else:
            if outcome.result is not None:
                self._add_line(result_line(outcome.result))
            self._end("Finished.")

    def _on_pause(self, paused: Paused) -> None:
        self.last_pause = paused
        self.stack.set_rows(paused.stack)
        self.locals.set_rows(paused.stack[0].variables if paused.stack else ())
        top_level = bool(paused.stack) and "›" not in paused.stack[0].name
        self.globals.set_rows(() if top_level else paused.globals)
        self._set_state("paused")
        self.paused.emit(paused)

    def _command(self, command: StepCommand) -> None:
        if self.state == "paused" and self._channel is not None:
            self._set_state("running")
            self._channel.send(command)

    def _end(self, message: str) -> None:
        self._add_line(f"-- {message}")
        self._vm = None
        self._channel = None
        self._clear_pause()
        self._set_state("finished")

    def _clear_pause(self) -> None:
        self.last_pause = None
        self.stack.set_rows([])
        self.locals.set_rows([])

    def _add_line(self, text: str) -> None:
        self.transcript.append(text)
        self.line.emit(text)

    def _set_state(self, state: State) -> None:
        self.state = state
        self.state_changed.emit(state)

    async def aclose(self) -> None:
        if self.state == "paused" and self._channel is not None:
            self._channel.send(StepCommand.STOP)
        elif self._vm is not None:
            self._vm.stop()
        await self.tasks.aclose()
        self._executor.shutdown(wait=False, cancel_futures=True)

    @property
    def busy(self) -> bool:
        return self.state in ("running", "paused", "waiting")

    def describe(self) -> dict[str, Any]:
        return {"state": self.state, "script": self.script, "lines": list(self.transcript)}
