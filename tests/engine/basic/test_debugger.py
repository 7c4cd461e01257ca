"""Stepping through runs (engine/basic/debugger.py): pauses, breakpoints, step modes,
variables, HEAR while debugging, stopping, and the traced copy leaving behaviour unchanged."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pytest

from engine.basic.debugger import (
    Breakpoints,
    DebugChannel,
    DebugStopped,
    DebugVM,
    Paused,
    StepCommand,
)

if TYPE_CHECKING:
    from tests.engine.basic.conftest import BasicKit

SOURCE = """\
total = 0
SUB add(n)
  total = total + n
END SUB
add 2
add 3
TALK "total " + total
"""


class Script:
    """Answers each pause with the next command; records where it paused."""

    def __init__(self, commands: Iterable[StepCommand]) -> None:
        self.commands = list(commands)
        self.pauses: list[Paused] = []

    def __call__(self, paused: Paused) -> StepCommand:
        self.pauses.append(paused)
        return self.commands.pop(0) if self.commands else StepCommand.CONTINUE

    @property
    def lines(self) -> list[int]:
        return [p.line for p in self.pauses]


def debug(basic: BasicKit, source: str, commands: Iterable[StepCommand],
          breakpoints: Iterable[int] = (), stop_on_entry: bool = True
          ) -> tuple[Script, DebugVM, list[str]]:
    program = basic.program(source)
    host = basic.host()
    script = Script(commands)
    vm = DebugVM(host, script, Breakpoints(("main", n) for n in breakpoints),
                 stop_on_entry=stop_on_entry)
    outcome = vm.start(program)
    assert outcome.error is None, outcome.error
    return script, vm, host.output.lines


def test_step_into_visits_every_statement_including_procedure_bodies(basic: BasicKit) -> None:
    script, _, lines = debug(basic, SOURCE, [StepCommand.INTO] * 20)
    assert script.lines == [1, 5, 3, 6, 3, 7]
    assert script.pauses[0].reason == "entry"
    assert lines == ["< total 5"]


def test_step_over_skips_procedure_bodies(basic: BasicKit) -> None:
    script, _, _ = debug(basic, SOURCE, [StepCommand.OVER] * 20)
    assert script.lines == [1, 5, 6, 7]


def test_step_out_returns_to_the_caller(basic: BasicKit) -> None:
    commands = [StepCommand.INTO, StepCommand.INTO, StepCommand.OUT, StepCommand.CONTINUE]
    script, _, _ = debug(basic, SOURCE, commands)
    assert script.lines == [1, 5, 3, 6]


def test_breakpoints_stop_a_continued_run(basic: BasicKit) -> None:
    script, _, _ = debug(basic, SOURCE, [], breakpoints=[3], stop_on_entry=False)
    assert script.lines == [3, 3]
    assert all(p.reason == "breakpoint" for p in script.pauses)


def test_the_stack_and_variables_at_a_pause(basic: BasicKit) -> None:
    script, _, _ = debug(basic, SOURCE, [], breakpoints=[3], stop_on_entry=False)
    second = script.pauses[1]
    assert [f.name for f in second.stack] == ["main › add", "main"]
    assert [(v.name, v.value, v.type) for v in second.stack[0].variables] == [
        ("n", "3", "integer")]
    assert ("total", "2") in [(v.name, v.value) for v in second.globals]
    assert second.stack[1].line == 6


def test_hidden_compiler_slots_are_not_shown(basic: BasicKit) -> None:
    source = 'FOR i = 1 TO 2\n  s = "x" + i\nNEXT\nTALK s'
    script, _, lines = debug(basic, source, [], breakpoints=[4], stop_on_entry=False)
    names = [v.name for v in script.pauses[0].globals]
    assert names == ["i", "s"]
    assert ("s", '"x2"') in [(v.name, v.value) for v in script.pauses[0].globals]
    assert lines == ["< x2"]


def test_a_debugged_hear_suspends_and_resumes_with_the_answer(basic: BasicKit) -> None:
    program = basic.program('HEAR name\nTALK "hi " + name\nTALK "bye"')
    host = basic.host()
    script = Script([StepCommand.OVER] * 5)
    vm = DebugVM(host, script)
    outcome = vm.start(program)
    assert outcome.waiting
    assert script.lines == [1]
    outcome = vm.deliver("Ana")
    assert not outcome.waiting and outcome.error is None
    assert host.output.lines == ["< hi Ana", "< bye"]
    assert script.lines == [1, 2, 3]


def test_stop_ends_the_run(basic: BasicKit) -> None:
    program = basic.program('TALK "a"\nTALK "b"')
    host = basic.host()
    vm = DebugVM(host, Script([StepCommand.INTO, StepCommand.STOP]))
    with pytest.raises(DebugStopped):
        vm.start(program)
    assert host.output.lines == ["< a"]


def test_a_channel_pauses_a_run_on_another_thread(basic: BasicKit) -> None:
    program = basic.program('x = 1\nx = x + 1\nTALK x')
    host = basic.host()
    seen: list[Paused] = []
    arrived = threading.Semaphore(0)

    def notify(paused: Paused) -> None:
        seen.append(paused)
        arrived.release()

    channel = DebugChannel(notify)
    vm = DebugVM(host, channel)
    outcomes = []
    worker = threading.Thread(target=lambda: outcomes.append(vm.start(program)))
    worker.start()
    assert arrived.acquire(timeout=5)
    channel.send(StepCommand.INTO)
    assert arrived.acquire(timeout=5)
    assert seen[-1].line == 2
    assert ("x", "1") in [(v.name, v.value) for v in seen[-1].globals]
    channel.send(StepCommand.CONTINUE)
    worker.join(timeout=5)
    assert host.output.lines == ["< 2"]


def test_calls_to_other_scripts_are_traced(basic: BasicKit) -> None:
    program = basic.program('CALL "helper"\nTALK "done"')
    host = basic.host(scripts={"helper": 'TALK "in helper"\nTALK "still"'})
    script = Script([StepCommand.INTO] * 10)
    vm = DebugVM(host, script)
    vm.start(program)
    assert [(p.script, p.line) for p in script.pauses] == [
        ("main", 1), ("helper", 1), ("helper", 2), ("main", 2)]


def test_paused_time_does_not_count_toward_the_time_limit(basic: BasicKit) -> None:
    from engine.basic.limits import Limits

    program = basic.program("\n".join(f"x = {n}" for n in range(1, 2000)) + '\nTALK "ok"')
    host = basic.host()
    limits = Limits(max_seconds=0.2)

    def slow(paused: Paused) -> StepCommand:
        import time

        time.sleep(0.3)
        return StepCommand.CONTINUE

    vm = DebugVM(host, slow, limits=limits)
    outcome = vm.start(program)
    assert outcome.error is None
    assert host.output.lines == ["< ok"]
