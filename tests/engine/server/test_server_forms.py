"""A form posted through the chat WebSocket runs the bot's ON FORM SUBMIT handlers
(docs/basic-compatibility.md F1): real engine, real aiohttp server and client."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient

from engine.api import Engine
from tests.engine.server.serverkit import auth, open_engine
from tests.engine.server.test_server_websocket import frames_until_done, said

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]

SIGNUP = '''TALK "Fill in the form"
ON FORM SUBMIT "signup"
    TALK "Welcome, " + name + "! We will write to " + form.email
END ON
'''


@pytest_asyncio.fixture
async def engine(hearth_home: Path) -> AsyncIterator[Engine]:
    dialog = hearth_home / "bots" / "forms.gbai" / "forms.gbdialog"
    dialog.mkdir(parents=True)
    (dialog / "start.bas").write_text(SIGNUP, encoding="utf-8")
    opened = await open_engine(hearth_home)
    try:
        yield opened
    finally:
        await opened.aclose()


async def test_a_form_frame_runs_the_handler(client: Client, app: web.Application) -> None:
    async with client.ws_connect("/ws?bot=forms", headers=auth(app, "uma")) as ws:
        await ws.receive_str()
        assert said(await frames_until_done(ws)) == ["Fill in the form"]
        await ws.send_json({"form": {"name": "signup",
                                     "fields": {"name": "Ana", "email": "ana@example.com"}}})
        assert said(await frames_until_done(ws)) == [
            "Welcome, Ana! We will write to ana@example.com"]
        await ws.send_json({"form": {"name": "signup", "fields": {"x": {"nested": 1}}}})
        refused = json.loads(await ws.receive_str())
        assert refused["type"] == "error" and refused["error"]["code"] == "bad_request"
