"""``hearth chat BOT``: talk to a bot in the terminal through the real engine.

Answers stream as they arrive, each followed by the name of the model that wrote it;
suggestions are numbered choices (type the number); ``/reset`` starts the conversation over
(the model forgets it too) and ``/quit`` leaves. Ctrl-C stops the answer being written and
keeps the chat; a second Ctrl-C leaves. The session is kept, so ``--session ID`` continues a
conversation, even one waiting on a question when Hearth was closed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TextIO

from app.engine_factory import build_engine
from engine.api import Engine
from engine.bots.errors import BotError
from engine.events import (
    BotResponse,
    Event,
    MessageType,
    ScriptLog,
    SuggestionDTO,
    ToolExecution,
    TurnFinished,
)


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("chat", help="chat with a bot in the terminal")
    parser.add_argument("bot", nargs="?", default="starter")
    parser.add_argument("--session", help="continue this session")
    parser.add_argument("--user", default="local", help="the user id (default: local)")
    parser.add_argument("--logs", action="store_true", help="show the scripts' log lines")
    parser.set_defaults(handler=run)


STOPPED = "(answer stopped; Ctrl-C again or /quit to leave)"
LEAVE_HINT = "(Ctrl-C again or /quit to leave)"


class TerminalChat:
    def __init__(self, engine: Engine, out: TextIO = sys.stdout, logs: bool = False) -> None:
        self.engine = engine
        self.out = out
        self.logs = logs
        self.choices: list[SuggestionDTO] = []
        self.streaming = False
        self.session_id: str | None = None
        self.answering = False  # a turn is in flight
        self.presses = 0  # Ctrl-C presses not spent on stopping an answer
        self.leave = asyncio.Event()

    def interrupt(self) -> None:
        """Ctrl-C: stop the answer in flight (the chat goes on); otherwise, the second press
        leaves."""
        if self.answering and self.session_id and self.engine.cancel(self.session_id):
            self.answering = False
            self.presses = 1
            print(f"\n{STOPPED}", file=self.out, flush=True)
            return
        self.presses += 1
        if self.presses >= 2:
            self.leave.set()
        else:
            print(f"\n{LEAVE_HINT}", file=self.out, flush=True)

    def show(self, event: Event) -> None:
        if isinstance(event, BotResponse):
            self._response(event)
        elif isinstance(event, ToolExecution) and not event.finished:
            print(f"  [running {event.tool}…]", file=self.out, flush=True)
        elif isinstance(event, ScriptLog) and (self.logs or event.warning):
            print(f"  # {event.text}", file=sys.stderr, flush=True)

    def _response(self, event: BotResponse) -> None:
        if not event.is_complete:
            print(event.content, end="", file=self.out, flush=True)
            self.streaming = True
            return
        if self.streaming:
            print(file=self.out)
            self.streaming = False
        elif event.content:
            print(f"\n{event.content}", file=self.out, flush=True)
        if event.model:
            print(f"  ({event.model})", file=self.out, flush=True)
        self.choices = list(event.suggestions)
        for index, choice in enumerate(self.choices, start=1):
            print(f"  {index}) {choice.text}", file=self.out, flush=True)

    async def turn(self, session_id: str, events: AsyncIterator[Event], text: str) -> None:
        """Send one line and show everything until the turn is finished."""
        content, kind, context = self._resolve(text)
        self.session_id, self.answering, self.presses = session_id, True, 0
        sending = asyncio.ensure_future(self.engine.send(session_id, content, kind,
                                                         context_name=context))
        try:
            await self.until_finished(events)
            await sending
        finally:
            self.answering = False

    async def until_finished(self, events: AsyncIterator[Event]) -> None:
        async for event in events:
            self.show(event)
            if isinstance(event, TurnFinished):
                if self.streaming:  # an answer stopped half-way
                    print(file=self.out, flush=True)
                    self.streaming = False
                if event.error:
                    print(f"error: {event.error}", file=sys.stderr)
                return

    def _resolve(self, text: str) -> tuple[str, MessageType, str | None]:
        if text.isdigit() and 1 <= int(text) <= len(self.choices):
            choice = self.choices[int(text) - 1]
            if choice.kind == "tool":
                return choice.tool or choice.text, MessageType.TOOL, None
            if choice.kind == "context":
                return choice.text, MessageType.SUGGESTION, choice.value
            return choice.value or choice.text, MessageType.USER, None
        return text, MessageType.USER, None


def _lines(loop: asyncio.AbstractEventLoop) -> asyncio.Queue[str | None]:
    """Lines typed on stdin (None at its end), read by a daemon thread: leaving the chat
    never waits for the user to press Enter."""
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        for line in iter(sys.stdin.readline, ""):
            loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\n"))
        loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=read, name="chat-stdin", daemon=True).start()
    return queue


async def _next_line(lines: asyncio.Queue[str | None], leave: asyncio.Event) -> str | None:
    """The next line, or None when stdin ends or the user leaves with Ctrl-C."""
    getting = asyncio.ensure_future(lines.get())
    leaving = asyncio.ensure_future(leave.wait())
    await asyncio.wait({getting, leaving}, return_when=asyncio.FIRST_COMPLETED)
    leaving.cancel()
    if not getting.done():
        getting.cancel()
        return None
    return getting.result()


async def chat(bot: str, session: str | None, user: str, logs: bool) -> int:
    async with build_engine() as engine:
        try:
            engine.bots.bot(bot)
        except BotError as error:
            print(f"error: {error.message}", file=sys.stderr)
            return 1
        terminal = TerminalChat(engine, logs=logs)
        session_id = session or uuid.uuid4().hex
        resuming = await engine.store.load_session(session_id) is not None
        async with engine.subscribe(session_id) as events:
            opening = asyncio.ensure_future(engine.open_session(
                bot, user_id=user, session_id=session_id, channel="api"))
            if not resuming:
                await terminal.until_finished(events)
            state = await opening
            print(f"(session {state.id} — /reset to start over, /quit to leave, Ctrl-C "
                  f"stops an answer)", file=sys.stderr)
            return await _converse(terminal, state.id, events)


async def _converse(terminal: TerminalChat, session_id: str,
                    events: AsyncIterator[Event]) -> int:
    loop = asyncio.get_running_loop()
    lines = _lines(loop)
    with _ctrl_c(loop, terminal.interrupt):
        while not terminal.leave.is_set():
            if sys.stdin.isatty():
                print("> ", end="", flush=True)
            line = await _next_line(lines, terminal.leave)
            if line is None or line.strip() == "/quit":
                break
            if line.strip() == "/reset":
                resetting = asyncio.ensure_future(terminal.engine.reset(session_id))
                await terminal.until_finished(events)
                await resetting
                continue
            await _unless_leaving(terminal, terminal.turn(session_id, events, line))
    return 130 if terminal.leave.is_set() else 0


async def _unless_leaving(terminal: TerminalChat, work: Awaitable[None]) -> None:
    """``work`` (a turn), abandoned when the user leaves with Ctrl-C meanwhile."""
    doing = asyncio.ensure_future(work)
    leaving = asyncio.ensure_future(terminal.leave.wait())
    await asyncio.wait({doing, leaving}, return_when=asyncio.FIRST_COMPLETED)
    leaving.cancel()
    if doing.done():
        doing.result()  # a failed turn fails the chat as before (no lost exception)
        return
    doing.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await doing


@contextlib.contextmanager
def _ctrl_c(loop: asyncio.AbstractEventLoop, handler: Callable[[], None]) -> Iterator[None]:
    """Ctrl-C calls ``handler`` instead of raising KeyboardInterrupt (where signals can be
    handled by the loop: not on Windows, where Ctrl-C keeps leaving at once)."""
    try:
        loop.add_signal_handler(signal.SIGINT, handler)
    except (NotImplementedError, RuntimeError):
        yield
        return
    try:
        yield
    finally:
        loop.remove_signal_handler(signal.SIGINT)


def run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(chat(args.bot, args.session, args.user, args.logs))
    except KeyboardInterrupt:
        return 130
