"""The BASIC LlmService adapter: loop and loop-less paths, timeouts, errors, vision."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

import pytest
from llmfakes import FakeChatModel

from engine.basic.errors import BasicTimeoutError, ServiceError
from engine.llm.errors import LlmUnavailable
from engine.llm.factory import LlmProviders, SharedChatModel
from engine.llm.keywords import LlmKeywordService
from engine.llm.metrics import LlmMetrics
from engine.llm.provider import Capabilities, ChatModel, Completion, CompletionRequest
from engine.llm.registry import ProviderRegistry, ProviderSettings

T = TypeVar("T")


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """An engine-like event loop running in its own thread."""
    running = asyncio.new_event_loop()
    thread = threading.Thread(target=running.run_forever, daemon=True)
    thread.start()
    yield running
    running.call_soon_threadsafe(running.stop)
    thread.join(5)
    running.close()


def in_vm_thread(work: Callable[[], T]) -> T:
    """Call like the BASIC VM does: from a worker thread, synchronously."""
    box: list[T | BaseException] = []

    def target() -> None:
        try:
            box.append(work())
        except BaseException as error:
            box.append(error)
    thread = threading.Thread(target=target)
    thread.start()
    thread.join(10)
    if isinstance(box[0], BaseException):
        raise box[0]
    return box[0]


def test_complete_runs_on_the_engine_loop(loop: asyncio.AbstractEventLoop) -> None:
    model = FakeChatModel("<think>hmm</think> Bonjour")
    metrics = LlmMetrics()
    service = LlmKeywordService(lambda _m: model, loop=loop, metrics=metrics)
    assert in_vm_thread(lambda: service.complete("Translate hello", None)) == "Bonjour"
    assert model.requests[0].messages[0].content == "Translate hello"
    assert metrics.snapshot()["llm_requests_total"] == 1


def test_use_model_aliases_pick_the_configured_model(loop: asyncio.AbstractEventLoop) -> None:
    registry = ProviderRegistry()

    def factory(settings: ProviderSettings) -> ChatModel:
        return FakeChatModel(f"from {settings.model}", name=settings.model)
    registry.register("fake", factory)
    providers = LlmProviders(Secrets(), FakeChatModel(), registry)
    config = {"llm-provider": "fake", "llm-model": "big", "model-fast": "tiny"}
    service = LlmKeywordService(lambda m: providers.get(config, m), loop=loop)
    assert in_vm_thread(lambda: service.complete("x", "fast")) == "from tiny"
    assert in_vm_thread(lambda: service.complete("x", None)) == "from big"


def test_timeout_becomes_basic_timeout_error(loop: asyncio.AbstractEventLoop) -> None:
    model = FakeChatModel(endless=True, delay=0.05)
    service = LlmKeywordService(lambda _m: model, loop=loop, timeout=0.2)
    with pytest.raises(BasicTimeoutError, match=r"did not answer within 0\.2 s"):
        in_vm_thread(lambda: service.complete("x", None))
    assert model.stopped == 1


def test_failures_become_service_errors(loop: asyncio.AbstractEventLoop) -> None:
    service = LlmKeywordService(lambda _m: FakeChatModel(LlmUnavailable("server down")),
                                loop=loop)
    with pytest.raises(ServiceError, match="server down"):
        in_vm_thread(lambda: service.complete("x", None))


def test_calling_from_the_loop_thread_is_refused(loop: asyncio.AbstractEventLoop) -> None:
    service = LlmKeywordService(lambda _m: FakeChatModel("x"), loop=loop)

    async def on_loop() -> str:
        return service.complete("x", None)
    with pytest.raises(ServiceError, match="event loop thread"):
        asyncio.run_coroutine_threadsafe(on_loop(), loop).result(5)


class BlockingModel(FakeChatModel):
    def complete_blocking(self, request: CompletionRequest, timeout: float) -> Completion:
        self.requests.append(request)
        return Completion("<think>a</think>sync answer")


def test_without_a_loop_a_blocking_provider_is_called_directly() -> None:
    model = BlockingModel()
    service = LlmKeywordService(lambda _m: SharedChatModel(model))
    assert service.complete("x", None) == "sync answer"
    with pytest.raises(ServiceError, match="needs the engine's event loop"):
        LlmKeywordService(lambda _m: FakeChatModel()).complete("x", None)


def test_see_and_ocr_need_a_vision_model(loop: asyncio.AbstractEventLoop) -> None:
    blind = LlmKeywordService(lambda _m: FakeChatModel(), loop=loop)
    with pytest.raises(ServiceError, match="SEE needs a vision-capable model"):
        blind.describe_image("https://x/cat.png", "see")
    with pytest.raises(ServiceError, match="OCR needs a vision-capable model"):
        blind.describe_image("https://x/cat.png", "ocr")

    model = FakeChatModel("A cat.", capabilities=Capabilities(vision=True))
    seeing = LlmKeywordService(lambda _m: model, loop=loop,
                               image_loader=lambda _v: (b"\x89PNG", "image/png"))
    assert in_vm_thread(lambda: seeing.describe_image({"path": "cat.png"}, "see")) == "A cat."
    assert model.requests[0].messages[0].images == ("data:image/png;base64,iVBORw==",)
    with pytest.raises(ServiceError, match="images cannot be read"):
        LlmKeywordService(lambda _m: model, loop=loop).describe_image("cat.png", "see")


class Secrets:
    def get(self, name: str) -> str | None:
        return None
