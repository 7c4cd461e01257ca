"""Sessions over REST: open one (start.bas runs), send a message and get the whole answer."""

from __future__ import annotations

import uuid

from aiohttp import web

from engine.events import MessageType
from engine.server import schemas
from engine.server.bodies import json_response, no_content, query_int, read_json
from engine.server.errors import NotFound
from engine.server.routes.common import bot_of, session_roles, visible_session
from engine.server.routing import TURN, Param, Route, principal_of
from engine.server.state import state_of
from engine.server.turns import run_turn
from engine.sessions.store import SessionSummary


def _summary(s: SessionSummary) -> dict[str, object]:
    return {"id": s.id, "bot": s.bot, "user_id": s.user_id, "channel": s.channel,
            "updated_at": s.updated_at.isoformat(), "title": s.title or ""}


async def list_sessions(request: web.Request) -> web.Response:
    """Your sessions with the bot, most recent first."""
    bot = bot_of(request)
    found = await state_of(request).engine.list_sessions(bot.package.name,
                                                         principal_of(request).user_id)
    return json_response({"sessions": [_summary(s) for s in found]})


async def open_session(request: web.Request) -> web.Response:
    """A new session: start.bas runs and its messages and suggestions are returned."""
    await read_json(request, schemas.SessionCreate)
    bot = bot_of(request)
    state, principal = state_of(request), principal_of(request)
    session_id = uuid.uuid4().hex
    with state.admission.slot():
        turn, _ = await run_turn(state.engine, session_id, lambda: state.engine.open_session(
            bot.package.name, user_id=principal.user_id, session_id=session_id, channel="api",
            roles=session_roles(principal)), timeout=state.options.turn_timeout)
    body = {**turn.to_json(), "bot": bot.package.name, "user_id": principal.user_id}
    return json_response(body, status=201)


async def get_session(request: web.Request) -> web.Response:
    session = await visible_session(request, request.match_info["session_id"])
    found = await state_of(request).engine.list_sessions(session.bot_name, session.user_id)
    summary = next((s for s in found if s.id == session.id), None)
    if summary is None:
        raise NotFound(f"no session '{session.id}'")
    return json_response(_summary(summary))


async def delete_session(request: web.Request) -> web.Response:
    session = await visible_session(request, request.match_info["session_id"])
    engine = state_of(request).engine
    engine.cancel(session.id)
    await engine.sessions.store.delete_session(session.id)
    return no_content()


async def history(request: web.Request) -> web.Response:
    session = await visible_session(request, request.match_info["session_id"])
    limit = query_int(request, "limit", 200, 1, 1000)
    messages = await state_of(request).engine.sessions.history(session.id, limit)
    return json_response({"session_id": session.id, "messages": [
        {"role": m.role, "content": m.content, "message_type": m.message_type,
         "created_at": m.created_at.isoformat()} for m in messages]})


async def send_message(request: web.Request) -> web.Response:
    """Send a message (§8 ``UserMessage``) and wait for the bot's whole answer."""
    state = state_of(request)
    with state.admission.slot():  # first: shedding a message must cost next to nothing
        session = await visible_session(request, request.match_info["session_id"])
        body = await read_json(request, schemas.MessageIn)
        turn, _ = await run_turn(state.engine, session.id, lambda: state.engine.send(
            session.id, body.content, MessageType(body.message_type),
            context_name=body.context_name, active_switchers=tuple(body.active_switchers),
            media_url=body.media_url), timeout=state.options.turn_timeout)
    return json_response(turn.to_json())


async def cancel(request: web.Request) -> web.Response:
    """Stop the answer in flight, if any."""
    session = await visible_session(request, request.match_info["session_id"])
    return json_response({"cancelled": state_of(request).engine.cancel(session.id)})


ROUTES = [
    Route("GET", "/api/bots/{bot}/sessions", list_sessions, "user", "Your sessions with a bot",
          "sessions", responses={200: schemas.SessionList}),
    Route("POST", "/api/bots/{bot}/sessions", open_session, "user",
          "Open a session (runs start.bas)", "sessions", body=schemas.SessionCreate,
          responses={201: schemas.SessionCreated}, errors=TURN),
    Route("GET", "/api/sessions/{session_id}", get_session, "user", "One session", "sessions",
          responses={200: schemas.Session}),
    Route("DELETE", "/api/sessions/{session_id}", delete_session, "user",
          "Delete a session and its history", "sessions", responses={204: None}),
    Route("GET", "/api/sessions/{session_id}/messages", history, "user",
          "The session's message history", "sessions", responses={200: schemas.History},
          query=(Param("limit", "most recent messages to return (1-1000)", "integer"),)),
    Route("POST", "/api/sessions/{session_id}/messages", send_message, "user",
          "Send a message and get the answer", "sessions", body=schemas.MessageIn,
          responses={200: schemas.TurnResult}, errors=TURN),
    Route("POST", "/api/sessions/{session_id}/cancel", cancel, "user",
          "Cancel the answer in flight", "sessions", responses={200: schemas.CancelResult}),
]
