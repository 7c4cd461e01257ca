"""The bot templates in ``resources/templates`` run end to end on the real runtime.

Each template is copied to a temporary folder (its drive is written to) and run the way
``hearth run`` runs it: a :class:`BotPackage` and a :class:`BotHost` over ``$HEARTH_HOME``,
TABLE declarations first, then the script with scripted answers. Dialog tests assert on the
transcript; tool tests call ``VM(host).start(program, arguments)`` and check both the result
and the rows it wrote. The clock is fixed so dates in transcripts are stable.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.paths import AppPaths
from engine.basic.compiler import CompileOptions, compile_source
from engine.basic.host import Suggestion
from engine.basic.program import Program
from engine.basic.vm import VM, Outcome
from engine.bots.host import BotHost
from engine.bots.package import BotPackage
from engine.sessions.state import SessionState

TEMPLATES = Path(__file__).resolve().parents[2] / "resources" / "templates"
ALL = sorted(p.name[:-5] for p in TEMPLATES.glob("*.gbai"))
CLOCK = datetime(2026, 3, 10, 9, 15)  # a Tuesday


# -- harness --------------------------------------------------------------------------------


class Transcript:
    """A recording Output: bot messages, suggestions, logs and engine warnings in order."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.warnings: list[str] = []

    def talk(self, text: str) -> None:
        self.lines.append(f"< {text}")

    def suggest(self, suggestion: Suggestion) -> None:
        value = suggestion.value if suggestion.kind == "text" else f"{suggestion.kind}:{suggestion.value}"
        self.lines.append(f"+ {suggestion.label} -> {value}")

    def clear_suggestions(self, switchers: bool = False) -> None:
        self.lines.append("+ clear switchers" if switchers else "+ clear")

    def log(self, text: str) -> None:
        self.lines.append(f"# {text}")

    def warn(self, text: str) -> None:
        self.warnings.append(text)

    @property
    def talks(self) -> list[str]:
        return [line[2:] for line in self.lines if line.startswith("< ")]

    @property
    def text(self) -> str:
        return "\n".join(self.talks)


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


class RecordingScheduler:
    def __init__(self) -> None:
        self.once: list[tuple[datetime, str]] = []
        self.recurring: list[tuple[str, str]] = []

    def schedule_once(self, at: datetime, script: str) -> None:
        self.once.append((at, script))

    def schedule_recurring(self, spec: str, script: str) -> None:
        self.recurring.append((spec, script))


class Bot:
    """One template installed in a temporary folder, with one session's host."""

    def __init__(self, root: Path, *, user_id: str = "ana", user_name: str | None = "Ana",
                 roles: list[str] | None = None, scheduler: Any = None,
                 clock: datetime = CLOCK) -> None:
        self.root = root
        self.package = BotPackage.at(root)
        self.out = Transcript()
        self.clock = FixedClock(clock)
        self.session = SessionState(id=f"test-{user_id}", bot_name=self.package.name,
                                    user_id=user_id, user_name=user_name, channel="web",
                                    role_names=roles)
        self.host = BotHost(self.package, AppPaths.from_env().bot_work_dir(self.package.name),
                            self.session, self.out, scheduler=scheduler, clock=self.clock)
        self._declared = False

    # compile and declare -----------------------------------------------------------------
    def program(self, name: str) -> Program:
        program = self.host.scripts.load(name)
        assert program is not None, f"{name}.bas does not compile"
        return program

    def declare_tables(self) -> None:
        """TABLE declarations are processed before any script runs, tables.bas first (§7.2)."""
        if self._declared:
            return
        names = ["tables"] + [p.stem for p in self.package.scripts() if p.stem != "tables"]
        for name in names:
            program = self.host.scripts.load(name)
            if program is None:
                continue
            for table in program.module.tables:
                self.host.data.declare_table(table)
        self._declared = True

    # running -----------------------------------------------------------------------------
    def run(self, name: str, answers: Iterable[str] = (), args: dict[str, Any] | None = None,
            request: dict[str, Any] | None = None) -> Outcome:
        """Run a script to the end, answering each HEAR with the next answer."""
        self.declare_tables()
        vm = VM(self.host)
        outcome = vm.start(self.program(name), args, request)
        pending = list(answers)
        while outcome.waiting:
            assert pending, f"{name}.bas still waits for input:\n" + "\n".join(self.out.lines[-8:])
            outcome = vm.deliver(pending.pop(0))
        assert outcome.error is None, f"{name}.bas failed: {outcome.error}\n" + "\n".join(self.out.lines[-8:])
        assert not pending, f"{name}.bas ended with unused answers {pending}"
        assert not self.out.warnings, self.out.warnings
        return outcome

    def tool(self, name: str, **args: Any) -> Any:
        return self.run(name, args=args).result

    # looking at the results ----------------------------------------------------------------
    def rows(self, table: str, query: str = "") -> list[dict[str, Any]]:
        from engine.basic.filters import parse_filter

        return self.host.data.find(table, parse_filter(query))

    def drive_files(self, folder: str = "") -> list[Path]:
        base = self.package.drive_dir / folder
        return sorted(p for p in base.rglob("*") if p.is_file()) if base.exists() else []

    def close(self) -> None:
        self.host.close()


