"""The starter template offers its add-note tool to the model (issue 12): on the real
SmolLM2 with the MiniLM tool shortlist, a free-text "save a note" after the menu runs the
add-note tool through the Engine and the note is saved."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

from realmodels import MINILM, SMOLLM2

from engine.api import Engine, EngineConfig
from engine.events import BotResponse, Event, ToolExecution, TurnFinished
from tests.engine.media.cached_models import link_into

STARTER = Path(__file__).resolve().parents[3] / "resources" / "templates" / "starter.gbai"


async def turn(engine: Engine, events: AsyncIterator[Event], text: str | None) -> list[Event]:
    sending = asyncio.ensure_future(engine.send("s1", text)) if text else None
    seen: list[Event] = []
    async for event in events:
        seen.append(event)
        if isinstance(event, TurnFinished):
            break
    if sending:
        await sending
    return seen


def test_the_starter_bot_saves_a_note_through_its_tool(tmp_path: Path) -> None:
    models = tmp_path / "models"
    for name in (SMOLLM2, MINILM):
        link_into(name, models)
    bot = shutil.copytree(STARTER, tmp_path / "bots" / "starter.gbai")
    with (bot / "starter.gbot" / "config.csv").open("a", encoding="utf-8") as config:
        config.write("llm-temperature,0\nllm-max-tokens,24\n")
    engine = Engine(EngineConfig.under(tmp_path, run_scheduler=False, watch_bots=False,
                                       models_dir=models))
    engine.set_chat_model(SMOLLM2)

    async def main() -> list[Event]:
        async with engine, engine.subscribe("s1") as events:
            await engine.open_session("starter", session_id="s1")
            await turn(engine, events, None)
            await turn(engine, events, "Quit")  # the menu ends; free text goes to the model
            return await turn(engine, events, "Save a note: buy milk and eggs")

    events = asyncio.run(asyncio.wait_for(main(), 400))
    started = [e for e in events if isinstance(e, ToolExecution) and not e.finished]
    runs = [e for e in events if isinstance(e, ToolExecution) and e.finished]
    assert [r.tool for r in started] == [r.tool for r in runs] == ["add-note"], events
    assert "milk" in str(started[0].arguments.get("text", "")).lower()
    assert runs[0].result == "Note 1 saved."
    assert any(isinstance(e, BotResponse) and e.is_complete for e in events)
