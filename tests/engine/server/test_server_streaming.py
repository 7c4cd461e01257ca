"""Streaming answers, citations and cancellation, with a scripted chat handler standing in
for the LLM turn (the session manager's ``ChatHandler`` seam): chunks arrive as
``is_complete`` false frames, a new message or ``message_type`` 9 stops the answer in flight."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import ClientWebSocketResponse, web
from aiohttp.test_utils import TestClient, TestServer

from engine.api import Engine
from engine.events import BotResponse, CitationDTO, SuggestionDTO
from engine.server import ServerOptions, build_app
from tests.engine.server.serverkit import add_users, auth, engine_config
from tests.engine.sessions.sessionkit import write_bot

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]
CITATION = CitationDTO(1, "manual.pdf", 14, "Open tray 2")


class ScriptedChat:
    """Answers in three chunks; a message containing 'slow' stalls after the first one."""

    async def answer(self, state: Any, bot: Any, message: Any, history: Any,
                     emit: Any) -> str:
        words = ["Open ", "tray ", f"2 ({message.content})"]
        for index, word in enumerate(words):
            await emit(BotResponse(state.id, word, is_complete=False))
            if index == 0 and "slow" in message.content:
                await asyncio.sleep(30)
        text = "".join(words)
        await emit(BotResponse(state.id, "", citations=(CITATION,),
                               suggestions=(SuggestionDTO("Thanks"),)))
        return text


@pytest_asyncio.fixture
async def chat_client(hearth_home: Path) -> AsyncIterator[tuple[Client, web.Application]]:
    write_bot(hearth_home, "helpdesk", {"start.bas": 'TALK "How can I help?"\n'})
    engine = await Engine(engine_config(hearth_home), chat=ScriptedChat()).open()
    app = await build_app(engine, ServerOptions(turn_timeout=10))
    await add_users(app)
    async with TestClient(TestServer(app)) as client:
        yield client, app
    await engine.aclose()


async def receive(ws: ClientWebSocketResponse) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.receive_str(), 10))
    return frame


async def until_done(ws: ClientWebSocketResponse) -> list[dict[str, Any]]:
    frames = []
    while (frame := await receive(ws))["type"] != "done":
        frames.append(frame)
    return frames


async def test_chunks_then_a_complete_frame_with_citations(
        chat_client: tuple[Client, web.Application]) -> None:
    client, app = chat_client
    async with client.ws_connect("/ws?bot=helpdesk", headers=auth(app, "uma")) as ws:
        await receive(ws)
        await until_done(ws)
        await ws.send_json({"content": "printer"})
        frames = [f for f in await until_done(ws) if f["type"] == "response"]
        assert [f["content"] for f in frames if not f["is_complete"]] == [
            "Open ", "tray ", "2 (printer)"]
        final = frames[-1]
        assert final["is_complete"] is True
        assert final["citations"] == [{"n": 1, "source": "manual.pdf", "page": 14,
                                       "snippet": "Open tray 2"}]
        assert final["suggestions"] == [{"text": "Thanks", "kind": "text"}]


async def test_a_new_message_cancels_the_answer_in_flight(
        chat_client: tuple[Client, web.Application]) -> None:
    client, app = chat_client
    async with client.ws_connect("/ws?bot=helpdesk", headers=auth(app, "uma")) as ws:
        await receive(ws)
        await until_done(ws)
        await ws.send_json({"content": "slow one"})
        first = await receive(ws)
        assert first["content"] == "Open " and first["is_complete"] is False
        await ws.send_json({"content": "fast"})
        seen = await until_done(ws) + await until_done(ws)
        texts = [f["content"] for f in seen if f["type"] == "response"]
        assert "2 (slow one)" not in texts and "2 (fast)" in texts


async def test_cancel_stops_the_answer(chat_client: tuple[Client, web.Application]) -> None:
    client, app = chat_client
    async with client.ws_connect("/ws?bot=helpdesk", headers=auth(app, "uma")) as ws:
        await receive(ws)
        await until_done(ws)
        await ws.send_json({"content": "slow"})
        assert (await receive(ws))["is_complete"] is False
        await ws.send_json({"content": "", "message_type": 9})
        rest = await until_done(ws) + await until_done(ws)
        assert all(f.get("is_complete") is not True for f in rest if f["type"] == "response")


async def test_rest_turn_joins_the_chunks(chat_client: tuple[Client, web.Application]) -> None:
    client, app = chat_client
    headers = auth(app, "uma")
    session = await (await client.post("/api/bots/helpdesk/sessions", headers=headers)).json()
    assert session["messages"] == ["How can I help?"]
    turn = await (await client.post(f"/api/sessions/{session['session_id']}/messages",
                                    headers=headers, json={"content": "wifi"})).json()
    assert turn["text"] == "Open tray 2 (wifi)" and turn["citations"][0]["page"] == 14


async def test_openai_stream_has_one_chunk_per_piece(
        chat_client: tuple[Client, web.Application]) -> None:
    client, app = chat_client
    reply = await client.post("/v1/chat/completions", headers=auth(app, "uma"), json={
        "model": "helpdesk", "stream": True, "messages": [{"role": "user", "content": "vpn"}]})
    assert reply.headers["Content-Type"].startswith("text/event-stream")
    events = [line[6:] for line in (await reply.text()).splitlines() if line.startswith("data: ")]
    assert events[-1] == "[DONE]"
    deltas = [json.loads(e)["choices"][0]["delta"].get("content") for e in events[:-1]]
    assert deltas == ["", "Open ", "tray ", "2 (vpn)", None]
