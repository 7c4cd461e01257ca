"""Bridging a synchronous BASIC run (worker thread) to the engine's async events.

The run's TALKs become :class:`BotResponse` events, in order, as they happen. The menu
options of a HEAR are sent when the run stops waiting for the answer: one response with no
text whose suggestions are the session's plus the options (clients show the latest
suggestions as buttons).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
from collections.abc import Awaitable, Callable
from concurrent.futures import Executor, Future
from functools import partial
from typing import Any

from engine.basic.host import Suggestion
from engine.events import BotResponse, Event, ScriptLog, SuggestionDTO, SwitcherDTO
from engine.sessions.state import SessionState

Emit = Callable[[Event], Awaitable[None]]


def suggestion_dto(s: Suggestion) -> SuggestionDTO:
    if s.kind == "tool":
        return SuggestionDTO(s.label, "tool", s.value, tool=s.value)
    if s.kind == "context":
        return SuggestionDTO(s.label, "context", s.value)
    return SuggestionDTO(s.label, "text", s.value)


def response(state: SessionState, content: str, extra: list[Suggestion] | None = None,
             is_complete: bool = True) -> BotResponse:
    suggestions = [suggestion_dto(s) for s in [*state.suggestions, *(extra or [])]]
    switchers = tuple(SwitcherDTO(s.value, s.label) for s in state.switchers)
    return BotResponse(state.id, content, is_complete=is_complete,
                       suggestions=tuple(suggestions), switchers=switchers,
                       context_name=state.context_name)


class RunOutput:
    """The ``Output`` of a run on a worker thread; events reach the loop in order."""

    def __init__(self, loop: asyncio.AbstractEventLoop, state: SessionState, bot: str) -> None:
        self.loop = loop
        self.state = state
        self.bot = bot
        self.queue: asyncio.Queue[Event | None] = asyncio.Queue()
        self._menu: list[Suggestion] = []
        self.said: list[str] = []
        self.options: list[str] = []  # the menu of the HEAR the run waits on, if any

    # -- Output protocol (called on the worker thread) --------------------------------------
    def talk(self, text: str) -> None:
        self._flush()
        self.said.append(text)
        self._put(response(self.state, text))

    def suggest(self, suggestion: Suggestion) -> None:
        if suggestion in self.state.suggestions or suggestion in self.state.switchers:
            return  # session suggestions travel with every message anyway
        self._menu.append(suggestion)


    def clear_suggestions(self, switchers: bool = False) -> None:
        return

    def log(self, text: str) -> None:
        self._put(ScriptLog(self.state.id, self.bot, text))

    def warn(self, text: str) -> None:
        self._put(ScriptLog(self.state.id, self.bot, text, warning=True))

    # -- plumbing ----------------------------------------------------------------------------
    def _flush(self) -> None:
        if self._menu:
            self.options = [s.value for s in self._menu]
            self._put(response(self.state, "", self._menu))
            self._menu = []

    def _put(self, event: Event | None) -> None:
        self.loop.call_soon_threadsafe(self.queue.put_nowait, event)

    def close(self) -> None:
        """The run ended (or suspended): flush and mark the end of its events."""
        self._flush()
        self._put(None)


async def pump(output: RunOutput, emit: Emit) -> None:
    while True:
        event = await output.queue.get()
        if event is None:
            return
        await emit(event)


async def run_in_thread(loop: asyncio.AbstractEventLoop, executor: Executor, output: RunOutput,
                        emit: Emit, work: Callable[[], Any]) -> Any:
    """Run ``work`` on the executor while its events are emitted as they happen.

    Returns once the run's last event is emitted. The output is closed exactly once whatever
    happens to the job: by the job when it ran, or, when it never ran (the caller was
    cancelled while the job still waited for a worker thread, or the executor shut down),
    by the job's cancellation. A caller cancelled while the job runs waits for the job to end
    (its events still go out), then sees ``CancelledError``: the worker does not outlive the
    turn that started it (only a second cancellation stops the waiting).
    """
    pumping = asyncio.ensure_future(pump(output, emit))

    def job() -> Any:
        try:
            return work()
        finally:
            output.close()

    # The worker sees the caller's context: the turn's bot-table unit (engine.data.journal).
    try:
        started = executor.submit(contextvars.copy_context().run, job)
    except BaseException:  # the executor is shut down: there is no run to pump
        pumping.cancel()
        raise
    started.add_done_callback(partial(_close_if_never_ran, output))
    try:
        return await asyncio.wrap_future(started, loop=loop)
    finally:
        await pumping


def _close_if_never_ran(output: RunOutput, job: Future[Any]) -> None:
    """A job cancelled before a worker took it never closes its output: close it here, or
    the pump waits for an end that never comes."""
    if job.cancelled():
        with contextlib.suppress(RuntimeError):  # the loop is already closed: nobody waits
            output.close()
