"""The HTTP providers' wire formats against recorded server answers (httpx MockTransport);
the OpenAI-compatible provider also runs against a real server in test_llm_openai_server.py."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from engine.llm.anthropic import AnthropicChatModel
from engine.llm.errors import LlmBadResponse, LlmUnavailable
from engine.llm.openai_compat import OpenAICompatibleChatModel
from engine.llm.provider import (
    ChatModel,
    Completion,
    CompletionRequest,
    Message,
    TextChunk,
    ToolCall,
)

TOOLS = ({"type": "function", "function": {"name": "check-order", "description": "d",
                                           "parameters": {"type": "object", "properties": {
                                               "order_id": {"type": "string"}}}}},)


def sse(*events: dict[str, Any], named: bool = False, done: bool = True) -> bytes:
    lines = []
    for event in events:
        if named:
            lines.append(f"event: {event['type']}")
        lines.append(f"data: {json.dumps(event)}\n")
    if done:
        lines.append("data: [DONE]\n")
    return ("\n".join(lines) + "\n").encode()


class Server:
    """Records requests; answers each with the next (status, body)."""

    def __init__(self, *answers: tuple[int, bytes]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        status, body = self.answers.pop(0)
        return httpx.Response(status, content=body,
                              headers={"content-type": "text/event-stream"})

    def body(self, index: int = 0) -> dict[str, Any]:
        return dict(json.loads(self.requests[index].content))


def complete(make: Callable[[httpx.MockTransport], ChatModel],
             server: Server, request: CompletionRequest) -> Completion:
    async def main() -> Completion:
        async with make(httpx.MockTransport(server)) as model:
            return await model.complete(request)
    return asyncio.run(main())


def openai(transport: httpx.MockTransport) -> ChatModel:
    return OpenAICompatibleChatModel("http://llm.local/v1", "m", key="sk", transport=transport)


def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}


def test_openai_streams_text_and_sends_the_request_fields() -> None:
    server = Server((200, sse(chunk({"role": "assistant"}), chunk({"content": "Hel"}),
                              chunk({"content": "lo"}), chunk({}, "stop"))))
    request = CompletionRequest((Message("system", "s"), Message("user", "hi")),
                                temperature=0.1, max_tokens=9, stop=("END",))
    result = complete(openai, server, request)
    assert result == Completion("Hello", (), "stop")
    sent = server.requests[0]
    assert sent.url == "http://llm.local/v1/chat/completions"
    assert sent.headers["authorization"] == "Bearer sk"
    assert server.body() == {"model": "m", "stream": True, "temperature": 0.1, "max_tokens": 9,
                             "stop": ["END"], "messages": [{"role": "system", "content": "s"},
                                                           {"role": "user", "content": "hi"}]}


def test_openai_tool_calls_arrive_in_fragments_and_go_back_in_history() -> None:
    server = Server((200, sse(
        chunk({"tool_calls": [{"index": 0, "id": "call_1", "type": "function",
                               "function": {"name": "check-order", "arguments": '{"order'}}]}),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '_id": "A-1"}'}}]}),
        chunk({}, "tool_calls"))))
    history = (Message("user", "where is A-0?"),
               Message("assistant", "", tool_calls=(ToolCall("c0", "check-order", "{}"),)),
               Message("tool", "shipped", tool_call_id="c0"))
    result = complete(openai, server, CompletionRequest(history, tools=TOOLS,
                                                        tool_choice="check-order"))
    assert result.tool_calls == (ToolCall("call_1", "check-order", '{"order_id": "A-1"}'),)
    assert result.finish_reason == "tool_calls"
    body = server.body()
    assert body["tool_choice"] == {"type": "function", "function": {"name": "check-order"}}
    assert body["messages"][1] == {"role": "assistant", "content": None, "tool_calls": [
        {"id": "c0", "type": "function", "function": {"name": "check-order", "arguments": "{}"}}]}
    assert body["messages"][2] == {"role": "tool", "content": "shipped", "tool_call_id": "c0"}


def test_openai_json_schema_falls_back_to_json_object_once() -> None:
    server = Server((500, b'{"error": {"message": "response_format.type: json_schema?"}}'),
                    (200, sse(chunk({"content": "{}"}))), (200, sse(chunk({"content": "{}"}))))
    request = CompletionRequest((Message("user", "x"),), response_schema={"type": "object"})

    async def main() -> None:
        async with openai(httpx.MockTransport(server)) as model:
            await model.complete(request)
            await model.complete(request)
    asyncio.run(main())
    assert server.body(0)["response_format"]["type"] == "json_schema"
    assert server.body(1)["response_format"] == {"type": "json_object",
                                                 "schema": {"type": "object"}}
    assert server.body(2)["response_format"]["type"] == "json_object"


def test_openai_images_and_embeddings() -> None:
    server = Server((200, sse(chunk({"content": "cat"}))),
                    (200, json.dumps({"data": [{"index": 1, "embedding": [0, 1]},
                                               {"index": 0, "embedding": [1, 0]}]}).encode()))

    async def main() -> list[list[float]]:
        async with OpenAICompatibleChatModel("http://h:1", "m",
                                             transport=httpx.MockTransport(server)) as model:
            await model.complete(CompletionRequest((Message("user", "what?",
                                                            images=("data:x",)),)))
            return await model.embed(["a", "b"])
    assert asyncio.run(main()) == [[1.0, 0.0], [0.0, 1.0]]
    assert server.body(0)["messages"][0]["content"] == [
        {"type": "text", "text": "what?"}, {"type": "image_url", "image_url": {"url": "data:x"}}]
    assert server.requests[1].url == "http://h:1/v1/embeddings"
    assert "authorization" not in server.requests[0].headers


@pytest.mark.parametrize(("status", "body", "message"), [
    (401, b'{"error": {"message": "bad key"}}', "rejected the key (HTTP 401: bad key)"),
    (500, b"boom", "refused the request (HTTP 500: boom)"),
    (200, b"data: {not json\n\n", "not JSON")])
def test_openai_server_errors(status: int, body: bytes, message: str) -> None:
    with pytest.raises((LlmUnavailable, LlmBadResponse), match=re.escape(message)):
        complete(openai, Server((status, body)), CompletionRequest((Message("user", "x"),)))


def anthropic(transport: httpx.MockTransport) -> ChatModel:
    return AnthropicChatModel("claude-x", key="ak", url="http://claude.local",
                              transport=transport)


ANTHROPIC_STREAM = sse(
    {"type": "message_start", "message": {"usage": {"input_tokens": 12}}},
    {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Let"}},
    {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": " me"}},
    {"type": "content_block_stop", "index": 0},
    {"type": "content_block_start", "index": 1,
     "content_block": {"type": "tool_use", "id": "tu_1", "name": "check-order", "input": {}}},
    {"type": "content_block_delta", "index": 1,
     "delta": {"type": "input_json_delta", "partial_json": '{"order_id": '}},
    {"type": "content_block_delta", "index": 1,
     "delta": {"type": "input_json_delta", "partial_json": '"A-1"}'}},
    {"type": "content_block_stop", "index": 1},
    {"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 7}},
    {"type": "message_stop"}, named=True, done=False)


def test_anthropic_stream_with_text_and_tool_use() -> None:
    server = Server((200, ANTHROPIC_STREAM))
    history = (Message("system", "Be brief."), Message("user", "where is A-1?"),
               Message("assistant", "", tool_calls=(ToolCall("tu_0", "check-order", "{}"),)),
               Message("tool", "unknown", tool_call_id="tu_0"), Message("user", "and now?"))
    result = complete(anthropic, server, CompletionRequest(history, tools=TOOLS, max_tokens=50))
    assert result.text == "Let me"
    assert result.tool_calls == (ToolCall("tu_1", "check-order", '{"order_id": "A-1"}'),)
    assert (result.finish_reason, result.prompt_tokens, result.completion_tokens) == (
        "tool_calls", 12, 7)
    sent = server.requests[0]
    assert sent.url == "http://claude.local/v1/messages"
    assert sent.headers["x-api-key"] == "ak" and sent.headers["anthropic-version"]
    body = server.body()
    assert body["system"] == "Be brief." and body["max_tokens"] == 50
    assert body["tools"] == [{"name": "check-order", "description": "d",
                              "input_schema": TOOLS[0]["function"]["parameters"]}]
    assert body["tool_choice"] == {"type": "auto"}
    last_round = complete(anthropic, Server((200, ANTHROPIC_STREAM)),
                          CompletionRequest(history, tools=TOOLS, tool_choice="none"))
    assert last_round.text == "Let me"
    assert [m["role"] for m in body["messages"]] == ["user", "assistant", "user"]
    assert body["messages"][2]["content"] == [
        {"type": "tool_result", "tool_use_id": "tu_0", "content": "unknown"},
        {"type": "text", "text": "and now?"}]


def test_anthropic_error_event() -> None:
    server = Server((200, sse({"type": "error", "error": {"message": "overloaded"}},
                              named=True, done=False)))
    with pytest.raises(LlmUnavailable, match="overloaded"):
        complete(anthropic, server, CompletionRequest((Message("user", "x"),)))


def test_text_chunks_are_not_empty() -> None:
    server = Server((200, sse(chunk({"content": ""}), chunk({"content": "a"}))))

    async def main() -> list[object]:
        async with openai(httpx.MockTransport(server)) as model:
            return [d async for d in model.stream(CompletionRequest((Message("user", "x"),)))]
    deltas = asyncio.run(main())
    assert [d for d in deltas if isinstance(d, TextChunk)] == [TextChunk("a")]
