"""Fixtures of the storage tests: one opened backend per protocol, parametrized by backend.

The contract suites (``test_*_contract.py``) take ``db``, ``objects``, ``cache`` or ``bus``
and run once per backend listed here. A shared backend is added as one more entry whose
factory calls ``require_service`` when its server is missing: PostgreSQL's comes from the
session's embedded server (``tests/services/postgres.py``), a fresh schema per test.

Async tests use anyio's pytest plugin (``pytest.mark.anyio``) on asyncio.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.storage.bus.protocol import EventBus
from engine.storage.cache.protocol import Cache
from engine.storage.db.protocol import Database
from engine.storage.objects.protocol import ObjectStore
from engine.storage.urls import (
    cache_from_url,
    database_from_url,
    event_bus_from_url,
    object_store_from_url,
)
from tests.services.postgres import PostgresServer, postgres_server
from tests.services.redis import redis_server
from tests.services.s3 import s3_server

# fixtures: imported so pytest finds them here
__all__ = ["postgres_server", "redis_server", "s3_server"]


def embedded_url(scheme: str, path: Path) -> str:
    """``scheme:///path``, percent-encoded the way app.settings writes it."""
    return scheme + path.as_uri().removeprefix("file")


UrlFactory = Callable[[Path], str]


@dataclass(frozen=True)
class OnServer:
    """A backend on the session's server: ``fixture`` names it; its ``url()`` gives a fresh
    namespace (a key prefix, a folder in the bucket) for each test."""

    fixture: str


def backend_url(request: pytest.FixtureRequest, entry: UrlFactory | OnServer, tmp: Path) -> str:
    if isinstance(entry, OnServer):
        return str(request.getfixturevalue(entry.fixture).url())
    return entry(tmp)


DATABASES: dict[str, UrlFactory | None] = {
    "sqlite": lambda tmp: embedded_url("sqlite", tmp / "data base" / "hearth.db"),
    "postgresql": None,  # a schema of the session's server: see the db fixture
}
OBJECT_STORES: dict[str, UrlFactory | OnServer] = {
    "file": lambda tmp: embedded_url("file", tmp / "drive ü"),
    "s3": OnServer("s3_server"),
}
CACHES: dict[str, UrlFactory | OnServer] = {
    "disk": lambda tmp: embedded_url("disk", tmp / "cache"),
    "redis": OnServer("redis_server"),
}
EVENT_BUSES: dict[str, UrlFactory | OnServer] = {
    "local": lambda tmp: "local",
    "redis": OnServer("redis_server"),
}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=sorted(DATABASES))
async def db(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    factory = DATABASES[request.param]
    if factory is not None:
        async with database_from_url(factory(tmp_path)) as database:
            yield database
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    async with server.schema() as url, database_from_url(url) as database:
        yield database


@pytest.fixture(params=sorted(OBJECT_STORES))
async def objects(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[ObjectStore]:
    url = backend_url(request, OBJECT_STORES[request.param], tmp_path)
    async with object_store_from_url(url) as store:
        yield store


@pytest.fixture(params=sorted(CACHES))
async def cache(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Cache]:
    async with cache_from_url(backend_url(request, CACHES[request.param], tmp_path)) as backend:
        yield backend


@pytest.fixture(params=sorted(EVENT_BUSES))
async def bus(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[EventBus]:
    url = backend_url(request, EVENT_BUSES[request.param], tmp_path)
    async with event_bus_from_url(url) as backend:
        yield backend
