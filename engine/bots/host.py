"""The BASIC host of a bot: its real services wired together for one session's runs.

Data and memory live in SQLite files under the bot's work folder, files in its drive, HTTP
goes through the network guard with the bot's allow-list. Services that later subsystems
provide (LLM, knowledge base, scheduler, channels) arrive as constructor arguments; until
then the host reports them as "not available" (``ServiceError``).
"""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from engine.basic.compiler import CompileOptions, compile_source
from engine.basic.host import (
    EventService,
    LlmService,
    MessagingService,
    Output,
    SchedulerService,
    SessionService,
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
        path = self.package.script(name)
        if path is None:
            return None
        stamp = path.stat().st_mtime
        cached = self._cache.get(path.stem.lower())
        if cached is not None and cached[0] == stamp:
            return cached[1]
        program = compile_source(path.read_text(encoding="utf-8"), path.stem, self.options)
        self._cache[path.stem.lower()] = (stamp, program)
        return program if program.ok else None


def compile_options(config: BotConfig) -> CompileOptions:
    strict = config.get("basic-strict", "false").strip().lower() == "true"
    params = frozenset(k[6:].lower().replace("-", "_") for k in config.raw()
                       if k.lower().startswith("param-"))
    return CompileOptions(strict=strict, injected=params)


class BotHost(UnavailableServices):
    def __init__(self, package: BotPackage, work_dir: Path, session: SessionService,
                 output: Output, *, config: BotConfig | None = None,
                 llm: LlmService | None = None, messaging: MessagingService | None = None,
                 scheduler: SchedulerService | None = None,
                 events: EventService | None = None, clock: Any = None) -> None:
        self.package = package
        self.config = config or package.config()
        self.output = output
        self.session = session
        self.clock = clock or BotClock(self.config.get("timezone"))
        work_dir.mkdir(parents=True, exist_ok=True)
        roles = session.roles
        self._tables = SqliteTableStore(work_dir / "tables.db", package.data_dir, lambda: roles)
        self.data = self._tables
        user = str(session.get("user_id") or "anonymous")
        self._memory = SqliteMemoryStore(work_dir / "memory.db", package.name, user)
        self.memory = self._memory
        self.drive = LocalDrive(package.drive_dir)
        self._http = GuardedHttpClient(
            parse_allow_hosts(self.config.get("http-allow-hosts", "")),
            timeout=float(self.config.get("http-timeout", "30")),
            max_bytes=int(self.config.get("http-max-bytes", "10485760")),
        )
        self.http = self._http
        self.messaging = messaging or LocalMessaging(self.drive, self.config)
        if llm is not None:
            self.llm = llm
        if not package.kb_dir.is_dir():
            self.kb = NoKnowledge()
        if scheduler is not None:
            self.scheduler = scheduler
        if events is not None:
            self.events = events
        self.scripts = PackageScripts(package, compile_options(self.config))

    def close(self) -> None:
        self._http.close()
        self._memory.close()
        self._tables.close()
