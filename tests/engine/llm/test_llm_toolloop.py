"""The tool loop with a scripted model: native tool calls, constrained decisions, bounds."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from llmfakes import FakeChatModel, RecordingRunner, tool, tool_call

from engine.basic.errors import BasicTypeError
from engine.llm.decision import decision_schema, parse_decision, router_messages
from engine.llm.events import TextDelta, ToolFinished, ToolStarted
from engine.llm.provider import Capabilities, CompletionRequest, Message
from engine.llm.toolloop import LoopEvent, ToolLoop

NATIVE = Capabilities(supports_tools=True, json_schema=True)
NOTE = tool("save-note", "Save a note", text="The note")
ORDER = tool("check-order", "Look up an order", order_id="Order number")


def run(loop: ToolLoop, request: CompletionRequest) -> list[LoopEvent]:
    async def main() -> list[LoopEvent]:
        return [event async for event in loop.run(request)]
    return asyncio.run(main())


def ask(text: str, *tools: dict[str, Any]) -> CompletionRequest:
    return CompletionRequest((Message("system", "sys"), Message("user", text)), tools=tools)


def text_of(events: list[LoopEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta)).strip()


def test_native_call_then_answer() -> None:
    model = FakeChatModel(tool_call("save-note", '{"text": "milk"}'), "Saved it.",
                          capabilities=NATIVE)
    runner = RecordingRunner({"save-note": "row 7"})
    events = run(ToolLoop(model, runner), ask("note milk", NOTE))
    assert runner.calls == [("save-note", {"text": "milk"})]
    assert [e for e in events if not isinstance(e, TextDelta)] == [
        ToolStarted("save-note", {"text": "milk"}), ToolFinished("save-note", "row 7")]
    assert text_of(events) == "Saved it."
    second = model.requests[1].messages
    assert second[-2].tool_calls[0].name == "save-note"
    assert second[-1] == Message("tool", "row 7", tool_call_id="c1", name="save-note")


def test_native_rounds_are_bounded_and_the_last_round_forbids_tools() -> None:
    calls = [tool_call("check-order", json.dumps({"order_id": str(i)})) for i in range(3)]
    model = FakeChatModel(*calls, "final", capabilities=NATIVE)
    runner = RecordingRunner()
    events = run(ToolLoop(model, runner, max_rounds=2), ask("orders", ORDER))
    assert len(runner.calls) == 2
    assert model.requests[-1].tool_choice == "none"
    assert len(model.requests) == 3
    assert text_of(events) == ""  # the third call came in the last round: ignored


def test_tool_errors_and_bad_arguments_go_back_to_the_model() -> None:
    model = FakeChatModel(tool_call("check-order", "{not json"),
                          tool_call("check-order", '{"order_id": "x"}'), "sorry",
                          capabilities=NATIVE)
    runner = RecordingRunner({"check-order": BasicTypeError("argument 'qty': expected integer")})
    run(ToolLoop(model, runner), ask("order?", ORDER))
    first_result = model.requests[1].messages[-1]
    assert first_result.role == "tool" and "not JSON" in first_result.content
    second_result = model.requests[2].messages[-1]
    assert second_result.content == "Error: argument 'qty': expected integer"


def test_constrained_decision_runs_the_tool_then_streams_the_answer() -> None:
    decision = json.dumps({"tool": "save-note", "arguments": {"text": "milk"}})
    model = FakeChatModel(decision, json.dumps({"tool": "none"}), "Done, noted.")
    runner = RecordingRunner({"save-note": '{"id": 1}'})
    events = run(ToolLoop(model, runner), ask("note milk", NOTE, ORDER))
    assert runner.calls == [("save-note", {"text": "milk"})]
    assert text_of(events) == "Done, noted."
    first, second, final = model.requests
    assert first.response_schema == decision_schema((NOTE, ORDER))
    assert first.temperature == 0.0 and first.tools == ()
    assert "save-note: Save a note" in first.messages[0].content
    assert second.messages[-1].content.startswith("Tool save-note was called")
    assert final.response_schema is None and final.tools == ()
    assert 'save-note({"text": "milk"}) returned: {"id": 1}' in final.messages[-1].content


def test_constrained_none_answers_directly_and_repeats_stop_the_loop() -> None:
    model = FakeChatModel(json.dumps({"tool": "none"}), "Hello!")
    assert text_of(run(ToolLoop(model, RecordingRunner()), ask("hi", NOTE))) == "Hello!"
    same = json.dumps({"tool": "save-note", "arguments": {"text": "a"}})
    model = FakeChatModel(same, same, "ok")
    runner = RecordingRunner()
    run(ToolLoop(model, runner), ask("note a", NOTE))
    assert len(runner.calls) == 1


def test_without_tools_or_rounds_the_model_just_answers() -> None:
    model = FakeChatModel("plain")
    assert text_of(run(ToolLoop(model, RecordingRunner(), max_rounds=0),
                       ask("hi", NOTE))) == "plain"
    assert model.requests[0].tools == ()


def test_decision_schema_has_one_branch_per_tool_and_none() -> None:
    schema = decision_schema([ORDER, {"name": "ping", "inputSchema": {}}])
    names = [b["properties"]["tool"]["const"] for b in schema["anyOf"]]
    assert names == ["check-order", "ping", "none"]
    arguments = schema["anyOf"][0]["properties"]["arguments"]
    assert arguments == {"type": "object", "properties": {"order_id": {"type": "string"}},
                         "required": ["order_id"], "additionalProperties": False}


def test_parse_decision_is_lenient_but_only_names_known_tools() -> None:
    assert parse_decision('x {"tool": "save-note", "arguments": {"text": "a"}} y',
                          [NOTE]).arguments == {"text": "a"}
    assert not parse_decision('{"tool": "rm-rf"}', [NOTE]).is_call
    assert not parse_decision("nonsense", [NOTE]).is_call
    assert parse_decision('{"tool": "save-note", "arguments": 3}', [NOTE]).arguments == {}


def test_router_prompt_lists_tools_and_keeps_the_conversation() -> None:
    messages = router_messages([ORDER], [Message("user", "where is A-1?")], context="VIP")
    assert messages[0].role == "system" and "check-order: Look up an order" in messages[0].content
    assert "order_id (string) Order number" in messages[0].content
    assert messages[0].content.endswith("Context:\nVIP")
    assert messages[1:] == [Message("user", "where is A-1?")]


def test_the_shortlist_keeps_the_closest_tools_in_order() -> None:
    from llmfakes import WordEmbedder

    from engine.llm.shortlist import ToolShortlist

    weather = tool("get-weather", "weather forecast for a city", city="City")
    tools = [NOTE, ORDER, weather]
    embedder = WordEmbedder()
    shortlist = ToolShortlist(embedder, keep=1)
    assert shortlist.select("what is the weather forecast in Paris", tools) == [weather]
    assert shortlist.select("look up an order", tools) == [ORDER]
    assert embedder.calls == 2  # tool texts are embedded once, with the first query
    assert ToolShortlist(embedder, keep=3).select("x", tools) == tools


def test_the_constrained_decision_sees_only_the_shortlist() -> None:
    from llmfakes import WordEmbedder

    from engine.llm.shortlist import ToolShortlist

    model = FakeChatModel(json.dumps({"tool": "check-order", "arguments": {"order_id": "7"}}),
                          json.dumps({"tool": "none"}), "Order 7 shipped.")
    runner = RecordingRunner()
    loop = ToolLoop(model, runner, shortlist=ToolShortlist(WordEmbedder(), keep=1))
    events = run(loop, ask("look up an order 7", NOTE, ORDER))
    assert runner.calls == [("check-order", {"order_id": "7"})]
    assert model.requests[0].response_schema == decision_schema((ORDER,))
    assert "save-note" not in model.requests[0].messages[0].content
    assert text_of(events) == "Order 7 shipped."
