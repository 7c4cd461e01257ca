"""A scheduled run whose completion cannot be recorded (the disk filled up at that moment)
leaves no rows behind: it stays ``running`` and becomes ``interrupted`` at the next start,
like a run cut by a crash (see ``test_chaos_job.py`` for the crashes themselves)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import sqlean

from engine.api import Engine, EngineConfig
from engine.storage.errors import DiskFull
from tests.engine.sessions.sessionkit import write_bot
from tests.reliability.durability_worker import TICKER

FIRE = datetime(2026, 3, 2, 9, 30)


class FullWhenRecording:
    """The engine database, failing like a full disk on the statement that records a run."""

    def __init__(self, db: Any) -> None:
        self._db = db

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    async def execute(self, sql: str, params: Any = ()) -> int:
        if sql.startswith("UPDATE job_runs SET status"):
            raise DiskFull("the database could not grow")
        result: int = await self._db.execute(sql, params)
        return result


def ticks(home: Path) -> int:
    with sqlean.connect(str(home / "work" / "ticker" / "tables.db")) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM ticks").fetchone()[0])


def test_a_run_that_cannot_be_recorded_leaves_no_rows(tmp_path: Path) -> None:
    write_bot(tmp_path, "ticker", {"tick.bas": TICKER})
    config = EngineConfig.under(tmp_path, run_scheduler=False, watch_bots=False)

    async def scenario() -> None:
        async with Engine(config) as engine:
            engine.scheduler.db = FullWhenRecording(engine.db)
            with pytest.raises(DiskFull):
                await engine.scheduler.check(FIRE)
            assert ticks(tmp_path) == 0
        async with Engine(config) as engine:
            runs = await engine.db.fetch_all("SELECT status FROM job_runs")
            assert [r["status"] for r in runs] == ["interrupted"]
            assert await engine.scheduler.check(FIRE) == []  # never run twice
        assert ticks(tmp_path) == 0

    asyncio.run(scenario())
