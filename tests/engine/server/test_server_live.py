"""The server on a real port: start/stop, TLS, and the official OpenAI client."""

from __future__ import annotations

import ssl
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import openai
import pytest
import pytest_asyncio

from engine.api import Engine
from engine.server import RunningServer, ServerOptions, start_server
from engine.server.security.principal import Role
from engine.server.state import STATE
from tests.engine.server.serverkit import add_users

pytestmark = pytest.mark.asyncio


@pytest_asyncio.fixture
async def live(engine: Engine) -> AsyncIterator[tuple[RunningServer, str]]:
    server = await start_server(engine, "127.0.0.1", 0, options=ServerOptions())
    await add_users(server.app)
    _, secret = await server.app[STATE].accounts.create_key("uma", "openai", Role.USER)
    try:
        yield server, secret
    finally:
        await server.aclose()


async def test_start_and_stop(engine: Engine) -> None:
    server = await start_server(engine, "127.0.0.1", 0)
    assert server.url == f"http://127.0.0.1:{server.port}" and server.port > 0
    async with aiohttp.ClientSession() as session, session.get(
            server.url + "/api/health") as reply:
        assert reply.status == 200
    await server.aclose()
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.ClientConnectionError):
            await session.get(server.url + "/api/health")


async def test_tls_with_a_generated_certificate(engine: Engine, hearth_home: Path) -> None:
    server = await start_server(engine, "127.0.0.1", 0, tls=True)
    try:
        assert server.url.startswith("https://")
        cert = hearth_home / "tls" / "cert.pem"
        assert cert.is_file() and (hearth_home / "tls" / "key.pem").stat().st_mode & 0o077 == 0
        context = ssl.create_default_context(cafile=str(cert))
        async with aiohttp.ClientSession() as session, session.get(
                server.url + "/api/health", ssl=context) as reply:
            assert (await reply.json())["status"] == "ok"
    finally:
        await server.aclose()


async def test_openai_client_models_and_completion(live: tuple[RunningServer, str]) -> None:
    server, secret = live
    client = openai.AsyncOpenAI(base_url=server.url + "/v1", api_key=secret, max_retries=0)
    models = [m.id async for m in client.models.list()]
    assert models == ["echo", "hooks", "open", "starter"]
    completion = await client.chat.completions.create(
        model="echo", messages=[{"role": "system", "content": "be brief"},
                                {"role": "user", "content": "hello there"}])
    assert completion.choices[0].message.content == "you said hello there"
    assert completion.choices[0].finish_reason == "stop" and completion.model == "echo"
    await client.close()


async def test_openai_client_streaming(live: tuple[RunningServer, str]) -> None:
    server, secret = live
    client = openai.AsyncOpenAI(base_url=server.url + "/v1", api_key=secret, max_retries=0)
    stream = await client.chat.completions.create(
        model="echo", messages=[{"role": "user", "content": "stream me"}], stream=True)
    parts, finish = [], None
    async for chunk in stream:
        parts.append(chunk.choices[0].delta.content or "")
        finish = chunk.choices[0].finish_reason or finish
    assert "".join(parts) == "you said stream me" and finish == "stop"
    await client.close()


async def test_openai_conversation_continues_with_the_session_header(
        live: tuple[RunningServer, str]) -> None:
    server, secret = live
    client = openai.AsyncOpenAI(base_url=server.url + "/v1", api_key=secret, max_retries=0)
    raw = await client.chat.completions.with_raw_response.create(
        model="starter", messages=[{"role": "user", "content": "Take a note"}])
    session = raw.headers["X-Session-Id"]
    assert raw.parse().choices[0].message.content == "What should I write down?"
    follow = await client.chat.completions.create(
        model="starter", messages=[{"role": "user", "content": "buy bread"}],
        extra_headers={"X-Session-Id": session})
    assert follow.choices[0].message.content.startswith("Saved.")
    await client.close()


async def test_openai_errors(live: tuple[RunningServer, str]) -> None:
    server, secret = live
    client = openai.AsyncOpenAI(base_url=server.url + "/v1", api_key=secret, max_retries=0)
    with pytest.raises(openai.NotFoundError):
        await client.chat.completions.create(model="ghost",
                                             messages=[{"role": "user", "content": "x"}])
    bad = openai.AsyncOpenAI(base_url=server.url + "/v1", api_key="wrong", max_retries=0)
    with pytest.raises(openai.AuthenticationError):
        await bad.models.list()
    await client.close()
    await bad.close()
