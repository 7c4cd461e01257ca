"""A turn's bot-table writes commit with the turn (defect 8 of issue 10).

A real child process runs the session stack; it is SIGKILLed between the turn's table
writes and the turn's commit, or just after the commit. The client retries what was not
acknowledged; every item must end up in the table exactly three times (one turn's rows).
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import sqlean

from engine.events import UserMessage
from tests.engine.sessions.sessionkit import session_stack, write_bot
from tests.reliability.chaoskit import integrity, item_counts
from tests.reliability.durability_worker import SESSION, SHOP

REPO = Path(__file__).resolve().parents[2]


def start_worker(home: Path, mode: str) -> tuple[subprocess.Popen[str], str]:
    """The worker, ready: returns it and the last user message it found stored."""
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.reliability.durability_worker", str(home), mode],
        cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)}, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, text=True)
    assert worker.stdout is not None
    ready = worker.stdout.readline().split(maxsplit=1)
    assert ready and ready[0] == "READY", ready
    return worker, ready[1].strip()


def undo_records(home: Path) -> int:
    conn = sqlean.connect(str(home / "work" / "shop" / "tables.db"))
    try:
        return int(conn.execute("SELECT COUNT(*) FROM _hearth_undo").fetchone()[0])
    finally:
        conn.close()


def killed_during_first_turn(home: Path, mode: str) -> int:
    worker, _ = start_worker(home, mode)
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.write("apple\n")
    worker.stdin.flush()
    assert worker.stdout.readline() == ""  # it died before acknowledging
    return worker.wait(30)


async def retry_until_acknowledged(home: Path, text: str) -> list[str]:
    """The client's retry after the crash: resend unless the history shows the message."""
    async with session_stack(home) as stack:
        history = await stack.manager.history(SESSION)
        if not any(m.role == "user" and m.content == text for m in history):
            await stack.manager.send(UserMessage(SESSION, text))
        await stack.manager.send(UserMessage(SESSION, "pear"))
        return [m.content for m in await stack.manager.history(SESSION) if m.role == "user"]


def test_a_turn_killed_before_its_commit_leaves_no_rows_and_the_retry_writes_them_once(
        tmp_path: Path) -> None:
    write_bot(tmp_path, "shop", {"start.bas": SHOP})
    assert killed_during_first_turn(tmp_path, "die-before-commit") == -9
    assert integrity(tmp_path / "hearth.db") == "ok"
    assert integrity(tmp_path / "work" / "shop" / "tables.db") == "ok"
    said = asyncio.run(retry_until_acknowledged(tmp_path, "apple"))
    assert said == ["apple", "pear"]
    assert item_counts(tmp_path) == {"apple": 3, "pear": 3}
    assert undo_records(tmp_path) == 0


def test_a_turn_killed_after_its_commit_keeps_its_rows_once(tmp_path: Path) -> None:
    write_bot(tmp_path, "shop", {"start.bas": SHOP})
    assert killed_during_first_turn(tmp_path, "die-after-commit") == -9
    assert item_counts(tmp_path) == {"apple": 3}
    said = asyncio.run(retry_until_acknowledged(tmp_path, "apple"))
    assert said == ["apple", "pear"]  # the history showed it: the client did not resend
    assert item_counts(tmp_path) == {"apple": 3, "pear": 3}
    assert undo_records(tmp_path) == 0


def test_the_engine_undoes_a_killed_turn_when_it_opens(tmp_path: Path) -> None:
    """Before any message: another session or a webhook must not see the half turn's rows."""
    from engine.api import Engine, EngineConfig

    write_bot(tmp_path, "shop", {"start.bas": SHOP})
    assert killed_during_first_turn(tmp_path, "die-before-commit") == -9
    assert item_counts(tmp_path) == {"apple": 3}  # the dead turn's rows, not committed

    async def open_engine() -> None:
        config = EngineConfig.under(tmp_path, run_scheduler=False, watch_bots=False)
        async with Engine(config):
            assert item_counts(tmp_path) == {}

    asyncio.run(open_engine())
    assert undo_records(tmp_path) == 0
