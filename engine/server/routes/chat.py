"""The chat WebSocket of ARCHITECTURE.md §8: ``GET /ws?bot=NAME[&session_id=…]``.

Frames from the server (JSON text), each with a ``type``:

- ``connected``: ``session_id``, ``user_id``, ``bot``, ``tools`` (OpenAI descriptors); first.
- ``history``: on resuming a session, its recent ``messages``.
- ``response``: a §8 ``BotResponse`` (``is_complete`` false while streaming).
- ``tool``: a tool runs (``message_type`` 6, ``content`` = tool name, ``finished``, ``result``).
- ``waiting``: the dialog waits for an answer (HEAR), with its menu ``options``.
- ``done``: everything about one message has been said (``error`` when it failed).
- ``error``: a frame the server could not take (the one JSON error shape, plus ``type``).

Client frames are §8 ``UserMessage`` objects; unknown fields are ignored. A new message
cancels the answer in flight; ``message_type`` 9 only cancels; an empty ``content`` reruns
start.bas; ``form: {name, fields}`` posts a form to the bot's ``ON FORM SUBMIT`` handlers.
Each frame costs one token of the client's rate-limit bucket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from engine.api import Engine
from engine.events import (
    BotResponse,
    DialogWaiting,
    Event,
    MessageType,
    ToolExecution,
    TurnFinished,
)
from engine.server.bodies import TooDeep, parse_json
from engine.server.errors import ApiError, BadRequest, Busy, Forbidden, error_body
from engine.server.routes.common import compiled_bot, may_see, session_roles
from engine.server.routing import TURN, Param, Route, principal_of
from engine.server.security.principal import Principal
from engine.server.state import ServerState, state_of

MAX_FRAME = 64 * 1024
HISTORY_ON_RESUME = 50
_DRAIN_ON_CLOSE = 5.0


class UpgradeRequired(ApiError):
    status, code = 426, "upgrade_required"


class FormFrame(BaseModel):
    """A posted form (``ON FORM SUBMIT``): its name and flat field values."""

    model_config = ConfigDict(extra="ignore")
    name: str = Field(default="", max_length=200)
    fields: dict[str, str | int | float | bool | None] = Field(default_factory=dict,
                                                               max_length=100)


class UserFrame(BaseModel):
    model_config = ConfigDict(extra="ignore")
    form: FormFrame | None = None
    content: str = Field(default="", max_length=32_000)
    message_type: int = Field(default=1, ge=0, le=9)
    media_url: str | None = None
    context_name: str | None = None
    active_switchers: list[str] = Field(default_factory=list, max_length=50)


def frame(event: Event) -> dict[str, Any] | None:
    """The WebSocket frame of an engine event (None: not for the chat)."""
    if isinstance(event, BotResponse):
        data = asdict(event)
        data["message_type"] = int(event.message_type)
        data["suggestions"] = [{k: v for k, v in s.items() if v is not None}
                               for s in data["suggestions"]]
        return {"type": "response", **data}
    if isinstance(event, ToolExecution):
        return {"type": "tool", "session_id": event.session_id,
                "message_type": int(MessageType.TOOL), "content": event.tool,
                "tool": event.tool, "arguments": event.arguments, "result": event.result,
                "finished": event.finished, "is_complete": event.finished}
    if isinstance(event, DialogWaiting):
        return {"type": "waiting", "session_id": event.session_id,
                "options": list(event.options)}
    if isinstance(event, TurnFinished):
        return {"type": "done", "session_id": event.session_id, "error": event.error}
    return None


def _check_origin(request: web.Request, state: ServerState) -> None:
    """Refuse pages of other sites (cross-site WebSocket hijacking) unless allow-listed."""
    origin = request.headers.get("Origin")
    if not origin or origin in state.options.cors_origins:
        return
    if urlsplit(origin).netloc != request.host:
        raise Forbidden(f"origin '{origin}' may not open the chat")


async def websocket(request: web.Request) -> web.StreamResponse:
    state, principal = state_of(request), principal_of(request)
    bot = compiled_bot(state, request.query.get("bot", "")).package.name
    _check_origin(request, state)
    ws = web.WebSocketResponse(heartbeat=30.0, max_msg_size=MAX_FRAME)
    if not ws.can_prepare(request).ok:
        raise UpgradeRequired("this route needs a WebSocket upgrade")
    principal, session_id, resumed = await _session(state.engine, principal, bot,
                                                    request.query.get("session_id"))
    connection = ChatConnection(state, ws, principal, bot, session_id)
    if not resumed:
        state.admission.enter()  # start.bas is a turn: refused (503) before the upgrade
    try:
        await ws.prepare(request)
        state.metrics.ws_connections += 1
        try:
            await connection.run(resumed, request.remote or "?")
        finally:
            state.metrics.ws_connections -= 1
    finally:
        if not resumed and connection.opening is None:  # start.bas never took its slot
            state.admission.leave()
    return ws


async def _session(engine: Engine, principal: Principal, bot: str,
                   wanted: str | None) -> tuple[Principal, str, bool]:
    """The session to continue (an existing one the caller may see), or a new id.

    An anonymous visitor has no identity but the session id (an unguessable 128-bit value):
    knowing the id of an anonymous session of the bot lets a visitor continue it.
    """
    existing = await engine.sessions.store.load_session(wanted) if wanted else None
    if existing is None or existing.bot_name != bot:
        return principal, uuid.uuid4().hex, False
    if may_see(principal, existing):
        return principal, existing.id, True
    owner = existing.user_id or ""
    if principal.anonymous and owner.startswith("anonymous:"):
        return Principal(owner, principal.role, "anonymous"), existing.id, True
    if principal.anonymous:
        return principal, uuid.uuid4().hex, False
    raise Forbidden("this session belongs to someone else")


class ChatConnection:
    def __init__(self, state: ServerState, ws: web.WebSocketResponse, principal: Principal,
                 bot: str, session_id: str) -> None:
        self.state = state
        self.engine = state.engine
        self.ws = ws
        self.principal = principal
        self.bot = bot
        self.session_id = session_id
        self.sends: set[asyncio.Task[Any]] = set()
        self.notes: set[asyncio.Task[Any]] = set()
        self.opening: asyncio.Task[Any] | None = None

    async def run(self, resumed: bool, client: str) -> None:
        async with self.engine.subscribe(self.session_id) as events:
            forwarding = asyncio.ensure_future(self._forward(events))
            try:
                await self._send(self._connected())
                if resumed:
                    await self._send_history()
                else:
                    self.opening = self._spawn(self.engine.open_session(
                        self.bot, user_id=self.principal.user_id, session_id=self.session_id,
                        channel="web", roles=session_roles(self.principal)), holds_slot=True)
                await self._receive(client)
                if self.sends:
                    await asyncio.wait(self.sends, timeout=_DRAIN_ON_CLOSE)
            finally:
                forwarding.cancel()
                for task in self.sends:
                    task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await forwarding

    def _connected(self) -> dict[str, Any]:
        tools = self.engine.bots.bot(self.bot).tools
        return {"type": "connected", "session_id": self.session_id,
                "user_id": self.principal.user_id, "bot": self.bot,
                "tools": [p.openai_tool() for _, p in sorted(tools.items())]}

    async def _send_history(self) -> None:
        messages = await self.engine.history(self.session_id)
        recent = messages[-HISTORY_ON_RESUME:]
        await self._send({"type": "history", "session_id": self.session_id, "messages": [
            {"role": m.role, "content": m.content, "message_type": m.message_type,
             "created_at": m.created_at.isoformat()} for m in recent]})

    async def _forward(self, events: AsyncIterator[Event]) -> None:
        async for event in events:
            data = frame(event)
            if data is not None and not self.ws.closed:
                await self._send(data)

    async def _send(self, data: dict[str, Any]) -> None:
        with contextlib.suppress(ConnectionResetError, RuntimeError):
            await self.ws.send_str(json.dumps(data, ensure_ascii=False, default=str))

    async def _receive(self, client: str) -> None:
        async for message in self.ws:
            if message.type != WSMsgType.TEXT:
                continue
            wait = self.state.limiter.take(client)
            if wait:
                await self._error("rate_limited", "too many messages, slow down",
                                  {"retry_after": max(1, round(wait))})
                continue
            try:
                self._handle(UserFrame.model_validate(parse_json(message.data)))
            except (TooDeep, Busy) as refused:  # Busy: no slot for a turn, come back later
                await self._error(refused.code, refused.message, refused.details)
            except (BadRequest, ValueError, ValidationError) as problem:
                detail = str(problem).splitlines()[0][:200]
                await self._error(BadRequest.code, "not a valid UserMessage frame",
                                  {"reason": detail})

    def _handle(self, user: UserFrame) -> None:
        kind = MessageType(user.message_type)
        if kind is MessageType.CANCEL:
            self.engine.cancel(self.session_id)
        self.state.admission.enter()  # Busy when the server is at its limit of turns
        self._spawn(self._after_opening(lambda: self.engine.send(
            self.session_id, user.content, kind, media_url=user.media_url,
            context_name=user.context_name, active_switchers=tuple(user.active_switchers),
            form=user.form.model_dump() if user.form else None)), holds_slot=True)

    async def _after_opening(self, send: Callable[[], Awaitable[None]]) -> None:
        """Send once the new session exists: a message that arrives while start.bas is still
        opening it waits for that (until then there is no session to send to)."""
        if self.opening is not None and not self.opening.done():
            await asyncio.wait([self.opening])
        await send()

    def _spawn(self, work: Any, *, holds_slot: bool = False) -> asyncio.Task[Any]:
        """Run ``work`` (a turn); ``holds_slot``: it was admitted, leave when it ends."""
        task: asyncio.Task[Any] = asyncio.ensure_future(work)
        self.sends.add(task)
        if holds_slot:
            self.state.admission.hold(task, self.state.options.turn_timeout)
        task.add_done_callback(self._finished)
        return task

    def _finished(self, task: asyncio.Task[Any]) -> None:
        self.sends.discard(task)
        if not task.cancelled() and task.exception() is not None:
            error = task.exception()
            message = getattr(error, "message", "the message could not be handled")
            note = asyncio.ensure_future(self._error("bad_request", str(message), None))
            self.notes.add(note)
            note.add_done_callback(self.notes.discard)

    async def _error(self, code: str, message: str, details: dict[str, Any] | None) -> None:
        await self._send({"type": "error", **error_body(code, message, details)})


ROUTES = [
    Route("GET", "/ws", websocket, "chat", "The chat WebSocket (ARCHITECTURE §8)", "chat",
          responses={101: None}, errors=TURN,
          query=(Param("bot", "the bot to chat with", required=True),
                 Param("session_id", "continue this session"),
                 Param("access_token", "a token, for browsers that cannot set headers"))),
]
