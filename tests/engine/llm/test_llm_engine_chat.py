"""The chat turn through the Engine API (issue 12): ``/reset`` empties the model's context,
every LLM answer names its model, and switching the default or a bot's model applies to the
next turn without a restart: on scripted models and on the real SmolLM2 / Qwen2.5."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from llmfakes import FakeChatModel, FakeLocalModels
from realmodels import QWEN, SMOLLM2

from engine.api import Engine, EngineConfig
from engine.events import BotResponse, Event, TurnFinished
from engine.llm.factory import SharedChatModel
from engine.llm.llamacpp import LlamaCppChatModel
from engine.llm.provider import ChatModel
from tests.engine.media.cached_models import link_into
from tests.engine.sessions.sessionkit import write_bot


def engine_for(home: Path, config: str = "", models_dir: Path | None = None) -> Engine:
    write_bot(home, "helper", {"tools.bas": 'DESCRIPTION "nothing"\n'}, config)
    return Engine(EngineConfig.under(home, run_scheduler=False, watch_bots=False,
                                     models_dir=models_dir))


async def until_finished(events: AsyncIterator[Event]) -> list[BotResponse]:
    said: list[BotResponse] = []
    async for event in events:
        if isinstance(event, BotResponse) and event.is_complete:
            said.append(event)
        elif isinstance(event, TurnFinished):
            return said
    return said


async def ask(engine: Engine, events: AsyncIterator[Event], text: str,
              session: str = "s1") -> BotResponse:
    sending = asyncio.ensure_future(engine.send(session, text))
    said = await until_finished(events)
    await sending
    assert said, f"no answer to {text!r}"
    return said[-1]


def conversation(engine: Engine, steps: Any, seconds: float = 60) -> Any:
    async def main() -> Any:
        async with engine, engine.subscribe("s1") as events:
            await engine.open_session("helper", session_id="s1")
            await until_finished(events)
            return await steps(engine, events)

    return asyncio.run(asyncio.wait_for(main(), seconds))


def prompt_text(model: FakeChatModel, index: int) -> str:
    return "\n".join(m.content for m in model.requests[index].messages)


def test_reset_starts_the_model_with_an_empty_context(tmp_path: Path) -> None:
    model = FakeChatModel("Nice to meet you, Ada.", "Your name is Ada.", "I do not know.",
                          "Hello.")
    engine = engine_for(tmp_path)
    engine.llm = FakeLocalModels("fake", fake=model)  # type: ignore[assignment]

    async def steps(engine: Engine, events: AsyncIterator[Event]) -> None:
        await ask(engine, events, "My name is Ada.")
        await ask(engine, events, "What is my name?")
        resetting = asyncio.ensure_future(engine.reset("s1"))
        await until_finished(events)
        await resetting
        await ask(engine, events, "What is my name?")
        async with engine.subscribe("s2") as other:  # "New conversation"
            await engine.open_session("helper", session_id="s2")
            await until_finished(other)
            await ask(engine, other, "Who am I?", session="s2")

    conversation(engine, steps)
    assert "My name is Ada." in prompt_text(model, 1)
    assert "Nice to meet you, Ada." in prompt_text(model, 1)
    after_reset = prompt_text(model, 2)
    assert "Ada" not in after_reset and "What is my name?" in after_reset
    assert [m.role for m in model.requests[2].messages] == ["system", "user"]
    assert [m.content for m in model.requests[3].messages][1:] == ["Who am I?"]


def test_answers_name_their_model_and_a_new_default_applies_to_the_next_turn(
        tmp_path: Path) -> None:
    small = FakeChatModel("from the small one", name="small")
    large = FakeChatModel("from the large one", name="large")
    engine = engine_for(tmp_path)
    engine.llm = FakeLocalModels("small", small=small, large=large)  # type: ignore[assignment]

    async def steps(engine: Engine, events: AsyncIterator[Event]) -> list[BotResponse]:
        first = await ask(engine, events, "hello")
        engine.set_chat_model("large")
        return [first, await ask(engine, events, "hello again")]

    first, second = conversation(engine, steps)
    assert (first.content, first.model) == ("from the small one", "small")
    assert (second.content, second.model) == ("from the large one", "large")
    assert engine.chat_model == "large"


def test_a_bots_own_model_applies_after_its_config_changes(tmp_path: Path) -> None:
    small = FakeChatModel("small answer", name="small")
    large = FakeChatModel("large answer", name="large")
    engine = engine_for(tmp_path)
    engine.llm = FakeLocalModels("small", small=small, large=large)  # type: ignore[assignment]
    config = tmp_path / "bots" / "helper.gbai" / "helper.gbot" / "config.csv"

    async def steps(engine: Engine, events: AsyncIterator[Event]) -> list[str | None]:
        first = await ask(engine, events, "hello")
        config.write_text("name,value\nllm-model,large\n", encoding="utf-8")
        engine.bots.reload("helper")  # what the file watcher does on a change
        return [first.model, (await ask(engine, events, "hello again")).model]

    assert conversation(engine, steps) == ["small", "large"]


def test_switching_between_real_models_without_a_restart(tmp_path: Path) -> None:
    for name in (SMOLLM2, QWEN):
        link_into(name, tmp_path / "models")
    engine = engine_for(tmp_path, "llm-temperature,0\nllm-max-tokens,12\n",
                        models_dir=tmp_path / "models")
    engine.set_chat_model(SMOLLM2)

    async def steps(engine: Engine, events: AsyncIterator[Event]) -> list[Any]:
        first = await ask(engine, events, "What is the capital of France?")
        engine.set_chat_model(QWEN)
        second = await ask(engine, events, "What is the capital of France?")
        small, large = engine.llm.model(SMOLLM2), engine.llm.model(QWEN)
        assert isinstance(small, LlamaCppChatModel) and isinstance(large, LlamaCppChatModel)
        return [first, second, small.loaded, large.loaded]

    first, second, small_loaded, large_loaded = conversation(engine, steps, seconds=400)
    assert first.model == SMOLLM2 and second.model == QWEN
    assert not small_loaded and large_loaded  # the previous default's memory was freed
    assert first.content and second.content


class _Recording(SharedChatModel):
    """The real local model, recording each request it is given (the prompt)."""

    def __init__(self, inner: ChatModel) -> None:
        super().__init__(inner)
        self.requests: list[Any] = []

    def stream(self, request: Any) -> Any:
        self.requests.append(request)
        return self.inner.stream(request)


class _OneLocal:
    def __init__(self, model: ChatModel) -> None:
        self.default = model.model
        self.chosen = model

    def model(self, requested: str | None = None) -> ChatModel:
        return self.chosen

    async def aclose(self) -> None:
        await self.chosen.aclose()


def test_reset_on_the_real_model(tmp_path: Path) -> None:
    from realmodels import load

    real = load(SMOLLM2)
    recording = _Recording(real)
    engine = engine_for(tmp_path, "llm-temperature,0\nllm-max-tokens,16\n")
    engine.llm = _OneLocal(recording)  # type: ignore[assignment]

    async def steps(engine: Engine, events: AsyncIterator[Event]) -> list[BotResponse]:
        first = await ask(engine, events, "My name is Ada. Remember it.")
        resetting = asyncio.ensure_future(engine.reset("s1"))
        await until_finished(events)
        await resetting
        return [first, await ask(engine, events, "What is my name?")]

    try:
        first, second = conversation(engine, steps, seconds=300)
    finally:
        real.close()
    assert first.model == second.model == SMOLLM2 and second.content
    prompt = [m.content for m in recording.requests[-1].messages]
    assert prompt[-1] == "What is my name?" and not any("Ada" in text for text in prompt)
