"""Admission control in the small: a limit of one turn in flight, a slow bot, every slot
given back (the overload test in tests/reliability drives the real thing)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiohttp import WSServerHandshakeError, web
from aiohttp.test_utils import TestClient

from engine.server import ServerOptions
from engine.server.state import STATE
from tests.engine.server.serverkit import auth, error_of
from tests.engine.sessions.sessionkit import write_bot

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]
SLOW = 'DO\n  HEAR m\n  WAIT 1\n  TALK "late " + m\nLOOP\n'


@pytest.fixture
def options(hearth_home: Path) -> ServerOptions:
    write_bot(hearth_home, "slow", {"start.bas": SLOW}, "bot-name,Slow\n")
    return ServerOptions(rate_per_second=1000, rate_burst=1000, turn_timeout=4,
                         max_turns_in_flight=1)


async def _open(client: Client, app: web.Application, bot: str) -> str:
    reply = await client.post(f"/api/bots/{bot}/sessions", json={}, headers=auth(app, "uma"))
    assert reply.status == 201, await reply.text()
    return str((await reply.json())["session_id"])


async def test_a_second_turn_is_shed_with_retry_after(client: Client,
                                                      app: web.Application) -> None:
    slow, echo = await _open(client, app, "slow"), await _open(client, app, "echo")
    user = auth(app, "uma")
    first = asyncio.ensure_future(client.post(f"/api/sessions/{slow}/messages",
                                              json={"content": "one"}, headers=user))
    while app[STATE].admission.in_flight == 0:
        await asyncio.sleep(0.01)
    shed = await client.post(f"/api/sessions/{echo}/messages", json={"content": "two"},
                             headers=user)
    assert shed.status == 503 and shed.headers["Retry-After"] == "1"
    assert error_of(await shed.json())[0] == "busy"
    with pytest.raises(WSServerHandshakeError) as refused:  # opening a chat is a turn too
        await client.ws_connect("/ws?bot=echo", headers=user)
    assert refused.value.status == 503
    assert (await first).status == 200
    history = await (await client.get(f"/api/sessions/{echo}/messages", headers=user)).json()
    assert "two" not in [m["content"] for m in history["messages"]]  # shed: not kept
    assert app[STATE].admission.in_flight == 0 and app[STATE].admission.shed == 2


async def _all_back(app: web.Application) -> None:
    for _ in range(200):  # a turn holds its slot for turn_timeout (4 s) at most
        if app[STATE].admission.in_flight == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{app[STATE].admission.in_flight} turn slot(s) never came back")


async def test_every_slot_comes_back(client: Client, app: web.Application) -> None:
    user = auth(app, "uma")
    for _ in range(3):
        await _all_back(app)  # the limit is one: the next chat needs the last one's slot
        async with client.ws_connect("/ws?bot=echo", headers=user) as ws:
            assert (await ws.receive_json(timeout=10))["type"] == "connected"
            while (await ws.receive_json(timeout=10))["type"] != "done":  # start.bas ran
                pass
            await ws.send_json({"content": "hello"})
            while (await ws.receive_json(timeout=10))["type"] != "done":
                pass
        await _all_back(app)
        ws = await client.ws_connect("/ws?bot=echo", headers=user)
        assert (await ws.receive_json(timeout=10))["type"] == "connected"
        while (await ws.receive_json(timeout=10))["type"] != "done":
            pass
        await ws.send_json({"content": "left behind"})  # the client leaves mid-turn
        await ws.close()
    await _all_back(app)
    assert (await client.get("/metrics", headers=auth(app, "ada"))).status == 200
