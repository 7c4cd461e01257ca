"""IDOR across users: user B (ulf) knows the ids of user A's (uma's) session and API key and
tries to read, write, cancel and delete them over every route that takes them, and to read
A's memories through a bot. Every attempt is a 404 or 403 that says nothing about A's data,
and A's data is intact afterwards (the controls at the end)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient

from engine.api import Engine
from tests.engine.server.serverkit import auth
from tests.security.attackkit import Attempts, open_with_bots

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]
KIND = "IDOR across users"
SECRET = "uma's secret 4242"
MEMO = (
    'DO\n'
    '  HEAR m\n'
    '  IF m = "recall" THEN\n'
    '    TALK "recalled [" + GET USER MEMORY("secret") + "] [" + RECALL("note") + "]"\n'
    '  ELSE\n'
    '    SET USER MEMORY "secret", m\n'
    '    REMEMBER "note", m\n'
    '    TALK "kept"\n'
    '  END IF\n'
    'LOOP\n'
)


@pytest_asyncio.fixture
async def engine(hearth_home: Path) -> AsyncIterator[Engine]:
    opened = await open_with_bots(hearth_home, {"memo": ({"start.bas": MEMO}, "")})
    try:
        yield opened
    finally:
        await opened.aclose()


async def _open(client: Client, headers: dict[str, str], bot: str) -> str:
    reply = await client.post(f"/api/bots/{bot}/sessions", headers=headers, json={})
    assert reply.status == 201, await reply.text()
    session_id: str = (await reply.json())["session_id"]
    return session_id


async def _say(client: Client, headers: dict[str, str], session: str, text: str) -> Any:
    reply = await client.post(f"/api/sessions/{session}/messages", headers=headers,
                              json={"content": text})
    assert reply.status == 200, await reply.text()
    return await reply.json()


def _variants(session: str) -> list[str]:
    return [session, session.upper(), f" {session}", f"{session}%00", f"{session}/",
            f"{session[:-1]}%2F{session[-1]}"]


async def test_sessions_and_history_of_another_user(client: Client,
                                                    app: web.Application) -> None:
    uma = auth(app, "uma")
    session = await _open(client, uma, "echo")
    await _say(client, uma, session, SECRET)
    key = await client.post("/api/auth/keys", headers=auth(app, "ulf"), json={"name": "k"})
    ulf_key = {"X-API-Key": (await key.json())["api_key"]}
    attempts = Attempts(KIND)
    for who, headers in (("ulf", auth(app, "ulf")), ("ulf's API key", ulf_key),
                         ("designer dan", auth(app, "dan"))):
        for target in _variants(session):
            for method, suffix, body in (("GET", "", None), ("GET", "/messages", None),
                                         ("POST", "/messages", {"content": "hijack"}),
                                         ("POST", "/cancel", None), ("DELETE", "", None)):
                with attempts.one(f"{who}: {method} /api/sessions/{target}{suffix}"):
                    reply = await client.request(method, f"/api/sessions/{target}{suffix}",
                                                 headers=headers, json=body)
                    text = await reply.text()
                    assert reply.status in (404, 405), (reply.status, text)
                    assert SECRET not in text and "uma" not in text
        with attempts.one(f"{who}: list the bot's sessions"):
            listed = await client.get("/api/bots/echo/sessions", headers=headers)
            assert session not in await listed.text()
        with attempts.one(f"{who}: continue the session over the OpenAI route"):
            reply = await client.post("/v1/chat/completions", headers={
                **headers, "X-Session-Id": session}, json={
                "model": "echo", "messages": [{"role": "user", "content": "hijack"}]})
            text = await reply.text()
            assert reply.status == 404, (reply.status, text)
            assert SECRET not in text
        with attempts.one(f"{who}: resume the session on the WebSocket"):
            reply = await client.get(f"/ws?bot=echo&session_id={session}", headers={
                **headers, "Connection": "Upgrade", "Upgrade": "websocket",
                "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "MDEyMzQ1Njc4OWFiY2RlZg=="})
            assert reply.status == 403, reply.status
            assert SECRET not in await reply.text()
    attempts.verdict(at_least=90)
    history = await (await client.get(f"/api/sessions/{session}/messages",
                                      headers=uma)).json()
    contents = [m["content"] for m in history["messages"]]
    assert SECRET in contents and "hijack" not in contents
    assert "you said hijack" not in contents
    admin = await client.get(f"/api/sessions/{session}", headers=auth(app, "ada"))
    assert admin.status == 200  # the control: the id was right, and admins do see it


async def test_an_anonymous_visitor_cannot_resume_a_users_session(
        client: Client, app: web.Application) -> None:
    uma = auth(app, "uma")
    session = await _open(client, uma, "open")
    await _say(client, uma, session, SECRET)
    attempts = Attempts(KIND)
    with attempts.one("anonymous WebSocket with uma's session id"):
        async with client.ws_connect(f"/ws?bot=open&session_id={session}") as ws:
            first = await ws.receive_json(timeout=10)
            assert first["type"] == "connected"
            assert first["session_id"] != session
            assert first["user_id"].startswith("anonymous:")
            seen = [first]
            while seen[-1]["type"] != "waiting":  # start.bas reaches its HEAR
                seen.append(await ws.receive_json(timeout=10))
            await ws.send_json({"content": "show me"})
            while True:
                frame = await ws.receive_json(timeout=10)
                seen.append(frame)
                if frame["type"] == "done" and any(
                        f.get("content") == "you said show me" for f in seen):
                    break
            assert SECRET not in str(seen) and all(f["type"] != "history" for f in seen)
    with attempts.one("anonymous REST read of uma's session"):
        reply = await client.get(f"/api/sessions/{session}/messages")
        assert reply.status == 401
    attempts.verdict(at_least=2)


async def test_api_keys_of_another_user(client: Client, app: web.Application) -> None:
    created = await client.post("/api/auth/keys", headers=auth(app, "uma"),
                                json={"name": "uma-cron"})
    key = await created.json()
    key_id, secret = key["key"]["id"], key["api_key"]
    attempts = Attempts(KIND)
    for who in ("ulf", "dan"):
        headers = auth(app, who)
        for target in (key_id, key_id.upper(), f"{key_id}%00", f"../{key_id}"):
            with attempts.one(f"{who}: revoke uma's key {target}"):
                reply = await client.delete(f"/api/auth/keys/{target}", headers=headers)
                assert reply.status in (404, 405), reply.status
        for query in ("", "?all=true", "?all=1", "?all=True", "?user=uma", "?owner=uma"):
            with attempts.one(f"{who}: list keys {query}"):
                listed = await client.get(f"/api/auth/keys{query}", headers=headers)
                text = await listed.text()
                assert listed.status in (200, 400) and "uma-cron" not in text
                assert key_id not in text
    me = await client.get("/api/auth/me", headers={"X-API-Key": secret})
    assert (await me.json())["user_id"] == "uma"  # the key still works: nothing was revoked
    everyone = await client.get("/api/auth/keys?all=true", headers=auth(app, "ada"))
    assert key_id in await everyone.text()
    attempts.verdict(at_least=20)


async def test_memories_of_another_user(client: Client, app: web.Application) -> None:
    uma, ulf = auth(app, "uma"), auth(app, "ulf")
    mine = await _open(client, uma, "memo")
    assert "kept" in str(await _say(client, uma, mine, SECRET))
    assert SECRET in str(await _say(client, uma, mine, "recall"))  # the control
    attempts = Attempts(KIND)
    with attempts.one("ulf recalls uma's user memory and remembered note in a new session"):
        theirs = await _open(client, ulf, "memo")
        answer = await _say(client, ulf, theirs, "recall")
        assert SECRET not in str(answer)
        assert "recalled [] []" in str(answer)
    with attempts.one("ulf's API key recalls uma's memories"):
        made = await client.post("/api/auth/keys", headers=ulf, json={"name": "m"})
        key = {"X-API-Key": (await made.json())["api_key"]}
        other = await _open(client, key, "memo")
        assert SECRET not in str(await _say(client, key, other, "recall"))
    attempts.verdict(at_least=2)
