"""Which model answered (issue 12): the WebSocket ``response`` frame and the REST turn carry
``model`` for an LLM answer, and ``null`` for a script's TALK; the OpenAPI document says so."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest

from tests.engine.llm.llmfakes import FakeChatModel
from tests.engine.server.modelkit import use_model
from tests.engine.server.serverkit import auth, served
from tests.engine.sessions.sessionkit import write_bot

pytestmark = pytest.mark.asyncio


async def test_llm_answers_carry_their_model(hearth_home: Path) -> None:
    write_bot(hearth_home, "helper", {"start.bas": 'TALK "Ask me anything."\n'})
    model = FakeChatModel("Paris.", "Rome.", name="tiny-model")
    async with served(hearth_home, lambda engine: use_model(engine, model)) as (client, app):
        headers = auth(app, "uma")
        opened = await (await client.post("/api/bots/helper/sessions",
                                          headers=headers)).json()
        assert opened["messages"] == ["Ask me anything."] and opened["model"] is None
        sid = opened["session_id"]
        turn = await (await client.post(f"/api/sessions/{sid}/messages", headers=headers,
                                        json={"content": "Capital of France?"})).json()
        assert turn["text"].strip() == "Paris." and turn["model"] == "tiny-model"
        async with client.ws_connect(f"/ws?bot=helper&session_id={sid}",
                                     headers=headers) as ws:
            await ws.send_json({"content": "Capital of Italy?"})
            frames: list[dict[str, Any]] = []
            while not frames or frames[-1]["type"] != "done":
                frames.append(json.loads(await asyncio.wait_for(ws.receive_str(), 10)))
        answers = [f for f in frames if f["type"] == "response" and f["content"]]
        assert answers[-1]["is_complete"] and answers[-1]["content"] == "Rome."
        assert {f["model"] for f in answers} == {"tiny-model"}
        spec = await (await client.get("/api/openapi.json")).json()
        schemas = spec["components"]["schemas"]
        assert "model" in schemas["BotResponse"]["properties"]
        assert "model" in schemas["TurnResult"]["properties"]
