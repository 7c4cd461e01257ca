"""Accounts, tokens, API keys and roles: the happy paths and every way to be refused."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from engine.server.security.principal import Role
from engine.server.security.tokens import StaticSecret, TokenService
from engine.server.state import STATE
from tests.engine.server.serverkit import PASSWORD, auth, error_of

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]


async def login(client: Client, user: str, password: str = PASSWORD) -> dict[str, object]:
    reply = await client.post("/api/auth/login", json={"username": user, "password": password})
    assert reply.status == 200, await reply.text()
    body: dict[str, object] = await reply.json()
    return body


async def test_login_gives_tokens_that_work(client: Client) -> None:
    body = await login(client, "dan")
    assert body["token_type"] == "Bearer" and body["expires_in"] == 900
    assert body["user"] == {"username": "dan", "role": "designer",
                            "created_at": body["user"]["created_at"]}  # type: ignore[index]
    reply = await client.get("/api/auth/me",
                             headers={"Authorization": f"Bearer {body['access_token']}"})
    assert await reply.json() == {"user_id": "dan", "role": "designer", "via": "token"}


async def test_wrong_password_and_unknown_user(client: Client) -> None:
    for user, password in (("dan", "not the password"), ("nobody", PASSWORD)):
        reply = await client.post("/api/auth/login",
                                  json={"username": user, "password": password})
        assert reply.status == 401
        assert error_of(await reply.json()) == ("invalid_credentials",
                                                "wrong username or password")


async def test_no_token(client: Client) -> None:
    reply = await client.get("/api/bots")
    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    assert error_of(await reply.json())[0] == "unauthorized"


async def test_tampered_token(client: Client, app: web.Application) -> None:
    good = auth(app, "uma")["Authorization"]
    header, payload, signature = good.split(".")
    forged = payload[:-2] + ("AA" if payload[-2:] != "AA" else "BB")
    for bad in (f"{header}.{forged}.{signature}", good[:-3] + "xyz", "Bearer nonsense"):
        reply = await client.get("/api/bots", headers={"Authorization": bad})
        assert reply.status == 401, bad
        assert error_of(await reply.json())[0] == "invalid_token"
    reply = await client.get("/api/bots", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert reply.status == 401


async def test_token_signed_with_another_secret(client: Client) -> None:
    other = TokenService(StaticSecret("another secret")).issue("ada", Role.ADMIN)
    reply = await client.get("/api/users",
                             headers={"Authorization": f"Bearer {other.access_token}"})
    assert reply.status == 401


async def test_expired_token(client: Client, app: web.Application) -> None:
    state = app[STATE]
    old = TokenService(StaticSecret("x"), clock=lambda: 1000.0)
    old._key = state.tokens._key  # same secret, issued long ago
    expired = old.issue("uma", Role.USER).access_token
    reply = await client.get("/api/bots", headers={"Authorization": f"Bearer {expired}"})
    assert reply.status == 401
    assert error_of(await reply.json()) == ("token_expired", "the token has expired")


async def test_refresh_token_is_not_an_access_token(client: Client) -> None:
    body = await login(client, "uma")
    reply = await client.get("/api/bots",
                             headers={"Authorization": f"Bearer {body['refresh_token']}"})
    assert reply.status == 401


async def test_wrong_role(client: Client, app: web.Application) -> None:
    for user in ("uma", "dan"):
        reply = await client.get("/api/users", headers=auth(app, user))
        assert reply.status == 403
        assert error_of(await reply.json()) == ("forbidden", "this needs the admin role")
    reply = await client.get("/metrics", headers=auth(app, "uma"))
    assert reply.status == 403


async def test_refresh_rotates_and_each_refresh_token_works_once(client: Client) -> None:
    first = await login(client, "uma")
    reply = await client.post("/api/auth/refresh",
                              json={"refresh_token": first["refresh_token"]})
    assert reply.status == 200
    second = await reply.json()
    assert second["refresh_token"] != first["refresh_token"]
    again = await client.post("/api/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert again.status == 401
    out = await client.post("/api/auth/logout", json={"refresh_token": second["refresh_token"]})
    assert out.status == 204
    after = await client.post("/api/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert after.status == 401


async def test_api_keys(client: Client, app: web.Application) -> None:
    reply = await client.post("/api/auth/keys", json={"name": "cron", "role": "admin"},
                              headers=auth(app, "dan"))
    assert reply.status == 201
    created = await reply.json()
    assert created["key"]["role"] == "designer"  # never more than its owner
    secret = created["api_key"]
    me = await client.get("/api/auth/me", headers={"X-API-Key": secret})
    assert await me.json() == {"user_id": "dan", "role": "designer", "via": "api_key"}
    bearer = await client.get("/api/bots", headers={"Authorization": f"Bearer {secret}"})
    assert bearer.status == 200
    listed = await (await client.get("/api/auth/keys", headers=auth(app, "dan"))).json()
    assert [k["name"] for k in listed["keys"]] == ["cron"]
    assert "secret" not in str(listed) and secret not in str(listed)
    others = await client.delete(f"/api/auth/keys/{created['key']['id']}",
                                 headers=auth(app, "uma"))
    assert others.status == 404
    gone = await client.delete(f"/api/auth/keys/{created['key']['id']}",
                               headers=auth(app, "dan"))
    assert gone.status == 204
    refused = await client.get("/api/auth/me", headers={"X-API-Key": secret})
    assert refused.status == 401 and error_of(await refused.json())[0] == "invalid_token"
    forged = await client.get("/api/auth/me", headers={"X-API-Key": secret[:-4] + "abcd"})
    assert forged.status == 401


async def test_admin_manages_accounts(client: Client, app: web.Application) -> None:
    admin = auth(app, "ada")
    reply = await client.post("/api/users", headers=admin,
                              json={"username": "zoe", "password": "long enough", "role": "user"})
    assert reply.status == 201
    assert (await reply.json())["role"] == "user"
    dup = await client.post("/api/users", headers=admin,
                            json={"username": "zoe", "password": "long enough"})
    assert dup.status == 409 and error_of(await dup.json())[0] == "conflict"
    short = await client.post("/api/users", headers=admin,
                              json={"username": "yan", "password": "short"})
    assert short.status == 400
    names = [u["username"] for u in (await (await client.get("/api/users",
                                                             headers=admin)).json())["users"]]
    assert names == ["ada", "dan", "ulf", "uma", "zoe"]
    await login(client, "zoe", "long enough")
    assert (await client.delete("/api/users/zoe", headers=admin)).status == 204
    assert (await client.delete("/api/users/zoe", headers=admin)).status == 404
    assert (await client.delete("/api/users/ada", headers=admin)).status == 400
    reply = await client.post("/api/auth/login",
                              json={"username": "zoe", "password": "long enough"})
    assert reply.status == 401


async def test_the_signing_secret_lives_in_the_keyring(app: web.Application) -> None:
    import keyring

    stored = keyring.get_password("hearth", "server-jwt-secret")
    assert stored and len(stored) >= 32
    assert app[STATE].tokens._key == stored
