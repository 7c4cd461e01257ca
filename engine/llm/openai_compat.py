"""Any OpenAI-compatible chat server over HTTP: Ollama, LM Studio, llama-server, vLLM,
OpenAI, Groq… (SSE streaming, native tool calls, JSON-schema answers, embeddings)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

import httpx

from engine.llm.errors import LlmUnavailable
from engine.llm.httpio import make_client, post_json, sse_events
from engine.llm.provider import (
    Capabilities,
    ChatModelBase,
    CompletionRequest,
    Delta,
    Finish,
    JsonObject,
    Message,
    TextChunk,
    ToolCallChunk,
)

NAME = "OpenAI-compatible server"


class OpenAICompatibleChatModel(ChatModelBase):
    """``url`` is the server root (``http://127.0.0.1:8080``) or its ``/v1`` base."""

    def __init__(self, url: str, model: str, *, key: str | None = None,
                 endpoint_path: str | None = None, timeout: float = 60.0,
                 capabilities: Capabilities | None = None,
                 transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._model = model
        self._chat_path = endpoint_path or _chat_path(url)
        self._capabilities = capabilities or Capabilities(
            supports_tools=True, embeddings=True, json_schema=True, max_context=8192)
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        self._client = make_client(url, headers, timeout, transport)
        self._schema_style = "json_schema"

    @property
    def provider(self) -> str:
        return "openai"

    @property
    def model(self) -> str:
        return self._model

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    async def stream(self, request: CompletionRequest) -> AsyncIterator[Delta]:
        try:
            async for delta in self._stream(request):
                yield delta
        except LlmUnavailable as error:
            # Some servers (llama-cpp-python's) only know {"type": "json_object", "schema"}.
            if request.response_schema is None or self._schema_style != "json_schema" or not (
                    "response_format" in error.message or "json_schema" in error.message):
                raise
            self._schema_style = "json_object"
            async for delta in self._stream(request):
                yield delta

    async def _stream(self, request: CompletionRequest) -> AsyncIterator[Delta]:
        finish = Finish("stop")
        async for _event, data in sse_events(self._client, self._chat_path,
                                             self._body(request), NAME):
            for delta in _deltas(data):
                if isinstance(delta, Finish):
                    finish = Finish(delta.reason or finish.reason,
                                    delta.prompt_tokens or finish.prompt_tokens,
                                    delta.completion_tokens or finish.completion_tokens)
                else:
                    yield delta
        yield finish

    async def embed(self, texts: Sequence[str]) -> list[list[float]]:
        path = self._chat_path.replace("chat/completions", "embeddings")
        data = await post_json(self._client, path, {"model": self._model, "input": list(texts)},
                               NAME)
        rows = sorted(data["data"], key=lambda row: row["index"])
        return [[float(x) for x in row["embedding"]] for row in rows]

    async def aclose(self) -> None:
        await self._client.aclose()

    def _body(self, request: CompletionRequest) -> dict[str, Any]:
        body: dict[str, Any] = {"model": request.model or self._model, "stream": True,
                                "messages": [wire_message(m) for m in request.messages]}
        optional = {"temperature": request.temperature, "max_tokens": request.max_tokens,
                    "seed": request.seed, "stop": list(request.stop) or None}
        body.update({k: v for k, v in optional.items() if v is not None})
        if request.tools:
            body["tools"] = list(request.tools)
            body["tool_choice"] = _tool_choice(request.tool_choice)
        if request.response_schema is not None:
            body["response_format"] = _response_format(request.response_schema,
                                                       self._schema_style)
        return body


def wire_message(message: Message) -> dict[str, Any]:
    """A message in the OpenAI chat format."""
    wire: dict[str, Any] = {"role": message.role, "content": message.content}
    if message.images:
        wire["content"] = [{"type": "text", "text": message.content}] + [
            {"type": "image_url", "image_url": {"url": url}} for url in message.images]
    if message.tool_calls:
        wire["content"] = message.content or None
        wire["tool_calls"] = [{"id": c.id, "type": "function",
                               "function": {"name": c.name, "arguments": c.arguments}}
                              for c in message.tool_calls]
    if message.role == "tool":
        wire["tool_call_id"] = message.tool_call_id or ""
    return wire


def _deltas(data: dict[str, Any]) -> Iterator[Delta]:
    usage = data.get("usage") or {}
    for choice in data.get("choices") or ():
        delta = choice.get("delta") or {}
        if delta.get("content"):
            yield TextChunk(str(delta["content"]))
        for call in delta.get("tool_calls") or ():
            function = call.get("function") or {}
            yield ToolCallChunk(int(call.get("index", 0)), call.get("id"), function.get("name"),
                                function.get("arguments") or "")
        if choice.get("finish_reason"):
            yield Finish(str(choice["finish_reason"]))
    if usage:
        yield Finish("", usage.get("prompt_tokens"), usage.get("completion_tokens"))


def _response_format(schema: JsonObject, style: str) -> dict[str, Any]:
    if style == "json_object":
        return {"type": "json_object", "schema": dict(schema)}
    return {"type": "json_schema",
            "json_schema": {"name": "answer", "schema": dict(schema), "strict": True}}


def _tool_choice(choice: str | None) -> Any:
    if choice in (None, "auto", "none", "required"):
        return choice or "auto"
    return {"type": "function", "function": {"name": choice}}


def _chat_path(url: str) -> str:
    return "/chat/completions" if url.rstrip("/").endswith("/v1") else "/v1/chat/completions"
