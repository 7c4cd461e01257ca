"""Fixtures of the channel tests: the platform fakes on loopback, a real engine whose bots
configured the channels (secrets in a file keyring under HEARTH_HOME), the real server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import keyring
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer

from engine.api import Engine
from engine.server import ServerOptions, build_app
from tests.engine.channels.fakes.telegram import FakeTelegram
from tests.engine.channels.fakes.whatsapp import FakeWhatsApp
from tests.engine.server.conftest import home_keyring
from tests.engine.server.serverkit import engine_config
from tests.engine.sessions.sessionkit import write_bot

__all__ = ["home_keyring"]  # the server tests' autouse file keyring, holding the tokens here

TG_SECRET = "tg-webhook-secret-0123456789"
WA_SECRET = "wa-app-secret-abcdef"
WA_VERIFY = "wa-verify-me"
DESK = (
    'TALK "Welcome to the **desk**."\n'
    "DO\n"
    "  CLEAR SUGGESTIONS\n"
    '  ADD SUGGESTION TEXT "book" AS "Book a room"\n'
    '  ADD SUGGESTION TEXT "long" AS "Long answer"\n'
    '  ADD SUGGESTION TEXT "menu" AS "More choices"\n'
    "  HEAR choice\n"
    '  IF choice = "long" THEN\n'
    '    t = ""\n'
    "    FOR i = 1 TO 150\n"
    '      t = t + "Sentence number " + i + " fills the long answer. "\n'
    "    NEXT\n"
    "    TALK t\n"
    '  ELSEIF choice = "menu" THEN\n'
    "    CLEAR SUGGESTIONS\n"
    '    ADD SUGGESTION "Mon"\n    ADD SUGGESTION "Tue"\n    ADD SUGGESTION "Wed"\n'
    '    ADD SUGGESTION "Thu"\n    ADD SUGGESTION "Fri"\n'
    '    TALK "Which day?"\n'
    "    HEAR day\n"
    '    TALK "Booked for " + day\n'
    "  ELSE\n"
    '    TALK "You chose " + choice\n'
    "  END IF\n"
    "LOOP\n"
)


@pytest_asyncio.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    fake = await FakeTelegram().start()
    yield fake
    await fake.stop()


@pytest_asyncio.fixture
async def whatsapp() -> AsyncIterator[FakeWhatsApp]:
    fake = await FakeWhatsApp().start()
    yield fake
    await fake.stop()


def write_desk(home: Path, telegram: FakeTelegram, whatsapp: FakeWhatsApp) -> None:
    """The ``desk`` bot with both channels (secrets as keyring:NAME) and ``plain`` with none."""
    keyring.set_password("hearth", "desk-telegram", telegram.token)
    keyring.set_password("hearth", "desk-telegram-secret", TG_SECRET)
    keyring.set_password("hearth", "desk-whatsapp", whatsapp.token)
    keyring.set_password("hearth", "desk-whatsapp-secret", WA_SECRET)
    config = (
        "bot-name,Desk\n"
        "telegram-token,keyring:desk-telegram\n"
        "telegram-secret,keyring:desk-telegram-secret\n"
        f"telegram-api-url,{telegram.url}\n"
        "whatsapp-token,keyring:desk-whatsapp\n"
        "whatsapp-app-secret,keyring:desk-whatsapp-secret\n"
        f"whatsapp-verify-token,{WA_VERIFY}\n"
        f"whatsapp-phone-id,{whatsapp.phone_id}\n"
        f"whatsapp-api-url,{whatsapp.api_url}\n"
    )
    write_bot(home, "desk", {"start.bas": DESK}, config)
    write_bot(home, "plain", {"start.bas": 'TALK "hi"\n'}, "bot-name,Plain\n")


@pytest_asyncio.fixture
async def engine(hearth_home: Path, telegram: FakeTelegram,
                 whatsapp: FakeWhatsApp) -> AsyncIterator[Engine]:
    write_desk(hearth_home, telegram, whatsapp)
    opened = await Engine(engine_config(hearth_home)).open()
    try:
        yield opened
    finally:
        await opened.aclose()


@pytest_asyncio.fixture
async def hearth(engine: Engine) -> AsyncIterator[TestServer]:
    """The real server on loopback (``server.make_url(path)`` is a webhook's address)."""
    app: web.Application = await build_app(
        engine, ServerOptions(rate_per_second=1000, rate_burst=1000, turn_timeout=20))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield server
    finally:
        await server.close()
