"""Cross-site requests: a page of another site opens the chat WebSocket with the visitor's
token (cross-site WebSocket hijacking), or calls the API from a browser (CORS). The server
allows neither unless the origin is allow-listed; a control shows the same requests work from
the server's own origin."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from tests.engine.server.serverkit import auth, error_of
from tests.security.attackkit import Attempts

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]
KIND = "cross-site requests"
ORIGINS = ["http://evil.example", "https://evil.example", "null", "http://127.0.0.1.evil.example",
           "http://localhost:1", "file://", "http://[::1]:9", "HTTP://EVIL.EXAMPLE"]
UPGRADE = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
           "Sec-WebSocket-Key": "MDEyMzQ1Njc4OWFiY2RlZg=="}


async def test_websocket_from_another_site(client: Client, app: web.Application) -> None:
    token = auth(app, "uma")["Authorization"].split()[1]
    own = f"http://{client.server.host}:{client.server.port}"
    async with client.ws_connect(f"/ws?bot=echo&access_token={token}",
                                 headers={"Origin": own}) as ws:
        assert (await ws.receive_json(timeout=10))["type"] == "connected"  # the control
    attempts = Attempts(KIND)
    for origin in ORIGINS:
        for bot in ("echo", "open"):
            with attempts.one(f"WebSocket to {bot} from {origin}"):
                reply = await client.get(f"/ws?bot={bot}&access_token={token}",
                                         headers={**UPGRADE, "Origin": origin})
                assert reply.status == 403, reply.status
                assert error_of(await reply.json())[0] == "forbidden"
    attempts.verdict(at_least=2 * len(ORIGINS))


async def test_api_calls_from_another_site(client: Client, app: web.Application) -> None:
    attempts = Attempts(KIND)
    for origin in ORIGINS:
        with attempts.one(f"CORS preflight from {origin}"):
            reply = await client.options("/api/users", headers={
                "Origin": origin, "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "Authorization, Content-Type"})
            assert reply.status == 403, reply.status
            assert "Access-Control-Allow-Origin" not in reply.headers
        with attempts.one(f"credentialed GET from {origin}"):
            reply = await client.get("/api/auth/me", headers={**auth(app, "uma"),
                                                              "Origin": origin})
            assert "Access-Control-Allow-Origin" not in reply.headers
            assert "Access-Control-Allow-Credentials" not in reply.headers
    attempts.verdict(at_least=2 * len(ORIGINS))
