"""The in-process local model: llama-cpp-python on a GGUF file.

llama.cpp is blocking and not thread-safe, so each model owns one dedicated worker thread:
loading, generation and embeddings all run there, never on the event loop. Streaming: the
worker iterates llama.cpp's token stream and hands each delta to the loop
(``call_soon_threadsafe`` into an ``asyncio.Queue``). Leaving the stream early or cancelling
the consuming task sets a stop flag the worker checks before every token, so generation stops
within one token (a prompt being evaluated finishes its batch first).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import importlib
import json
import os
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from pathlib import Path
from typing import Any

from engine.llm.errors import LlmTimeout, LlmUnavailable, translated
from engine.llm.prefixcache import evaluated_prompt_tokens, prefix_llama
from engine.llm.provider import (
    Capabilities,
    ChatModelBase,
    Completion,
    CompletionRequest,
    Delta,
    Finish,
    Message,
    TextChunk,
    collect_sync,
    estimate_tokens,
)

NAME = "the local model"
DEFAULT_TEMPERATURE = 0.2
_END = object()


def default_threads() -> int:
    """All cores but none beyond 8 (llama.cpp gains nothing from hyper-threads)."""
    return max(1, min(os.cpu_count() or 1, 8))


class LlamaCppChatModel(ChatModelBase):
    """A GGUF chat model run by llama.cpp; the chat template comes from the file."""

    def __init__(self, model_path: str | Path, *, n_threads: int | None = None,
                 n_ctx: int = 4096, n_batch: int = 512, name: str | None = None) -> None:
        self._path = Path(model_path)
        self._n_threads = n_threads or default_threads()
        self._n_ctx = n_ctx
        self._n_batch = n_batch
        self._name = name or self._path.stem
        self._executor = ThreadPoolExecutor(1, thread_name_prefix=f"llama-{self._name}")
        self._llm: Any = None
        self._generated = 0
        self._last_evaluated = 0
        self._capabilities = Capabilities(supports_tools=False, max_context=n_ctx,
                                          json_schema=True)

    @property
    def provider(self) -> str:
        return "llamacpp"

    @property
    def model(self) -> str:
        return self._name

    @property
    def capabilities(self) -> Capabilities:
        return self._capabilities

    @property
    def n_threads(self) -> int:
        return self._n_threads

    async def __aenter__(self) -> LlamaCppChatModel:
        await asyncio.get_running_loop().run_in_executor(self._executor, self.load)
        return self

    def load(self) -> None:
        """Load the model (in the model's thread; safe to call again)."""
        if self._llm is not None:
            return
        if not self._path.is_file():
            raise LlmUnavailable(f"model file not found: {self._path.name}")
        try:
            llama_cpp = importlib.import_module("llama_cpp")
        except ImportError as error:
            raise LlmUnavailable("llama-cpp-python is not installed") from error
        try:
            self._llm = prefix_llama(
                llama_cpp, str(self._path), n_ctx=self._n_ctx, n_threads=self._n_threads,
                n_threads_batch=self._n_threads, n_batch=self._n_batch, verbose=False)
        except (ValueError, RuntimeError, OSError) as error:
            raise LlmUnavailable(f"the model {self._path.name} cannot be loaded") from error

    async def stream(self, request: CompletionRequest) -> AsyncIterator[Delta]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stop = threading.Event()

        def put(item: object) -> None:
            if stop.is_set():  # nobody listens any more
                return
            with contextlib.suppress(RuntimeError):  # the loop closed under us
                loop.call_soon_threadsafe(queue.put_nowait, item)

        self._executor.submit(self._produce, request, stop, put)
        try:
            while (item := await queue.get()) is not _END:
                if isinstance(item, Exception):
                    raise item
                yield item
        finally:
            stop.set()

    def complete_blocking(self, request: CompletionRequest, timeout: float) -> Completion:
        """One completion from any thread without an event loop (BASIC keywords)."""
        stop = threading.Event()
        future = self._executor.submit(self._collect, request, stop)
        try:
            return future.result(timeout)
        except FutureTimeout as error:
            stop.set()
            raise LlmTimeout(f"the model did not answer within {timeout:g} s") from error

    def count_tokens(self, text: str) -> int:
        if self._llm is None:
            return estimate_tokens(text)
        return len(self._llm.tokenize(text.encode(), add_bos=False, special=True))

    @property
    def loaded(self) -> bool:
        """Whether the weights are in memory now."""
        return self._llm is not None

    async def unload(self) -> None:
        """Free the weights once the work already queued is done; the next request loads
        them again (so unloading a model still in use elsewhere only costs a reload)."""
        await asyncio.get_running_loop().run_in_executor(self._executor, self._free)

    @property
    def last_evaluated_tokens(self) -> int:
        """Prompt tokens llama.cpp evaluated for the last completion: the whole prompt on a
        first turn, only what is new when an earlier prompt's prefix was reused."""
        return self._last_evaluated

    @property
    def generated_tokens(self) -> int:
        """Text chunks (≈ tokens) generated since the model was created."""
        return self._generated

    async def aclose(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._executor, self._free)
        self._executor.shutdown(wait=False)

    def close(self) -> None:
        """:meth:`aclose` for callers without an event loop."""
        self._executor.submit(self._free).result()
        self._executor.shutdown(wait=False)

    # --- in the model's thread -----------------------------------------------------------------

    def _produce(self, request: CompletionRequest, stop: threading.Event,
                 put: Callable[[object], None]) -> None:
        try:
            for delta in self._deltas(request, stop):
                put(delta)
        except Exception as error:
            put(translated(error, NAME))
        finally:
            put(_END)

    def _collect(self, request: CompletionRequest, stop: threading.Event) -> Completion:
        try:
            return collect_sync(self._deltas(request, stop))
        except Exception as error:
            raise translated(error, NAME) from error

    def _deltas(self, request: CompletionRequest, stop: threading.Event) -> Iterator[Delta]:
        self.load()
        llama_cpp = importlib.import_module("llama_cpp")
        evaluated = evaluated_prompt_tokens(llama_cpp, self._llm)
        chunks = self._llm.create_chat_completion(stream=True, **_arguments(request))
        reason = "stop"
        try:
            for chunk in chunks:
                if stop.is_set():
                    reason = "cancelled"
                    break
                choice = chunk["choices"][0]
                if text := choice["delta"].get("content"):
                    self._generated += 1
                    yield TextChunk(text)
                reason = choice.get("finish_reason") or reason
        finally:
            chunks.close()
            self._last_evaluated = evaluated_prompt_tokens(llama_cpp, self._llm) - evaluated
        yield Finish(reason)

    def _free(self) -> None:
        if self._llm is not None:
            self._llm.close()
            self._llm = None


def _arguments(request: CompletionRequest) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "messages": [_wire(m) for m in request.messages],
        "temperature": DEFAULT_TEMPERATURE if request.temperature is None
        else request.temperature,
        "max_tokens": request.max_tokens, "stop": list(request.stop), "seed": request.seed}
    if request.response_schema is not None:  # key order matters: the grammar imposes it
        arguments["grammar"] = grammar_for(json.dumps(request.response_schema))
    return arguments


@functools.lru_cache(maxsize=64)
def grammar_for(schema: str) -> Any:
    """The llama.cpp grammar of a JSON schema (cached: building one takes milliseconds)."""
    return importlib.import_module("llama_cpp").LlamaGrammar.from_json_schema(schema,
                                                                              verbose=False)


def _wire(message: Message) -> dict[str, str]:
    """Chat templates of small local models know system/user/assistant only."""
    if message.role == "tool":
        return {"role": "user", "content": f"Result of {message.name or 'the tool'}: "
                                           f"{message.content}"}
    content = message.content
    if message.tool_calls:
        calls = "; ".join(f"{c.name}({c.arguments})" for c in message.tool_calls)
        content = f"{content}\n(called {calls})".strip()
    return {"role": message.role, "content": content}
