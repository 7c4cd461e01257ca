"""Runs one case of ``shared/conformance`` the way its README prescribes.

The bot's data, memory, drive and HTTP are the engine's real services over a temporary
folder; the LLM, mail/SMS/channels, hand-off and run-time schedules are the recording
services the suite defines (``% llm`` replies, ``~`` effects).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from engine.basic import values
from engine.basic.compiler import CompileOptions, compile_source
from engine.basic.errors import ServiceError, not_available
from engine.basic.host import Suggestion, UnavailableServices
from engine.basic.program import Program
from engine.basic.vm import VM, Outcome
from engine.bots.config import BotConfig, parse_config
from engine.bots.host import NoKnowledge
from engine.data.sqlite_store import SqliteTableStore
from engine.network.client import GuardedHttpClient
from engine.office.drive import LocalDrive
from engine.sessions.memory import SqliteMemoryStore
from engine.sessions.state import SessionState


@dataclass
class Case:
    name: str
    bas: Path
    header_config: list[str] = field(default_factory=list)
    clock: datetime | None = None
    llm: list[str] = field(default_factory=list)
    args: dict[str, Any] = field(default_factory=dict)
    expected: list[str] = field(default_factory=list)
    tool_json: Any = None
    has_tool_json: bool = False

    @property
    def pkg(self) -> Path:
        return self.bas.with_suffix(".pkg")

    @property
    def inputs(self) -> list[str]:
        return [line[1:].strip() for line in self.expected if line.startswith(">")]

    @classmethod
    def load(cls, bas: Path, root: Path) -> Case:
        case = cls(str(bas.relative_to(root).with_suffix("")), bas)
        for raw in bas.with_suffix(".dialog").read_text(encoding="utf-8").splitlines():
            case._line(raw)
        tool = bas.with_suffix(".tool.json")
        if tool.exists():
            case.tool_json = json.loads(tool.read_text(encoding="utf-8"))
            case.has_tool_json = True
        return case

    def _line(self, raw: str) -> None:
        line = raw.rstrip()
        if not line or line.startswith(";;"):
            return
        if line.startswith("% clock "):
            self.clock = datetime.fromisoformat(line[8:].strip())
        elif line.startswith("% config "):
            self.header_config.append(line[9:])
        elif line.startswith("% llm "):
            self.llm.append(line[6:])
        elif line.startswith("@ "):
            name, _, value = line[2:].partition("=")
            self.args[name.strip()] = values.from_json_text(value.strip())
        else:
            self.expected.append(line)


class Recorder:
    """The transcript: bot output, suggestions, logs and effects in order."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def talk(self, text: str) -> None:
        self.lines.extend(f"< {part}" if part else "<" for part in text.split("\n"))

    def suggest(self, s: Suggestion) -> None:
        value = s.value if s.kind == "text" else f"{s.kind}:{s.value}"
        self.lines.append(f"+ {s.label} -> {value}")

    def clear_suggestions(self, switchers: bool = False) -> None:
        self.lines.append("+ clear switchers" if switchers else "+ clear")

    def log(self, text: str) -> None:
        self.lines.append(f"# {text}")

    def warn(self, text: str) -> None:
        pass

    def effect(self, kind: str, **fields: Any) -> None:
        kept = {k: v for k, v in fields.items() if v is not None and v != []}
        self.lines.append(f"~ {kind} {values.json_text(kept)}")


class TestClock:
    def __init__(self, fixed: datetime | None) -> None:
        self.fixed = fixed

    def now(self) -> datetime:
        return self.fixed if self.fixed is not None else datetime.now().replace(microsecond=0)

    def sleep(self, seconds: float) -> None:
        if self.fixed is not None:
            self.fixed += timedelta(seconds=seconds)


class ScriptedLlm:
    def __init__(self, replies: list[str]) -> None:
        self.replies = replies

    def complete(self, prompt: str, model: str | None) -> str:
        if not self.replies:
            raise ServiceError("no LLM reply left")
        return self.replies.pop(0)

    def describe_image(self, image: Any, task: str) -> str:
        return self.complete(task, None)


