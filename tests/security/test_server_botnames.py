"""A bot name is a name, never a path (issue 10, defect 1).

A designer may upload anything into a bot's drive, including a whole bot-shaped folder whose
config lets anonymous callers in. Before the fix, the bot name ``open.gbai/open.gbdrive/hooks``
(sent URL-encoded) was joined into a path: the planted ``hooks.gbai`` folder's config let a
stranger in, and its webhook ran with the services of the real, login-only bot ``hooks``
(its ``FIND`` returned the admin-only rows of the ``secrets`` table); ``/ws?bot=`` opened a
chat with the login-only bot ``echo`` the same way. Every way a bot name reaches the server
(the ``{bot}`` path segment of REST and webhooks, ``/ws?bot=``, the OpenAI ``model``) must
find only installed bots, and the registry itself refuses anything else.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from aiohttp import WSServerHandshakeError, web
from aiohttp.test_utils import TestClient
from yarl import URL

from engine.bots.errors import UnknownBot
from engine.server.state import STATE
from tests.engine.server.serverkit import auth, error_of
from tests.security.attackkit import Attempts

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]
KIND = "bot name as a path"
SECRET = "only-admins-may-read-this"
ANONYMOUS = "webhook-anonymous,true\nwebchat-anonymous,true\n"
PLANTED = {  # uploaded to the drive of bot "open" by a designer
    "hooks.gbai/hooks.gbot/config.csv": "bot-name,Planted\n" + ANONYMOUS,
    "hooks.gbai/hooks.gbdialog/leak.bas": 'WEBHOOK "leak"\nRETURN FIND "secrets"\n',
    "echo.gbai/echo.gbot/config.csv": "bot-name,Planted\n" + ANONYMOUS,
    "echo.gbai/echo.gbdialog/start.bas": 'TALK "planted start"\n',
}
HOOKS = "open.gbai/open.gbdrive/hooks"
ECHO = "open.gbai/open.gbdrive/echo"


async def _plant(client: Client, app: web.Application) -> None:
    """What a designer may do: keep a secret row in ``hooks`` (as the admin) and upload
    bot-shaped folders to the drive of ``open``."""
    reply = await client.post("/api/bots/hooks/tables/secrets/rows", json={"code": SECRET},
                              headers=auth(app, "ada"))
    assert reply.status == 201, await reply.text()
    for path, text in PLANTED.items():
        reply = await client.put("/api/bots/open/drive/file", params={"path": path},
                                 data=text.encode(), headers=auth(app, "dan"))
        assert reply.status == 201, await reply.text()


def _variants(smuggled: str) -> list[str]:
    """The smuggled name as it may arrive: decoded, and with its slashes in other forms."""
    return [smuggled, smuggled.replace("/", "\\"), "../bots/" + smuggled, "./" + smuggled,
            smuggled + "/", "open.gbai/../" + smuggled, quote(smuggled, safe=""),
            smuggled.replace("/", "%252F")]


def _segment(name: str) -> str:
    """``name`` as one URL path segment (its slashes as %2F)."""
    return quote(name, safe="")


def _url(path: str) -> URL:
    return URL(path, encoded=True)


async def _refused(client: Client, method: str, path: str, **kwargs: object) -> None:
    reply = await client.request(method, _url(path), **kwargs)  # type: ignore[arg-type]
    body = await reply.text()
    assert reply.status == 404, f"{method} {path}: {reply.status} {body[:200]}"
    assert error_of(await reply.json())[0] == "not_found"
    assert SECRET not in body and "planted" not in body.lower()


async def test_a_folder_in_a_drive_is_not_a_bot_for_webhooks(client: Client,
                                                             app: web.Application) -> None:
    await _plant(client, app)
    attempts = Attempts(KIND)
    for name in _variants(HOOKS):
        for method in ("GET", "POST"):
            with attempts.one(f"anonymous {method} webhook of bot {name!r}"):
                await _refused(client, method, f"/api/{_segment(name)}/webhook/leak")
            with attempts.one(f"signed-in {method} webhook of bot {name!r}"):
                await _refused(client, method, f"/api/{_segment(name)}/webhook/leak",
                               headers=auth(app, "uma"))
    attempts.verdict(at_least=32)


async def test_a_folder_in_a_drive_is_not_a_bot_for_the_chat_websocket(
        client: Client, app: web.Application) -> None:
    await _plant(client, app)
    attempts = Attempts(KIND)
    for name in _variants(ECHO):
        for who, headers in (("anonymous", {}), ("signed-in", auth(app, "uma"))):
            with attempts.one(f"{who} /ws?bot={name!r}"):
                with pytest.raises(WSServerHandshakeError) as refused:
                    async with client.ws_connect("/ws", params={"bot": name}, headers=headers):
                        pass
                assert refused.value.status == 404
    attempts.verdict(at_least=16)


async def test_a_folder_in_a_drive_is_not_a_bot_for_rest_and_openai(
        client: Client, app: web.Application) -> None:
    await _plant(client, app)
    attempts = Attempts(KIND)
    user = auth(app, "uma")
    for name in _variants(HOOKS) + _variants(ECHO):
        bot = _segment(name)
        for method, path in (("GET", f"/api/bots/{bot}"), ("GET", f"/api/bots/{bot}/webchat"),
                             ("POST", f"/api/bots/{bot}/sessions"),
                             ("GET", f"/api/bots/{bot}/tools"),
                             ("GET", f"/api/bots/{bot}/drive")):
            with attempts.one(f"{method} {path}"):
                await _refused(client, method, path, headers=user, json={})
        with attempts.one(f"OpenAI model {name!r}"):
            await _refused(client, "POST", "/v1/chat/completions", headers=user, json={
                "model": name, "messages": [{"role": "user", "content": "hi"}]})
    attempts.verdict(at_least=96)


async def test_the_registry_finds_installed_bots_only(client: Client,
                                                      app: web.Application) -> None:
    await _plant(client, app)
    bots = app[STATE].engine.bots
    assert bots.bot("hooks").package.name == "hooks"  # the control: a real bot is found
    attempts = Attempts(KIND)
    for name in [*_variants(HOOKS), *_variants(ECHO), "HOOKS", "hooks\n", " hooks",
                 "hooks.gbai", "", ".", "..", "hooks\x00", "h" * 300]:
        with attempts.one(f"registry.package/bot({name!r})"):
            with pytest.raises(UnknownBot):
                bots.package(name)
            with pytest.raises(UnknownBot):
                bots.bot(name)
    assert bots.names() == sorted({"echo", "hooks", "open", "starter"})
    attempts.verdict(at_least=25)
