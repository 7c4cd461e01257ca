"""SSRF through the BASIC HTTP keywords: a webhook hands the attacker's URL to GET, POST, PUT,
PATCH, DELETE HTTP, DOWNLOAD and UPLOAD, and the network guard must refuse every spelling of
a forbidden address — numeric, octal, hex, short, IPv6 with IPv4 inside, a name that resolves
to loopback — and every redirect from an allow-listed server to one.

A *sentinel* server listens on 127.0.0.1 and ::1 and records every request: an attack that got
through would show up there. A control (a bot that allow-lists ``127.0.0.1``) reaches it, so
an empty record means the guard stopped the request, not that the sentinel was deaf. The only
addresses ever contacted are on this machine.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient

from engine.api import Engine
from tests.engine.server.serverkit import auth
from tests.security.attackkit import Attempts, open_with_bots

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]
KIND = "SSRF (network guard)"
KIND_REDIRECT = "SSRF by redirect"
REACHED = "SENTINEL-REACHED"

FETCH_HOOK = (
    'WEBHOOK "fetch"\n'
    'ON ERROR RESUME NEXT\n'
    'u = body.url\n'
    'op = body.op\n'
    'result = NULL\n'
    'IF op = "get" THEN\n'
    '  result = GET u\n'
    'ELSEIF op = "post" THEN\n'
    '  result = POST u, {a: 1}\n'
    'ELSEIF op = "put" THEN\n'
    '  result = PUT u, "x"\n'
    'ELSEIF op = "patch" THEN\n'
    '  result = PATCH u, {a: 1}\n'
    'ELSEIF op = "delete" THEN\n'
    '  result = DELETE HTTP u\n'
    'ELSEIF op = "download" THEN\n'
    '  result = DOWNLOAD u, "dl.bin"\n'
    'ELSEIF op = "upload" THEN\n'
    '  result = UPLOAD u, "up.bin"\n'
    'END IF\n'
    'IF ERR THEN\n'
    '  RETURN {ok: FALSE, kind: ERR.KIND, text: ERR.DESCRIPTION}\n'
    'END IF\n'
    'IF op = "download" OR op = "upload" THEN\n'
    '  result = READ result\n'
    'END IF\n'
    'RETURN {ok: TRUE, result: result}\n'
)
OPS = ("get", "post", "put", "patch", "delete", "download", "upload")


@dataclass
class Sentinel:
    """Loopback servers that record what reached them."""

    port: int = 0
    redirector: int = 0
    seen: list[str] = field(default_factory=list)
    redirected: list[str] = field(default_factory=list)


@pytest_asyncio.fixture
async def engine(hearth_home: Path) -> AsyncIterator[Engine]:
    bots = {"ssrf": ({"fetch.bas": FETCH_HOOK}, "http-timeout,3\n"),
            "relay": ({"fetch.bas": FETCH_HOOK}, "http-timeout,3\nhttp-allow-hosts,127.0.0.1\n")}
    opened = await open_with_bots(hearth_home, bots)
    try:
        yield opened
    finally:
        await opened.aclose()


@pytest_asyncio.fixture
async def sentinel() -> AsyncIterator[Sentinel]:
    found = Sentinel()

    async def record(request: web.Request) -> web.Response:
        found.seen.append(f"{request.method} {request.host}{request.path_qs}")
        return web.Response(text=REACHED)

    async def redirect(request: web.Request) -> web.Response:
        found.redirected.append(request.path_qs)
        status = int(request.query.get("status", "302"))
        return web.Response(status=status, headers={"Location": request.query["to"]})

    watched = web.Application()
    watched.router.add_route("*", "/{tail:.*}", record)
    jumps = web.Application()
    jumps.router.add_route("*", "/go", redirect)
    runners = [web.AppRunner(watched), web.AppRunner(jumps)]
    for runner in runners:
        await runner.setup()
    first = web.TCPSite(runners[0], "127.0.0.1", 0)
    await first.start()
    found.port = _port(first)
    await web.TCPSite(runners[0], "::1", found.port).start()
    hop = web.TCPSite(runners[1], "127.0.0.1", 0)
    await hop.start()
    found.redirector = _port(hop)
    try:
        yield found
    finally:
        for runner in runners:
            await runner.cleanup()


def _port(site: web.TCPSite) -> int:
    server = site._server
    assert server is not None
    port: int = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return port


def _loopback_name() -> str:
    """A DNS name of this machine that resolves to loopback (its host name, else localhost)."""
    name = socket.gethostname()
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, 80)}
    except OSError:
        return "localhost"
    return name if addresses and all(a.startswith("127.") or a == "::1"
                                     for a in addresses) else "localhost"


def forbidden_urls(port: int) -> dict[str, bool]:
    """URLs that must never be fetched; True: the guard must refuse them (PermissionError),
    False: any failure will do (the URL is invalid or cannot be resolved)."""
    hosts = ["127.0.0.1", "127.1", "127.0.1", "2130706433", "0x7f000001", "0x7f.0.0.1",
             "017700000001", "[::1]", "[0:0:0:0:0:0:0:1]",
             "[::ffff:127.0.0.1]", "[::ffff:7f00:1]", "[0:0:0:0:0:ffff:127.0.0.1]",
             "[::127.0.0.1]", "[64:ff9b::127.0.0.1]", "[2002:7f00:1::1]", "0.0.0.0", "0",
             "[::]", "localhost", "LOCALHOST", _loopback_name(),
             "127.255.255.254"]
    urls = {f"http://{host}:{port}/attack": True for host in hosts}
    # Not every resolver knows a trailing-dot name, and httpx refuses leading zeros: these
    # may fail before the guard is asked, which is as good as a refusal.
    for host in ("localhost.", "LocalHost.", "127.0.0.1.", "0177.0.0.1", "127.000.000.001",
                 "0127.0.0.1"):
        urls[f"http://{host}:{port}/attack"] = False
    urls.update({
        f"https://127.0.0.1:{port}/attack": True,
        f"HTTP://127.0.0.1:{port}/attack": True,
        f"http://user:pass@127.0.0.1:{port}/attack": True,
        f"http://allowed.example@127.0.0.1:{port}/attack": True,
        f"http://127.0.0.1:{port}#@allowed.example/": True,
        "http://169.254.169.254/latest/meta-data/": True,
        "http://[::ffff:169.254.169.254]/latest/meta-data/": True,
        "http://[fe80::1]/": True,
        "http://0xa9fea9fe/latest/meta-data/": True,  # 169.254.169.254 in hex
        "file:///etc/passwd": True,
        f"gopher://127.0.0.1:{port}/_attack": True,
        f"ftp://127.0.0.1:{port}/attack": True,
        f"dict://127.0.0.1:{port}/attack": True,
        f"ws://127.0.0.1:{port}/attack": True,
        f"http://127.0.0.1:{port}\\@allowed.example/": False,
        f"http://[::1%25lo]:{port}/attack": False,
        f"http://127.0.0.1:{port}:80/attack": False,
        f"http:///127.0.0.1:{port}/attack": False,
    })
    return urls


async def _fetch(client: Client, headers: dict[str, str], bot: str, op: str,
                 url: str) -> dict[str, Any]:
    reply = await client.post(f"/api/{bot}/webhook/fetch", json={"op": op, "url": url},
                              headers=headers)
    text = await reply.text()
    assert reply.status == 200, (reply.status, text)
    answer: dict[str, Any] = await reply.json()
    return answer


@contextmanager
def _untouched(sentinel: Sentinel) -> Iterator[None]:
    before = list(sentinel.seen)
    yield
    assert sentinel.seen == before, f"the sentinel was reached: {sentinel.seen[len(before):]}"


async def _control(client: Client, headers: dict[str, str], sentinel: Sentinel) -> None:
    """The allow-listed bot reaches the sentinel: the record works."""
    answer = await _fetch(client, headers, "relay", "get",
                          f"http://127.0.0.1:{sentinel.port}/control")
    assert answer == {"ok": True, "result": REACHED}, answer
    assert sentinel.seen == [f"GET 127.0.0.1:{sentinel.port}/control"]
    sentinel.seen.clear()


async def test_forbidden_addresses_in_every_spelling(client: Client, app: web.Application,
                                                     sentinel: Sentinel) -> None:
    headers = auth(app, "ada")
    await _control(client, headers, sentinel)
    attempts = Attempts(KIND)
    urls = forbidden_urls(sentinel.port)
    for url, guarded in urls.items():
        ops = OPS if "127.0.0.1:" in url and url.startswith("http://127") else ("get",)
        for op in ops:
            with attempts.one(f"{op} {url}"), _untouched(sentinel):
                answer = await _fetch(client, headers, "ssrf", op, url)
                assert answer["ok"] is False, answer
                assert REACHED not in str(answer)
                if guarded:
                    assert answer["kind"] == "PermissionError", answer
                else:
                    assert answer["kind"] in ("PermissionError", "HttpError", "ValueError",
                                              "FileError"), answer
    attempts.verdict(at_least=len(urls) + len(OPS) - 1)


async def test_redirects_from_an_allowed_host_are_checked_again(
        client: Client, app: web.Application, sentinel: Sentinel) -> None:
    headers = auth(app, "ada")
    await _control(client, headers, sentinel)
    hop = f"http://127.0.0.1:{sentinel.redirector}/go"
    allowed = await _fetch(client, headers, "relay", "get",
                           f"{hop}?to=http://127.0.0.1:{sentinel.port}/hop")
    assert allowed == {"ok": True, "result": REACHED}  # a redirect to an allowed host works
    sentinel.seen.clear()
    targets = [url for url, guarded in forbidden_urls(sentinel.port).items()
               if guarded and "//127.0.0.1:" not in url.lower() and "@" not in url]
    targets += [f"//localhost:{sentinel.port}/attack", f"//[::1]:{sentinel.port}/attack"]
    attempts = Attempts(KIND_REDIRECT)
    for target in targets:
        for status in (301, 302, 303, 307, 308):
            if status != 302 and not target.startswith("http://localhost"):
                continue
            for op in ("get", "post") if status in (302, 307) else ("get",):
                redirected = len(sentinel.redirected)
                with attempts.one(f"{op} via {status} to {target}"), _untouched(sentinel):
                    answer = await _fetch(client, headers, "relay", op,
                                          f"{hop}?status={status}&to={quote(target, safe='')}")
                    assert len(sentinel.redirected) == redirected + 1, "no redirect served"
                    assert answer["ok"] is False, answer
                    assert answer["kind"] == "PermissionError", answer
    attempts.verdict(at_least=len(targets))


async def test_a_visitors_media_url_is_never_fetched(client: Client, app: web.Application,
                                                    sentinel: Sentinel) -> None:
    """A chat message may name a ``media_url``: the server must not fetch it for a stranger
    (over REST, the WebSocket or the OpenAI route)."""
    uma = auth(app, "uma")
    opened = await client.post("/api/bots/echo/sessions", headers=uma, json={})
    session = (await opened.json())["session_id"]
    attempts = Attempts(KIND)
    for url in [url for url, guarded in forbidden_urls(sentinel.port).items() if guarded][:12]:
        with attempts.one(f"REST message with media_url {url}"), _untouched(sentinel):
            reply = await client.post(f"/api/sessions/{session}/messages", headers=uma,
                                      json={"content": "look", "media_url": url})
            assert reply.status in (200, 400), await reply.text()
            assert REACHED not in await reply.text()
        with attempts.one(f"WebSocket frame with media_url {url}"), _untouched(sentinel):
            async with client.ws_connect("/ws?bot=echo", headers=uma) as ws:
                assert (await ws.receive_json(timeout=10))["type"] == "connected"
                while (await ws.receive_json(timeout=10))["type"] != "waiting":
                    pass  # start.bas reaches its HEAR: a message now is an answer to it
                await ws.send_json({"content": "look", "media_url": url})
                answered = False
                while not answered:  # until the answer to this very message is complete
                    frame = await ws.receive_json(timeout=10)
                    assert REACHED not in str(frame)
                    answered = frame.get("content") == "you said look"
    attempts.verdict(at_least=24)
