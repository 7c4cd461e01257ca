"""The chat turn through the Engine on the real small model (SmolLM2 via llama.cpp): a
message without a dialog gets a streamed answer, and with ``llm-cache`` on the same question
is answered from the cache the second time."""

from __future__ import annotations

import asyncio
from pathlib import Path

from engine.api import Engine, EngineConfig
from engine.events import BotResponse, TurnFinished
from tests.engine.media.cached_models import link_into
from tests.engine.sessions.sessionkit import write_bot


def test_streamed_answer_then_a_cache_hit(tmp_path: Path) -> None:
    link_into("smollm2-135m-instruct", tmp_path / "models")
    write_bot(tmp_path, "helper", {"tools.bas": 'DESCRIPTION "nothing"\n'},
              "llm-cache,true\nllm-temperature,0\nllm-max-tokens,24\n")
    config = EngineConfig.under(tmp_path, run_scheduler=False, watch_bots=False,
                                models_dir=tmp_path / "models")

    async def turn(engine: Engine, events: object, text: str,
                   session: str = "s1") -> tuple[list[str], str]:
        chunks: list[str] = []
        final = ""
        sending = asyncio.ensure_future(engine.send(session, text))
        async for event in events:  # type: ignore[attr-defined]
            if isinstance(event, BotResponse) and not event.is_complete:
                chunks.append(event.content)
            elif isinstance(event, BotResponse) and event.content:
                final = event.content
            elif isinstance(event, TurnFinished):
                break
        await sending
        return chunks, final

    async def scenario() -> tuple[list[str], str, str, dict[str, int]]:
        async with Engine(config) as engine:
            async with engine.subscribe("s1") as events:
                await engine.open_session("helper", session_id="s1")
                async for event in events:  # the opening turn (no start.bas: nothing said)
                    if isinstance(event, TurnFinished):
                        break
                chunks, first = await turn(engine, events, "What is the capital of France?")
            async with engine.subscribe("s2") as events:
                await engine.open_session("helper", session_id="s2")
                async for event in events:
                    if isinstance(event, TurnFinished):
                        break
                # a new conversation asking the same: the cache answers (same bot, prompt,
                # tools and no history)
                _, second = await turn(engine, events, "What is the capital of France?", "s2")
            return chunks, first, second, engine.llm_metrics.snapshot()

    chunks, first, second, metrics = asyncio.run(asyncio.wait_for(scenario(), 300))
    assert len(chunks) > 1, first
    assert "".join(chunks).strip() == first.strip()
    assert second == first
    assert metrics["llm_cache_hits_total"] == 1
