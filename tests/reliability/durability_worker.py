"""Child process of the durability and chaos tests: a real session stack driven over stdin.

``python -m tests.reliability.durability_worker HOME MODE``

``dialog``: open (or resume) session ``s1`` of the bot ``shop``, print ``READY <last>``
(``<last>`` is the last user message stored for the session, ``-`` when none), then read
one message per stdin line, send it as a turn and print ``ACK <message>`` once the turn
returned, that is once it committed (``FAILED <message> <answer>`` if the bot did not answer
``added <message>``).

``jobs``: an Engine fires the ``ticker`` bot's job once per simulated minute and prints
``RAN <minute>`` once each run is recorded; ``jobs-settle`` starts, fires nothing, exits.

``die-before-commit`` / ``die-after-commit``: like ``dialog``, but the first turn SIGKILLs
this process right before the turn's commit (its table writes done, nothing committed) or
right after it (committed, its table writes not yet settled).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from engine.events import UserMessage
from engine.sessions.store import SqlSessionStore
from tests.engine.sessions.sessionkit import session_stack

SESSION = "s1"

SHOP = """
TALK "What shall I add?"
DO
  HEAR item
  SAVE "items", {name: item, part: 1}
  SAVE "items", {name: item, part: 2}
  SAVE "items", {name: item, part: 3}
  TALK "added " + item
LOOP
"""
"""Each turn writes three rows: a turn that half-happened shows as 1 or 2 rows of an item."""


def _die_around_commit(after: bool) -> None:
    original = SqlSessionStore.commit

    async def commit(self: SqlSessionStore, *args: Any, **kwargs: Any) -> None:
        if not after:
            os.kill(os.getpid(), signal.SIGKILL)
        await original(self, *args, **kwargs)
        os.kill(os.getpid(), signal.SIGKILL)

    SqlSessionStore.commit = commit  # type: ignore[method-assign]


async def _dialog(home: Path, mode: str) -> None:
    async with session_stack(home) as stack:
        await stack.manager.recover()  # as Engine.open does
        await stack.manager.open("shop", user_id="u1", session_id=SESSION)
        users = [m for m in await stack.manager.history(SESSION) if m.role == "user"]
        print("READY", users[-1].content if users else "-", flush=True)
        if mode != "dialog":
            _die_around_commit(after=mode == "die-after-commit")
        loop = asyncio.get_running_loop()
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            text = line.strip()
            said = len(stack.transcript.said)
            await stack.manager.send(UserMessage(SESSION, text))
            answer = stack.transcript.said[said:]
            if answer == [f"added {text}"]:
                print("ACK", text, flush=True)
            else:  # not a crash: the turn went wrong, which the test reports as such
                print("FAILED", text, answer, flush=True)




TICKER = """
SET SCHEDULE "every minute"
k = COUNT("marks", "*")
SAVE "ticks", {run: k, part: 1}
SAVE "ticks", {run: k, part: 2}
SAVE "ticks", {run: k, part: 3}
SAVE "marks", {run: k}
"""
"""A job run appends three ``ticks`` and one ``mark`` numbered by the marks before it."""

JOBS_FROM = datetime(2026, 3, 2, 9, 0)


async def _jobs(home: Path, settle_only: bool) -> None:
    """Fire the ticker once per simulated minute, after the last minute fired; print
    ``RAN <minute>`` when its run is recorded. ``settle_only``: a check that fires nothing
    (it settles what the last kill left), then a clean exit."""
    from engine.api import Engine, EngineConfig

    config = EngineConfig.under(home, run_scheduler=False, watch_bots=False)
    async with Engine(config) as engine:
        row = await engine.db.fetch_one("SELECT MAX(fire_at) AS last FROM job_runs")
        last = datetime.fromisoformat(row["last"]) if row and row["last"] else JOBS_FROM
        print("READY", last.isoformat(), flush=True)
        if settle_only:
            await engine.scheduler.check(last)
            return
        minute = last
        while True:
            minute += timedelta(minutes=1)
            if await engine.scheduler.check(minute):
                print("RAN", minute.isoformat(), flush=True)


if __name__ == "__main__":
    if sys.argv[2].startswith("jobs"):
        asyncio.run(_jobs(Path(sys.argv[1]), settle_only=sys.argv[2] == "jobs-settle"))
    else:
        asyncio.run(_dialog(Path(sys.argv[1]), sys.argv[2]))
