"""The OpenAI-compatible provider against a real OpenAI-compatible server on loopback:
llama-cpp-python's server running SmolLM2, started by the fixture (not a mock)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from llmfakes import tool
from realmodels import SMOLLM2, model_path

from engine.basic.query import ALL_ROWS
from engine.data.sqlite_store import SqliteTableStore
from engine.llm.config import LlmConfig
from engine.llm.events import Done, TextDelta, ToolStarted, TurnEvent
from engine.llm.factory import provider_for
from engine.llm.openai_compat import OpenAICompatibleChatModel
from engine.llm.provider import (
    ChatModel,
    CompletionRequest,
    Finish,
    Message,
    TextChunk,
)
from engine.llm.turn import ChatTurn, TurnOptions, TurnRequest
from tests.conftest import require_service
from tests.services.ports import free_port

NOTE = tool("save-note", "Save a note for the user", text="The note text")


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = model_path(SMOLLM2)
    try:
        import llama_cpp.server  # noqa: F401
    except ImportError:
        require_service("llama-cpp-python server", "install llama-cpp-python[server]")
    port = free_port()
    log = tmp_path_factory.mktemp("llama-server") / "server.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--host",
             "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "1",
             "--model_alias", "smollm2"], stdout=sink, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def served(url: str) -> OpenAICompatibleChatModel:
    return OpenAICompatibleChatModel(url + "/v1", "smollm2", timeout=120)


def test_streaming_text(server_url: str) -> None:
    async def main() -> list[Any]:
        async with served(server_url) as model:
            request = CompletionRequest((Message("user", "What is the capital of France?"),),
                                        temperature=0.0, max_tokens=24)
            return [delta async for delta in model.stream(request)]
    deltas = asyncio.run(main())
    texts = [d.text for d in deltas if isinstance(d, TextChunk)]
    assert len(texts) > 3 and "paris" in "".join(texts).lower()
    assert isinstance(deltas[-1], Finish) and deltas[-1].reason in ("stop", "length")


def test_a_named_tool_call_comes_back_as_a_tool_call(server_url: str) -> None:
    async def main() -> Any:
        async with served(server_url) as model:
            return await model.complete(CompletionRequest(
                (Message("user", "Save a note: buy milk"),), tools=(NOTE,),
                tool_choice="save-note", temperature=0.0, max_tokens=48))
    result = asyncio.run(main())
    assert [c.name for c in result.tool_calls] == ["save-note"]
    assert isinstance(result.tool_calls[0].parsed_arguments()["text"], str)


def test_a_constrained_json_answer(server_url: str) -> None:
    schema = {"type": "object", "properties": {"city": {"type": "string"}},
              "required": ["city"], "additionalProperties": False}

    async def main() -> str:
        async with served(server_url) as model:
            return (await model.complete(CompletionRequest(
                (Message("user", "Which city is the capital of France? Answer in JSON."),),
                response_schema=schema, temperature=0.0, max_tokens=32))).text
    assert set(json.loads(asyncio.run(main()))) == {"city"}


class SavingRunner:
    def __init__(self, store: SqliteTableStore) -> None:
        self.store = store

    async def run(self, name: str, arguments: dict[str, Any]) -> str:
        return str(await asyncio.to_thread(self.store.save, "notes", dict(arguments)))


def test_a_chat_turn_with_a_tool_through_the_server(server_url: str, tmp_path: Path) -> None:
    config = {"llm-url": server_url + "/v1", "llm-model": "smollm2",
              "llm-native-tools": "false", "llm-timeout": "120"}
    provider: ChatModel = provider_for(config, _NoSecrets(), _no_local)
    options = TurnOptions.from_config(LlmConfig.from_mapping(config))
    request = TurnRequest("bot", "s", "u", "Save a note: call the plumber", tools=(NOTE,),
                          options=TurnOptions(**{**_fields(options), "max_tokens": 32,
                                                 "max_tool_rounds": 1}))
    events: list[TurnEvent] = []

    async def main() -> None:
        async def emit(event: TurnEvent) -> None:
            events.append(event)
        async with provider:
            await ChatTurn(provider, tools=SavingRunner(store)).run(request, emit)

    with SqliteTableStore(tmp_path / "t.db") as store:
        asyncio.run(main())
        rows = store.find("notes", ALL_ROWS)
    assert isinstance(events[0], ToolStarted) and events[0].name == "save-note"
    assert len(rows) == 1
    assert isinstance(events[-1], Done) and any(isinstance(e, TextDelta) for e in events)


def test_cancelling_closes_the_stream(server_url: str) -> None:
    async def main() -> float:
        async with served(server_url) as model:
            seen = 0

            async def consume() -> None:
                nonlocal seen
                request = CompletionRequest((Message("user", "Write a long story."),),
                                            max_tokens=500)
                async for delta in model.stream(request):
                    seen += isinstance(delta, TextChunk)
            task = asyncio.create_task(consume())
            while seen < 5:
                await asyncio.sleep(0.01)
            started = time.perf_counter()
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task
            return time.perf_counter() - started
    assert asyncio.run(main()) < 1.0


class _NoSecrets:
    def get(self, name: str) -> str | None:
        return None


def _no_local(name: str | None) -> ChatModel:
    raise AssertionError("the server is configured, the local model must not be used")


def _fields(options: TurnOptions) -> dict[str, Any]:
    return {name: getattr(options, name) for name in options.__dataclass_fields__}


def _wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"llama_cpp.server exited: {log.read_text(errors='replace')[-2000:]}")
        try:
            if httpx.get(url + "/v1/models", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    pytest.fail("llama_cpp.server did not start within 120 s")
