"""Chat turns with a scripted model: events, think stripping, citations, cache, cancellation,
failures and the idle timeout."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from llmfakes import FakeChatModel, RecordingRunner, WordEmbedder, tool, tool_call

from engine.llm.cache import SemanticCache
from engine.llm.config import LlmConfig
from engine.llm.errors import LlmUnavailable
from engine.llm.events import (
    Citations,
    Done,
    Failed,
    TextDelta,
    ToolFinished,
    ToolStarted,
    TurnEvent,
)
from engine.llm.metrics import LlmMetrics
from engine.llm.prompt import Passage
from engine.llm.provider import Capabilities, Message
from engine.llm.turn import ChatTurn, TurnOptions, TurnRequest, cache_scope


def request(message: str = "hi", **fields: object) -> TurnRequest:
    base: dict[str, object] = {"bot_id": "bot", "session_id": "s1", "user_id": "u1",
                               "message": message}
    return TurnRequest(**{**base, **fields})  # type: ignore[arg-type]


def play(turn: ChatTurn, req: TurnRequest) -> tuple[str | None, list[TurnEvent]]:
    events: list[TurnEvent] = []

    async def emit(event: TurnEvent) -> None:
        events.append(event)

    async def main() -> str | None:
        return await turn.run(req, emit)

    return asyncio.run(main()), events


def test_text_is_streamed_without_reasoning_and_done_carries_the_full_text() -> None:
    model = FakeChatModel("<think>the user greets</think> Hello there friend")
    answer, events = play(ChatTurn(model), request(system_parts=("Be nice.",)))
    assert answer == "Hello there friend"
    deltas = [e.text for e in events if isinstance(e, TextDelta)]
    assert len(deltas) > 1 and "".join(deltas).strip() == "Hello there friend"
    assert "think" not in "".join(deltas)
    assert events[-1] == Done("Hello there friend", cached=False)
    assert model.requests[0].messages[0] == Message("system", "Be nice.")


def test_citations_are_the_sources_the_answer_names() -> None:
    passages = (Passage("Refunds in 30 days", "refunds.md"), Passage("Shipping 2 days", "ship.md"))
    model = FakeChatModel("Shipping takes 2 days [2].")
    _, events = play(ChatTurn(model), request("shipping?", kb_passages=passages))
    citations = next(e for e in events if isinstance(e, Citations))
    assert [(c.n, c.source) for c in citations.items] == [(2, "ship.md")]
    assert isinstance(events[-1], Done)


def test_tool_events_come_between_the_text() -> None:
    model = FakeChatModel(tool_call("save-note", '{"text": "milk"}'), "Noted.",
                          capabilities=Capabilities(supports_tools=True))
    runner = RecordingRunner()
    _, events = play(ChatTurn(model, tools=runner),
                     request("note milk", tools=(tool("save-note", text="t"),)))
    kinds = [type(e).__name__ for e in events]
    assert kinds[:2] == ["ToolStarted", "ToolFinished"] and kinds[-1] == "Done"
    assert events[0] == ToolStarted("save-note", {"text": "milk"})
    assert events[1] == ToolFinished("save-note", "save-note done")


def test_tools_without_a_runner_are_not_offered() -> None:
    model = FakeChatModel("plain answer")
    play(ChatTurn(model), request(tools=(tool("save-note", text="t"),)))
    assert model.requests[0].tools == ()


def test_provider_failure_is_a_failed_event() -> None:
    metrics = LlmMetrics()
    model = FakeChatModel(LlmUnavailable("server down"))
    answer, events = play(ChatTurn(model, metrics=metrics), request())
    assert answer is None
    assert events == [Failed("server down", "LlmUnavailable")]
    assert metrics.snapshot()["llm_requests_total"] == 1


def test_a_silent_model_times_out() -> None:
    model = FakeChatModel(endless=True, delay=0.5)
    _, events = play(ChatTurn(model), request(options=TurnOptions(idle_timeout=0.05)))
    assert isinstance(events[-1], Failed) and events[-1].kind == "LlmTimeout"
    assert model.stopped == 1


def test_cancelling_the_task_stops_the_stream_promptly() -> None:
    model = FakeChatModel(endless=True, delay=0.01)
    events: list[TurnEvent] = []

    async def emit(event: TurnEvent) -> None:
        events.append(event)

    async def main() -> None:
        task = asyncio.create_task(ChatTurn(model).run(request(), emit))
        while len(events) < 5:
            await asyncio.sleep(0.005)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        produced = model.produced
        await asyncio.sleep(0.1)
        assert model.produced == produced  # nothing generated after the cancel

    asyncio.run(main())
    assert model.stopped == 1
    assert not any(isinstance(e, Done | Failed) for e in events)


def test_second_identical_question_is_answered_from_the_cache(tmp_path: Path) -> None:
    metrics = LlmMetrics()
    model = FakeChatModel("Paris is the capital.", "never used")
    options = TurnOptions.from_config(LlmConfig(cache=True, cache_semantic=True))

    async def main() -> list[list[TurnEvent]]:
        runs: list[list[TurnEvent]] = []
        async with SemanticCache(tmp_path / "c", WordEmbedder(), metrics=metrics) as cache:
            for text in ("What is the capital of France?", "what is the capital of france"):
                events: list[TurnEvent] = []

                async def emit(event: TurnEvent, sink: list[TurnEvent] = events) -> None:
                    sink.append(event)

                await ChatTurn(model, cache=cache, metrics=metrics).run(
                    request(text, options=options), emit)
                runs.append(events)
        return runs

    first, second = asyncio.run(main())
    assert first[-1] == Done("Paris is the capital.", cached=False)
    assert second == [TextDelta("Paris is the capital."), Done("Paris is the capital.", True)]
    assert len(model.requests) == 1
    assert metrics.snapshot() == {"llm_requests_total": 2, "llm_cache_hits_total": 1}


def test_turns_that_ran_tools_are_not_cached(tmp_path: Path) -> None:
    model = FakeChatModel(json.dumps({"tool": "save-note", "arguments": {"text": "a"}}),
                          json.dumps({"tool": "none"}), "saved", json.dumps({"tool": "none"}),
                          "again")
    runner = RecordingRunner()
    options = TurnOptions(cache=True)
    req = request("note a", tools=(tool("save-note", text="t"),), options=options)

    async def main() -> None:
        async with SemanticCache(tmp_path / "c") as cache:
            for _ in range(2):
                async def emit(event: TurnEvent) -> None:
                    return None
                await ChatTurn(model, tools=runner, cache=cache).run(req, emit)
            assert cache.stats.hits == 0

    asyncio.run(main())


def test_cache_scope_includes_the_user_only_for_private_prompts() -> None:
    public = cache_scope(request(), "m")
    assert public.user is None
    assert cache_scope(request(user_id="u2"), "m") == public
    assert cache_scope(request(context="Customer is VIP"), "m").user == "u1"
    assert cache_scope(request(history=(Message("user", "my id is 5"),)), "m").user == "u1"
    assert cache_scope(request(history=(Message("assistant", "Welcome!"),)), "m").user is None
    assert cache_scope(request(private=True), "m").user == "u1"
    assert cache_scope(request(system_parts=("other",)), "m").key != public.key
    assert cache_scope(request(kb_version="2"), "m").key != public.key
    assert cache_scope(request(tools=(tool("t"),)), "m").key != public.key
