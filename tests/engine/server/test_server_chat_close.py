"""A message sent just before the client closes the chat always finishes (it used to hang
about once in 5-25 tries: the closing cancelled the turn while its BASIC job waited for a
worker thread, and the turn then waited in ``bridge.pump`` forever; see
tests/engine/sessions/test_bridge.py for the forced ordering).

The turn timeout is far away here, so a slot can only come back because its turn ended,
never because the admission timer gave up on it.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from engine.server import ServerOptions
from engine.server.state import STATE
from tests.engine.server.serverkit import auth

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]
ROUNDS = 40  # the old hang showed within the first 25; all rounds take about a second
ENDS_WITHIN = 3.0


@pytest.fixture
def options(hearth_home: Path) -> ServerOptions:
    return ServerOptions(rate_per_second=1000, rate_burst=1000, turn_timeout=300,
                         max_turns_in_flight=1)


async def _turns_end(app: web.Application, round_: int) -> None:
    deadline = time.monotonic() + ENDS_WITHIN
    while app[STATE].admission.in_flight:
        if time.monotonic() > deadline:
            stuck = [t for t in asyncio.all_tasks() if "pump" in repr(t.get_coro())]
            raise AssertionError(f"round {round_}: the turn never ended ({stuck})")
        await asyncio.sleep(0.01)


async def test_a_message_sent_as_the_client_closes_always_ends(client: Client,
                                                               app: web.Application) -> None:
    user = auth(app, "uma")
    for round_ in range(ROUNDS):
        await _turns_end(app, round_)
        ws = await client.ws_connect("/ws?bot=echo", headers=user)
        assert (await ws.receive_json(timeout=10))["type"] == "connected"
        while (await ws.receive_json(timeout=10))["type"] != "done":  # start.bas ran
            pass
        await ws.send_json({"content": f"left behind {round_}"})
        await ws.close()
    await _turns_end(app, ROUNDS)
    assert not [t for t in asyncio.all_tasks() if "pump" in repr(t.get_coro())]
    # The server still chats: the session locks and worker threads were all given back.
    async with client.ws_connect("/ws?bot=echo", headers=user) as ws:
        assert (await ws.receive_json(timeout=10))["type"] == "connected"
        while (await ws.receive_json(timeout=10))["type"] != "done":
            pass
        await ws.send_json({"content": "still here"})
        said = []
        while (frame := await ws.receive_json(timeout=10))["type"] != "done":
            said.append(frame.get("content"))
        assert "you said still here" in said
