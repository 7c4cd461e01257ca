"""Bots, sessions and messages over REST with a real engine: the echo bot and the starter."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.engine.server.serverkit import auth, error_of

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]


async def test_bots(client: Client, app: web.Application) -> None:
    reply = await client.get("/api/bots", headers=auth(app, "uma"))
    bots = {b["name"]: b for b in (await reply.json())["bots"]}
    assert set(bots) == {"echo", "hooks", "open", "starter"}
    assert bots["starter"]["tools"] == ["add-note"] and bots["echo"]["title"] == "Echo"
    detail = await (await client.get("/api/bots/hooks", headers=auth(app, "uma"))).json()
    assert detail["webhooks"] == ["broken", "order", "plain"]
    assert "start" in detail["dialogs"] and detail["webchat_anonymous"] is False


async def test_a_conversation(client: Client, app: web.Application) -> None:
    headers = auth(app, "uma")
    opened = await client.post("/api/bots/echo/sessions", headers=headers)
    assert opened.status == 201
    session = await opened.json()
    assert session["bot"] == "echo" and session["user_id"] == "uma"
    assert session["waiting"] is True and session["messages"] == []
    sid = session["session_id"]
    reply = await client.post(f"/api/sessions/{sid}/messages", headers=headers,
                              json={"content": "hello"})
    turn = await reply.json()
    assert reply.status == 200 and turn["text"] == "you said hello" and turn["error"] is None
    history = await (await client.get(f"/api/sessions/{sid}/messages", headers=headers)).json()
    assert [(m["role"], m["content"]) for m in history["messages"]] == [
        ("user", "hello"), ("bot", "you said hello")]
    listed = await (await client.get("/api/bots/echo/sessions", headers=headers)).json()
    assert [s["id"] for s in listed["sessions"]] == [sid]
    one = await (await client.get(f"/api/sessions/{sid}", headers=headers)).json()
    assert one["title"] == "hello" and one["channel"] == "api"
    cancel = await client.post(f"/api/sessions/{sid}/cancel", headers=headers)
    assert await cancel.json() == {"cancelled": False}


async def test_starter_menu_and_suggestions(client: Client, app: web.Application) -> None:
    headers = auth(app, "uma")
    session = await (await client.post("/api/bots/starter/sessions", headers=headers)).json()
    assert session["messages"][0].startswith("Hello")
    assert [s["text"] for s in session["suggestions"]] == [
        "Take a note", "List my notes", "Clear my notes", "Quit"]
    sid = session["session_id"]
    turn = await (await client.post(f"/api/sessions/{sid}/messages", headers=headers,
                                    json={"content": "List my notes"})).json()
    assert turn["messages"] == ["No notes yet."]


async def test_tool_button_message(client: Client, app: web.Application) -> None:
    headers = auth(app, "uma")
    session = await (await client.post("/api/bots/starter/sessions", headers=headers)).json()
    turn = await (await client.post(f"/api/sessions/{session['session_id']}/messages",
                                    headers=headers,
                                    json={"content": "add-note", "message_type": 6})).json()
    assert turn["tools"][0]["tool"] == "add-note" and turn["tools"][0]["finished"] is False


async def test_sessions_are_private(client: Client, app: web.Application) -> None:
    session = await (await client.post("/api/bots/echo/sessions",
                                       headers=auth(app, "uma"))).json()
    sid = session["session_id"]
    for path in (f"/api/sessions/{sid}", f"/api/sessions/{sid}/messages"):
        reply = await client.get(path, headers=auth(app, "ulf"))
        assert reply.status == 404 and error_of(await reply.json())[0] == "not_found"
    sent = await client.post(f"/api/sessions/{sid}/messages", headers=auth(app, "ulf"),
                             json={"content": "x"})
    assert sent.status == 404
    assert (await client.get(path, headers=auth(app, "ada"))).status == 200  # admins see all
    gone = await client.delete(f"/api/sessions/{sid}", headers=auth(app, "uma"))
    assert gone.status == 204
    assert (await client.get(f"/api/sessions/{sid}", headers=auth(app, "uma"))).status == 404


async def test_message_validation(client: Client, app: web.Application) -> None:
    headers = auth(app, "uma")
    sid = (await (await client.post("/api/bots/echo/sessions",
                                    headers=headers)).json())["session_id"]
    reply = await client.post(f"/api/sessions/{sid}/messages", headers=headers,
                              json={"content": "x", "message_type": 12})
    assert reply.status == 400
    assert error_of(await reply.json())[0] == "validation"


async def test_tools(client: Client, app: web.Application) -> None:
    headers = auth(app, "uma")
    tools = (await (await client.get("/api/bots/hooks/tools", headers=headers)).json())["tools"]
    assert [t["function"]["name"] for t in tools] == ["double"]
    assert tools[0]["function"]["parameters"]["properties"]["n"]["type"] == "integer"
    reply = await client.post("/api/bots/hooks/tools/double/run", headers=headers,
                              json={"arguments": {"n": 21}})
    assert await reply.json() == {"tool": "double", "result": 42, "output": ["doubling 21"],
                                  "error": None}
    missing = await client.post("/api/bots/hooks/tools/nope/run", headers=headers, json={})
    assert missing.status == 404
