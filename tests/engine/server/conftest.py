"""Fixtures of the server tests: a keyring in HEARTH_HOME, a real engine, the app's client."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import keyring
import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from keyring.backend import KeyringBackend
from keyrings.alt.file import PlaintextKeyring

from engine.api import Engine
from engine.server import ServerOptions, build_app
from tests.engine.server.browserkit import browser
from tests.engine.server.serverkit import add_users, open_engine

__all__ = ["browser"]  # a fixture defined in browserkit, offered to every server test


@pytest.fixture(autouse=True)
def home_keyring(hearth_home: Path) -> Iterator[KeyringBackend]:
    """The OS keyring is a plain file under this test's HEARTH_HOME."""
    previous = keyring.get_keyring()
    backend = PlaintextKeyring()
    backend.file_path = str(hearth_home / "keyring.cfg")  # type: ignore[misc]
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest_asyncio.fixture
async def engine(hearth_home: Path) -> AsyncIterator[Engine]:
    opened = await open_engine(hearth_home)
    try:
        yield opened
    finally:
        await opened.aclose()


@pytest.fixture
def options() -> ServerOptions:
    return ServerOptions(rate_per_second=1000, rate_burst=1000, turn_timeout=20)


@pytest_asyncio.fixture
async def app(engine: Engine, options: ServerOptions) -> web.Application:
    built = await build_app(engine, options)
    await add_users(built)
    return built


@pytest_asyncio.fixture
async def client(app: web.Application) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    async with TestClient(TestServer(app)) as test_client:
        yield test_client
