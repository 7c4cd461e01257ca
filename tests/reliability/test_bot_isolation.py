"""One broken bot never breaks the others (issue 10, defect 4).

A ``start.bas`` with 3,000 nested IFs used to raise RecursionError while the bots were
listed, so ``GET /api/bots`` answered 500 to every user; a ``config.csv`` value ``nan`` or
``1e309`` made that bot's routes 500. Now the deep script is a syntax error of its file, bad
values are warnings with the default used, and the listing and every other route answer.
Checked through the Engine API and through the real aiohttp server on 127.0.0.1.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from engine.api import Engine
from engine.basic.limits import Limits
from engine.server import ServerOptions, build_app
from tests.engine.server.conftest import home_keyring  # noqa: F401 (a fixture)
from tests.engine.server.serverkit import add_users, auth, open_engine
from tests.engine.sessions.sessionkit import write_bot

DEEP_IFS = "x = 1\n" + "IF x > 0 THEN\n" * 3000 + 'TALK "deep"\n' + "END IF\n" * 3000
DEEP_EXPRESSION = "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"
BAD_VALUES = ("basic-max-loop,1e309\nbasic-max-seconds,nan\nbasic-max-steps,inf\n"
              "http-timeout,-inf\nhttp-max-bytes,1e309\nhear-timeout-secs,-5\n"
              "llm-timeout,nan\nbasic-max-depth,ten\n")
pytestmark = pytest.mark.asyncio
GOOD_SCRIPTS = {"start.bas": 'TALK "hello"\n',
                "ping.bas": 'WEBHOOK "ping"\nRETURN "pong " + method\n',
                "job.bas": 'FOR i = 1 TO 10\n  n = i\nNEXT\nTALK "looped " + n\n'}


def write_broken_bots(home: Path) -> None:
    write_bot(home, "deep", {"start.bas": DEEP_IFS, "formula.bas": DEEP_EXPRESSION},
              "bot-name,Deep\n")
    write_bot(home, "badcfg", GOOD_SCRIPTS, "bot-name,Bad config\n" + BAD_VALUES)
    latin = write_bot(home, "latin", GOOD_SCRIPTS)
    (latin / "latin.gbot" / "config.csv").write_bytes(
        b"name,value\nbot-name,Ol\xe1\nwelcome-message,Ol\xe1 \xe0 todos\n")


@pytest_asyncio.fixture
async def engine(hearth_home: Path) -> AsyncIterator[Engine]:
    write_broken_bots(hearth_home)
    opened = await open_engine(hearth_home)
    try:
        yield opened
    finally:
        await opened.aclose()


@pytest_asyncio.fixture
async def client(engine: Engine) -> AsyncIterator[TestClient[web.Request, web.Application]]:
    app = await build_app(engine, ServerOptions(rate_per_second=1000, rate_burst=1000,
                                                turn_timeout=20))
    await add_users(app)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


# --- through the Engine API -------------------------------------------------------------------


async def test_the_listing_shows_broken_bots_with_their_problems(engine: Engine) -> None:
    infos = {info.name: info for info in engine.list_bots()}
    assert {"deep", "badcfg", "latin", "echo", "hooks"} <= set(infos)
    assert infos["deep"].errors == 2 and infos["deep"].title == "Deep"
    assert infos["badcfg"].errors == 0 and infos["badcfg"].warnings == 8
    assert infos["latin"].errors == 0 and infos["latin"].warnings == 1
    assert infos["echo"].errors == 0 and infos["echo"].warnings == 0


async def test_deep_nesting_is_a_diagnostic_at_line_and_column(engine: Engine) -> None:
    deep = engine.bots.bot("deep")
    by_file = {Path(file).name: diagnostics for file, diagnostics in deep.diagnostics.items()}
    (blocks,) = by_file["start.bas"]
    assert (blocks.line, blocks.col, blocks.severity) == (102, 1, "error")
    assert blocks.message.startswith("blocks nested more than 100 levels deep")
    (expression,) = by_file["formula.bas"]
    assert (expression.line, expression.severity) == (1, "error")
    assert expression.message.startswith("expression nested more than 100 levels deep")
    assert deep.program("start") is None  # it never runs


async def test_bad_config_values_are_warnings_and_the_defaults_are_used(engine: Engine) -> None:
    bad = engine.bots.bot("badcfg")
    (warnings,) = [ds for file, ds in bad.diagnostics.items() if file.endswith("config.csv")]
    messages = [w.message for w in warnings]
    assert messages[0] == ("'basic-max-loop' needs a whole number of at least 0, not '1e309'; "
                           "the default is used")
    assert [w.line for w in warnings] == [3, 4, 5, 6, 7, 8, 9, 10]
    assert Limits.from_config(bad.config) == Limits()
    assert bad.config.get("http-timeout", "30") == "30"
    job = await engine.run_job("badcfg", "job")  # services open, the VM starts
    assert job.error is None and job.output == ["looped 10"]


async def test_a_config_that_is_not_utf8_is_read_with_a_warning(engine: Engine) -> None:
    latin = engine.bots.bot("latin")
    assert latin.config.get("bot-name") == "Ol\ufffd"
    (warnings,) = [ds for file, ds in latin.diagnostics.items() if file.endswith("config.csv")]
    assert warnings[0].line == 2 and "not UTF-8" in warnings[0].message
    assert (await engine.run_job("latin", "job")).output == ["looped 10"]


# --- through the real server ------------------------------------------------------------------


async def test_get_bots_answers_for_everyone_despite_a_broken_bot(
        client: TestClient[web.Request, web.Application]) -> None:
    app = client.server.app
    for user in ("uma", "ada"):
        listing = await client.get("/api/bots", headers=auth(app, user))
        assert listing.status == 200
        bots = {b["name"]: b for b in (await listing.json())["bots"]}
        assert bots["deep"]["errors"] == 2
        assert bots["badcfg"]["warnings"] == 8
        assert bots["echo"]["errors"] == 0
    one = await client.get("/api/bots/deep", headers=auth(app, "uma"))
    assert one.status == 200 and (await one.json())["errors"] == 2


async def test_the_other_routes_of_every_bot_still_work(
        client: TestClient[web.Request, web.Application]) -> None:
    app = client.server.app
    user = auth(app, "uma")
    for bot in ("badcfg", "latin", "echo", "deep"):
        webchat = await client.get(f"/api/bots/{bot}/webchat")
        assert webchat.status == 200, (bot, await webchat.text())
    for bot in ("badcfg", "latin"):
        pong = await client.post(f"/api/{bot}/webhook/ping", headers=user)
        assert pong.status == 200, (bot, await pong.text())
        assert await pong.json() == "pong POST"
        opened = await client.post(f"/api/bots/{bot}/sessions", headers=user, json={})
        assert opened.status in (200, 201), (bot, await opened.text())
    echo = await client.post("/api/bots/echo/sessions", headers=user, json={})
    assert echo.status in (200, 201)
