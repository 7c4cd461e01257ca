"""The in-process scheduler of bot jobs (BASIC.md §9.6).

Jobs come from two places: compile-time ``SET SCHEDULE`` lines of each bot's scripts, and
run-time registrations (one-off ``at`` runs and recurring specs) stored in the database.
Every firing is *claimed* in ``job_runs`` (unique per job and minute) before it runs, so
two instances, or a restart, never run the same firing twice; a run that was interrupted
by a crash stays claimed and is marked ``interrupted`` instead of running again.

A run's writes to the bot's tables are journalled under the run (``engine.data.journal``):
they become final when the run is recorded ``done`` or ``failed``; the writes of a run that
was interrupted are undone when the scheduler next starts, so an interrupted run leaves no
half of its rows behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from engine.basic.schedules import next_fire, to_cron
from engine.bots.registry import BotRegistry
from engine.data.journal import writes_of
from engine.storage.migrations import apply_migrations, register_migration

log = logging.getLogger(__name__)

_TABLES = [
    """CREATE TABLE IF NOT EXISTS job_runs (
        job_key TEXT NOT NULL, fire_at TEXT NOT NULL, status TEXT NOT NULL,
        started_at TEXT NOT NULL, finished_at TEXT, output TEXT, error TEXT,
        PRIMARY KEY (job_key, fire_at))""",
    """CREATE TABLE IF NOT EXISTS scheduled_jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT, bot TEXT NOT NULL, script TEXT NOT NULL,
        cron TEXT, run_at TEXT, created_at TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS scheduler_state (
        name TEXT PRIMARY KEY, value TEXT NOT NULL)""",
]

register_migration("scheduler", "0001_jobs", _TABLES)

RunJob = Callable[[str, str, str], Awaitable[Any]]  # bot, script, job key


@dataclass(frozen=True, slots=True)
class Job:
    key: str
    bot: str
    script: str
    cron: str | None = None
    run_at: datetime | None = None
    row_id: int | None = None

    def due(self, after: datetime, until: datetime) -> datetime | None:
        """The latest firing in ``(after, until]``, minute resolution."""
        if self.run_at is not None:
            return self.run_at if self.run_at <= until else None
        assert self.cron is not None
        fire = next_fire(self.cron, after)
        if fire > until:
            return None
        latest = fire
        while True:
            following = next_fire(self.cron, latest)
            if following > until:
                return latest
            latest = following


class Scheduler:
    def __init__(self, bots: BotRegistry, db: Any, run_job: RunJob,
                 now: Callable[[], datetime] = datetime.now, tick: float = 15.0) -> None:
        self.bots = bots
        self.db = db
        self.run_job = run_job
        self.now = now
        self.tick = tick
        self._task: asyncio.Task[None] | None = None
        self._recovered: set[str] = set()

    async def install(self) -> None:
        await apply_migrations(self.db)
        await self.db.execute(
            "UPDATE job_runs SET status = 'interrupted', finished_at = ? "
            "WHERE status = 'running'", (self._stamp(self.now()),))

    # -- the jobs ------------------------------------------------------------------------------
    def compiled_jobs(self) -> list[Job]:
        jobs: list[Job] = []
        for bot in self.bots.names():
            try:
                compiled = self.bots.bot(bot)
            except Exception as error:  # a broken bot must not stop the others' jobs
                log.warning("bot %s not scheduled: %s", bot, error)
                continue
            for name, program in compiled.programs.items():
                if not program.ok:
                    continue
                for schedule in program.module.schedules:
                    cron = to_cron(schedule.spec)
                    if cron is None:
                        continue
                    script = (schedule.script or name).removesuffix(".bas")
                    key = f"{bot}:{name}:{schedule.label or schedule.spec}"
                    jobs.append(Job(key, bot, script, _five_fields(cron)))
        return jobs

    async def registered_jobs(self) -> list[Job]:
        rows = await self.db.fetch_all("SELECT * FROM scheduled_jobs ORDER BY id")
        jobs = []
        for row in rows:
            run_at = datetime.fromisoformat(row["run_at"]) if row["run_at"] else None
            key = f"{row['bot']}:runtime:{row['id']}"
            cron = _five_fields(to_cron(row["cron"]) or "") if row["cron"] else None
            jobs.append(Job(key, row["bot"], row["script"], cron, run_at, row["id"]))
        return jobs

    async def register(self, bot: str, script: str, *, cron: str | None = None,
                       run_at: datetime | None = None) -> None:
        """A run-time ``SET SCHEDULE``: a one-off run, or a recurring spec (replaced)."""
        script = script.removesuffix(".bas")
        if cron is not None:
            await self.db.execute("DELETE FROM scheduled_jobs WHERE bot = ? AND script = ? "
                                  "AND cron IS NOT NULL", (bot, script))
        await self.db.execute(
            "INSERT INTO scheduled_jobs (bot, script, cron, run_at, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (bot, script, cron, self._stamp(run_at) if run_at else None,
             self._stamp(self.now())))

    # -- firing --------------------------------------------------------------------------------
    async def check(self, until: datetime | None = None) -> list[str]:
        """Run every job due since the last check; return the keys of the jobs started."""
        until = (until or self.now()).replace(second=0, microsecond=0)
        after = await self._last_check(until)
        started: list[str] = []
        for job in self.compiled_jobs() + await self.registered_jobs():
            await self._recover(job.bot)
            fire = job.due(after, until)
            if fire is None or not await self._claim(job, fire):
                continue
            started.append(job.key)
            await self._run(job, fire)
        await self._set_last_check(until)
        return started

    async def _claim(self, job: Job, fire: datetime) -> bool:
        changed = await self.db.execute(
            "INSERT INTO job_runs (job_key, fire_at, status, started_at) VALUES (?, ?, "
            "'running', ?) ON CONFLICT (job_key, fire_at) DO NOTHING",
            (job.key, self._stamp(fire), self._stamp(self.now())))
        if changed and job.run_at is not None:
            await self.db.execute("DELETE FROM scheduled_jobs WHERE id = ?", (job.row_id,))
        return bool(changed)

    async def _run(self, job: Job, fire: datetime) -> None:
        status, error, output = "done", None, ""
        unit = f"job:{job.key}@{self._stamp(fire)}"
        try:
            with writes_of(unit):
                result = await self.run_job(job.bot, job.script, job.key)
            output = "\n".join(getattr(result, "output", ()) or ())
            error = getattr(result, "error", None)
            status = "failed" if error else "done"
        except Exception as failure:  # one job's failure is recorded, never fatal
            status, error = "failed", str(failure)
            log.exception("job %s failed", job.key)
        try:
            await self.db.execute(
                "UPDATE job_runs SET status = ?, finished_at = ?, output = ?, error = ? "
                "WHERE job_key = ? AND fire_at = ?",
                (status, self._stamp(self.now()), output, error, job.key, self._stamp(fire)))
        except Exception:
            await self._finish(job.bot, unit, committed=False)  # the run stays unrecorded
            raise
        await self._finish(job.bot, unit, committed=True)

    # -- the bot tables' side of runs ----------------------------------------------------------
    def _tables(self, bot: str) -> Any:
        try:
            tables = getattr(self.bots.services(bot), "tables", None)
        except Exception:  # a broken bot: its jobs fail with their own message
            return None
        return tables if hasattr(tables, "unfinished") else None

    async def _finish(self, bot: str, unit: str, *, committed: bool,
                      force: bool = False) -> None:
        tables = self._tables(bot)
        if tables is None or not (force or tables.wrote(unit)):
            return
        try:
            if committed:
                await asyncio.to_thread(tables.settle, unit, force)
            else:
                await asyncio.to_thread(tables.undo, unit)
        except Exception:  # the next start settles it
            log.exception("job run %s: bot tables not %s", unit,
                          "settled" if committed else "undone")

    async def _recover(self, bot: str) -> None:
        """Once per process and bot: undo the table writes of runs that never finished."""
        if bot in self._recovered:
            return
        self._recovered.add(bot)
        tables = self._tables(bot)
        if tables is None:
            return
        for unit in await asyncio.to_thread(tables.unfinished, "job:"):
            key, _, fire = unit.removeprefix("job:").rpartition("@")
            row = await self.db.fetch_one(
                "SELECT status FROM job_runs WHERE job_key = ? AND fire_at = ?", (key, fire))
            committed = row is not None and row["status"] in ("done", "failed")
            await self._finish(bot, unit, committed=committed, force=True)
            log.warning("job run %s: bot tables %s after a crash", unit,
                        "kept" if committed else "undone")

    async def _last_check(self, until: datetime) -> datetime:
        row = await self.db.fetch_one(
            "SELECT value FROM scheduler_state WHERE name = 'last_check'")
        if row is None:
            return until - timedelta(minutes=1)
        return datetime.fromisoformat(row["value"])

    async def _set_last_check(self, when: datetime) -> None:
        await self.db.execute(
            "INSERT INTO scheduler_state (name, value) VALUES ('last_check', ?) "
            "ON CONFLICT (name) DO UPDATE SET value = excluded.value", (self._stamp(when),))

    async def history(self, limit: int = 50) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = await self.db.fetch_all(
            "SELECT * FROM job_runs ORDER BY started_at DESC LIMIT ?", (limit,))
        return rows

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.ensure_future(self._loop())

    async def _loop(self) -> None:
        while True:
            try:
                await self.check()
            except Exception:  # keep scheduling even if one check fails
                log.exception("scheduler check failed")
            await asyncio.sleep(self.tick)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    @staticmethod
    def _stamp(when: datetime | None) -> str:
        assert when is not None
        return when.replace(microsecond=0).isoformat()


def _five_fields(cron: str) -> str:
    """A 6-field spec (seconds first) runs once in each matching minute (§9.6)."""
    fields = cron.split()
    return " ".join(fields[1:]) if len(fields) == 6 else cron
