"""The bike shop package (``tests/resources/gbpackages/bikeshop.gbai``, written for issue 11):
a TABLE written in SQL (``DEFAULT 'waiting'``, ``DEFAULT NOW()``, ``UNIQUE(bike, day)``) and
a file of procedure tools (docs/basic-compatibility.md T1, P2), on the real session stack
(SQLite store, bot registry, compiler, VM): a second booking of the same bike and day is
caught with ON ERROR, and the tools report and cancel as the LLM would call them."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

from engine.basic.query import ALL_ROWS
from engine.events import UserMessage
from tests.engine.sessions.sessionkit import session_stack

PACKAGE = Path(__file__).resolve().parent / "gbpackages" / "bikeshop.gbai"


def test_bookings_a_duplicate_and_the_tools(tmp_path: Path) -> None:
    shutil.copytree(PACKAGE, tmp_path / "bots" / "bikeshop.gbai")

    async def scenario() -> tuple[list[str], list[str], list[str], list[dict[str, Any]],
                                  list[str]]:
        async with session_stack(tmp_path) as stack:
            said = []
            for bike in ("red commuter", "red commuter", "blue racer"):
                start = len(stack.transcript.said)
                state = await stack.manager.open("bikeshop", user_id="u1",
                                                 user_name="Ana Silva")
                for answer in (bike, "2026-05-04"):
                    await stack.manager.send(UserMessage(state.id, answer))
                said.append(stack.transcript.said[start:])
            compiled = stack.bots.bot("bikeshop")
            tools = sorted(compiled.tools)
            before = len(stack.transcript.said)
            results = [
                await stack.manager.run_tool_call(state, compiled, "repair_status",
                                                  {"bike": "red commuter"}),
                await stack.manager.run_tool_call(state, compiled, "cancel_repair",
                                                  {"bike": "red commuter",
                                                   "day": "2026-05-04"}),
                await stack.manager.run_tool_call(state, compiled, "repair_status",
                                                  {"bike": "red commuter"}),
            ]
            told = stack.transcript.said[before:]
            rows = stack.bots.services("bikeshop").tables.find("repairs", ALL_ROWS)
            return said, tools, results + told, rows, list(state.tools)

    said, tools, results, rows, offered = asyncio.run(asyncio.wait_for(scenario(), 120))
    welcome = ["Welcome to the Bike Shop, Ana Silva!", "Which bike needs a repair?",
               "Which day suits you?"]
    assert said[0] == [*welcome, "Booked: the red commuter on 04/05/2026 (waiting)."]
    assert said[1] == [*welcome, "The red commuter is already booked on 04/05/2026."]
    assert said[2] == [*welcome, "Booked: the blue racer on 04/05/2026 (waiting)."]
    assert tools == ["cancel_repair", "repair_status"]
    assert offered == ["repairs", "repair_status", "cancel_repair"]  # USE TOOL "repairs"
    assert results[0].startswith("The red commuter is waiting for 04/05/2026 (booked ")
    assert results[1:] == ["", "No repair is booked for the red commuter.",
                           "The repair of the red commuter on 04/05/2026 is cancelled."]
    assert [(r["bike"], r["status"], r["booked"].year >= 2026) for r in rows] == [
        ("blue racer", "waiting", True)]
