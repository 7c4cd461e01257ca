"""The LLM answer of a session (ARCHITECTURE.md §3): the session's state becomes a
:class:`~engine.llm.turn.TurnRequest`, the turn's events become chat-protocol events.

System prompt = PROMPT.md / ``system-prompt`` + BEGIN SYSTEM PROMPT text + active switchers'
prompts; the active SET CONTEXT text travels as the context; the session's USE TOOL tools are
offered (a tool call runs the tool's BASIC in this session); USE KB collections are searched
and their best passages cited.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any, Protocol

from engine.bots.registry import CompiledBot
from engine.errors import EngineError
from engine.events import BotResponse, CitationDTO, MessageType, ToolExecution, UserMessage
from engine.llm.cache import SemanticCache
from engine.llm.config import LlmConfig
from engine.llm.events import Citations, Done, Failed, TextDelta, ToolFinished, ToolStarted
from engine.llm.factory import LlmProviders
from engine.llm.grounding import ANSWER_MODE_KEY, AnswerMode, answer_mode
from engine.llm.metrics import LlmMetrics
from engine.llm.prompt import Passage
from engine.llm.provider import Message
from engine.llm.shortlist import ToolShortlist
from engine.llm.turn import ChatTurn, TurnOptions, TurnRequest
from engine.sessions.bridge import Emit, suggestion_dto
from engine.sessions.state import SessionState
from engine.sessions.store import ChatMessage

ToolRun = Callable[[SessionState, CompiledBot, str, dict[str, Any]], Awaitable[str]]
FAILED = "Sorry, I could not answer that right now ({})."
RESET = "reset"
"""``meta["event"]`` of the history's ``system`` message that starts the conversation over
(``/reset``): the model sees nothing said before it."""


class PassageSearch(Protocol):
    async def __call__(self, bot: str, collections: Sequence[str],
                       query: str) -> list[Passage]: ...


CacheFor = Callable[[str, LlmConfig], Awaitable[SemanticCache | None]]
ShortlistFor = Callable[[], ToolShortlist | None]


class LlmChat:
    """A :class:`~engine.sessions.manager.ChatHandler` on the engine's LLM providers."""

    def __init__(self, providers: LlmProviders, run_tool: ToolRun,
                 search: PassageSearch | None = None, metrics: LlmMetrics | None = None,
                 cache_for: CacheFor | None = None,
                 shortlist_for: ShortlistFor | None = None) -> None:
        self.providers = providers
        self.run_tool = run_tool
        self.search = search
        self.metrics = metrics
        self.cache_for = cache_for
        self.shortlist_for = shortlist_for

    async def answer(self, state: SessionState, bot: CompiledBot, message: UserMessage,
                     history: list[ChatMessage], emit: Emit) -> str | None:
        config = bot.config
        mode = answer_mode(config.get(ANSWER_MODE_KEY))
        kb_used = bool(state.kbs and self.search)
        try:  # extractive KB answers need no model (none may be installed)
            model = None if kb_used and mode is AnswerMode.EXTRACTIVE else \
                self.providers.get(config, state.model)
        except EngineError as error:  # e.g. the local model is not installed yet
            await emit(BotResponse(state.id, FAILED.format(error.message)))
            return None
        request = TurnRequest(
            bot_id=state.bot_name, session_id=state.id, user_id=state.user_id,
            message=message.content, system_parts=self._system(state, bot, message),
            context=state.get("context"), history=_history(history, message),
            tools=tuple(bot.tools[t.lower()].openai_tool() for t in state.tools
                        if t.lower() in bot.tools),
            kb_passages=tuple(await self._passages(state, message.content)),
            kb_version=",".join(state.kbs), kb_used=kb_used,
            model=state.model,
            private=bool(state.contexts or state.system_prompt),
            options=replace(TurnOptions.from_config(LlmConfig.from_mapping(config)),
                            kb_answer_mode=mode))
        relay = _Relay(state, emit, model.model if model else None)
        llm = LlmConfig.from_mapping(config)
        cache = await self.cache_for(state.bot_name, llm) if self.cache_for and llm.cache \
            else None
        # Local models choose tools far better from a shortlist of one (bench/llm.py).
        shortlist = self.shortlist_for() if self.shortlist_for and llm.is_local else None
        turn = ChatTurn(model, tools=_SessionTools(self.run_tool, state, bot), cache=cache,
                        metrics=self.metrics, shortlist=shortlist)
        text = await turn.run(request, relay.emit)
        if text is None and relay.failure:
            await emit(BotResponse(state.id, FAILED.format(relay.failure)))
        return text

    @staticmethod
    def _system(state: SessionState, bot: CompiledBot, message: UserMessage) -> tuple[str, ...]:
        parts = [bot.package.system_prompt() or bot.config.get("system-prompt", "")]
        parts.append(state.system_prompt)
        for switcher in message.active_switchers:
            parts.append(bot.config.get(f"switcher-{switcher}", ""))
        return tuple(p for p in parts if p)

    async def _passages(self, state: SessionState, query: str) -> list[Passage]:
        if self.search is None or not state.kbs:
            return []
        return await self.search(state.bot_name, state.kbs, query)


def reset_marker(session_id: str, at: datetime) -> ChatMessage:
    """The history entry after which the model's context starts empty."""
    return ChatMessage(session_id, "system", "The conversation was reset.",
                       int(MessageType.SYSTEM), at, {"event": RESET})


def _history(history: list[ChatMessage], message: UserMessage) -> tuple[Message, ...]:
    resets = [i for i, m in enumerate(history) if m.role == "system"
              and m.meta.get("event") == RESET]
    if resets:
        history = history[resets[-1] + 1:]
    turns = [m for m in history if m.role in ("user", "bot")]
    if turns and turns[-1].role == "user" and turns[-1].content == message.content:
        turns = turns[:-1]  # the message being answered is sent as the request itself
    return tuple(Message("user" if m.role == "user" else "assistant", m.content)
                 for m in turns)


class _SessionTools:
    def __init__(self, run: ToolRun, state: SessionState, bot: CompiledBot) -> None:
        self._run = run
        self._state = state
        self._bot = bot

    async def run(self, name: str, arguments: dict[str, Any]) -> str:
        return await self._run(self._state, self._bot, name, arguments)


class _Relay:
    """Turn events → chat-protocol events (chunks, tool cards, the complete message)."""

    def __init__(self, state: SessionState, emit: Emit, model: str | None) -> None:
        self.state = state
        self.out = emit
        self.model = model
        self.citations: tuple[CitationDTO, ...] = ()
        self.failure: str | None = None

    async def emit(self, event: Any) -> None:
        sid = self.state.id
        if isinstance(event, TextDelta):
            await self.out(BotResponse(sid, event.text, is_complete=False, model=self.model))
        elif isinstance(event, ToolStarted):
            await self.out(ToolExecution(sid, event.name, dict(event.arguments)))
        elif isinstance(event, ToolFinished):
            await self.out(ToolExecution(sid, event.name, {}, event.result, finished=True))
        elif isinstance(event, Citations):
            self.citations = tuple(CitationDTO(c.n, c.source, c.page, c.snippet)
                                   for c in event.items)
        elif isinstance(event, Done):
            await self.out(BotResponse(
                sid, event.full_text, suggestions=tuple(
                    suggestion_dto(s) for s in self.state.suggestions),
                citations=self.citations, context_name=self.state.context_name,
                model=self.model))
        elif isinstance(event, Failed):
            self.failure = event.error
