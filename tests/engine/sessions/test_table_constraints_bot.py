"""A bot whose data already breaks a UNIQUE constraint of its TABLE still runs: the
constraint is reported as a warning on the TABLE line (docs/basic-compatibility.md T1).
Real engine, real SQLite, a ``.gbdata`` CSV with duplicate rows."""

from __future__ import annotations

import asyncio
from pathlib import Path

from engine.api import Engine, EngineConfig
from engine.events import BotResponse, TurnFinished
from tests.engine.sessions.sessionkit import write_bot

TABLES = ('TABLE tickets\n'
          '    title TEXT NOT NULL,\n'
          '    owner TEXT,\n'
          '    created TIMESTAMP DEFAULT NOW(),\n'
          '    UNIQUE(title, owner)\n'
          'END TABLE\n')
START = ('SAVE "tickets", {title: "Desk", owner: "ana"}\n'
         'desk = FIND "tickets" WHERE title = "Desk" FIRST\n'
         'TALK COUNT("tickets", "*") + " tickets, new one on " + YEAR(desk.created)\n')


def test_duplicates_in_the_data_are_a_warning_not_a_broken_bot(tmp_path: Path) -> None:
    root = write_bot(tmp_path, "desk", {"tables.bas": TABLES, "start.bas": START})
    (root / "desk.gbdata").mkdir()
    (root / "desk.gbdata" / "tickets.csv").write_text(
        "title,owner\nPrinter,ana\nPrinter,ana\n", encoding="utf-8")
    config = EngineConfig.under(tmp_path, run_scheduler=False, watch_bots=False)

    async def scenario() -> tuple[list[str], list[str]]:
        async with Engine(config) as engine:
            said: list[str] = []
            async with engine.subscribe("s1") as events:
                await engine.open_session("desk", session_id="s1")
                async for event in events:
                    if isinstance(event, BotResponse) and event.content:
                        said.append(event.content)
                    if isinstance(event, TurnFinished):
                        break
            compiled = engine.bots.bot("desk")
            warnings = [d.message for diagnostics in compiled.diagnostics.values()
                        for d in diagnostics if not d.is_error]
            return said, warnings

    said, warnings = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert said[0].startswith("3 tickets, new one on 20"), said
    assert "UNIQUE(title, owner) of table 'tickets' is not enforced: rows already in the " \
           "table repeat a value; remove the duplicates and reload the bot" in warnings
