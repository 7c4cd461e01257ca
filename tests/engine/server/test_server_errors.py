"""The one JSON error shape (STYLE.md §4), pinned: every kind of failure answers with it."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.engine.server.serverkit import auth, error_of

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]


async def test_unknown_route(client: Client) -> None:
    reply = await client.get("/api/nothing/here/at/all")
    assert reply.status == 404
    assert error_of(await reply.json()) == ("not_found", "no such route")


async def test_wrong_method(client: Client) -> None:
    reply = await client.patch("/api/health")
    assert reply.status == 405
    assert error_of(await reply.json())[0] == "method_not_allowed"


async def test_invalid_json_and_validation(client: Client, app: web.Application) -> None:
    reply = await client.post("/api/auth/login", data=b"{nope")
    assert reply.status == 400
    assert error_of(await reply.json())[0] == "invalid_json"
    reply = await client.post("/api/auth/login", json={"username": "x", "extra": 1})
    body = await reply.json()
    assert reply.status == 400 and error_of(body)[0] == "validation"
    fields = {e["field"] for e in body["error"]["details"]["errors"]}
    assert fields == {"password", "extra"}


async def test_missing_bot_and_session(client: Client, app: web.Application) -> None:
    reply = await client.get("/api/bots/ghost", headers=auth(app, "uma"))
    assert reply.status == 404
    assert error_of(await reply.json()) == ("not_found", "no bot named 'ghost'")
    reply = await client.get("/api/sessions/nope/messages", headers=auth(app, "uma"))
    assert reply.status == 404 and error_of(await reply.json())[0] == "not_found"


async def test_body_too_large(client: Client, app: web.Application) -> None:
    reply = await client.post("/api/auth/login", data=b"x" * (1024 * 1024 + 1),
                              headers={"Content-Type": "application/json"})
    assert reply.status == 413
    assert error_of(await reply.json())[0] == "payload_too_large"
