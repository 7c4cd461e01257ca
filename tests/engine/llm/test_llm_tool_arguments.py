"""Tool arguments checked against the schema and the user's words, one retry, slot filling
(issue 12), the shortlist's views, name bonus and gate; scripted model, word embedder."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from llmfakes import FakeChatModel, RecordingRunner, WordEmbedder, tool

from engine.llm.arguments import filled, problems, unusable
from engine.llm.decision import decision_schema
from engine.llm.provider import CompletionRequest, Message
from engine.llm.shortlist import ToolShortlist, tool_text, tool_views
from engine.llm.toolloop import ToolLoop


def _s(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def function(name: str, required: list[str], **properties: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "description": name, "parameters": {
        "type": "object", "properties": properties, "required": required}}


ORDER = function("check-order", ["order_id"], order_id=_s("Order number", example="A-1001"),
                 channel=_s("Where", enum=["web", "phone"]))
MEETING = function("book-meeting", ["title", "date"], title=_s("Title"),
                   date=_s("Day", format="date"))
MONEY = function("convert", ["amount", "to"], amount={"type": "number"}, to=_s("Currency"))
NOTE = function("save-note", ["text"], text=_s("The note text"))


def test_identifiers_must_be_the_users_and_are_read_off_the_request() -> None:
    said = "Where is my order B-7781? I ordered by phone"
    assert problems(ORDER, {"order_id": "B-7781"}, said) == {}
    assert problems(ORDER, {"order_id": "A-1001"}, said) == {"order_id": "not a value the "
                                                                          "user gave"}
    assert filled(ORDER, {"order_id": "A-1001", "channel": "fax"}, said) == {
        "order_id": "B-7781", "channel": "phone"}
    # no order number anywhere: the call cannot be made
    assert unusable(ORDER, filled(ORDER, {"order_id": "check-order_id"}, "Thanks, bye"),
                    "Thanks, bye")


def test_numbers_dates_and_missing_values() -> None:
    said = "Convert 250 euros to yen"
    assert problems(MONEY, {"amount": 25, "to": "JPY"}, said) == {
        "amount": "a number the user did not give", "to": "not in the user's words"}
    assert filled(MONEY, {"amount": 25, "to": "yen"}, said) == {"amount": 250, "to": "yen"}
    assert problems(MONEY, {"to": "yen"}, said) == {"amount": "missing"}
    meeting = "Book Budget review on 2025-03-14"
    assert filled(MEETING, {"title": "Budget review", "date": "14 March"}, meeting) == {
        "title": "Budget review", "date": "2025-03-14"}
    assert not unusable(MEETING, {"title": "Budget review", "date": "2025-03-14"}, meeting)


def test_the_one_free_text_parameter_keeps_what_the_user_said() -> None:
    said = "Remember this: call mom on Sunday"
    assert problems(NOTE, {"text": "Sunday"}, said) == {
        "text": "leaves out most of what the user said"}
    assert filled(NOTE, {"text": "Sunday"}, said) == {"text": "call mom on Sunday"}
    assert problems(NOTE, {"text": "call mom on Sunday"}, said) == {}
    assert filled(NOTE, {"text": "   "}, "note milk") == {"text": "note milk"}


def _decide(model: FakeChatModel, text: str, *tools: dict[str, Any]) -> Any:
    loop = ToolLoop(model, RecordingRunner())
    request = CompletionRequest((Message("user", text),), tools=tools)
    return asyncio.run(loop.decide(request))


def test_a_failing_call_is_asked_once_more_then_filled() -> None:
    order = {"type": "function", "function": ORDER}
    wrong = json.dumps({"tool": "check-order", "arguments": {"order_id": "A-1001"}})
    right = json.dumps({"tool": "check-order", "arguments": {"order_id": "C-5002"}})
    model = FakeChatModel(wrong, right)
    decision = _decide(model, "Has order C-5002 shipped?", order)
    assert (decision.tool, decision.arguments) == ("check-order", {"order_id": "C-5002"})
    retry = model.requests[1]
    assert retry.response_schema == decision_schema((order,))
    assert retry.messages[-2] == Message("assistant", wrong)
    assert "order_id: not a value the user gave" in retry.messages[-1].content

    model = FakeChatModel(wrong, wrong)  # wrong twice: the value is read off the request
    assert _decide(model, "Has order C-5002 shipped?", order).arguments == {
        "order_id": "C-5002"}
    model = FakeChatModel(wrong, wrong)  # nothing to read: no call
    assert not _decide(model, "Thanks, that's all", order).is_call
    model = FakeChatModel(right)  # a good call is not asked again
    assert _decide(model, "Has order C-5002 shipped?", order).is_call
    assert len(model.requests) == 1


def test_shortlist_views_name_bonus_and_gate() -> None:
    note = tool("save-note", "Keep something for later", text="The note text")
    weather = tool("get-weather", "Forecast for a city", city="City name")
    assert tool_text(note) == "save note: Keep something for later. text (The note text)"
    assert tool_views(note) == ["save note", "Keep something for later", tool_text(note)]
    shortlist = ToolShortlist(WordEmbedder(), keep=1)
    ranked = shortlist.ranked("add this to my notes please", [weather, note])
    assert ranked[0][0] == note and ranked[0][1] >= 0.1  # "notes" names the tool
    gated = ToolShortlist(WordEmbedder(), keep=1, min_score=0.3)
    assert gated.select("hello there", [weather, note]) == []
    assert gated.select("forecast for the city of Paris", [weather, note]) == [weather]


def test_a_date_nobody_gave_makes_no_call() -> None:
    meeting = {"type": "function", "function": MEETING}
    invented = json.dumps({"tool": "book-meeting",
                           "arguments": {"title": "Hello", "date": "2023-01-01"}})
    assert not _decide(FakeChatModel(invented, invented), "Hello!", meeting).is_call
    said = "Book Hello for tomorrow"  # a day was named: the model's date is kept
    assert _decide(FakeChatModel(invented), said, meeting).arguments["date"] == "2023-01-01"


def test_a_sure_shortlist_makes_the_decision_call_its_tool() -> None:
    note = tool("save-note", "Save a note", text="The note text")
    weather = tool("get-weather", "weather forecast for a city", city="City")
    call = json.dumps({"tool": "get-weather", "arguments": {"city": "Paris"}})
    for sure, allows_none in ((0.2, False), (0.99, True)):
        model = FakeChatModel(call, json.dumps({"tool": "none"}), "Sunny.")
        shortlist = ToolShortlist(WordEmbedder(), keep=1, sure_score=sure)
        loop = ToolLoop(model, RecordingRunner(), shortlist=shortlist)
        request = CompletionRequest((Message("user", "weather forecast for Paris"),),
                                    tools=(note, weather))
        list(asyncio.run(_events(loop, request)))
        branches = model.requests[0].response_schema["anyOf"]  # type: ignore[index]
        assert ({"const": "none"} in [b["properties"]["tool"] for b in branches]) \
            is allows_none
        assert model.requests[1].response_schema == decision_schema((weather,))  # round 2


async def _events(loop: ToolLoop, request: CompletionRequest) -> list[Any]:
    return [event async for event in loop.run(request)]
