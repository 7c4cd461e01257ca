"""The faq template's fallback (issue 12): when the model behind THINK KB is too slow, the
LLM's own timeout is a ServiceError that the template's ON ERROR catches, the keyword lookup
answers and the menu comes back, however long the wait took compared with
``basic-max-seconds``. On a scripted model that never answers, and on the real SmolLM2 with a
tiny ``llm-timeout``; the knowledge base is real (MiniLM)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

from llmfakes import FakeChatModel
from realmodels import MINILM, SMOLLM2

from engine.api import Engine, EngineConfig
from engine.events import BotResponse, DialogWaiting, Event, TurnFinished
from engine.llm.provider import ChatModel
from tests.engine.media.cached_models import link_into

TEMPLATES = Path(__file__).parents[3] / "resources" / "templates"
MENU = ("Browse questions by topic", "Ask a question", "Opening hours this week",
        "Contact the library", "That's all")
KEYWORD_ANSWER = "**Do you charge late fees?**"


class _Never:
    """Local models that are all one scripted model streaming nothing, slowly."""

    def __init__(self) -> None:
        self.default = "never"
        self.fake = FakeChatModel(endless=True, delay=30.0, name="never")

    def model(self, requested: str | None = None) -> ChatModel:
        return self.fake

    async def aclose(self) -> None:
        return None


async def until_finished(events: AsyncIterator[Event]) -> tuple[list[str], tuple[str, ...]]:
    said: list[str] = []
    menu: tuple[str, ...] = ()
    async for event in events:
        if isinstance(event, BotResponse) and event.is_complete and event.content:
            said.append(event.content)
        elif isinstance(event, DialogWaiting):
            menu = event.options
        elif isinstance(event, TurnFinished):
            assert event.error is None, event.error
            break
    return said, menu


def faq_engine(home: Path, llm_timeout: str, *models: str) -> Engine:
    for name in (MINILM, *models):
        link_into(name, home / "models")
    engine = Engine(EngineConfig.under(home, TEMPLATES, run_scheduler=False, watch_bots=False,
                                       models_dir=home / "models"))
    package = engine.new_bot("library", "faq")
    config = package.root / "library.gbot" / "config.csv"
    config.write_text(config.read_text(encoding="utf-8") +
                      f"llm-timeout,{llm_timeout}\nbasic-max-seconds,1\n", encoding="utf-8")
    return engine


def ask_a_question(engine: Engine, question: str) -> tuple[list[str], tuple[str, ...], float]:
    async def main() -> tuple[list[str], tuple[str, ...], float]:
        async with engine, engine.subscribe("s1") as events:
            engine.bots.reload("library")
            assert await engine.knowledge("library") is not None  # indexed before the clock
            opening = asyncio.ensure_future(engine.open_session("library", session_id="s1"))
            _, menu = await until_finished(events)
            await opening
            assert menu == MENU
            for text in ("Ask a question", question):
                started = time.monotonic()
                sending = asyncio.ensure_future(engine.send("s1", text))
                said, menu = await until_finished(events)
                await sending
            return said, menu, time.monotonic() - started

    return asyncio.run(asyncio.wait_for(main(), 300))


def test_a_model_that_never_answers_gives_way_to_the_keyword_answer(tmp_path: Path) -> None:
    engine = faq_engine(tmp_path, "2")
    engine.llm = _Never()  # type: ignore[assignment]
    said, menu, spent = ask_a_question(engine, "Is there a late fee for DVDs?")
    assert said[0].startswith(KEYWORD_ANSWER), said
    assert said[-1] == "How can I help?" and menu == MENU
    assert spent >= 2  # the LLM's 2 s wait, over the script's 1 s limit, did not end the run


def test_smollm2_with_a_tiny_timeout_gives_way_to_the_keyword_answer(tmp_path: Path) -> None:
    engine = faq_engine(tmp_path, "0.05", SMOLLM2)
    said, menu, _ = ask_a_question(engine, "Is there a late fee for DVDs?")
    assert said[0].startswith(KEYWORD_ANSWER), said
    assert said[-1] == "How can I help?" and menu == MENU
