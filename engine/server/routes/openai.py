"""An OpenAI-compatible API where each bot is a model: ``/v1/models``, ``/v1/chat/completions``
with and without streaming (server-sent events).

The request's last ``user`` message is sent to the bot; earlier messages are not replayed
(the session keeps its own history). Without an ``X-Session-Id`` header each request opens a
new session (start.bas runs first; its output is not part of the answer); the response's
``X-Session-Id`` header names the session so a client can continue the conversation.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from aiohttp import web

from engine.events import Event
from engine.server import schemas
from engine.server.bodies import dumps, json_response, read_json
from engine.server.errors import ApiError, BadRequest, NotFound
from engine.server.routes.common import compiled_bot, session_roles, visible_session
from engine.server.routing import TURN, Route, principal_of
from engine.server.state import state_of
from engine.server.turns import TurnCollector, run_turn

SESSION_HEADER = "X-Session-Id"


async def list_models(request: web.Request) -> web.Response:
    bots = state_of(request).engine.bots.names()
    return json_response({"object": "list", "data": [
        {"id": name, "object": "model", "created": 0, "owned_by": "hearth"} for name in bots]})


def _last_user_text(body: schemas.ChatCompletionRequest) -> str:
    for message in reversed(body.messages):
        if message.role != "user":
            continue
        if isinstance(message.content, list):
            return "".join(str(p.get("text", "")) for p in message.content
                           if p.get("type") == "text")
        return message.content or ""
    raise BadRequest("the messages contain no 'user' message", code="validation")


async def _session(request: web.Request, bot: str) -> str:
    state, principal = state_of(request), principal_of(request)
    wanted = request.headers.get(SESSION_HEADER)
    if wanted:
        session = await visible_session(request, wanted)
        if session.bot_name != bot:
            raise NotFound(f"no session '{wanted}' with bot '{bot}'")
        return session.id
    session_id = uuid.uuid4().hex
    await run_turn(state.engine, session_id, lambda: state.engine.open_session(
        bot, user_id=principal.user_id, session_id=session_id, channel="openai",
        roles=session_roles(principal)), timeout=state.options.turn_timeout)
    return session_id


async def chat_completions(request: web.Request) -> web.StreamResponse:
    body = await read_json(request, schemas.ChatCompletionRequest)
    bot = compiled_bot(state_of(request), body.model).package.name
    text = _last_user_text(body)
    state = state_of(request)
    with state.admission.slot():
        session_id = await _session(request, bot)
        completion = f"chatcmpl-{uuid.uuid4().hex[:24]}"
        if body.stream:
            return await _stream(request, bot, session_id, text, completion)
        turn, _ = await run_turn(state.engine, session_id, lambda: state.engine.send(
            session_id, text), timeout=state.options.turn_timeout)
    return json_response(_completion(completion, bot, turn, text),
                         headers={SESSION_HEADER: session_id})


def _completion(completion: str, bot: str, turn: TurnCollector, asked: str) -> dict[str, Any]:
    answer = turn.text
    prompt, produced = len(asked.split()), len(answer.split())
    return {
        "id": completion, "object": "chat.completion", "created": int(time.time()),
        "model": bot,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": answer},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt, "completion_tokens": produced,
                  "total_tokens": prompt + produced},
    }


def _chunk(completion: str, bot: str, delta: dict[str, str], finish: str | None) -> bytes:
    data = {"id": completion, "object": "chat.completion.chunk", "created": int(time.time()),
            "model": bot, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}
    return f"data: {dumps(data)}\n\n".encode()


async def _stream(request: web.Request, bot: str, session_id: str, text: str,
                  completion: str) -> web.StreamResponse:
    state = state_of(request)
    response = web.StreamResponse(headers={"Content-Type": "text/event-stream",
                                           "Cache-Control": "no-cache",
                                           SESSION_HEADER: session_id})
    await response.prepare(request)
    await response.write(_chunk(completion, bot, {"role": "assistant", "content": ""}, None))

    async def forward(event: Event, added: str) -> None:
        if added:
            await response.write(_chunk(completion, bot, {"content": added}, None))

    try:
        await run_turn(state.engine, session_id, lambda: state.engine.send(session_id, text),
                       timeout=state.options.turn_timeout, listener=forward)
        await response.write(_chunk(completion, bot, {}, "stop"))
    except ApiError as error:
        await response.write(f"data: {dumps(error.body())}\n\n".encode())
    await response.write(b"data: [DONE]\n\n")
    await response.write_eof()
    return response


ROUTES = [
    Route("GET", "/v1/models", list_models, "user", "The bots, as OpenAI models", "openai",
          responses={200: schemas.OpenAiModelList}),
    Route("POST", "/v1/chat/completions", chat_completions, "user",
          "Chat with a bot (OpenAI-compatible; stream=true answers with server-sent events)",
          "openai", body=schemas.ChatCompletionRequest,
          responses={200: (schemas.ChatCompletion, "sse")}, errors=TURN),
]