@pytest.fixture
def install(tmp_path: Path) -> Iterable[Any]:
    """``install("helpdesk", user_id=…)``: copy a template to tmp_path and open a session on it."""
    opened: list[Bot] = []

    def factory(name: str, **kwargs: Any) -> Bot:
        root = tmp_path / "bots" / f"{name}.gbai"
        if not root.exists():
            shutil.copytree(TEMPLATES / f"{name}.gbai", root)
        bot = Bot(root, **kwargs)
        opened.append(bot)
        return bot

    yield factory
    for bot in opened:
        bot.close()


# -- every template -------------------------------------------------------------------------


def _scripts(name: str) -> list[Path]:
    return BotPackage.at(TEMPLATES / f"{name}.gbai").scripts()


def _params(name: str) -> frozenset[str]:
    config = BotPackage.at(TEMPLATES / f"{name}.gbai").config()
    return frozenset(k[6:].lower().replace("-", "_") for k in config.raw()
                     if k.lower().startswith("param-"))


@pytest.mark.parametrize("name", ALL)
def test_template_compiles_without_errors_or_warnings(name: str) -> None:
    """Zero diagnostics, even in strict mode: no unknown statement and no undeclared name."""
    scripts = _scripts(name)
    assert any(p.name == "start.bas" for p in scripts)
    for path in scripts:
        source = path.read_text(encoding="utf-8")
        for options in (CompileOptions(), CompileOptions(strict=True, injected=_params(name))):
            program = compile_source(source, path.stem, options)
            assert program.diagnostics == [], [d.render(source, str(path)) for d in program.diagnostics]


@pytest.mark.parametrize("name", ALL)
def test_template_package_is_complete(name: str) -> None:
    package = BotPackage.at(TEMPLATES / f"{name}.gbai")
    rows, warnings = package.config_rows()
    assert warnings == []
    for key in ("bot-name", "bot-description", "welcome-message", "language"):
        assert rows.get(key), f"{name}: config.csv has no {key}"
    # every param-* the scripts rely on has a value (an unset one would be null at run time)
    for key, value in rows.items():
        if key.startswith("param-"):
            assert value.strip(), f"{name}: {key} is empty"


def _tools() -> list[tuple[str, Path]]:
    found = []
    for name in ALL:
        for path in _scripts(name):
            program = compile_source(path.read_text(encoding="utf-8"), path.stem)
            if program.is_tool:
                found.append((name, path))
    return found


@pytest.mark.parametrize(("name", "path"), _tools(), ids=lambda v: getattr(v, "stem", v))
def test_every_tool_compiles_to_a_descriptor(name: str, path: Path) -> None:
    program = compile_source(path.read_text(encoding="utf-8"), path.stem)
    tool = program.openai_tool()
    function = tool["function"]
    assert tool["type"] == "function" and function["name"] == path.stem
    assert len(function["description"]) > 15, f"{path.stem}: describe the tool for the model"
    properties = function["parameters"]["properties"]
    for param, schema in properties.items():
        assert schema["description"], f"{path.stem}: parameter {param} has no DESCRIPTION"
    assert set(function["parameters"]["required"]) <= set(properties)
    mcp = program.mcp_tool()
    assert mcp["name"] == path.stem and mcp["inputSchema"]["properties"] == properties
    json.dumps(tool)  # plain JSON, ready to send to a model
