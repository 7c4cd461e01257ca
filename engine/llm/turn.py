"""One chat turn (ARCHITECTURE.md §3): prompt → semantic cache → streamed answer with the
bounded tool loop → events.

The session manager builds a :class:`TurnRequest`, picks the provider
(:class:`~engine.llm.factory.LlmProviders`), and runs ``ChatTurn(...).run(request, emit)`` in a
task. Cancelling that task (a new user message, ``message_type`` 9) stops generation: the
cancellation reaches the provider's stream, which stops the model; no ``Done`` is emitted.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import dataclass, field, replace
from typing import Any

from engine.llm.cache import CacheScope, SemanticCache, digest
from engine.llm.config import LlmConfig
from engine.llm.errors import LlmError, LlmTimeout, LlmUnavailable
from engine.llm.events import (
    Citations,
    Done,
    Emit,
    Failed,
    TextDelta,
    ToolFinished,
    ToolStarted,
    TurnEvent,
)
from engine.llm.grounding import (
    AnswerMode,
    extractive_answer,
    is_grounded,
    used_citations,
)
from engine.llm.metrics import LlmMetrics
from engine.llm.prompt import (
    Citation,
    Passage,
    Prompt,
    PromptBuilder,
    PromptInput,
    citations_for,
    merge_passages,
)
from engine.llm.provider import ChatModel, CompletionRequest, JsonObject, Message
from engine.llm.repetition import STOPPED_NOTE, RepetitionGuard
from engine.llm.shortlist import ToolShortlist
from engine.llm.think import ThinkFilter
from engine.llm.toolloop import LoopEvent, ToolLoop, ToolRunner
from engine.llm.toolphrase import shows_raw, tool_sentences

DEFAULT_ANSWER_TOKENS = 512
KB_ANSWER_TOKENS = 160
"""The cap of an answer from knowledge-base passages when ``llm-max-tokens`` is unset: such
answers are short quotes, and a small model that rambles on holds the answer back."""

__all__ = ["Citations", "Done", "Failed", "TextDelta", "ToolFinished", "ToolStarted",
           "TurnEvent"]


@dataclass(frozen=True, slots=True)
class TurnOptions:
    """The turn's knobs, usually :meth:`from_config` of the bot's config."""

    temperature: float | None = None
    max_tokens: int | None = None
    max_tool_rounds: int = 5
    history_limit: int | None = None
    native_tools: bool | None = None
    cache: bool = False
    cache_semantic: bool = False
    idle_timeout: float = 60.0
    kb_answer_mode: AnswerMode = AnswerMode.AUTO
    """``kb-answer-mode``: how a turn with knowledge-base passages answers (grounding.py)."""

    @classmethod
    def from_config(cls, llm: LlmConfig) -> TurnOptions:
        return cls(temperature=llm.temperature, max_tokens=llm.max_tokens,
                   max_tool_rounds=llm.max_tool_rounds, history_limit=llm.history_limit,
                   native_tools=llm.native_tools, cache=llm.cache,
                   cache_semantic=llm.cache_semantic, idle_timeout=llm.timeout)


@dataclass(frozen=True, slots=True)
class TurnRequest:
    """Everything one turn needs. ``system_parts``: PROMPT.md/system-prompt, BEGIN SYSTEM
    PROMPT texts, switcher prompts, in that order; ``context``: the active SET CONTEXT text;
    ``tools``: OpenAI descriptors of the session's tools; ``model``: the session's USE MODEL
    choice (the provider given to :class:`ChatTurn` must already be the one for it);
    ``private``: the prompt holds user-private data the other fields do not show (per-user
    KB, memory), so cached answers are scoped to ``user_id``; ``query_embedding``: the
    message's vector from the cache's embedder when the caller already computed it (the KB
    search), which spares the cache embedding it again."""

    bot_id: str
    session_id: str
    user_id: str | None
    message: str
    system_parts: tuple[str, ...] = ()
    context: str | None = None
    history: tuple[Message, ...] = ()
    tools: tuple[JsonObject, ...] = ()
    kb_passages: tuple[Passage, ...] = ()
    kb_version: str = ""
    kb_used: bool = False
    """The session uses a knowledge base (then ``extractive`` mode never asks the model, even
    when the search found nothing)."""
    model: str | None = None
    private: bool = False
    options: TurnOptions = field(default_factory=TurnOptions)
    query_embedding: tuple[float, ...] | None = None


class ChatTurn:
    def __init__(self, model: ChatModel | None, *, tools: ToolRunner | None = None,
                 cache: SemanticCache | None = None, metrics: LlmMetrics | None = None,
                 shortlist: ToolShortlist | None = None) -> None:
        self._model = model
        self._tools = tools
        self._shortlist = shortlist
        self._cache = cache
        self._metrics = metrics

    async def run(self, request: TurnRequest, emit: Emit) -> str | None:
        """Run the turn, emitting its events; the answer's text, or None when it failed."""
        if self._metrics:
            self._metrics.request()
        try:
            return await self._run(request, emit)
        except LlmError as error:
            await emit(Failed(error.message, type(error).__name__))
            return None

    async def _run(self, request: TurnRequest, emit: Emit) -> str:
        scope = cache_scope(request, self._model.model if self._model else "")
        use_cache = self._cache is not None and request.options.cache
        if use_cache and (answer := await self._cached(request, scope, emit)) is not None:
            return answer
        extractive = request.kb_used and request.options.kb_answer_mode is AnswerMode.EXTRACTIVE
        if extractive:  # no model is asked (none may be installed)
            (text, citations), used_tools = await _extractive(request, None, emit), False
        elif request.kb_passages:
            text, citations, used_tools = await self._grounded(request, self.prompt(request),
                                                               emit)
        else:
            prompt = self.prompt(request)
            (text, used_tools), citations = await self._answer(request, prompt, emit), ()
        if citations:
            await emit(Citations(citations))
        await emit(Done(text))
        if use_cache and text and not used_tools and not text.endswith(STOPPED_NOTE):
            assert self._cache is not None
            await self._cache.store(scope, request.message, text, citations)
        return text

    def prompt(self, request: TurnRequest) -> Prompt:
        if self._model is None:
            raise LlmUnavailable("no chat model for this turn")
        options = request.options
        builder = PromptBuilder(self._model.count_tokens, self._model.capabilities.max_context,
                                options.max_tokens or DEFAULT_ANSWER_TOKENS,
                                options.history_limit)
        return builder.build(PromptInput(
            request.message, request.system_parts, request.context, request.kb_passages,
            request.history, request.tools if self._tools is not None else ()))

    async def _cached(self, request: TurnRequest, scope: CacheScope, emit: Emit) -> str | None:
        assert self._cache is not None
        semantic = request.options.cache_semantic and not request.tools
        found = await self._cache.lookup(scope, request.message, semantic=semantic,
                                         embedding=request.query_embedding)
        if found is None:
            return None
        await emit(TextDelta(found.text))
        if found.citations:
            await emit(Citations(found.citations))
        await emit(Done(found.text, cached=True))
        return found.text

    async def _grounded(self, request: TurnRequest, prompt: Prompt,
                        emit: Emit) -> tuple[str, tuple[Citation, ...], bool]:
        """A turn with knowledge-base passages: the model's answer and the citations it used,
        or (``kb-answer-mode`` auto) the extractive answer when the prompt holds no passage,
        the model takes longer than ``llm-timeout`` in all, fails, loops, declines or strays
        from the passages. In auto mode the model's text is held back until it is judged, so
        an invented answer is never shown."""
        mode = request.options.kb_answer_mode
        if request.options.max_tokens is None:
            request = replace(request, options=replace(request.options,
                                                       max_tokens=KB_ANSWER_TOKENS))
        if mode is AnswerMode.AUTO and not prompt.passages:  # the model is too small for them
            return (*await _extractive(request, prompt, emit), False)
        if mode is AnswerMode.GENERATIVE:
            text, used_tools = await self._answer(request, prompt, emit)
            return text, _used(request, prompt, text), used_tools

        async def held(event: TurnEvent) -> None:
            if not isinstance(event, TextDelta):
                await emit(event)

        try:
            async with asyncio.timeout(request.options.idle_timeout):
                text, used_tools = await self._answer(request, prompt, held)
        except (LlmError, TimeoutError):
            text, used_tools = "", False
        stopped = text.endswith(STOPPED_NOTE)
        if (used_tools and text and not stopped) or (
                not stopped and is_grounded(text, prompt.passages, request.message)):
            await emit(TextDelta(text))
            return text, _used(request, prompt, text), used_tools
        return (*await _extractive(request, prompt, emit), used_tools)

    async def _answer(self, request: TurnRequest, prompt: Prompt,
                      emit: Emit) -> tuple[str, bool]:
        options = request.options
        completion = CompletionRequest(prompt.messages, tools=prompt.tools,
                                       temperature=options.temperature,
                                       max_tokens=options.max_tokens or DEFAULT_ANSWER_TOKENS)
        if self._model is None:
            raise LlmUnavailable("no chat model for this turn")
        loop = ToolLoop(self._model, self._tools or _NoTools(),
                        max_rounds=options.max_tool_rounds, native=options.native_tools,
                        context=request.context, shortlist=self._shortlist)
        visible, used_tools = ThinkFilter(), False
        guard = RepetitionGuard()
        results: list[tuple[str, str]] = []
        try:
            async with aclosing(_idle_limited(loop.run(completion),
                                              options.idle_timeout)) as events:
                async for event in events:
                    if isinstance(event, TextDelta):
                        if text := visible.feed(event.text):
                            await emit(TextDelta(text))
                            if guard.feed(text):
                                break  # leaving closes the events, which stops the model
                    else:
                        used_tools = True
                        if isinstance(event, ToolFinished):
                            results.append((event.name, event.result))
                        await emit(event)
        except LlmError:
            if not results:
                raise
            return await _phrased(results, "", emit), True  # the tools ran: say what they found
        if not guard.looping and (tail := visible.flush().rstrip()):
            guard.feed(tail)
            await emit(TextDelta(tail))
        if guard.looping:  # the answer keeps its first occurrence; the user learns why
            await emit(TextDelta(f"\n\n{STOPPED_NOTE}"))
            return f"{guard.kept()}\n\n{STOPPED_NOTE}", used_tools
        if results:
            return await _phrased(results, guard.kept().strip(), emit), True
        return guard.kept().strip(), used_tools


