"""One error tree: every foreign exception a provider can meet is mapped at the boundary."""

from __future__ import annotations

import asyncio
import inspect
import json
import socket

import httpx
import pytest

from engine.errors import EngineError
from engine.llm.errors import LlmBadResponse, LlmError, LlmTimeout, LlmUnavailable, translated
from engine.llm.openai_compat import OpenAICompatibleChatModel
from engine.llm.provider import CompletionRequest, Message

HTTPX_ERRORS = [cls for _, cls in inspect.getmembers(httpx, inspect.isclass)
                if issubclass(cls, Exception) and cls.__module__.startswith("httpx")]


def test_the_tree() -> None:
    for kind in (LlmUnavailable, LlmTimeout, LlmBadResponse):
        assert issubclass(kind, LlmError) and issubclass(kind, EngineError)
        assert not issubclass(kind, asyncio.CancelledError)


@pytest.mark.parametrize("kind", HTTPX_ERRORS, ids=lambda c: c.__name__)
def test_every_httpx_exception_is_mapped(kind: type[Exception]) -> None:
    request = httpx.Request("GET", "http://x")
    error = _instance(kind, request)
    mapped = translated(error, "server")
    assert isinstance(mapped, LlmError)
    if issubclass(kind, httpx.TimeoutException):
        assert isinstance(mapped, LlmTimeout)
    elif issubclass(kind, httpx.TransportError | httpx.HTTPStatusError):
        assert isinstance(mapped, LlmUnavailable)


def test_other_foreign_exceptions() -> None:
    assert isinstance(translated(json.JSONDecodeError("x", "", 0), "s"), LlmBadResponse)
    assert isinstance(translated(KeyError("choices"), "s"), LlmBadResponse)
    assert isinstance(translated(ConnectionRefusedError(), "s"), LlmUnavailable)
    assert isinstance(translated(TimeoutError(), "s"), LlmTimeout)
    assert isinstance(translated(ValueError("Requested tokens exceed context"), "s"),
                      LlmBadResponse)
    same = LlmTimeout("t")
    assert translated(same, "s") is same


def test_a_closed_port_is_unavailable_and_a_stall_is_a_timeout() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    request = CompletionRequest((Message("user", "x"),))

    async def call(model: OpenAICompatibleChatModel) -> None:
        async with model:
            await model.complete(request)

    with pytest.raises(LlmUnavailable, match="not reachable"):
        asyncio.run(call(OpenAICompatibleChatModel(f"http://127.0.0.1:{port}", "m")))

    def stall(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)
    with pytest.raises(LlmTimeout):
        asyncio.run(call(OpenAICompatibleChatModel("http://h", "m",
                                                   transport=httpx.MockTransport(stall))))


def _instance(kind: type[Exception], request: httpx.Request) -> Exception:
    if issubclass(kind, httpx.HTTPStatusError):
        return kind("bad", request=request, response=httpx.Response(500, request=request))
    for arguments in ((("boom",), {"request": request}), (("boom",), {}), ((), {})):
        try:
            return kind(*arguments[0], **arguments[1])  # type: ignore[arg-type]
        except TypeError:
            continue
    raise AssertionError(f"cannot build {kind.__name__}")
