"""SIGKILL chaos during a dialog: a client drives HEAR / SAVE / TALK turns in a real child
process, which is killed at random moments (at least 20 times) and restarted.

After every kill both database files pass ``PRAGMA integrity_check``. The client retries
the message it had no acknowledgement for, unless the history shows it arrived (the turn
committed just before the kill). At the end every message is stored exactly once, and each
has exactly its turn's three rows: 0 lost, 0 duplicated, no half turn.
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
from tests.reliability.durability_worker import SHOP

KILLS = 22
BUDGET_SECONDS = 90.0


def start(home: Path) -> tuple[subprocess.Popen[str], str]:
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.durability_worker", str(home), "dialog"],
        cwd=REPO, env=child_env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert worker.stdout is not None
    ready = worker.stdout.readline().split(maxsplit=1)
    assert ready and ready[0] == "READY", f"the worker did not start: {ready}"
    return worker, ready[1].strip()


def talk(worker: subprocess.Popen[str], text: str) -> bool:
    """Send one message; True once acknowledged, False if the worker died first."""
    assert worker.stdin is not None and worker.stdout is not None
    try:
        worker.stdin.write(text + "\n")
        worker.stdin.flush()
    except BrokenPipeError:
        return False
    answer = worker.stdout.readline().strip()
    assert not answer.startswith("FAILED"), f"a turn went wrong without a crash: {answer}"
    return answer == f"ACK {text}"


def stored(home: Path) -> tuple[list[str], Counter[str], int]:
    """The user messages in the history (in order), rows per item, undo records left."""
    with sqlean.connect(str(home / "hearth.db")) as conn:
        history = [str(r[0]) for r in conn.execute(
            "SELECT content FROM messages WHERE session_id = 's1' AND role = 'user' "
            "ORDER BY id")]
    with sqlean.connect(str(home / "work" / "shop" / "tables.db")) as conn:
        rows = Counter({str(name): int(n) for name, n in conn.execute(
            "SELECT name, COUNT(*) FROM items GROUP BY name")})
        undo = int(conn.execute("SELECT COUNT(*) FROM _hearth_undo").fetchone()[0])
    return history, rows, undo


def test_sigkill_during_a_dialog_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    write_bot(tmp_path, "shop", {"start.bas": SHOP})
    files = (tmp_path / "hearth.db", tmp_path / "work" / "shop" / "tables.db")
    rng = random.Random(10)
    acked: list[str] = []
    arrived_unacked: list[str] = []
    pending: str | None = None
    number, kills, began = 0, 0, time.monotonic()
    while kills < KILLS:
        assert time.monotonic() - began < BUDGET_SECONDS, f"only {kills} kills in the budget"
        worker, last = start(tmp_path)
        if pending is not None and last == pending:  # committed, the ACK was lost
            arrived_unacked.append(pending)
            pending = None
        kill_later(worker, 0.02, 0.5, rng)
        while True:
            if pending is None:
                number += 1
                pending = f"m{number:04d}"
            if not talk(worker, pending):
                break
            acked.append(pending)
            pending = None
        worker.wait(30)
        kills += 1
        check_files(*files)
    worker, last = start(tmp_path)  # a last clean run settles the final state
    if pending is not None and last == pending:
        arrived_unacked.append(pending)
    elif pending is not None:
        assert talk(worker, pending)
        acked.append(pending)
    assert worker.stdin is not None
    worker.stdin.close()
    assert worker.wait(60) == 0
    check_files(*files)

    history, rows, undo = stored(tmp_path)
    sent = sorted(acked + arrived_unacked)
    lost = [m for m in acked if m not in history]
    duplicated = [m for m, n in Counter(history).items() if n > 1]
    partial = {m: n for m, n in rows.items() if n != 3}
    report("chaos_dialog", kills=kills, acknowledged=len(acked),
           arrived_unacknowledged=len(arrived_unacked), stored=len(history), lost=len(lost),
           duplicated=len(duplicated), partial_turns=len(partial), rows=sum(rows.values()),
           seconds=round(time.monotonic() - began, 1))
    assert lost == [] and duplicated == [] and partial == {}
    assert sorted(history) == sent
    assert sorted(rows) == sent  # rows exist exactly for the stored messages
    assert undo == 0
    assert kills >= 20 and len(acked) > kills  # the kills interrupted a real stream of turns