async def _extractive(request: TurnRequest, prompt: Prompt | None,
                      emit: Emit) -> tuple[str, tuple[Citation, ...]]:
    """The extractive answer from the prompt's passages (all passages, merged, when the
    prompt holds none or there is no prompt), emitted."""
    if prompt is not None and prompt.passages:
        passages, citations = prompt.passages, prompt.citations
    else:
        passages = merge_passages(request.kb_passages)
        citations = citations_for(passages)
    text, chosen = extractive_answer(request.message, passages, citations)
    await emit(TextDelta(text))
    return text, chosen


def _used(request: TurnRequest, prompt: Prompt, text: str) -> tuple[Citation, ...]:
    return used_citations(text, prompt.citations, prompt.passages, request.message)


async def _phrased(results: list[tuple[str, str]], text: str, emit: Emit) -> str:
    """The model's answer after tools ran, or the templated sentences of their results when
    the model wrote nothing or repeated a raw JSON result (the final ``Done`` text replaces
    what was streamed)."""
    if text and not shows_raw(text, results):
        return text
    sentence = tool_sentences(results)
    if not text:
        await emit(TextDelta(sentence))
    return sentence


async def _idle_limited(events: AsyncGenerator[LoopEvent, None],
                        seconds: float) -> AsyncGenerator[LoopEvent, None]:
    """The events, failing with LlmTimeout when none arrives for ``seconds``. The deadline
    covers only the wait for the next event (never the consumer's work between events)."""
    async with aclosing(events):
        while True:
            try:
                async with asyncio.timeout(seconds):
                    event = await anext(events)
            except StopAsyncIteration:
                return
            except TimeoutError as error:
                raise LlmTimeout(f"the model did not answer within {seconds:g} s") from error
            yield event


def cache_scope(request: TurnRequest, model: str) -> CacheScope:
    """Where the turn's answer may be cached: everything the answer depends on, plus the user
    when the prompt is private (a context, the user's own messages, or ``private``)."""
    private = request.private or bool(request.context) or any(
        m.role == "user" for m in request.history)
    return CacheScope(
        bot=request.bot_id, model=model,
        system_hash=digest(json.dumps([request.system_parts, request.context])),
        tools_hash=digest(json.dumps(request.tools, sort_keys=True, default=str)),
        history_hash=digest(json.dumps([[m.role, m.content] for m in request.history])),
        # the answer mode changes a KB answer, so answers of another mode never match
        kb_version=f"{request.kb_version}|{request.options.kb_answer_mode}"
        if request.kb_used else request.kb_version,
        user=request.user_id if private else None)


class _NoTools:
    async def run(self, name: str, arguments: dict[str, Any]) -> str:
        return "Error: no tools can run in this session"
