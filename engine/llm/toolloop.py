"""The bounded tool loop of a chat turn (BASIC.md §11.4): model → tool calls → results back →
… → final answer, at most ``llm-max-tool-rounds`` rounds.

Two strategies, chosen by the provider's capabilities:

- **native**: the tools go to the model as OpenAI function schemas; its tool calls come back
  in the stream, results go back as ``tool`` messages;
- **constrained** (models without native tool calling, e.g. SmolLM2 or Qwen on llama.cpp): a
  JSON-schema-constrained decision step (:mod:`engine.llm.decision`) picks a tool and its
  arguments or ``none`` (the arguments' values are checked against the user's words, asked
  for once more, then filled from the request: :mod:`engine.llm.arguments`); the results are
  then given to the model for a plain streamed answer.

Tool failures never end the turn: the error text becomes the tool result, so the model can
correct itself (§11.4.5). Cancellation always propagates.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncGenerator, Sequence
from dataclasses import replace
from typing import Any, Protocol

from engine.llm.arguments import filled, problems, unusable
from engine.llm.decision import (
    NONE,
    Decision,
    answer_message,
    decision_schema,
    parse_decision,
    result_messages,
    retry_messages,
    router_messages,
)
from engine.llm.errors import LlmBadResponse
from engine.llm.events import TextDelta, ToolFinished, ToolStarted
from engine.llm.prompt import openai_tool, tool_name
from engine.llm.provider import (
    ChatModel,
    CompletionRequest,
    JsonObject,
    Message,
    TextChunk,
    ToolCall,
    ToolCallAccumulator,
    ToolCallChunk,
)
from engine.llm.shortlist import ToolShortlist

LoopEvent = TextDelta | ToolStarted | ToolFinished
LoopEvents = AsyncGenerator[LoopEvent, None]
DECISION_MAX_TOKENS = 256
ROUTER_HISTORY = 6  # conversation messages the router sees (small models lose focus)


class ToolRunner(Protocol):
    """Runs a tool (the lead's implementation runs the tool's BASIC script)."""

    async def run(self, name: str, arguments: dict[str, Any]) -> str: ...


class ToolLoop:
    def __init__(self, model: ChatModel, runner: ToolRunner, *, max_rounds: int = 5,
                 native: bool | None = None, context: str | None = None,
                 shortlist: ToolShortlist | None = None) -> None:
        self._model = model
        self._shortlist = shortlist
        self._runner = runner
        self._max_rounds = max_rounds
        self._native = model.capabilities.supports_tools if native is None else native
        self._context = context
        self._must_call = False  # set by candidates(): the shortlist is sure of its tool

    def run(self, request: CompletionRequest) -> LoopEvents:
        """Events of the whole exchange; the text deltas are the model's raw text."""
        if not request.tools or self._max_rounds <= 0:
            return _text(self._model, replace(request, tools=(), tool_choice=None))
        return self._native_loop(request) if self._native else self._constrained_loop(request)

    async def _native_loop(self, request: CompletionRequest) -> LoopEvents:
        messages = list(request.messages)
        for round_ in range(self._max_rounds + 1):
            last = round_ == self._max_rounds
            calls = ToolCallAccumulator()
            text: list[str] = []
            step = replace(request, messages=tuple(messages),
                           tool_choice="none" if last else request.tool_choice)
            async for delta in self._model.stream(step):
                if isinstance(delta, TextChunk):
                    text.append(delta.text)
                    yield TextDelta(delta.text)
                elif isinstance(delta, ToolCallChunk):
                    calls.add(delta)
            if last or not calls.calls():
                return
            messages.append(Message("assistant", "".join(text), tool_calls=calls.calls()))
            for call in calls.calls():
                async for event in self._run_call(call, messages):
                    yield event

    async def _run_call(self, call: ToolCall, messages: list[Message]
                        ) -> LoopEvents:
        try:
            arguments = call.parsed_arguments()
        except LlmBadResponse as error:
            messages.append(Message("tool", f"Error: {error.message}", tool_call_id=call.id,
                                    name=call.name))
            return
        yield ToolStarted(call.name, arguments)
        result = await run_tool(self._runner, call.name, arguments)
        yield ToolFinished(call.name, result)
        messages.append(Message("tool", result, tool_call_id=call.id, name=call.name))

    async def _constrained_loop(self, request: CompletionRequest) -> LoopEvents:
        tools = tuple(await self.candidates(request))
        rounds: list[Message] = []
        runs: list[tuple[Decision, str]] = []
        seen: set[str] = set()
        for _ in range(self._max_rounds):
            decision = await self.decide(replace(request, tools=tools), rounds)
            key = json.dumps([decision.tool, decision.arguments], sort_keys=True)
            if not decision.is_call or key in seen:
                break
            seen.add(key)
            yield ToolStarted(decision.tool, decision.arguments)
            result = await run_tool(self._runner, decision.tool, decision.arguments)
            yield ToolFinished(decision.tool, result)
            runs.append((decision, result))
            rounds += result_messages(decision, result)
        messages = (*request.messages, answer_message(runs)) if runs else request.messages
        async for event in _text(self._model, replace(request, messages=messages, tools=(),
                                                      tool_choice=None)):
            yield event

    async def candidates(self, request: CompletionRequest) -> list[JsonObject]:
        """The tools the decision may choose from: all, or the shortlist for the last user
        message (embedded in a worker thread)."""
        self._must_call = False
        if self._shortlist is None:
            return list(request.tools)
        message = next((m.content for m in reversed(request.messages) if m.role == "user"), "")
        ranked = await asyncio.to_thread(self._shortlist.ranked, message, request.tools)
        chosen = self._shortlist.pick(ranked, len(request.tools))
        self._must_call = bool(chosen) and self._shortlist.sure(ranked)
        return chosen

    async def decide(self, request: CompletionRequest,
                     rounds: Sequence[Message] = ()) -> Decision:
        """One constrained decision among ``request.tools`` for the request's conversation,
        after the tool ``rounds`` already run (temperature 0: same request, same decision)."""
        conversation = [m for m in request.messages if m.role in ("user", "assistant")]
        router = [*router_messages(request.tools, conversation[-ROUTER_HISTORY:],
                                   self._context), *rounds]
        schema = decision_schema(request.tools, none=not (self._must_call and not rounds))
        constrained = self._model.capabilities.json_schema
        step = CompletionRequest(tuple(router), response_schema=schema if constrained else None,
                                 model=request.model, temperature=0.0, seed=0,
                                 max_tokens=DECISION_MAX_TOKENS)
        decision = parse_decision((await self._model.complete(step)).text, request.tools)
        said = next((m.content for m in reversed(conversation) if m.role == "user"), "")
        return await self._checked(decision, step, request.tools, said) if decision.is_call \
            else decision

    async def _checked(self, decision: Decision, step: CompletionRequest,
                       tools: Sequence[JsonObject], said: str) -> Decision:
        """The decision with arguments that pass :func:`problems`: asked once more with the
        problems named, then each failing value read off the user's words where it can be
        (:func:`filled`); a call still missing a required value, or whose required
        identifier or date the user never gave (:func:`unusable`), becomes ``none``."""
        function = next(openai_tool(t)["function"] for t in tools
                        if tool_name(t) == decision.tool)
        if issues := problems(function, decision.arguments, said):
            chosen = [t for t in tools if tool_name(t) == decision.tool]
            retry = replace(step, messages=(*step.messages, *retry_messages(decision, issues)),
                            response_schema=decision_schema(chosen)
                            if step.response_schema is not None else None)
            again = parse_decision((await self._model.complete(retry)).text, chosen)
            if again.is_call:
                decision = again
        arguments = filled(function, decision.arguments, said)
        return Decision(NONE, {}) if unusable(function, arguments, said) \
            else Decision(decision.tool, arguments)


async def run_tool(runner: ToolRunner, name: str, arguments: dict[str, Any]) -> str:
    """The tool's result, or its error as text (the model sees it and may retry)."""
    try:
        return await runner.run(name, arguments)
    except Exception as error:
        message = getattr(error, "message", None) or str(error) or type(error).__name__
        return f"Error: {message}"


async def _text(model: ChatModel, request: CompletionRequest) -> LoopEvents:
    async for delta in model.stream(request):
        if isinstance(delta, TextChunk):
            yield TextDelta(delta.text)


def tool_names(tools: Sequence[Any]) -> list[str]:
    return [tool_name(t) for t in tools]
