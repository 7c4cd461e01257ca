"""The BASIC host of a bot: its real services wired together for one session's runs.

Data and memory live in SQLite files under the bot's work folder, files in its drive, HTTP
goes through the network guard with the bot's allow-list. Services that later subsystems
provide (LLM, knowledge base, scheduler, channels) arrive as constructor arguments; until
then the host reports them as "not available" (``ServiceError``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.basic.compiler import CompileOptions, compile_source
from engine.basic.expressions import DEFAULT_NESTING
from engine.basic.host import (
    EventService,
    KbService,
    LlmService,
    MemoryService,
    MessagingService,
    Output,
    SchedulerService,
    SessionService,
    SpeechService,
    UnavailableServices,
)
from engine.basic.program import Program
from engine.bots.config import BotConfig
from engine.bots.outbox import LocalMessaging
from engine.bots.package import BotPackage
from engine.data.sqlite_store import SqliteTableStore
from engine.network.client import GuardedHttpClient
from engine.network.guard import parse_allow_hosts
from engine.office.drive import LocalDrive
from engine.sessions.memory import SqliteMemoryStore


class BotClock:
    """The engine clock in the bot's ``timezone`` (naive local time, whole seconds)."""

    def __init__(self, timezone: str | None = None) -> None:
        self.zone: ZoneInfo | None = None
        if timezone:
            try:
                self.zone = ZoneInfo(timezone)
            except (ZoneInfoNotFoundError, ValueError):
                self.zone = None

    def now(self) -> datetime:
        now = datetime.now(self.zone) if self.zone else datetime.now()
        return now.replace(tzinfo=None, microsecond=0)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


class NoKnowledge:
    """The knowledge service of a bot without a ``.gbkb`` folder: every search is empty."""

    def think(self, question: str, collections: Sequence[str]) -> dict[str, Any]:
        return {"results": [], "confidence": 0}


class PackageScripts:
    """Compiles the package's scripts on demand, recompiling a file when it changes."""

    def __init__(self, package: BotPackage, options: CompileOptions) -> None:
        self.package = package
        self.options = options
        self._cache: dict[str, tuple[float, Program]] = {}

    def load(self, name: str) -> Program | None:
        """The script ``name``; else the procedure tool of that name of one of the
        package's scripts (a tool button's dialog CALLs it, a suspended run resumes it)."""
        path = self.package.script(name)
        if path is None:
            return self._proc_tool(name)
        stamp = path.stat().st_mtime
        cached = self._cache.get(path.stem.lower())
        if cached is not None and cached[0] == stamp:
            return cached[1]
        # as the registry does: bytes that are not UTF-8 become U+FFFD (and syntax errors)
        source = path.read_text(encoding="utf-8", errors="replace")
        program = compile_source(source, path.stem, self.options)
        self._cache[path.stem.lower()] = (stamp, program)
        return program if program.ok else None

    def _proc_tool(self, name: str) -> Program | None:
        key = name.lower().removesuffix(".bas")
        for path in self.package.scripts():
            program = self.load(path.stem)
            if program is not None and key in program.proc_tools:
                return program.proc_tools[key]
        return None


def compile_options(config: BotConfig) -> CompileOptions:
    strict = config.get("basic-strict", "false").strip().lower() == "true"
    params = frozenset(k[6:].lower().replace("-", "_") for k in config.raw()
                       if k.lower().startswith("param-"))
    nesting = int(config.get("basic-max-nesting", str(DEFAULT_NESTING)))  # validated by config
    return CompileOptions(strict=strict, injected=params, max_nesting=nesting)


class BotServices:
    """A bot's services, opened once and shared by all of its sessions and jobs."""

    def __init__(self, package: BotPackage, work_dir: Path, *, config: BotConfig | None = None,
                 llm: LlmService | None = None, kb: KbService | None = None,
                 scheduler: SchedulerService | None = None, events: EventService | None = None,
                 speech: SpeechService | None = None, clock: Any = None) -> None:
        self.package = package
        self.config = config or package.config()
        self.clock = clock or BotClock(self.config.get("timezone"))
        work_dir.mkdir(parents=True, exist_ok=True)
        self._acting = threading.local()
        self.tables = SqliteTableStore(work_dir / "tables.db", package.data_dir, self._roles,
                                       self.clock.now)
        self.memory = SqliteMemoryStore(work_dir / "memory.db", package.name, None)
        self.drive = LocalDrive(package.drive_dir)
        self.http = GuardedHttpClient(
            parse_allow_hosts(self.config.get("http-allow-hosts", "")),
            timeout=float(self.config.get("http-timeout", "30")),
            max_bytes=int(self.config.get("http-max-bytes", "10485760")),
        )
        self.llm = llm
        self.kb: KbService | None = kb if kb is not None else (
            None if package.kb_dir.is_dir() else NoKnowledge())
        self.scheduler = scheduler
        self.events = events
        self.speech = speech
        self.scripts = PackageScripts(package, compile_options(self.config))

    def _roles(self) -> frozenset[str] | None:
        roles: frozenset[str] | None = getattr(self._acting, "roles", None)
        return roles

    def acting_as(self, roles: frozenset[str] | None) -> None:
        """Set the roles data access checks for runs on the calling thread."""
        self._acting.roles = roles

    def host(self, session: SessionService, output: Output,
             messaging: MessagingService | None = None) -> SessionHost:
        return SessionHost(self, session, output, messaging)

    def close(self) -> None:
        self.http.close()
        self.memory.close()
        self.tables.close()


class SessionHost(UnavailableServices):
    """The host of one run: the bot's shared services seen by one session."""

    def __init__(self, services: BotServices, session: SessionService, output: Output,
                 messaging: MessagingService | None = None) -> None:
        self.services = services
        self.output = output
        self.session = session
        self.clock = services.clock
        self.config = services.config
        self.data = services.tables
        self.drive = services.drive
        self.http = services.http
        self.messaging = messaging or LocalMessaging(services.drive, services.config)
        self.scripts = services.scripts
        if services.llm is not None:
            self.llm = services.llm
        if services.kb is not None:
            self.kb = services.kb
        if services.scheduler is not None:
            self.scheduler = services.scheduler
        if services.events is not None:
            self.events = services.events
        if services.speech is not None:
            self.speech = services.speech

    @property
    def memory(self) -> MemoryService:  # type: ignore[override]
        """Memories of the session's current user (SET USER re-binds it mid-run)."""
        user = self.session.get("user_id")
        return self.services.memory.with_user(str(user) if user is not None else None)
