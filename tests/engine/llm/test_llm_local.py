"""Every LLM path on the real SmolLM2 through llama.cpp: a chat turn, a tool call that SAVEs a
row, cancelling a stream, a cache hit, the BASIC keyword service, the tokenizer budget."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from llmfakes import tool
from realmodels import load, minilm_dir

from engine.basic.query import ALL_ROWS
from engine.data.sqlite_store import SqliteTableStore
from engine.llm.cache import SemanticCache
from engine.llm.decision import decision_schema
from engine.llm.events import Done, TextDelta, ToolFinished, ToolStarted, TurnEvent
from engine.llm.factory import SharedChatModel
from engine.llm.keywords import LlmKeywordService
from engine.llm.llamacpp import LlamaCppChatModel
from engine.llm.provider import CompletionRequest, Message
from engine.llm.shortlist import ToolShortlist
from engine.llm.turn import ChatTurn, TurnOptions, TurnRequest

NOTE = tool("save-note", "Save a note for the user", text="The note text")
WEATHER = tool("get-weather", "Get the weather forecast for a city", city="City name")


@pytest.fixture(scope="module")
def smollm2() -> Iterator[LlamaCppChatModel]:
    model = load()
    yield model
    model.close()


def turn(message: str, **fields: Any) -> TurnRequest:
    return TurnRequest(bot_id="bot", session_id="s", user_id="u", message=message, **fields)


async def play(chat: ChatTurn, request: TurnRequest) -> list[TurnEvent]:
    events: list[TurnEvent] = []

    async def emit(event: TurnEvent) -> None:
        events.append(event)
    await chat.run(request, emit)
    return events


def test_a_full_chat_turn(smollm2: LlamaCppChatModel) -> None:
    options = TurnOptions(temperature=0.0, max_tokens=48)
    events = asyncio.run(play(ChatTurn(smollm2), turn(
        "What is the capital of France?", system_parts=("Answer in one short sentence.",),
        options=options)))
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    done = events[-1]
    assert isinstance(done, Done) and not done.cached
    assert len(deltas) > 3 and done.full_text == "".join(deltas).strip()
    assert "paris" in done.full_text.lower()


class SavingRunner:
    """The lead's runner runs the tool's BASIC; this one SAVEs like a save-note.bas would."""

    def __init__(self, store: SqliteTableStore) -> None:
        self.store = store
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def run(self, name: str, arguments: dict[str, Any]) -> str:
        self.calls.append((name, arguments))
        key = await asyncio.to_thread(self.store.save, "notes", {"text": arguments["text"]})
        return json.dumps({"saved": key})


@pytest.fixture(scope="module")
def minilm() -> Iterator[Any]:
    from engine.kb.embedders import MiniLmOnnxEmbedder

    embedder = MiniLmOnnxEmbedder(minilm_dir(), threads=1)
    yield embedder
    embedder.close()


def test_a_tool_call_saves_a_row(smollm2: LlamaCppChatModel, minilm: Any,
                                 tmp_path: Path) -> None:
    with SqliteTableStore(tmp_path / "t.db") as store:
        runner = SavingRunner(store)
        chat = ChatTurn(smollm2, tools=runner, shortlist=ToolShortlist(minilm, keep=1))
        events = asyncio.run(play(chat, turn(
            "Save a note: buy milk and eggs", tools=(WEATHER, NOTE),
            options=TurnOptions(max_tokens=32, max_tool_rounds=2))))
        rows = store.find("notes", ALL_ROWS)
    assert runner.calls and runner.calls[0][0] == "save-note"
    assert [type(e) for e in events[:2]] == [ToolStarted, ToolFinished]
    assert len(rows) == 1 and "milk" in str(rows[0]["text"]).lower()
    assert isinstance(events[-1], Done)


def test_cancelling_a_stream_stops_generation(smollm2: LlamaCppChatModel) -> None:
    async def main() -> tuple[int, int]:
        events: list[TurnEvent] = []

        async def emit(event: TurnEvent) -> None:
            events.append(event)
        request = turn("Write a long story about a dragon and a knight.",
                       options=TurnOptions(max_tokens=600))
        task = asyncio.create_task(ChatTurn(smollm2).run(request, emit))
        while sum(isinstance(e, TextDelta) for e in events) < 5:
            await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        at_cancel = smollm2.generated_tokens
        started = time.perf_counter()
        # The model's single worker thread is free again once generation has stopped.
        await smollm2.complete(CompletionRequest((Message("user", "hi"),), max_tokens=1))
        assert time.perf_counter() - started < 5
        return at_cancel, smollm2.generated_tokens

    before = smollm2.generated_tokens
    at_cancel, after = asyncio.run(main())
    assert at_cancel - before < 100  # far from the 600 asked for
    assert after - at_cancel <= 3  # at most the token in flight + the one-token probe


def test_the_second_question_is_a_cache_hit(smollm2: LlamaCppChatModel, minilm: Any,
                                            tmp_path: Path) -> None:
    options = TurnOptions(temperature=0.0, max_tokens=24, cache=True, cache_semantic=True)

    async def main() -> tuple[list[TurnEvent], list[TurnEvent], int]:
        async with SemanticCache(tmp_path / "cache", minilm) as cache:
            first = await play(ChatTurn(smollm2, cache=cache),
                               turn("What is the capital of France?", options=options))
            tokens = smollm2.generated_tokens
            second = await play(ChatTurn(smollm2, cache=cache),
                                turn("What's the capital of France?", options=options))
            return first, second, smollm2.generated_tokens - tokens

    first, second, generated = asyncio.run(main())
    assert isinstance(first[-1], Done) and not first[-1].cached
    assert second[-1] == Done(first[-1].full_text, cached=True)
    assert generated == 0


def test_the_basic_keyword_service_with_and_without_a_loop(smollm2: LlamaCppChatModel) -> None:
    service = LlmKeywordService(lambda _m: SharedChatModel(smollm2), temperature=0.0,
                                max_tokens=16)
    assert service.complete("Say hello.", None).strip()

    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        on_loop = LlmKeywordService(lambda _m: SharedChatModel(smollm2), loop=loop,
                                    max_tokens=16)
        answers: list[str] = []
        worker = threading.Thread(target=lambda: answers.append(
            on_loop.complete("Name a colour.", None)))
        worker.start()
        worker.join(60)
        assert answers and answers[0].strip()
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        loop.close()


def test_the_history_budget_uses_the_models_tokenizer(smollm2: LlamaCppChatModel) -> None:
    assert smollm2.count_tokens("hello world") == 2
    history = tuple(Message("user" if i % 2 == 0 else "assistant", "word " * 200)
                    for i in range(30))
    prompt = ChatTurn(smollm2).prompt(turn("hi", history=history,
                                           options=TurnOptions(max_tokens=256)))
    assert prompt.tokens <= smollm2.capabilities.max_context - 256
    assert 0 < len(prompt.messages) - 2 < 30


def test_the_decision_grammar_writes_the_tool_name_first() -> None:
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    grammar = json_schema_to_gbnf(json.dumps(decision_schema([NOTE])))
    call = next(line for line in grammar.splitlines() if line.startswith("alternative-0 ::="))
    assert call.index("tool-kv") < call.index("arguments-kv")
