"""The LLM service the BASIC VM calls (``engine.basic.host.LlmService``, BASIC.md §6).

The VM runs in a worker thread and calls synchronously. With the engine's event loop, each
call runs the async provider on that loop (``asyncio.run_coroutine_threadsafe``) and waits;
without a loop (scripts run from a plain thread, tests, the CLI) a provider that can block
(the in-process llama.cpp model) is called directly. ``llm-timeout`` becomes BASIC's
``TimeoutError``, any other model failure ``ServiceError``.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
from collections.abc import Callable, Coroutine
from typing import Any, Literal, Protocol, TypeVar, runtime_checkable

from engine.basic.errors import BasicTimeoutError, ServiceError
from engine.basic.query import Value
from engine.llm.errors import LlmError, LlmTimeout
from engine.llm.factory import SharedChatModel
from engine.llm.metrics import LlmMetrics
from engine.llm.provider import ChatModel, Completion, CompletionRequest, Message
from engine.llm.repetition import without_repeats
from engine.llm.think import strip_think

T = TypeVar("T")
ImageLoader = Callable[[Value], tuple[bytes, str]]
"""Reads an image value (drive path, file map) as ``(bytes, media type)``."""
ProviderChoice = Callable[[str | None], ChatModel]
"""The provider for a USE MODEL choice (None: the bot's default), e.g.
``lambda model: providers.get(bot_config, model)``."""

DEFAULT_MAX_TOKENS = 512
"""The answer cap when ``llm-max-tokens`` is not set: a keyword's answer always ends."""

IMAGE_TASKS = {"see": "Describe this image in a few sentences.",
               "ocr": "Transcribe all the text in this image exactly. Reply with the text only."}


@runtime_checkable
class BlockingChatModel(Protocol):
    """A provider that can answer without an event loop (from the calling thread)."""

    def complete_blocking(self, request: CompletionRequest, timeout: float) -> Completion: ...


class LlmKeywordService:
    def __init__(self, providers: ProviderChoice, *,
                 loop: asyncio.AbstractEventLoop | None = None, timeout: float = 60.0,
                 temperature: float | None = None, max_tokens: int | None = None,
                 image_loader: ImageLoader | None = None,
                 metrics: LlmMetrics | None = None) -> None:
        self._providers = providers
        self._loop = loop
        self._timeout = timeout
        self._temperature = temperature
        self._max_tokens = max_tokens or DEFAULT_MAX_TOKENS
        self._image_loader = image_loader
        self._metrics = metrics

    def complete(self, prompt: str, model: str | None) -> str:
        """``LLM prompt`` and the text keywords: one user message, no history, no tools."""
        return self._ask(self._provider(model), Message("user", prompt))

    def _provider(self, model: str | None) -> ChatModel:
        """The provider; "none reachable" (e.g. no model installed) is a ServiceError (§6)."""
        try:
            return self._providers(model)
        except LlmError as error:
            raise ServiceError(error.message) from error

    def describe_image(self, image: Value, task: Literal["see", "ocr"]) -> str:
        provider = self._provider(None)
        if not provider.capabilities.vision:
            raise ServiceError(f"{task.upper()} needs a vision-capable model "
                               f"({provider.model} cannot read images)")
        return self._ask(provider, Message("user", IMAGE_TASKS[task],
                                           images=(self._image_url(image),)))

    def _ask(self, provider: ChatModel, message: Message) -> str:
        if self._metrics:
            self._metrics.request()
        request = CompletionRequest((message,), temperature=self._temperature,
                                    max_tokens=self._max_tokens)
        try:
            return without_repeats(strip_think(self._complete(provider, request).text))
        except LlmTimeout as error:
            raise BasicTimeoutError(error.message) from error
        except LlmError as error:
            raise ServiceError(error.message) from error

    def _complete(self, provider: ChatModel, request: CompletionRequest) -> Completion:
        if self._loop is not None:
            return self._on_loop(self._loop, provider.complete(request))
        inner = provider.inner if isinstance(provider, SharedChatModel) else provider
        if isinstance(inner, BlockingChatModel):
            return inner.complete_blocking(request, self._timeout)
        raise ServiceError(f"{provider.provider} needs the engine's event loop")

    def _on_loop(self, loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, T]) -> T:
        if _running_loop() is loop:
            work.close()
            raise ServiceError("the LLM cannot be called from the event loop thread")
        future = asyncio.run_coroutine_threadsafe(
            _limited(work, self._timeout), loop)
        try:
            return future.result()
        except concurrent.futures.CancelledError as error:
            raise ServiceError("the LLM call was cancelled") from error

    def _image_url(self, image: Value) -> str:
        if isinstance(image, str) and image.startswith(("https://", "data:")):
            return image
        if self._image_loader is None:
            raise ServiceError("images cannot be read in this host")
        data, media_type = self._image_loader(image)
        return f"data:{media_type};base64,{base64.b64encode(data).decode()}"


async def _limited(work: Coroutine[Any, Any, T], seconds: float) -> T:
    try:
        async with asyncio.timeout(seconds):
            return await work
    except TimeoutError as error:
        raise LlmTimeout(f"the model did not answer within {seconds:g} s") from error


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
