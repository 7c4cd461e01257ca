"""The Chat view's logic: bots and sessions, sending, streaming, suggestions, citations.

One subscription follows the open session; every engine event updates a model or emits a
signal, and the view only reflects them. ``send``/``choose``/``stop`` return at once: the
work runs as tracked tasks on the qasync loop (nothing here blocks the GUI thread).
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from engine.api import BotInfo
from engine.events import (
    BotResponse,
    CitationDTO,
    DialogWaiting,
    Event,
    MessageType,
    SuggestionDTO,
    SwitcherDTO,
    ToolExecution,
    TurnFinished,
)
from engine.sessions.store import SessionSummary
from ui.models.lists import bots_model, citations_model, sessions_model
from ui.models.table import DtoTableModel
from ui.models.transcript import (
    ChatEntry,
    TranscriptModel,
    entry_from_history,
    tool_arguments,
)
from ui.ports import ChatPort
from ui.services.files import SourceTarget, attach, resolve_citation, web_source
from ui.tasks import TaskSet


class ChatController(QObject):
    error = Signal(str)
    notice = Signal(str)
    busy_changed = Signal(bool)
    streaming_changed = Signal(bool)
    suggestions_changed = Signal(object)  # list[SuggestionDTO]
    switchers_changed = Signal(object)  # list[tuple[SwitcherDTO, bool]]
    session_changed = Signal(str)  # the open session's title
    bot_changed = Signal(str)
    citation_opened = Signal(object)  # SourceTarget
    link_opened = Signal(str)  # a URL to open outside
    model_changed = Signal(str)  # the model that wrote the latest answer ("" for a script)

    def __init__(self, engine: ChatPort, user_id: str = "local") -> None:
        super().__init__()
        self.engine = engine
        self.user_id = user_id
        self.bots: DtoTableModel[BotInfo] = bots_model()
        self.sessions: DtoTableModel[SessionSummary] = sessions_model()
        self.transcript = TranscriptModel()
        self.sources: DtoTableModel[CitationDTO] = citations_model()
        self.bot: str | None = None
        self.session_id: str | None = None
        self.suggestions: list[SuggestionDTO] = []
        self.switchers: list[SwitcherDTO] = []
        self.active_switchers: set[str] = set()
        self.busy = False
        self.model = ""  # the model that wrote the latest answer
        self.tasks = TaskSet(self.error.emit)
        self._pump: asyncio.Task[None] | None = None

    # -- gestures (return at once) ---------------------------------------------------------
    def select_bot(self, name: str) -> None:
        self.tasks.spawn(self.open_bot(name))

    def new_session(self) -> None:
        self.tasks.spawn(self.start_session())

    def select_session(self, session_id: str) -> None:
        self.tasks.spawn(self.open_session(session_id))

    def send(self, text: str) -> None:
        if text.strip() and self.session_id:
            self.tasks.spawn(self.say(text.strip()))

    def choose(self, suggestion: SuggestionDTO) -> None:
        self.tasks.spawn(self.say_choice(suggestion))

    def toggle_switcher(self, switcher_id: str, on: bool) -> None:
        (self.active_switchers.add if on else self.active_switchers.discard)(switcher_id)
        self._emit_switchers()

    def stop(self) -> None:
        if self.session_id and self.engine.cancel(self.session_id):
            row = self.transcript.finish_stream("", ())
            if row is not None:
                self.transcript.append(ChatEntry("notice", "Stopped.", datetime.now()))
            self.streaming_changed.emit(False)

    def attach_files(self, paths: Iterable[Path]) -> None:
        self.tasks.spawn(self.send_attachments(list(paths)))

    def delete_session(self, session_id: str) -> None:
        self.tasks.spawn(self.remove_session(session_id))

    def reset_session(self) -> None:
        if self.session_id:
            self.tasks.spawn(self._reset(self.session_id))

    def open_citation(self, row: int, n: int) -> None:
        entry = self.transcript.entry(row)
        citation = next((c for c in entry.citations if c.n == n), None)
        if citation is not None:
            self.show_citation(citation)

    def show_citation(self, citation: CitationDTO) -> None:
        if (url := web_source(citation)) is not None:
            self.link_opened.emit(url)
            return
        target = self.citation_target(citation)
        if target is None:
            self.error.emit(f"The source “{citation.source}” is no longer on this machine.")
            return
        self.citation_opened.emit(target)

    def citation_target(self, citation: CitationDTO) -> SourceTarget | None:
        if self.bot is None:
            return None
        return resolve_citation(self.engine.bots.bot(self.bot).package, citation)

    # -- flows (awaitable, used by the gestures and by tests) ------------------------------
    async def load(self, bot: str | None = None) -> None:
        infos = self.engine.list_bots()
        self.bots.set_rows(infos)
        names = [b.name for b in infos]
        if not names:
            self.notice.emit("No bots yet: create one in the Bots view.")
            return
        await self.open_bot(bot if bot in names else names[0])

    async def open_bot(self, name: str) -> None:
        self.bot = name
        self.bot_changed.emit(name)
        summaries = await self._refresh_sessions()
        if summaries:
            await self.open_session(summaries[0].id)
        else:
            await self.start_session()

    async def start_session(self) -> None:
        assert self.bot is not None, "no bot selected"
        session_id = uuid.uuid4().hex
        await self._follow(session_id)
        self._show_session(session_id, [], "New conversation")
        self._set_busy(True)
        await self.engine.open_session(self.bot, user_id=self.user_id, session_id=session_id,
                                       channel="desktop")
        await self._refresh_sessions()

    async def open_session(self, session_id: str) -> None:
        await self._follow(session_id)
        history = await self.engine.history(session_id)
        entries = [e for m in history if (e := entry_from_history(m)) is not None]
        title = next((s.title for s in self.sessions.rows if s.id == session_id), "")
        self._show_session(session_id, entries, title)
        state = await self.engine.store.load_session(session_id)
        if state is not None:
            self._set_suggestions([SuggestionDTO(s.label, s.kind if s.kind != "switcher"
                                                 else "text", s.value) for s in state.suggestions])
            self._set_switchers([SwitcherDTO(s.value, s.label) for s in state.switchers])

    async def say(self, text: str) -> None:
        await self._send(text, MessageType.USER, shown=text)

    async def say_choice(self, choice: SuggestionDTO) -> None:
        if choice.kind == "tool":
            await self._send(choice.tool or choice.text, MessageType.TOOL, shown=choice.text)
        elif choice.kind == "context":
            await self._send(choice.text, MessageType.SUGGESTION, shown=choice.text,
                             context=choice.value)
        else:
            await self._send(choice.value or choice.text, MessageType.USER, shown=choice.text)

    async def send_attachments(self, paths: list[Path]) -> None:
        if not paths or self.bot is None or self.session_id is None:
            return
        drive = self.engine.bots.bot(self.bot).package.drive_dir
        loop = asyncio.get_running_loop()
        files = [await loop.run_in_executor(None, attach, drive, p) for p in paths]
        names = ", ".join(f["name"] for f in files)
        await self._send("", MessageType.USER, shown=f"📎 {names}", attachments=tuple(files))

    async def remove_session(self, session_id: str) -> None:
        await self.engine.store.delete_session(session_id)
        summaries = await self._refresh_sessions()
        if session_id == self.session_id:
            if summaries:
                await self.open_session(summaries[0].id)
            else:
                await self.start_session()

    async def _reset(self, session_id: str) -> None:
        self.transcript.append(ChatEntry("notice", "Conversation restarted.", datetime.now()))
        self._set_busy(True)
        await self.engine.reset(session_id)

    async def close(self) -> None:
        await self._unfollow()
        await self.tasks.aclose()

    # -- engine events -----------------------------------------------------------------------
    def handle(self, event: Event) -> None:
        if isinstance(event, BotResponse):
            self._response(event)
        elif isinstance(event, ToolExecution):
            self._tool(event)
        elif isinstance(event, DialogWaiting):
            self.streaming_changed.emit(False)
        elif isinstance(event, TurnFinished):
            self._finished(event)

    def _response(self, event: BotResponse) -> None:
        now = datetime.now()
        if event.model and event.model != self.model:
            self.model = event.model
            self.model_changed.emit(event.model)
        if not event.is_complete:
            self.transcript.stream(event.content, now)
            self.streaming_changed.emit(True)
            return
        row = self.transcript.finish_stream(event.content, event.citations)
        if row is None and event.content:
            row = self.transcript.append(ChatEntry("bot", event.content, now,
                                                   citations=event.citations))
        if row is not None:
            self.streaming_changed.emit(False)
        if event.citations:
            self.sources.set_rows(event.citations)
        self._set_suggestions(list(event.suggestions))
        self._set_switchers(list(event.switchers))

    def _tool(self, event: ToolExecution) -> None:
        arguments = tool_arguments(event.arguments)
        row = self.transcript.open_tool_row(event.tool) if event.finished else None
        entry = ChatEntry("tool", "", datetime.now(), tool=event.tool, arguments=arguments,
                          result=(event.result or "") if event.finished else None)
        if row is None:
            self.transcript.append(entry)
        else:
            self.transcript.set_entry(row, entry)

    def _finished(self, event: TurnFinished) -> None:
        if self.transcript.finish_stream("", ()) is not None:
            self.streaming_changed.emit(False)
        if event.error:
            self.transcript.append(ChatEntry("error", event.error, datetime.now()))
        self._set_busy(False)

    # -- plumbing ----------------------------------------------------------------------------
    async def _send(self, content: str, kind: MessageType, *, shown: str,
                    context: str | None = None, attachments: tuple[Any, ...] = ()) -> None:
        if self.session_id is None:
            return
        self.transcript.append(ChatEntry("user", shown, datetime.now()))
        self._set_suggestions([])
        self._set_busy(True)
        await self.engine.send(self.session_id, content, kind, context_name=context,
                               active_switchers=tuple(sorted(self.active_switchers)),
                               attachments=attachments)
        await self._refresh_sessions()

    async def _follow(self, session_id: str) -> None:
        await self._unfollow()
        ready = asyncio.Event()
        self._pump = asyncio.ensure_future(self._listen(session_id, ready))
        await ready.wait()

    async def _listen(self, session_id: str, ready: asyncio.Event) -> None:
        async with self.engine.subscribe(session_id) as events:
            ready.set()
            async for event in events:
                self.handle(event)

    async def _unfollow(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pump
            self._pump = None

    async def _refresh_sessions(self) -> list[SessionSummary]:
        if self.bot is None:
            return []
        summaries = await self.engine.list_sessions(self.bot, self.user_id)
        self.sessions.set_rows(summaries)
        title = next((s.title for s in summaries if s.id == self.session_id), None)
        if title is not None:
            self.session_changed.emit(title)
        return summaries

    def _show_session(self, session_id: str, entries: list[ChatEntry], title: str) -> None:
        self.session_id = session_id
        self.transcript.reset(entries)
        self.sources.set_rows(next((e.citations for e in reversed(entries) if e.citations), ()))
        self._set_suggestions([])
        self._set_switchers([])
        self.session_changed.emit(title or "New conversation")
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        if busy != self.busy:
            self.busy = busy
            self.busy_changed.emit(busy)

    def _set_suggestions(self, suggestions: list[SuggestionDTO]) -> None:
        self.suggestions = suggestions
        self.suggestions_changed.emit(list(suggestions))

    def _set_switchers(self, switchers: list[SwitcherDTO]) -> None:
        if [s.id for s in switchers] != [s.id for s in self.switchers]:
            self.active_switchers &= {s.id for s in switchers}
        self.switchers = switchers
        self._emit_switchers()

    def _emit_switchers(self) -> None:
        self.switchers_changed.emit([(s, s.id in self.active_switchers) for s in self.switchers])
