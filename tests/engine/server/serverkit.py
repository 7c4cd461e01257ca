"""A real engine with small bots, served by the real aiohttp app, for the server tests."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from engine.api import Engine, EngineConfig
from engine.server import ServerOptions, build_app
from engine.server.security.principal import Role
from engine.server.state import STATE
from tests.engine.sessions.sessionkit import write_bot

REPO = Path(__file__).resolve().parents[3]
TEMPLATES = REPO / "resources" / "templates"
PASSWORD = "correct horse battery"

ECHO = 'DO\n  HEAR m\n  TALK "you said " + m\nLOOP\n'
HOOKS = {
    "start.bas": 'TALK "hooks"\n',
    "order.bas": (
        'WEBHOOK "order"\n'
        'IF method = "GET" THEN\n'
        '  RETURN {status: 200, body: {id: params.id, agent: headers["user-agent"]}}\n'
        'END IF\n'
        'IF ISEMPTY(body) THEN\n'
        '  RETURN NULL\n'
        'END IF\n'
        'SAVE "orders", {item: body.item, qty: body.qty}\n'
        'RETURN {status: 201, body: {saved: body.item}, headers: {"X-Order": "ok"}}\n'
    ),
    "plain.bas": 'WEBHOOK "plain"\nRETURN "pong " + method\n',
    "broken.bas": 'WEBHOOK "broken"\nx = 1 / 0\n',
    "tables.bas": (
        'TABLE secrets READ BY "designer" WRITE BY "admin"\n'
        '  code STRING\n'
        'END TABLE\n'
    ),
    "double.bas": (
        'PARAM n AS INTEGER DESCRIPTION "A number"\n'
        'DESCRIPTION "Doubles a number"\n'
        'TALK "doubling " + n\n'
        'RETURN n * 2\n'
    ),
}


def make_bots(home: Path) -> None:
    write_bot(home, "echo", {"start.bas": ECHO}, "bot-name,Echo\n")
    write_bot(home, "open", {"start.bas": ECHO},
              "bot-name,Open\nwebchat-anonymous,true\nwebhook-anonymous,true\n")
    write_bot(home, "hooks", HOOKS, "bot-name,Hooks\n")


def engine_config(home: Path) -> EngineConfig:
    return EngineConfig.under(home, TEMPLATES, run_scheduler=False, watch_bots=False)


async def open_engine(home: Path) -> Engine:
    make_bots(home)
    engine = await Engine(engine_config(home)).open()
    engine.new_bot("starter")
    return engine


@asynccontextmanager
async def served(home: Path, prepare: Callable[[Engine], None] | None = None
                 ) -> AsyncIterator[tuple[TestClient[web.Request, web.Application],
                                          web.Application]]:
    """The bots already written under ``home``, served (turn timeout 10 s) with the test users;
    ``prepare`` sees the opened engine first. Yields the client and the app; closes the
    engine after."""
    engine = await Engine(engine_config(home)).open()
    if prepare is not None:
        prepare(engine)
    app = await build_app(engine, ServerOptions(turn_timeout=10))
    await add_users(app)
    try:
        async with TestClient(TestServer(app)) as client:
            yield client, app
    finally:
        await engine.aclose()


async def add_users(app: web.Application) -> None:
    accounts = app[STATE].accounts
    for name, role in (("ada", Role.ADMIN), ("dan", Role.DESIGNER), ("uma", Role.USER),
                       ("ulf", Role.USER)):
        if await accounts.user(name) is None:
            await accounts.add_user(name, PASSWORD, role)


def token(app: web.Application, user: str) -> str:
    state = app[STATE]
    role = {"ada": Role.ADMIN, "dan": Role.DESIGNER}.get(user, Role.USER)
    return state.tokens.issue(user, role).access_token


def auth(app: web.Application, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token(app, user)}"}


def error_of(body: Any) -> tuple[str, str]:
    """The (code, message) of the one error shape, checking the shape exactly."""
    assert set(body) == {"error"}, body
    assert set(body["error"]) <= {"code", "message", "details"}, body
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str)
    return body["error"]["code"], body["error"]["message"]


class HashingKnowledge:
    """A knowledge provider for the tests: the real KnowledgeBase with the hashing embedder
    (no model file), one per bot under ``<home>/kb/<bot>``."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.bases: dict[str, Any] = {}

    async def __call__(self, bot: str) -> Any:
        from engine.kb.embedders import HashingEmbedder
        from engine.kb.knowledge import KnowledgeBase

        if bot not in self.bases:
            self.bases[bot] = KnowledgeBase(self.home / "kb" / bot, HashingEmbedder())
        return self.bases[bot]

    async def aclose(self) -> None:
        for base in self.bases.values():
            await base.aclose()
        self.bases.clear()
