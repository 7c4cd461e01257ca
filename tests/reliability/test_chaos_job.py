"""SIGKILL chaos during scheduled jobs: an Engine in a child process fires a ``SET
SCHEDULE`` job that appends rows, once per simulated minute, and is killed at random moments
(at least 20 times) and restarted.

After every kill both database files pass ``PRAGMA integrity_check``. A firing runs at most
once (a run cut by a kill is recorded ``interrupted`` and not run again); the rows are
exactly those of the runs recorded ``done`` (an interrupted run leaves none of its rows);
every run the child reported is recorded ``done``: 0 lost, 0 duplicated runs or rows.
"""

from __future__ import annotations

import random
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import sqlean

from tests.engine.sessions.sessionkit import write_bot
from tests.reliability.chaoskit import REPO, check_files, child_env, kill_later, report
from tests.reliability.durability_worker import TICKER

KILLS = 21
BUDGET_SECONDS = 90.0


def start(home: Path, mode: str = "jobs") -> subprocess.Popen[str]:
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.durability_worker", str(home), mode],
        cwd=REPO, env=child_env(), stdout=subprocess.PIPE, text=True)
    assert worker.stdout is not None
    ready = worker.stdout.readline().split()
    assert ready and ready[0] == "READY", f"the worker did not start: {ready}"
    return worker


def reported_runs(worker: subprocess.Popen[str]) -> list[str]:
    assert worker.stdout is not None
    return [line.split()[1] for line in worker.stdout if line.startswith("RAN ")]


def test_sigkill_during_scheduled_jobs_loses_and_duplicates_no_run_or_row(
        tmp_path: Path) -> None:
    write_bot(tmp_path, "ticker", {"tick.bas": TICKER})
    files = (tmp_path / "hearth.db", tmp_path / "work" / "ticker" / "tables.db")
    rng = random.Random(10)
    reported: list[str] = []
    kills, began = 0, time.monotonic()
    while kills < KILLS:
        assert time.monotonic() - began < BUDGET_SECONDS, f"only {kills} kills in the budget"
        worker = start(tmp_path)
        kill_later(worker, 0.05, 0.6, rng)
        reported += reported_runs(worker)
        worker.wait(30)
        kills += 1
        check_files(*files)
    worker = start(tmp_path, "jobs-settle")  # the last run: interrupted, its rows undone
    assert reported_runs(worker) == []
    assert worker.wait(60) == 0
    check_files(*files)

    with sqlean.connect(str(files[0])) as conn:
        runs = dict(conn.execute("SELECT fire_at, status FROM job_runs").fetchall())
    with sqlean.connect(str(files[1])) as conn:
        marks = [int(r[0]) for r in conn.execute("SELECT run FROM marks ORDER BY run")]
        ticks = Counter(int(r[0]) for r in conn.execute("SELECT run FROM ticks"))
        undo = int(conn.execute("SELECT COUNT(*) FROM _hearth_undo").fetchone()[0])
    done = [fire for fire, status in runs.items() if status == "done"]
    interrupted = [fire for fire, status in runs.items() if status == "interrupted"]
    lost = [fire for fire in reported if runs.get(fire) != "done"]
    duplicated = [run for run, n in Counter(marks).items() if n > 1]
    report("chaos_job", kills=kills, runs_reported=len(reported), runs_done=len(done),
           runs_interrupted=len(interrupted), lost=len(lost), duplicated=len(duplicated),
           rows=len(marks) + sum(ticks.values()), seconds=round(time.monotonic() - began, 1))
    assert lost == [] and duplicated == []
    assert len(reported) == len(set(reported))
    assert set(runs.values()) <= {"done", "interrupted"}
    assert marks == list(range(len(done)))  # one mark per done run, none of interrupted runs
    assert ticks == Counter({run: 3 for run in marks})  # each run's rows, all or nothing
    assert undo == 0
    assert kills >= 20 and len(done) > kills
