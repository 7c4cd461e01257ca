"""Procedure tools through the engine (docs/basic-compatibility.md P2): a file declaring
several tools yields several tools — listed and run by the tools route, offered to the LLM
after ``USE TOOL "file"`` and called by it. Real engine, real aiohttp server; the model is a
scripted fake that makes one native tool call."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient

from engine.llm.provider import Capabilities
from tests.engine.llm.llmfakes import FakeChatModel, tool_call
from tests.engine.server.modelkit import use_model
from tests.engine.server.serverkit import auth, served
from tests.engine.sessions.sessionkit import write_bot

pytestmark = pytest.mark.asyncio

ORDERS = '''
FUNCTION check_order
    DESCRIPTION "Look up the status of an order"
    PARAM order_id AS STRING DESCRIPTION "Order number"
    RETURN "order " + order_id + " is " + IIF(order_id = "A-7", "shipped", "open")
END FUNCTION

SUB cancel_order
    DESCRIPTION "Cancel an order, after asking for the reason"
    PARAM order_id AS STRING DESCRIPTION "Order number"
    HEAR reason AS STRING WITH "Why do you cancel " + order_id + "?"
    SAVE "cancellations", {order: order_id, reason: reason}
    TALK "Cancelled " + order_id + " (" + reason + ")"
END SUB
'''


async def test_procedure_tools_are_listed_run_offered_and_called(hearth_home: Path) -> None:
    relay = 'DESCRIPTION "Status of B-1"\nr = CALL check_order("B-1")\nRETURN r\n'
    write_bot(hearth_home, "shop", {"start.bas": 'USE TOOL "orders"\nTALK "Hello"\n',
                                    "orders.bas": ORDERS, "relay.bas": relay})
    model = FakeChatModel(tool_call("check_order", '{"order_id": "A-7"}'), "It has shipped.",
                          capabilities=Capabilities(supports_tools=True, json_schema=True))
    async with served(hearth_home, lambda engine: use_model(engine, model)) as (client, app):
        headers = auth(app, "uma")
        listed = await (await client.get("/api/bots/shop/tools", headers=headers)).json()
        assert [t["function"]["name"] for t in listed["tools"]] == [
            "cancel_order", "check_order", "relay"]
        ran = await (await client.post("/api/bots/shop/tools/check_order/run",
                                       headers=headers,
                                       json={"arguments": {"order_id": "A-7"}})).json()
        assert ran == {"tool": "check_order", "result": "order A-7 is shipped",
                       "output": [], "error": None}
        bots = {b["name"]: b for b in
                (await (await client.get("/api/bots", headers=headers)).json())["bots"]}
        assert bots["shop"]["tools"] == ["cancel_order", "check_order", "relay"]
        # another script CALLs the procedure tool by name (arguments by position)
        relayed = await (await client.post("/api/bots/shop/tools/relay/run",
                                           headers=headers, json={"arguments": {}})).json()
        assert relayed["result"] == "order B-1 is open" and relayed["error"] is None

        opened = await (await client.post("/api/bots/shop/sessions",
                                          headers=headers)).json()
        sid = opened["session_id"]
        turn = await (await client.post(f"/api/sessions/{sid}/messages", headers=headers,
                                        json={"content": "Where is A-7?"})).json()
        assert turn["text"].strip() == "It has shipped."
        offered = {t["function"]["name"] for t in model.requests[0].tools}
        assert offered == {"check_order", "cancel_order"}
        assert "order A-7 is shipped" in str(model.requests[1].messages)


async def _say(client: TestClient, headers: dict[str, str], sid: str, text: str,
               kind: int = 1) -> str:
    reply = await client.post(f"/api/sessions/{sid}/messages", headers=headers,
                              json={"content": text, "message_type": kind})
    assert reply.status == 200, await reply.text()
    return str((await reply.json())["text"])


async def test_a_procedure_tool_button_asks_and_resumes_after_a_restart(
        hearth_home: Path) -> None:
    """A tool button without arguments: the generated dialog asks for the order, CALLs the
    procedure tool, which asks again (HEAR); the engine restarts in between and the run
    resumes inside the procedure."""
    write_bot(hearth_home, "shop", {"start.bas": 'TALK "Hello"\n', "orders.bas": ORDERS})
    async with served(hearth_home) as (client, app):
        headers = auth(app, "uma")
        sid = (await (await client.post("/api/bots/shop/sessions",
                                        headers=headers)).json())["session_id"]
        assert "Order number" in await _say(client, headers, sid, "cancel_order", kind=6)
        assert "Why do you cancel B-2?" in await _say(client, headers, sid, "B-2")
    async with served(hearth_home) as (client, app):
        headers = auth(app, "uma")
        assert "Cancelled B-2 (too late)" in await _say(client, headers, sid, "too late")
        rows = await (await client.get("/api/bots/shop/tables/cancellations/rows",
                                       headers=auth(app, "ada"))).json()
        assert [(r["order"], r["reason"]) for r in rows["rows"]] == [("B-2", "too late")]
