"""``hearth chat BOT``: talk to a bot in the terminal through the real engine.

Answers stream as they arrive; suggestions are numbered choices (type the number); ``/reset``
starts the conversation over and ``/quit`` leaves. The session is kept, so ``--session ID``
continues a conversation, even one waiting on a question when Hearth was closed.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import AsyncIterator
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


class TerminalChat:
    def __init__(self, engine: Engine, out: TextIO = sys.stdout, logs: bool = False) -> None:
        self.engine = engine
        self.out = out
        self.logs = logs
        self.choices: list[SuggestionDTO] = []
        self.streaming = False

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
        self.choices = list(event.suggestions)
        for index, choice in enumerate(self.choices, start=1):
            print(f"  {index}) {choice.text}", file=self.out, flush=True)

    async def turn(self, session_id: str, events: AsyncIterator[Event], text: str) -> None:
        """Send one line and show everything until the turn is finished."""
        content, kind, context = self._resolve(text)
        sending = asyncio.ensure_future(self.engine.send(session_id, content, kind,
                                                         context_name=context))
        await self.until_finished(events)
        await sending

    async def until_finished(self, events: AsyncIterator[Event]) -> None:
        async for event in events:
            self.show(event)
            if isinstance(event, TurnFinished):
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


async def _read_line() -> str | None:
    line = await asyncio.to_thread(sys.stdin.readline)
    return line.rstrip("\n") if line else None


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
            print(f"(session {state.id} — /reset to start over, /quit to leave)",
                  file=sys.stderr)
            while True:
                if sys.stdin.isatty():
                    print("> ", end="", flush=True)
                line = await _read_line()
                if line is None or line.strip() == "/quit":
                    return 0
                if line.strip() == "/reset":
                    resetting = asyncio.ensure_future(engine.reset(state.id))
                    await terminal.until_finished(events)
                    await resetting
                    continue
                await terminal.turn(state.id, events, line)


def run(args: argparse.Namespace) -> int:
    try:
        return asyncio.run(chat(args.bot, args.session, args.user, args.logs))
    except KeyboardInterrupt:
        return 130
