"""The Engine facade on the real embedded store: sessions through the bus, jobs that fire
exactly once (also across a SIGKILL), run-time schedules, events between scripts, hot
reload, bot templates."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import sqlean

from engine.api import Engine, EngineConfig
from engine.basic.query import ALL_ROWS
from engine.bots.errors import BotError
from engine.events import BotDiagnostics, BotResponse, TurnFinished
from tests.engine.sessions.sessionkit import write_bot

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "resources" / "templates"

JOB = """
SET SCHEDULE "every minute"
n = COUNT("runs", "*")
SAVE "runs", {at: NOW(), n: n}
TALK "run " + (n + 1)
"""


def config(home: Path, **options: bool) -> EngineConfig:
    options.setdefault("run_scheduler", False)
    options.setdefault("watch_bots", False)
    return EngineConfig.under(home, TEMPLATES, **options)


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


def test_a_conversation_through_the_bus(tmp_path: Path) -> None:
    write_bot(tmp_path, "echo", {"start.bas": 'DO\n  HEAR m\n  TALK "you said " + m\nLOOP\n'})

    async def scenario() -> list[str]:
        async with Engine(config(tmp_path)) as engine:
            seen: list[str] = []
            async with engine.subscribe("s1") as events:
                await engine.open_session("echo", session_id="s1")
                await engine.send("s1", "hi")
                async for event in events:
                    if isinstance(event, BotResponse) and event.content:
                        seen.append(event.content)
                    if isinstance(event, TurnFinished) and seen:
                        return seen
        return seen

    assert run(scenario()) == ["you said hi"]


def test_job_fires_once_per_minute_and_never_twice(tmp_path: Path) -> None:
    write_bot(tmp_path, "jobs", {"tick.bas": JOB})

    async def scenario() -> tuple[list[str], list[str], int]:
        async with Engine(config(tmp_path)) as engine:
            minute = datetime(2026, 3, 2, 9, 30)
            first = await engine.scheduler.check(minute)
            again = await engine.scheduler.check(minute)
            await engine.scheduler.check(minute + timedelta(minutes=1))
            rows = engine.bots.services("jobs").tables.find("runs", ALL_ROWS)
            return first, again, len(rows)

    first, again, count = run(scenario())  # type: ignore[misc]
    assert first == ["jobs:tick:every minute"]
    assert again == []
    assert count == 2


def test_runtime_schedule_runs_the_named_script_once(tmp_path: Path) -> None:
    write_bot(tmp_path, "later", {
        "start.bas": 'SET SCHEDULE DATEADD(NOW(), 1, "minute"), "follow-up.bas"\nTALK "ok"\n',
        "follow-up.bas": 'SAVE "followups", {done: TRUE}\n',
    })

    async def scenario() -> int:
        async with Engine(config(tmp_path)) as engine:
            await engine.open_session("later")
            soon = datetime.now() + timedelta(minutes=2)
            await engine.scheduler.check(soon)
            await engine.scheduler.check(soon + timedelta(minutes=1))
            return len(engine.bots.services("later").tables.find("followups", ALL_ROWS))

    assert run(scenario()) == 1


def test_publish_event_runs_the_handlers_of_other_scripts(tmp_path: Path) -> None:
    write_bot(tmp_path, "ev", {
        "start.bas": 'PUBLISH EVENT "paid", {id: 7}\nTALK "published"\n',
        "audit.bas": 'ON EVENT "paid" DO\n  SAVE "audit", {order: event.data.id}\nEND ON\n',
    })

    async def scenario() -> list[int]:
        async with Engine(config(tmp_path)) as engine:
            await engine.open_session("ev")
            for _ in range(50):
                rows = engine.bots.services("ev").tables.find("audit", ALL_ROWS)
                if rows:
                    return [r["order"] for r in rows]
                await asyncio.sleep(0.05)
            return []

    assert run(scenario()) == [7]


def test_hot_reload_reports_diagnostics(tmp_path: Path) -> None:
    root = write_bot(tmp_path, "live", {"start.bas": 'TALK "v1"\n'})

    async def scenario() -> tuple[str, ...]:
        async with Engine(config(tmp_path, watch_bots=True)) as engine:
            engine.bots.bot("live")
            async with engine.subscribe() as events:
                await asyncio.sleep(0.5)
                (root / "live.gbdialog" / "start.bas").write_text('IF TRUE THEN\nTALK "v2"\n')
                async for event in events:
                    if isinstance(event, BotDiagnostics) and event.diagnostics:
                        return tuple(d["message"] for d in event.diagnostics)
        return ()

    messages = run(asyncio.wait_for(scenario(), 20))
    assert any("END IF" in m for m in messages)  # type: ignore[union-attr]


def test_new_bot_from_template_and_listing(tmp_path: Path) -> None:
    async def scenario() -> None:
        async with Engine(config(tmp_path)) as engine:
            package = engine.new_bot("notes", "starter")
            assert package.dialog_dir.name == "notes.gbdialog"
            infos = {i.name: i for i in engine.list_bots()}
            assert infos["notes"].errors == 0
            assert "add-note" in infos["notes"].tools
            with pytest.raises(BotError):
                engine.new_bot("notes", "starter")
            with pytest.raises(BotError):
                engine.new_bot("../evil", "starter")

    run(scenario())


CRASH_JOB = """
SET SCHEDULE "every minute"
SAVE "runs", {at: NOW()}
WAIT 30
SAVE "runs", {at: NOW(), late: TRUE}
"""

WORKER = """
import asyncio, sys
from datetime import datetime
from pathlib import Path
from engine.api import Engine, EngineConfig
async def main():
    home = Path(sys.argv[1])
    async with Engine(EngineConfig.under(home, run_scheduler=False, watch_bots=False)) as e:
        task = asyncio.ensure_future(e.scheduler.check(datetime(2026, 3, 2, 9, 30)))
        for _ in range(200):
            rows = await e.db.fetch_all("SELECT status FROM job_runs")
            if rows:
                print("READY", flush=True)
                break
            await asyncio.sleep(0.05)
        await task
asyncio.run(main())
"""


def test_sigkill_during_a_job_never_runs_it_again(tmp_path: Path) -> None:
    write_bot(tmp_path, "crash", {"tick.bas": CRASH_JOB})
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    worker = subprocess.Popen([sys.executable, "-c", WORKER, str(tmp_path)], cwd=REPO, env=env,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "READY"
        tables = tmp_path / "work" / "crash" / "tables.db"
        for _ in range(100):  # the job's first SAVE is committed before the kill
            if tables.exists() and _count(tables) == 1:
                break
            subprocess.run(["sleep", "0.05"], check=True)
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
    for db in (tmp_path / "hearth.db", tmp_path / "work" / "crash" / "tables.db"):
        conn = sqlean.connect(str(db))
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        conn.close()

    async def restart() -> tuple[list[str], list[str]]:
        async with Engine(config(tmp_path)) as engine:
            started = await engine.scheduler.check(datetime(2026, 3, 2, 9, 30))
            statuses = [r["status"] for r in await engine.db.fetch_all(
                "SELECT status FROM job_runs")]
            return started, statuses

    started, statuses = run(restart())  # type: ignore[misc]
    assert started == []
    assert statuses == ["interrupted"]
    # The interrupted run's first SAVE was undone: a run leaves all of its rows or none.
    assert _count(tmp_path / "work" / "crash" / "tables.db") == 0


def _count(path: Path) -> int:
    conn = sqlean.connect(str(path))
    try:
        return int(conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0])
    except Exception:
        return 0
    finally:
        conn.close()