class RecordedMessaging:
    def __init__(self, recorder: Recorder) -> None:
        self.r = recorder

    def talk_to(self, channel: str, to: str, message: str) -> None:
        self.r.effect("talk_to", channel=channel, to=to, message=message)

    def send_mail(self, to: Any, subject: str, body: str, attachments: list[str],
                  account: str | None) -> None:
        self.r.effect("mail", to=to, subject=subject, body=body, attachments=attachments,
                      **{"from": account})

    def create_draft(self, to: Any, subject: str, body: str) -> Any:
        return 1

    def send_sms(self, to: str, message: str, priority: Any, provider: Any) -> None:
        self.r.effect("sms", to=to, message=message, priority=priority, provider=provider)

    def send_file(self, to: str | None, path: str, caption: str | None) -> None:
        self.r.effect("file", to=to, path=path, caption=caption)

    def send_template(self, name: str, to: str, variables: Any) -> None:
        self.r.effect("template", name=name, to=to, vars=variables)

    def transfer_to_human(self, department: str, priority: str, reason: Any) -> None:
        self.r.effect("transfer", department=department, priority=priority, reason=reason)


class RecordedScheduler:
    def __init__(self, recorder: Recorder) -> None:
        self.r = recorder

    def schedule_once(self, at: datetime, script: str) -> None:
        self.r.effect("schedule", at=at, script=script)

    def schedule_recurring(self, spec: str, script: str) -> None:
        self.r.effect("schedule", cron=spec, script=script)


class LocalEvents:
    def publish(self, name: str, data: Any, source: str) -> None:
        return None

    def wait_for(self, name: str, timeout: float | None) -> Any:
        raise not_available("waiting for events")


class FolderScripts:
    def __init__(self, folder: Path, options: CompileOptions) -> None:
        self.folder = folder
        self.options = options
        self.cache: dict[str, Program] = {}

    def load(self, name: str) -> Program | None:
        key = name.lower()
        if key not in self.cache:
            matches = [p for p in self.folder.glob("*.bas") if p.stem.lower() == key]
            if not matches:
                return None
            source = matches[0].read_text(encoding="utf-8")
            self.cache[key] = compile_source(source, matches[0].stem, self.options)
        return self.cache[key]


class TestHost(UnavailableServices):
    def __init__(self, bot: Path, config: BotConfig, clock: TestClock, recorder: Recorder,
                 llm: ScriptedLlm, session: SessionState, options: CompileOptions) -> None:
        self.output = recorder
        self.clock = clock
        self.config = config
        self.session = session
        self.data = SqliteTableStore(bot / "bot.db", bot / "testbot.gbdata", lambda: None,  # type: ignore[assignment]
                                     clock.now)
        self.memory = SqliteMemoryStore(bot / "memory.db", "testbot", "test-user")  # type: ignore[assignment]
        self.drive = LocalDrive(bot / "testbot.gbdrive")  # type: ignore[assignment]
        allow = frozenset(h.strip() for h in config.get("http-allow-hosts", "").split(",")
                          if h.strip())
        self.http = GuardedHttpClient(allow, timeout=5)  # type: ignore[assignment]
        self.llm = llm  # type: ignore[assignment]
        self.messaging = RecordedMessaging(recorder)  # type: ignore[assignment]
        self.scheduler = RecordedScheduler(recorder)  # type: ignore[assignment]
        self.events = LocalEvents()  # type: ignore[assignment]
        self.kb = NoKnowledge()  # type: ignore[assignment]
        self.scripts = FolderScripts(bot / "testbot.gbdialog", options)


def prepare_bot(case: Case, workdir: Path) -> tuple[Path, BotConfig]:
    bot = workdir / "testbot.gbai"
    dialog = bot / "testbot.gbdialog"
    dialog.mkdir(parents=True)
    shutil.copy(case.bas, dialog / case.bas.name)
    config_text = ""
    for sub, target in (("dialog", dialog), ("drive", bot / "testbot.gbdrive"),
                        ("data", bot / "testbot.gbdata")):
        source = case.pkg / sub
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
    if (case.pkg / "config.csv").exists():
        config_text = (case.pkg / "config.csv").read_text(encoding="utf-8")
    config_text += "\n" + "\n".join(case.header_config)
    rows, _ = parse_config(config_text)
    defaults = {"language": "en", "locale": "en"}
    return bot, BotConfig(rows, defaults)


def new_session(start: datetime) -> SessionState:
    return SessionState(id="test-session", bot_name="testbot", user_id="test-user",
                        user_name="Test User", user_email="test@example.com",
                        started_at=start)


