"""Every request sees the account as it is now (issue 10, defect 2).

Before the fix an access token was trusted until it expired: a deleted admin's token could
still ``POST /api/users`` with role admin (201, and the new admin persisted), a demoted admin
kept its rights, and reusing a refresh token only failed that one call while the thief's
newer token kept working. Now the account's current state (role, token version, creation
time, revoked login families) is checked on every request, and a reused refresh token revokes
its whole family (that login's refresh and access tokens) while the account's other logins,
another browser, keep working.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from engine.server.security.principal import Role
from engine.server.security.tokens import StaticSecret, TokenService
from engine.server.state import STATE
from tests.engine.server.serverkit import PASSWORD, auth, error_of
from tests.security.attackkit import Attempts

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]
KIND = "stale account state"
NEW_ADMIN = {"username": "mallory", "password": "long enough pw", "role": "admin"}


async def _login(client: Client, user: str, password: str = PASSWORD) -> dict[str, str]:
    reply = await client.post("/api/auth/login", json={"username": user, "password": password})
    assert reply.status == 200, await reply.text()
    body: dict[str, str] = await reply.json()
    return body


def _bearer(access_token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token}"}


async def _second_admin(client: Client, app: web.Application) -> dict[str, str]:
    reply = await client.post("/api/users", headers=auth(app, "ada"), json={
        "username": "ava", "password": "another admin pw", "role": "admin"})
    assert reply.status == 201
    return _bearer((await _login(client, "ava", "another admin pw"))["access_token"])


async def _refused(client: Client, method: str, path: str, headers: dict[str, str],
                   status: int = 401, **kwargs: object) -> None:
    reply = await client.request(method, path, headers=headers, **kwargs)  # type: ignore[arg-type]
    assert reply.status == status, f"{method} {path}: {reply.status} {await reply.text()}"
    error_of(await reply.json())


async def test_a_deleted_admin_cannot_create_admins(client: Client,
                                                    app: web.Application) -> None:
    ava = await _second_admin(client, app)
    ada = _bearer((await _login(client, "ada"))["access_token"])
    assert (await client.get("/api/users", headers=ada)).status == 200  # the control
    key = await (await client.post("/api/auth/keys", headers=ada,
                                   json={"name": "cron", "role": "admin"})).json()
    assert (await client.delete("/api/users/ada", headers=ava)).status == 204
    attempts = Attempts(KIND)
    with attempts.one("deleted admin's access token creates an admin"):
        await _refused(client, "POST", "/api/users", ada, json=NEW_ADMIN)
    with attempts.one("deleted admin's access token lists users"):
        await _refused(client, "GET", "/api/users", ada)
    with attempts.one("deleted admin's API key creates an admin"):
        await _refused(client, "POST", "/api/users", {"X-API-Key": key["api_key"]},
                       json=NEW_ADMIN)
    with attempts.one("deleted admin's token asks who it is"):
        await _refused(client, "GET", "/api/auth/me", ada)
    attempts.verdict(at_least=4)
    assert await app[STATE].accounts.user("mallory") is None


async def test_a_recreated_account_does_not_revive_old_tokens(client: Client,
                                                              app: web.Application) -> None:
    state = app[STATE]
    earlier = TokenService(StaticSecret(state.tokens._key), clock=lambda: time.time() - 30)
    old = earlier.issue("ulf", Role.USER).access_token  # issued before the account was...
    assert (await client.delete("/api/users/ulf", headers=auth(app, "ada"))).status == 204
    await state.accounts.add_user("ulf", PASSWORD, Role.USER)  # ...created again, now
    attempts = Attempts(KIND)
    with attempts.one("token of a removed account, used after it was created again"):
        await _refused(client, "GET", "/api/auth/me", _bearer(old))
    attempts.verdict(at_least=1)


async def test_a_demoted_admin_loses_its_rights_on_the_next_request(
        client: Client, app: web.Application) -> None:
    ava = await _second_admin(client, app)
    ada = _bearer((await _login(client, "ada"))["access_token"])
    dan = _bearer((await _login(client, "dan"))["access_token"])
    dan_key = (await (await client.post("/api/auth/keys", headers=dan,
                                        json={"name": "deploy"})).json())["api_key"]
    upload: dict[str, Any] = {"params": {"path": "a.txt"}, "data": b"x"}
    assert (await client.put("/api/bots/hooks/drive/file", headers={"X-API-Key": dan_key},
                             **upload)).status == 201  # the control: a designer's key
    for user in ("ada", "dan"):
        reply = await client.put(f"/api/users/{user}", headers=ava, json={"role": "user"})
        assert reply.status == 200 and (await reply.json())["role"] == "user"
    attempts = Attempts(KIND)
    with attempts.one("demoted admin's token creates an admin"):
        await _refused(client, "POST", "/api/users", ada, 403, json=NEW_ADMIN)
    with attempts.one("demoted admin's token deletes an account"):
        await _refused(client, "DELETE", "/api/users/uma", ada, 403)
    with attempts.one("demoted designer's token uploads to a drive"):
        await _refused(client, "PUT", "/api/bots/hooks/drive/file", dan, 403, **upload)
    with attempts.one("demoted designer's API key uploads to a drive"):
        await _refused(client, "PUT", "/api/bots/hooks/drive/file", {"X-API-Key": dan_key},
                       403, **upload)
    attempts.verdict(at_least=4)
    me = await (await client.get("/api/auth/me", headers=ada)).json()
    assert me == {"user_id": "ada", "role": "user", "via": "token"}
    assert await app[STATE].accounts.user("mallory") is None


async def test_reusing_a_refresh_token_revokes_the_whole_family(client: Client) -> None:
    first = await _login(client, "uma")
    other_device = await _login(client, "uma")
    reply = await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert reply.status == 200
    newer = await reply.json()
    assert (await client.get("/api/auth/me", headers=_bearer(newer["access_token"]))).status \
        == 200  # the control: the rotated pair works
    attempts = Attempts(KIND)
    with attempts.one("a used refresh token, presented again"):
        await _refused(client, "POST", "/api/auth/refresh", {},
                       json={"refresh_token": first["refresh_token"]})
    with attempts.one("the newer refresh token of the same family, after the reuse"):
        await _refused(client, "POST", "/api/auth/refresh", {},
                       json={"refresh_token": newer["refresh_token"]})
    with attempts.one("the newer access token of the same family, after the reuse"):
        await _refused(client, "GET", "/api/auth/me", _bearer(newer["access_token"]))
    with attempts.one("the family's first access token, after the reuse"):
        await _refused(client, "GET", "/api/auth/me", _bearer(first["access_token"]))
    attempts.verdict(at_least=4)
    # Another login of the same account (another browser) is not the stolen family.
    other = _bearer(other_device["access_token"])
    assert (await client.get("/api/auth/me", headers=other)).status == 200
    reply = await client.post("/api/auth/refresh",
                              json={"refresh_token": other_device["refresh_token"]})
    assert reply.status == 200, await reply.text()
    rotated = _bearer((await reply.json())["access_token"])
    assert (await client.get("/api/auth/me", headers=rotated)).status == 200
    again = await _login(client, "uma")  # the owner logs in again and carries on
    assert (await client.get("/api/auth/me", headers=_bearer(again["access_token"]))).status \
        == 200


async def test_a_reused_refresh_token_is_seen_by_every_request_of_the_family(
        client: Client, app: web.Application) -> None:
    """The family's tokens are refused from the very next request (the account state
    cache is dropped), while an API key and a new login of the account keep working."""
    thief = await _login(client, "dan")
    key = (await (await client.post("/api/auth/keys", headers=_bearer(thief["access_token"]),
                                    json={"name": "ci"})).json())["api_key"]
    stolen = await (await client.post("/api/auth/refresh",
                                      json={"refresh_token": thief["refresh_token"]})).json()
    assert (await client.get("/api/auth/me", headers=_bearer(stolen["access_token"]))).status \
        == 200
    reuse = await client.post("/api/auth/refresh", json={"refresh_token": thief["refresh_token"]})
    assert reuse.status == 401
    await _refused(client, "GET", "/api/auth/me", _bearer(stolen["access_token"]))
    assert (await client.get("/api/auth/me", headers={"X-API-Key": key})).status == 200
    state = await app[STATE].accounts.current("dan")
    assert state is not None and state.token_version == 0  # the account was not revoked


async def test_logout_ends_the_family(client: Client) -> None:
    first = await _login(client, "uma")
    rotated = await (await client.post("/api/auth/refresh",
                                       json={"refresh_token": first["refresh_token"]})).json()
    other = await _login(client, "uma")
    out = await client.post("/api/auth/logout", json={"refresh_token": first["refresh_token"]})
    assert out.status == 204
    reply = await client.post("/api/auth/refresh", json={"refresh_token": rotated["refresh_token"]})
    assert reply.status == 401 and error_of(await reply.json())[0] == "invalid_token"
    await _refused(client, "GET", "/api/auth/me", _bearer(rotated["access_token"]))
    assert (await client.get("/api/auth/me", headers=_bearer(other["access_token"]))).status \
        == 200  # logging out one browser leaves the others logged in
