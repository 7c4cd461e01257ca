"""The chat WebSocket of ARCHITECTURE §8 against a real engine."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from aiohttp import ClientWebSocketResponse, WSServerHandshakeError, web
from aiohttp.test_utils import TestClient

from engine.server.state import STATE
from tests.engine.server.serverkit import auth, token

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]


async def frames_until_done(ws: ClientWebSocketResponse, limit: int = 50
                            ) -> list[dict[str, Any]]:
    seen: list[dict[str, Any]] = []
    for _ in range(limit):
        frame = json.loads(await asyncio.wait_for(ws.receive_str(), 10))
        seen.append(frame)
        if frame["type"] == "done":
            return seen
    raise AssertionError(f"no 'done' frame in {seen}")


def said(frames: list[dict[str, Any]]) -> list[str]:
    return [f["content"] for f in frames if f["type"] == "response" and f["content"]]


async def test_connect_start_and_echo(client: Client, app: web.Application) -> None:
    async with client.ws_connect("/ws?bot=hooks", headers=auth(app, "uma")) as ws:
        connected = json.loads(await ws.receive_str())
        assert connected["type"] == "connected" and connected["bot"] == "hooks"
        assert connected["user_id"] == "uma" and len(connected["session_id"]) == 32
        assert [t["function"]["name"] for t in connected["tools"]] == ["double"]
        assert said(await frames_until_done(ws)) == ["hooks"]
    async with client.ws_connect("/ws?bot=echo", headers=auth(app, "uma")) as ws:
        sid = json.loads(await ws.receive_str())["session_id"]
        start = await frames_until_done(ws)
        assert any(f["type"] == "waiting" for f in start)
        await ws.send_json({"session_id": sid, "content": "hi", "message_type": 1})
        frames = await frames_until_done(ws)
        response = next(f for f in frames if f["type"] == "response" and f["content"])
        assert response["content"] == "you said hi" and response["is_complete"] is True
        assert response["message_type"] == 2 and response["session_id"] == sid
        assert set(response) >= {"suggestions", "switchers", "citations", "context_name"}


async def test_start_runs_once_per_session(client: Client, app: web.Application) -> None:
    headers = auth(app, "uma")
    async with client.ws_connect("/ws?bot=starter", headers=headers) as ws:
        sid = json.loads(await ws.receive_str())["session_id"]
        first = await frames_until_done(ws)
        assert said(first)[0].startswith("Hello")
        menu = [f for f in first if f["type"] == "response" and f["suggestions"]][-1]
        assert [s["text"] for s in menu["suggestions"]][:2] == ["Take a note", "List my notes"]
        await ws.send_json({"content": "List my notes"})
        assert said(await frames_until_done(ws)) == ["No notes yet."]
    async with client.ws_connect(f"/ws?bot=starter&session_id={sid}", headers=headers) as ws:
        assert json.loads(await ws.receive_str())["session_id"] == sid
        history = json.loads(await ws.receive_str())
        assert history["type"] == "history"
        assert "List my notes" in [m["content"] for m in history["messages"]]
        await ws.send_json({"content": "List my notes"})
        frames = await frames_until_done(ws)
        assert said(frames) == ["No notes yet."]  # the dialog went on: no second greeting


async def test_empty_content_reruns_start(client: Client, app: web.Application) -> None:
    async with client.ws_connect("/ws?bot=hooks", headers=auth(app, "uma")) as ws:
        await ws.receive_str()
        await frames_until_done(ws)
        await ws.send_json({"content": ""})
        assert said(await frames_until_done(ws)) == ["hooks"]


async def test_cancel_and_tool_frames(client: Client, app: web.Application) -> None:
    async with client.ws_connect("/ws?bot=hooks", headers=auth(app, "uma")) as ws:
        await ws.receive_str()
        await frames_until_done(ws)
        await ws.send_json({"content": "", "message_type": 9})
        frames = await frames_until_done(ws)
        assert [f["type"] for f in frames] == ["done"]
        await ws.send_json({"content": "double", "message_type": 6})
        frames = await frames_until_done(ws)
        tools = [f for f in frames if f["type"] == "tool"]
        assert tools[0]["message_type"] == 6 and tools[0]["content"] == "double"


async def test_bad_frames_get_error_frames(client: Client, app: web.Application) -> None:
    async with client.ws_connect("/ws?bot=echo", headers=auth(app, "uma")) as ws:
        await ws.receive_str()
        await frames_until_done(ws)
        await ws.send_str("{not json")
        frame = json.loads(await ws.receive_str())
        assert frame["type"] == "error" and frame["error"]["code"] == "bad_request"


async def test_auth_on_the_websocket(client: Client, app: web.Application) -> None:
    with pytest.raises(WSServerHandshakeError) as refused:
        await client.ws_connect("/ws?bot=echo")
    assert refused.value.status == 401
    reply = await client.get("/ws?bot=echo")
    assert reply.status == 401
    tokened = await client.ws_connect(f"/ws?bot=echo&access_token={token(app, 'uma')}")
    assert json.loads(await tokened.receive_str())["user_id"] == "uma"
    await tokened.close()
    plain = await client.get("/ws?bot=echo", headers=auth(app, "uma"))
    assert plain.status == 426
    missing = await client.get("/ws?bot=ghost", headers=auth(app, "uma"))
    assert missing.status == 404
    with pytest.raises(WSServerHandshakeError) as foreign:
        await client.ws_connect("/ws?bot=echo", headers={**auth(app, "uma"),
                                                         "Origin": "https://evil.example"})
    assert foreign.value.status == 403


async def test_anonymous_web_chat_where_allowed(client: Client, app: web.Application) -> None:
    async with client.ws_connect("/ws?bot=open") as ws:
        connected = json.loads(await ws.receive_str())
        assert connected["user_id"].startswith("anonymous:")
        await frames_until_done(ws)
        await ws.send_json({"content": "yo"})
        assert said(await frames_until_done(ws)) == ["you said yo"]
    async with client.ws_connect(f"/ws?bot=open&session_id={connected['session_id']}") as ws:
        again = json.loads(await ws.receive_str())
        assert again["session_id"] == connected["session_id"]


async def test_someone_elses_session_is_refused(client: Client, app: web.Application) -> None:
    async with client.ws_connect("/ws?bot=echo", headers=auth(app, "uma")) as ws:
        sid = json.loads(await ws.receive_str())["session_id"]
        await frames_until_done(ws)
    with pytest.raises(WSServerHandshakeError) as refused:
        await client.ws_connect(f"/ws?bot=echo&session_id={sid}", headers=auth(app, "ulf"))
    assert refused.value.status == 403


async def test_connections_are_counted(client: Client, app: web.Application) -> None:
    metrics = app[STATE].metrics
    async with client.ws_connect("/ws?bot=echo", headers=auth(app, "uma")) as ws:
        await ws.receive_str()
        assert metrics.ws_connections == 1
    for _ in range(50):
        if metrics.ws_connections == 0:
            break
        await asyncio.sleep(0.02)
    assert metrics.ws_connections == 0
