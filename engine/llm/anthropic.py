"""Anthropic's Messages API over HTTP (SSE streaming, tool use, images)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx

from engine.llm.errors import LlmUnavailable
from engine.llm.httpio import make_client, sse_events
from engine.llm.provider import (
    Capabilities,
    ChatModelBase,
    CompletionRequest,
    Delta,
    Finish,
    Message,
    TextChunk,
    ToolCallChunk,
)

NAME = "Anthropic"
DEFAULT_URL = "https://api.anthropic.com"
API_VERSION = "2023-06-01"
DEFAULT_MAX_TOKENS = 1024


class AnthropicChatModel(ChatModelBase):
    def __init__(self, model: str, *, key: str | None, url: str = DEFAULT_URL,
                 timeout: float = 60.0, capabilities: Capabilities | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._model = model
        self._capabilities = capabilities or Capabilities(
            supports_tools=True, vision=True, max_context=200_000)
        headers = {"anthropic-version": API_VERSION, **({"x-api-key": key} if key else {})}
        self._client = make_client(url, headers, timeout, transport)

    @property
    def provider(self) -> str:
        return "anthropic"

    @property
    def model(self) -> str:
        return self._model

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    async def stream(self, request: CompletionRequest) -> AsyncIterator[Delta]:
        finish = Finish("stop")
        blocks: dict[int, int] = {}  # content block index → tool call index
        async for event, data in sse_events(self._client, "/v1/messages", self._body(request),
                                            NAME):
            if event == "error" or data.get("type") == "error":
                raise LlmUnavailable(f"{NAME} failed: {data.get('error', {}).get('message')}")
            for delta in _deltas(data, blocks):
                if isinstance(delta, Finish):
                    finish = Finish(delta.reason or finish.reason,
                                    delta.prompt_tokens or finish.prompt_tokens,
                                    delta.completion_tokens or finish.completion_tokens)
                else:
                    yield delta
        yield finish

    async def aclose(self) -> None:
        await self._client.aclose()

    def _body(self, request: CompletionRequest) -> dict[str, Any]:
        system = "\n\n".join(m.content for m in request.messages if m.role == "system")
        body: dict[str, Any] = {
            "model": request.model or self._model, "stream": True,
            "max_tokens": request.max_tokens or DEFAULT_MAX_TOKENS,
            "messages": _merged([_wire(m) for m in request.messages if m.role != "system"])}
        optional = {"system": system or None, "temperature": request.temperature,
                    "stop_sequences": list(request.stop) or None}
        body.update({k: v for k, v in optional.items() if v is not None})
        if request.tools:  # sent even with tool_choice none: the history may hold tool_use blocks
            body["tools"] = [_tool(t) for t in request.tools]
            body["tool_choice"] = _tool_choice(request.tool_choice)
        return body


def _deltas(data: dict[str, Any], blocks: dict[int, int]) -> Iterator[Delta]:
    kind = data.get("type")
    if kind == "message_start":
        usage = data.get("message", {}).get("usage", {})
        yield Finish("", usage.get("input_tokens"), None)
    elif kind == "content_block_start":
        block = data.get("content_block", {})
        if block.get("type") == "tool_use":
            blocks[int(data["index"])] = len(blocks)
            yield ToolCallChunk(blocks[int(data["index"])], block.get("id"), block.get("name"))
    elif kind == "content_block_delta":
        delta = data.get("delta", {})
        if delta.get("type") == "text_delta":
            yield TextChunk(str(delta.get("text", "")))
        elif delta.get("type") == "input_json_delta" and int(data["index"]) in blocks:
            yield ToolCallChunk(blocks[int(data["index"])],
                                arguments=str(delta.get("partial_json", "")))
    elif kind == "message_delta":
        reason = data.get("delta", {}).get("stop_reason") or ""
        yield Finish("tool_calls" if reason == "tool_use" else _reason(reason), None,
                     data.get("usage", {}).get("output_tokens"))


def _reason(reason: str) -> str:
    return {"end_turn": "stop", "max_tokens": "length", "stop_sequence": "stop"}.get(reason,
                                                                                      reason)


def _wire(message: Message) -> dict[str, Any]:
    if message.role == "tool":
        return {"role": "user", "content": [{"type": "tool_result",
                                             "tool_use_id": message.tool_call_id or "",
                                             "content": message.content}]}
    content: list[dict[str, Any]] = [{"type": "text", "text": message.content}] if (
        message.content) else []
    content += [_image(url) for url in message.images]
    content += [{"type": "tool_use", "id": c.id, "name": c.name,
                 "input": json.loads(c.arguments or "{}")} for c in message.tool_calls]
    return {"role": message.role, "content": content}


def _merged(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive messages of one role become one (the API wants roles to alternate)."""
    merged: list[dict[str, Any]] = []
    for message in messages:
        if merged and merged[-1]["role"] == message["role"]:
            merged[-1] = {"role": message["role"],
                          "content": merged[-1]["content"] + message["content"]}
        else:
            merged.append(message)
    return merged


def _image(url: str) -> dict[str, Any]:
    if url.startswith("data:"):
        media, _, data = url[5:].partition(";base64,")
        return {"type": "image", "source": {"type": "base64", "media_type": media, "data": data}}
    return {"type": "image", "source": {"type": "url", "url": url}}


def _tool(descriptor: Any) -> dict[str, Any]:
    function = descriptor.get("function", descriptor)
    return {"name": function["name"], "description": function.get("description", ""),
            "input_schema": function.get("parameters") or {"type": "object", "properties": {}}}


def _tool_choice(choice: str | None) -> dict[str, Any]:
    if choice in (None, "auto", "none"):
        return {"type": choice or "auto"}
    if choice == "required":
        return {"type": "any"}
    return {"type": "tool", "name": choice}
