"""Malformed requests from strangers get a 4xx in the one JSON error shape, never a 500 or
a dropped connection (issue 10, defect 6).

Before the fix: deeply nested JSON on any route (login included) was a 500 (RecursionError);
a bearer token or API key with bytes that are not UTF-8 was a 500; a request line or header
over aiohttp's limits, or a header with a bare CR, was answered by aiohttp itself in plain
text, before the application's error layer. The protocol-level cases are sent as raw bytes
to a real server started the way ``hearth serve`` starts it.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient

from engine.api import Engine
from engine.server import ServerOptions, start_server
from engine.server.bodies import MAX_JSON_DEPTH
from engine.server.protocol import MAX_HEADER_BYTES, MAX_URL_BYTES
from engine.server.routes import all_routes
from engine.server.running import RunningServer
from engine.server.security.principal import Role
from engine.server.state import STATE
from tests.engine.server.serverkit import PASSWORD, add_users, auth, error_of
from tests.security.attackkit import Attempts

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]
KIND = "malformed request"
PATH_VALUES = {"bot": "hooks", "session_id": "nope", "username": "uma", "key_id": "nope",
               "table": "secrets", "key": "1", "tool": "double", "name": "order"}
DEEP = {"list, 100 000 deep": b"[" * 100_000 + b"]" * 100_000,
        "object, 100 000 deep": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
        f"list, {MAX_JSON_DEPTH * 8} deep": b"[" * (MAX_JSON_DEPTH * 8)
        + b"]" * (MAX_JSON_DEPTH * 8)}

FRAMES = {  # within the chat's 64 KiB frame limit
    "list, 30 000 deep": b"[" * 30_000 + b"]" * 30_000,
    "object, 10 000 deep": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    f"list, {MAX_JSON_DEPTH * 8} deep": DEEP[f"list, {MAX_JSON_DEPTH * 8} deep"]}


def _json_routes() -> list[tuple[str, str]]:
    """(method, path) of every route that reads a JSON body, with real path values."""
    found = []
    for route in all_routes():
        if route.body is None or route.body in ("binary", "multipart", "html", "sse"):
            continue
        path = re.sub(r"\{([a-z_]+)(?::[^}]*)?\}", lambda m: PATH_VALUES[m.group(1)],
                      route.path)
        found.append((route.method, path))
    return found


async def test_deep_json_on_every_route_is_a_400(client: Client, app: web.Application) -> None:
    routes = _json_routes()
    assert ("POST", "/api/auth/login") in routes and len(routes) >= 10
    attempts = Attempts(KIND)
    for label, body in DEEP.items():
        for method, path in routes:
            for who, headers in (("anonymous", {}), ("admin", auth(app, "ada"))):
                with attempts.one(f"{who} {method} {path} with JSON {label}"):
                    reply = await client.request(method, path, data=body, headers={
                        **headers, "Content-Type": "application/json"})
                    assert reply.status < 500, f"{reply.status} {await reply.text()}"
                    code, _ = error_of(await reply.json())
                    if path == "/api/auth/login" or (who == "admin" and reply.status == 400):
                        assert reply.status == 400 and code == "invalid_json", code
    attempts.verdict(at_least=60)
    # The limit refuses nothing a client really sends: a normal login still works.
    reply = await client.post("/api/auth/login", json={"username": "uma", "password": PASSWORD})
    assert reply.status == 200


async def test_deep_json_in_a_chat_frame_is_an_error_frame(client: Client,
                                                           app: web.Application) -> None:
    attempts = Attempts(KIND)
    async with client.ws_connect("/ws?bot=echo", headers=auth(app, "uma")) as ws:
        assert (await ws.receive_json(timeout=10))["type"] == "connected"
        for label, body in FRAMES.items():
            with attempts.one(f"WebSocket frame with JSON {label}"):
                await ws.send_str(body.decode())
                frame = await _next_of(ws, "error")
                assert frame["error"]["code"] in ("invalid_json", "bad_request"), frame
        await ws.send_json({"content": "still here"})
        said = await _next_of(ws, "response", lambda f: "still here" in f.get("content", ""))
        assert said["content"] == "you said still here"
    attempts.verdict(at_least=3)


async def _next_of(ws: Any, kind: str, accept: Any = None) -> dict[str, Any]:
    while True:
        frame: dict[str, Any] = await ws.receive_json(timeout=20)
        if frame["type"] == kind and (accept is None or accept(frame)):
            return frame


@pytest_asyncio.fixture
async def live(engine: Engine, options: ServerOptions) -> AsyncIterator[RunningServer]:
    """The real server on a loopback port, started as ``hearth serve`` starts it."""
    server = await start_server(engine, "127.0.0.1", 0, options=replace(options))
    await add_users(server.app)
    try:
        yield server
    finally:
        await server.aclose()


async def _raw(server: RunningServer, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send raw bytes; the status, headers and body of the answer (the connection closes)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        writer.write(request)
        await writer.drain()
        data = await asyncio.wait_for(reader.read(), 20)
    finally:
        writer.close()
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1."), f"no HTTP answer: {data[:200]!r}"
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":")
                                                            for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def _get(path: str, *headers: bytes) -> bytes:
    return b"\r\n".join([f"GET {path} HTTP/1.1".encode(), b"Host: 127.0.0.1",
                         *headers, b"Connection: close", b"", b""])


async def _shaped(server: RunningServer, request: bytes, status: int, code: str) -> None:
    got, headers, body = await _raw(server, request)
    assert got == status, f"{got} {body[:200]!r}"
    assert headers.get("content-type", "").startswith("application/json"), headers
    assert error_of(json.loads(body))[0] == code


async def test_credentials_that_are_not_utf8_are_a_401(live: RunningServer) -> None:
    good = live.app[STATE].tokens.issue("ada", Role.ADMIN).access_token
    status, _, _ = await _raw(live, _get("/api/auth/me",
                                         b"Authorization: Bearer " + good.encode()))
    assert status == 200  # the control: the same request with a good token
    attempts = Attempts(KIND)
    for label, value in {"latin-1 bytes": b"\xe9t\xe9", "bare continuation bytes": b"\x80\x81",
                         "overlong NUL": b"\xc0\x80", "lone surrogate": b"\xed\xa0\x80",
                         "token with a bad tail": good.encode()[:-3] + b"\xff\xfe\xfd"}.items():
        for header in (b"Authorization: Bearer ", b"X-API-Key: ", b"X-API-Key: hk_ab_"):
            with attempts.one(f"{header.split(b':')[0].decode()} with {label}"):
                await _shaped(live, _get("/api/auth/me", header + value), 401, "invalid_token")
    attempts.verdict(at_least=15)


async def test_protocol_level_refusals_have_the_json_shape(live: RunningServer) -> None:
    attempts = Attempts(KIND)
    cases = {
        "URL over the request-line limit": (
            _get("/api/health?q=" + "a" * (MAX_URL_BYTES + 10)), 414, "uri_too_long"),
        "header over the header limit": (
            _get("/api/health", b"X-Big: " + b"b" * (MAX_HEADER_BYTES + 10)), 431,
            "header_too_large"),
        "200 headers": (_get("/api/health", *[f"X-H{i}: v".encode() for i in range(200)]),
                        431, "header_too_large"),
        "bare CR inside a header value": (_get("/api/health", b"X-Note: a\rb"), 400,
                                          "bad_request"),
        "NUL inside a header value": (_get("/api/health", b"X-Note: a\x00b"), 400,
                                      "bad_request"),
        "garbage request line": (b"\x16\x03\x01 hello\r\n\r\n", 400, "bad_request"),
        "unknown HTTP version": (b"GET / HTTP/9.9\r\nHost: x\r\n\r\n", 400, "bad_request"),
        "a body longer than its Content-Length claims, chunked too": (
            b"POST /api/auth/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
            b"Transfer-Encoding: chunked\r\n\r\nzz\r\n\r\n", 400, "bad_request"),
    }
    for label, (request, status, code) in cases.items():
        with attempts.one(label):
            await _shaped(live, request, status, code)
    attempts.verdict(at_least=8)
    status, _, body = await _raw(live, _get("/api/health"))  # the server is still fine
    assert status == 200, body
