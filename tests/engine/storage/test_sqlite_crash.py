"""A process killed with SIGKILL in the middle of a burst of writes leaves a sound database:
``PRAGMA integrity_check`` is ok, every transaction it saw commit is there, and none is half
there. (WAL with synchronous=NORMAL: only a power loss may take back the last commits.)"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import sqlean

HERE = Path(__file__).parent
ROOT = HERE.parents[2]
ROWS_PER_BATCH = 50


def run_and_kill(path: Path, commits_before_kill: int) -> set[int]:
    """Start the writer, SIGKILL it after ``commits_before_kill`` commits; the batches it saw
    committed."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, str(HERE / "sqlite_crash_writer.py"), str(path)],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert child.stdout is not None
    committed: set[int] = set()
    try:
        assert child.stdout.readline().strip() == "ready"
        for line in child.stdout:
            committed.add(int(line.split()[1]))
            if len(committed) >= commits_before_kill:
                break
        child.send_signal(signal.SIGKILL)
        for line in child.stdout:  # commits reported between our decision and the kill
            if line.startswith("committed ") and line.endswith("\n"):
                committed.add(int(line.split()[1]))
    finally:
        child.kill()
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    return committed


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
@pytest.mark.parametrize("commits_before_kill", [20, 150])
def test_sigkill_during_a_burst_of_writes(tmp_path: Path, commits_before_kill: int) -> None:
    path = tmp_path / "crash.db"
    committed = run_and_kill(path, commits_before_kill)
    assert len(committed) >= commits_before_kill
    assert path.with_name("crash.db-wal").exists(), "the writer must not have closed cleanly"
    conn = sqlean.connect(str(path))
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        counts = dict(conn.execute("SELECT batch, count(*) FROM burst GROUP BY batch").fetchall())
    finally:
        conn.close()
    assert committed <= set(counts), "a transaction reported committed was lost"
    partial = {batch: n for batch, n in counts.items() if n != ROWS_PER_BATCH}
    assert partial == {}, "a transaction was half applied"
