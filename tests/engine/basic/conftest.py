"""Shared helpers for the BASIC runtime tests: a small host and a script runner.

The host is the engine's real VM with a recording output (the conformance transcript
notation: ``< text``, ``+ label -> value``, ``# log``, ``> answer``), a fixed clock, a plain
config dict, a real :class:`SessionState` and a script loader that compiles other scripts
from a dict of sources (for ``CALL other-script``). Services a test does not give are the
``ServiceError`` stubs of :class:`UnavailableServices`.

Tests get the kit through the ``basic`` fixture::

    def test_talk(basic: BasicKit) -> None:
        run = basic.run('TALK "hi"')
        assert run.said == ["hi"]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest

from engine.basic.compiler import CompileOptions, compile_source
from engine.basic.host import UnavailableServices
from engine.basic.limits import Limits
from engine.basic.program import Program
from engine.basic.vm import VM, Outcome
from engine.sessions.state import SessionState
from tests.conformance.harness import Recorder, TestClock

FIXED_NOW = datetime(2026, 1, 15, 10, 30, 0)


class Transcript(Recorder):
    """The conformance recorder, keeping engine warnings aside (they never reach the chat)."""

    def __init__(self) -> None:
        super().__init__()
        self.warnings: list[str] = []

    def warn(self, text: str) -> None:
        self.warnings.append(text)


class DictScripts:
    """``host.scripts``: other scripts of the bot, compiled from sources on first use."""

    def __init__(self, sources: Mapping[str, str], options: CompileOptions) -> None:
        self.sources = {name.lower(): text for name, text in sources.items()}
        self.options = options
        self.loaded: dict[str, Program] = {}

    def load(self, name: str) -> Program | None:
        key = name.lower()
        if key not in self.sources:
            return None
        if key not in self.loaded:
            program = compile_source(self.sources[key], key, self.options)
            assert program.ok, [d.transcript() for d in program.errors]
            self.loaded[key] = program
        return self.loaded[key]


class RecordedEvents:
    """``host.events``: PUBLISH EVENT is recorded (the script's own handlers run in the VM)."""

    def __init__(self) -> None:
        self.published: list[tuple[str, Any]] = []

    def publish(self, name: str, data: Any, source: str | None = None) -> None:
        self.published.append((name, data))

    def wait_for(self, name: str, timeout: float | None) -> Any:
        return None


class ScriptHost(UnavailableServices):
    """A host with output, clock, config, session, scripts and events; nothing else."""

    def __init__(self, config: Mapping[str, str] | None = None,
                 scripts: Mapping[str, str] | None = None,
                 clock: Any = None, options: CompileOptions | None = None) -> None:
        self.output = Transcript()
        self.clock = clock if clock is not None else TestClock(FIXED_NOW)
        self.config = dict(config or {})
        self.session = SessionState(id="s-1", bot_name="testbot", user_id="u-1",
                                    user_name="Test User", started_at=FIXED_NOW)
        self.scripts = DictScripts(scripts or {}, options or CompileOptions())
        self.events = RecordedEvents()  # type: ignore[assignment]


@dataclass
class Run:
    """One run of a script: its program, host, VM and the latest outcome."""

    program: Program
    host: ScriptHost
    vm: VM
    outcome: Outcome
    answers_left: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return self.host.output.lines

    @property
    def said(self) -> list[str]:
        """The text of every TALK line, in order."""
        return [line[2:] if line.startswith("< ") else "" for line in self.lines
                if line.startswith("<")]

    @property
    def error(self) -> Any:
        return self.outcome.error

    @property
    def waiting(self) -> bool:
        return self.outcome.waiting

    def answer(self, text: str) -> Outcome:
        """Deliver one user message to the suspended HEAR."""
        self.lines.append(f"> {text}")
        self.outcome = self.vm.deliver(text)
        return self.outcome


class BasicKit:
    """Compile and run scripts against a :class:`ScriptHost`."""

    FIXED_NOW = FIXED_NOW
    ScriptHost = ScriptHost

    def compile(self, source: str, name: str = "main", strict: bool = False,
                injected: Iterable[str] = ()) -> Program:
        return compile_source(source, name, CompileOptions(strict, frozenset(injected)))

    def program(self, source: str, name: str = "main", strict: bool = False) -> Program:
        """A program that must compile without errors."""
        program = self.compile(source, name, strict)
        assert program.ok, "\n".join(d.render(source, f"{name}.bas") for d in program.errors)
        return program

    def host(self, config: Mapping[str, str] | None = None,
             scripts: Mapping[str, str] | None = None, clock: Any = None) -> ScriptHost:
        return ScriptHost(config, scripts, clock)

    def run(self, source: str, answers: Iterable[str] = (), *,
            config: Mapping[str, str] | None = None, scripts: Mapping[str, str] | None = None,
            arguments: dict[str, Any] | None = None, limits: Limits | None = None,
            clock: Any = None) -> Run:
        """Start ``source`` and deliver ``answers`` while it waits for input."""
        program = self.program(source)
        host = ScriptHost(config, scripts, clock)
        vm = VM(host, limits)
        run = Run(program, host, vm, vm.start(program, arguments), list(answers))
        while run.waiting and run.answers_left:
            run.answer(run.answers_left.pop(0))
        return run


@pytest.fixture
def basic() -> BasicKit:
    return BasicKit()
