"""The pipeline around every route: metrics, CORS allow-list, per-IP rate limit, health."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from engine.api import Engine
from engine.server import ServerOptions, build_app
from tests.engine.server.serverkit import add_users, auth, error_of

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]
ALLOWED = "https://intranet.example"


async def test_health_is_public(client: Client) -> None:
    body = await (await client.get("/api/health")).json()
    assert body["status"] == "ok" and body["bots"] == 4 and body["version"]


async def test_metrics_have_the_architecture_names(client: Client, app: web.Application) -> None:
    await client.get("/api/health")
    await client.get("/api/bots/ghost", headers=auth(app, "uma"))
    text = await (await client.get("/metrics", headers=auth(app, "ada"))).text()
    for name in ("http_requests_total", "http_request_duration_seconds", "ws_connections",
                 "llm_requests_total", "llm_cache_hits_total", "db_pool_size",
                 "process_resident_memory_bytes"):
        assert f"# TYPE {name} " in text, name
    assert 'http_requests_total{method="GET",route="/api/health",status="200"} 1' in text
    assert 'route="/api/bots/{bot}",status="404"' in text
    assert re.search(r'http_request_duration_seconds_bucket\{method="GET",route="/api/health",'
                     r'le="\+Inf"\} 1', text)
    rss = re.search(r"^process_resident_memory_bytes (\d+)$", text, re.M)
    assert rss and int(rss.group(1)) > 10_000_000


@pytest_asyncio.fixture
async def cors_client(engine: Engine) -> AsyncIterator[Client]:
    app = await build_app(engine, ServerOptions(cors_origins=(ALLOWED,)))
    await add_users(app)
    async with TestClient(TestServer(app)) as client:
        yield client


async def test_cors_allow_list(cors_client: Client) -> None:
    preflight = {"Origin": ALLOWED, "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "authorization,content-type"}
    ok = await cors_client.options("/api/auth/login", headers=preflight)
    assert ok.status == 204 and ok.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Authorization" in ok.headers["Access-Control-Allow-Headers"]
    evil = await cors_client.options("/api/auth/login",
                                     headers={**preflight, "Origin": "https://evil.example"})
    assert evil.status == 403 and "Access-Control-Allow-Origin" not in evil.headers
    simple = await cors_client.get("/api/health", headers={"Origin": ALLOWED})
    assert simple.headers["Access-Control-Allow-Origin"] == ALLOWED
    error = await cors_client.get("/api/bots", headers={"Origin": ALLOWED})
    assert error.status == 401 and error.headers["Access-Control-Allow-Origin"] == ALLOWED
    other = await cors_client.get("/api/health", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in other.headers


@pytest_asyncio.fixture
async def limited_client(engine: Engine) -> AsyncIterator[Client]:
    app = await build_app(engine, ServerOptions(rate_per_second=1, rate_burst=5))
    async with TestClient(TestServer(app)) as client:
        yield client


async def test_rate_limit(limited_client: Client) -> None:
    statuses = [(await limited_client.get("/api/health")).status for _ in range(5)]
    assert statuses == [200] * 5
    refused = await limited_client.get("/api/health")
    assert refused.status == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert error_of(await refused.json())[0] == "rate_limited"