def run_case(case: Case, workdir: Path, restart: bool) -> tuple[list[str], Program]:
    bot, config = prepare_bot(case, workdir)
    options = CompileOptions(strict=config.get("basic-strict", "").lower() == "true")
    program = compile_source(case.bas.read_text(encoding="utf-8"), case.bas.stem, options)
    recorder = Recorder()
    if not program.ok:
        first = program.errors[0]
        return [f"! SyntaxError: line {first.line}, column {first.col}: {first.message}"], program
    clock = TestClock(case.clock)
    llm = ScriptedLlm(list(case.llm))
    session = new_session(clock.now())
    host = TestHost(bot, config, clock, recorder, llm, session, options)
    vm = VM(host)
    for table_source in _table_programs(host, program):
        for table in table_source.module.tables:
            host.data.declare_table(table)
    webhook = bool(program.module.webhooks)
    outcome = vm.start(program, None if webhook else case.args, case.args if webhook else None)
    inputs = case.inputs
    while outcome.waiting and inputs:
        answer = inputs.pop(0)
        recorder.lines.append(f"> {answer}")
        if restart:
            vm, host = _restarted(vm, host, bot, config, clock, recorder, llm, program, options)
        outcome = vm.deliver(answer)
    _finish(recorder, outcome)
    return recorder.lines, program


def _table_programs(host: TestHost, program: Program) -> list[Program]:
    tables = host.scripts.load("tables")
    return [p for p in (tables, program) if p is not None]


def _restarted(vm: VM, host: TestHost, bot: Path, config: BotConfig, clock: TestClock,
               recorder: Recorder, llm: ScriptedLlm, program: Program,
               options: CompileOptions) -> tuple[VM, TestHost]:
    """Throw the engine away, keep only what is persisted, and rebuild it (README restart)."""
    snapshot = json.loads(json.dumps(vm.snapshot()))
    session = SessionState.from_json(json.loads(json.dumps(host.session.to_json())))
    new_host = TestHost(bot, config, clock, recorder, llm, session, options)
    fresh = compile_source(program.source, program.name, options)
    new_vm = VM(new_host)
    assert new_vm.restore(snapshot, fresh), "the suspended run did not restore"
    return new_vm, new_host


def _finish(recorder: Recorder, outcome: Outcome) -> None:
    if outcome.waiting:
        return
    if outcome.error is not None:
        error = outcome.error
        line = getattr(error, "line", None)
        where = f"line {line}: " if line is not None else ""
        recorder.lines.append(f"! {getattr(error, 'kind', 'Error')}: {where}{error.message}")
    elif outcome.result is not None:
        recorder.lines.append(f"= {values.json_text(outcome.result)}")


def check_case(bas: Path, root: Path, workdir: Path, restart: bool) -> Program:
    """Run the case ``bas`` of the suite under ``root`` and assert its transcript (and its
    tool descriptor, when the case has one); the compiled program, for further checks."""
    case = Case.load(bas, root)
    actual, program = run_case(case, workdir, restart)
    problem = matches(case.expected, actual)
    assert problem is None, problem + "\n" + "\n".join(actual)
    if case.has_tool_json:
        assert program.is_tool
        assert program.openai_tool() == case.tool_json
    return program


def matches(expected: list[str], actual: list[str]) -> str | None:
    """None when the transcripts agree by the README's rules, else a description."""
    if len(expected) != len(actual):
        return f"{len(actual)} events, expected {len(expected)}"
    for index, (want, got) in enumerate(zip(expected, actual)):
        if not _same(want.rstrip(), got.rstrip()):
            return f"event {index + 1}: expected {want!r}, got {got!r}"
    return None


def _same(want: str, got: str) -> bool:
    if want[:1] != got[:1]:
        return False
    if want.startswith("="):
        return _json_equal(want[1:], got[1:])
    if want.startswith("~"):
        wkind, _, wbody = want[1:].strip().partition(" ")
        gkind, _, gbody = got[1:].strip().partition(" ")
        return wkind == gkind and _json_equal(wbody, gbody)
    if want.startswith("!"):
        wkind, _, wmsg = want[1:].strip().partition(":")
        gkind, _, gmsg = got[1:].strip().partition(":")
        return wkind.strip() == gkind.strip() and wmsg.strip().lower() in gmsg.lower()
    return want == got


def _json_equal(a: str, b: str) -> bool:
    try:
        return bool(json.loads(a) == json.loads(b))
    except ValueError:
        return False
