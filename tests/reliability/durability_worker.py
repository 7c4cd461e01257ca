"""Child process of the durability and chaos tests: a real session stack driven over stdin.

``python -m tests.reliability.durability_worker HOME MODE``

``dialog``: open (or resume) session ``s1`` of the bot ``shop``, print ``READY <last>``
(``<last>`` is the last user message stored for the session, ``-`` when none), then read
one message per stdin line, send it as a turn and print ``ACK <message>`` once the turn
returned, that is once it committed.

``die-before-commit`` / ``die-after-commit``: like ``dialog``, but the first turn SIGKILLs
this process right before the turn's commit (its table writes done, nothing committed) or
right after it (committed, its table writes not yet settled).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
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
        await stack.manager.open("shop", user_id="u1", session_id=SESSION)
        users = [m for m in await stack.manager.history(SESSION) if m.role == "user"]
        print("READY", users[-1].content if users else "-", flush=True)
        if mode != "dialog":
            _die_around_commit(after=mode == "die-after-commit")
        loop = asyncio.get_running_loop()
        while line := await loop.run_in_executor(None, sys.stdin.readline):
            text = line.strip()
            await stack.manager.send(UserMessage(SESSION, text))
            print("ACK", text, flush=True)


if __name__ == "__main__":
    asyncio.run(_dialog(Path(sys.argv[1]), sys.argv[2]))
