"""A bot's knowledge base through the Engine: its .gbkb is indexed on first use, THINK KB in
BASIC finds the passages, and the chat turn's search returns them with their sources."""

from __future__ import annotations

import asyncio
from pathlib import Path

from engine.api import Engine, EngineConfig
from engine.events import BotResponse
from tests.engine.media.cached_models import link_into
from tests.engine.sessions.sessionkit import write_bot

POLICY = """# Vacation policy

Employees get 25 days of paid vacation per year. Requests go to the team lead at least two
weeks before the first day off. Unused days carry over until the end of March.
"""


def test_think_kb_and_passages(tmp_path: Path) -> None:
    link_into("all-minilm-l6-v2", tmp_path / "models")
    link_into("smollm2-135m-instruct", tmp_path / "models")  # THINK KB's summary
    root = write_bot(tmp_path, "hr", {"start.bas": (
        'USE KB "policies"\n'
        'r = THINK KB "how many vacation days do I get"\n'
        'TALK COUNT(r.results) > 0\n'
        'TALK r.results[0].source\n')})
    (root / "hr.gbkb" / "policies").mkdir(parents=True)
    (root / "hr.gbkb" / "policies" / "vacation.md").write_text(POLICY)
    config = EngineConfig.under(tmp_path, run_scheduler=False, watch_bots=False,
                                models_dir=tmp_path / "models")

    async def scenario() -> tuple[list[str], list[str]]:
        async with Engine(config) as engine:
            said: list[str] = []
            async with engine.subscribe("s1") as events:
                await engine.open_session("hr", session_id="s1")
                while len(said) < 2:
                    event = await asyncio.wait_for(anext(events), 120)
                    if isinstance(event, BotResponse) and event.content:
                        said.append(event.content)
            passages = await engine.kb.passages("hr", ["policies"], "carry over unused days")
            return said, [p.source for p in passages]

    said, sources = asyncio.run(scenario())
    assert said[0] == "true"
    assert "vacation.md" in said[1]
    assert sources and "vacation.md" in sources[0]
