"""Building a real session stack (SQLite database, bots folder, manager) for tests.

Also runnable as a script, so crash tests can drive it in a subprocess and kill it:
``python -m tests.engine.sessions.sessionkit HOME MODE``.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.bots.host import BotServices
from engine.bots.registry import BotRegistry
from engine.bots.scheduler import Scheduler
from engine.events import BotResponse, DialogWaiting, Event
from engine.sessions.manager import SessionManager
from engine.sessions.store import SqlSessionStore
from engine.storage.db.sqlite import SqliteDatabase


@dataclass
class Transcript:
    events: list[Event] = field(default_factory=list)

    async def emit(self, event: Event) -> None:
        self.events.append(event)

    @property
    def said(self) -> list[str]:
        return [e.content for e in self.events if isinstance(e, BotResponse) and e.content]

    @property
    def waiting(self) -> list[tuple[str, ...]]:
        return [e.options for e in self.events if isinstance(e, DialogWaiting)]


def write_bot(home: Path, name: str, scripts: dict[str, str], config: str = "") -> Path:
    root = home / "bots" / f"{name}.gbai"
    dialog = root / f"{name}.gbdialog"
    dialog.mkdir(parents=True, exist_ok=True)
    for file, source in scripts.items():
        (dialog / file).write_text(source, encoding="utf-8")
    (root / f"{name}.gbot").mkdir(exist_ok=True)
    (root / f"{name}.gbot" / "config.csv").write_text("name,value\n" + config, encoding="utf-8")
    return root


@dataclass
class Stack:
    db: SqliteDatabase
    bots: BotRegistry
    manager: SessionManager
    scheduler: Scheduler
    transcript: Transcript


@asynccontextmanager
async def session_stack(home: Path, run_job: Any = None) -> AsyncIterator[Stack]:
    db = SqliteDatabase(home / "hearth.db")
    await db.open()
    store = SqlSessionStore(db)
    await store.install()
    bots = BotRegistry(home / "bots", lambda p, c: BotServices(p, home / "work" / p.name,
                                                                config=c))
    transcript = Transcript()
    manager = SessionManager(bots, store, transcript.emit)

    async def default_job(bot: str, script: str, key: str) -> Any:
        raise AssertionError("no job runner given")

    scheduler = Scheduler(bots, db, run_job or default_job)
    await scheduler.install()
    try:
        yield Stack(db, bots, manager, scheduler, transcript)
    finally:
        manager.close()
        bots.close()
        await db.close()


async def _main(home: Path, mode: str) -> None:
    """Crash-test driver: reach the state named by ``mode``, say READY, then wait."""
    async with session_stack(home) as stack:
        if mode == "hear":
            await stack.manager.open("crashbot", user_id="u1", session_id="s1")
        print("READY", flush=True)
        await asyncio.sleep(3600)


if __name__ == "__main__":
    asyncio.run(_main(Path(sys.argv[1]), sys.argv[2]))
