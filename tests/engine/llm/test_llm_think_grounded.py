"""THINK KB's summary is grounded (issue 12): an invented summary is replaced by the best
passage's sentences with their source; ``kb-answer-mode extractive`` never asks the model."""

from __future__ import annotations

import asyncio
from pathlib import Path

from llmfakes import FakeChatModel, FakeLocalModels

from engine.api import Engine, EngineConfig
from engine.events import BotResponse, TurnFinished
from tests.engine.media.cached_models import link_into
from tests.engine.sessions.sessionkit import write_bot

FEES = """# Fees

The late fee is 20 cents per item per day. Late fees stop growing at 5 euros per item.
Children's books have no late fees.
"""
SCRIPT = 'USE KB "library"\nr = THINK KB "What is the late fee per day?"\nTALK r.summary\n'
EXTRACT = "The late fee is 20 cents per item per day. (fees.md)"


def summary(home: Path, model: FakeChatModel, config: str = "") -> str:
    link_into("all-minilm-l6-v2", home / "models")
    root = write_bot(home, "lib", {"start.bas": SCRIPT}, config)
    (root / "lib.gbkb" / "library").mkdir(parents=True)
    (root / "lib.gbkb" / "library" / "fees.md").write_text(FEES)
    config_ = EngineConfig.under(home, run_scheduler=False, watch_bots=False,
                                 models_dir=home / "models")

    async def main() -> str:
        async with Engine(config_) as engine:
            engine.llm = FakeLocalModels("fake", fake=model)  # type: ignore[assignment]
            async with engine.subscribe("s1") as events:
                await engine.open_session("lib", session_id="s1")
                said = []
                async for event in events:
                    if isinstance(event, BotResponse) and event.content:
                        said.append(event.content)
                    elif isinstance(event, TurnFinished):
                        assert event.error is None, event.error
                        return "\n".join(said)
        return ""

    return asyncio.run(asyncio.wait_for(main(), 120))


def test_an_invented_summary_gives_way_to_the_passage(tmp_path: Path) -> None:
    model = FakeChatModel("Late fees are 2 euros a week.")
    assert summary(tmp_path, model) == EXTRACT
    assert len(model.requests) == 1  # the model was asked, its answer judged


def test_a_grounded_summary_is_kept(tmp_path: Path) -> None:
    model = FakeChatModel("The late fee is 20 cents per item per day.")
    assert summary(tmp_path, model) == "The late fee is 20 cents per item per day."


def test_extractive_mode_does_not_ask_the_model(tmp_path: Path) -> None:
    model = FakeChatModel("never")
    assert summary(tmp_path, model, "kb-answer-mode,extractive\n") == EXTRACT
    assert model.requests == []
