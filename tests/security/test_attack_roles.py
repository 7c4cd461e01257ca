"""Role escalation: a user calls designer and admin routes, a designer calls admin routes, a
user tries to give itself a role, an API key is used above its role. Every attempt is a 403
(or 401 for the anonymous) and leaves no trace.

The routes come from the server's own route table, so a new designer or admin route is
attacked without anyone adding it here.
"""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from engine.server.routes import all_routes
from engine.server.routing import Route
from engine.server.state import STATE
from tests.engine.server.serverkit import PASSWORD, auth, error_of
from tests.security.attackkit import Attempts

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]
KIND = "role escalation"
RANK = {"user": 1, "designer": 2, "admin": 3}
PATH_VALUES = {"bot": "hooks", "username": "uma", "key_id": "k1", "session_id": "s1",
               "table": "secrets", "key": "1", "tool": "double", "name": "order", "file": "x"}


def _url(route: Route) -> str:
    url = route.path
    for name, value in PATH_VALUES.items():
        url = url.replace("{" + name + "}", value)
    separator = "&" if "?" in url else "?"
    return url + (f"{separator}path=planted.txt" if "/drive" in url else "")


def _above(rank: int) -> list[Route]:
    return [r for r in all_routes() if r.access in RANK and RANK[r.access] > rank]


async def _call(client: Client, route: Route, headers: dict[str, str]) -> tuple[int, object]:
    reply = await client.request(route.method, _url(route), headers=headers,
                                 json={"username": "mallory", "password": "long enough pw",
                                       "role": "admin"})
    body = await reply.json() if reply.content_type == "application/json" else None
    return reply.status, body


async def _state(client: Client, app: web.Application) -> tuple[object, ...]:
    """What a refused call must not change: accounts, the planted drive file, table rows."""
    admin = auth(app, "ada")
    users = await (await client.get("/api/users", headers=admin)).json()
    drive = await client.get("/api/bots/hooks/drive/file?path=planted.txt", headers=admin)
    rows = await (await client.get("/api/bots/hooks/tables/secrets/rows",
                                   headers=admin)).json()
    accounts = app[STATE].accounts
    keys = await accounts.keys(None)
    return users, drive.status, await drive.read(), rows, sorted(k.id for k in keys)


async def _plant(client: Client, app: web.Application) -> None:
    admin = auth(app, "ada")
    put = await client.put("/api/bots/hooks/drive/file?path=planted.txt", data=b"keep me",
                           headers=admin)
    assert put.status == 201
    row = await client.post("/api/bots/hooks/tables/secrets/rows", json={"code": "s3cr3t"},
                            headers=admin)
    assert row.status == 201, await row.text()


async def _escalate(client: Client, app: web.Application, who: str,
                    headers: dict[str, str], rank: int, attempts: Attempts) -> None:
    for route in _above(rank):
        with attempts.one(f"{who} → {route.access} route {route.method} {route.path}"):
            status, body = await _call(client, route, headers)
            assert status == 403, (status, body)
            assert error_of(body)[0] == "forbidden"


async def test_users_and_designers_cannot_reach_higher_routes(client: Client,
                                                              app: web.Application) -> None:
    await _plant(client, app)
    before = await _state(client, app)
    attempts = Attempts(KIND)
    await _escalate(client, app, "user", auth(app, "uma"), 1, attempts)
    await _escalate(client, app, "designer", auth(app, "dan"), 2, attempts)
    for route in _above(0):
        with attempts.one(f"anonymous → {route.method} {route.path}"):
            status, _ = await _call(client, route, {})
            assert status == 401
    assert await _state(client, app) == before
    attempts.verdict(at_least=len(_above(1)) + len(_above(2)))


async def test_a_user_cannot_give_itself_a_role(client: Client, app: web.Application) -> None:
    attempts = Attempts(KIND)
    uma = auth(app, "uma")
    with attempts.one("create its own account again with role admin"):
        reply = await client.post("/api/users", headers=uma,
                                  json={"username": "uma", "password": PASSWORD,
                                        "role": "admin"})
        assert reply.status == 403
    for method in ("PUT", "PATCH", "POST"):
        with attempts.one(f"{method} /api/users/uma with role admin"):
            reply = await client.request(method, "/api/users/uma", headers=uma,
                                         json={"role": "admin"})
            assert reply.status in (403, 404, 405), reply.status
    with attempts.one("log in asking for role admin"):
        reply = await client.post("/api/auth/login", json={"username": "uma",
                                                           "password": PASSWORD,
                                                           "role": "admin"})
        if reply.status == 200:
            assert (await reply.json())["user"]["role"] == "user"
        else:
            assert reply.status == 400
    with attempts.one("refresh asking for role admin"):
        login = await (await client.post("/api/auth/login", json={
            "username": "uma", "password": PASSWORD})).json()
        reply = await client.post("/api/auth/refresh", json={
            "refresh_token": login["refresh_token"], "role": "admin"})
        assert reply.status == 400 or (await reply.json())["user"]["role"] == "user"
    for header in ({"X-Role": "admin"}, {"X-Hearth-Role": "admin"}, {"X-User": "ada"},
                   {"X-Forwarded-User": "ada"}):
        with attempts.one(f"header {header}"):
            reply = await client.get("/api/users", headers={**uma, **header})
            assert reply.status == 403
    with attempts.one("roles in a chat frame"):
        async with client.ws_connect("/ws?bot=hooks", headers=uma) as ws:
            assert (await ws.receive_json(timeout=10))["type"] == "connected"
            await ws.send_json({"content": "hi", "role": "admin", "roles": ["admin"],
                                "user_id": "ada"})
        me = await (await client.get("/api/auth/me", headers=uma)).json()
        assert me == {"user_id": "uma", "role": "user", "via": "token"}
    users = await (await client.get("/api/users", headers=auth(app, "ada"))).json()
    assert {u["username"]: u["role"] for u in users["users"]}["uma"] == "user"
    attempts.verdict(at_least=10)


async def test_api_keys_never_exceed_their_role(client: Client, app: web.Application) -> None:
    attempts = Attempts(KIND)
    for owner, asked in (("uma", "admin"), ("uma", "designer"), ("dan", "admin"),
                         ("uma", " ADMIN "), ("uma", "Admin")):
        with attempts.one(f"{owner} asks for a key with role {asked!r}"):
            reply = await client.post("/api/auth/keys", headers=auth(app, owner),
                                      json={"name": "k", "role": asked})
            if reply.status == 400:
                continue
            assert reply.status == 201
            created = await reply.json()
            own_role = {"uma": "user", "dan": "designer"}[owner]
            assert created["key"]["role"] == own_role
            refused = await client.get("/api/users", headers={"X-API-Key": created["api_key"]})
            assert refused.status == 403
    lower = await client.post("/api/auth/keys", headers=auth(app, "dan"),
                              json={"name": "reader", "role": "user"})
    key = (await lower.json())["api_key"]
    assert (await client.get("/api/bots", headers={"X-API-Key": key})).status == 200
    for route in _above(1):
        with attempts.one(f"designer's user-role key → {route.method} {route.path}"):
            status, body = await _call(client, route, {"X-API-Key": key})
            assert status == 403, (status, body)
    with attempts.one("user-role key used as a bearer token on a designer route"):
        reply = await client.put("/api/bots/hooks/drive/file?path=k.txt", data=b"x",
                                 headers={"Authorization": f"Bearer {key}"})
        assert reply.status == 403
    with attempts.one("user-role key creates a designer key"):
        reply = await client.post("/api/auth/keys", headers={"X-API-Key": key},
                                  json={"name": "up", "role": "designer"})
        assert reply.status == 201 and (await reply.json())["key"]["role"] == "user"
    attempts.verdict(at_least=len(_above(1)) + 5)


async def test_table_roles_hold_for_users(client: Client, app: web.Application) -> None:
    """``secrets`` is READ BY designer WRITE BY admin: a user reads nothing, a designer
    cannot write."""
    await _plant(client, app)
    attempts = Attempts(KIND)
    rows = "/api/bots/hooks/tables/secrets/rows"
    for who, method, url, body in (
            ("uma", "GET", rows, None), ("uma", "GET", rows + "?filter=code%20LIKE%20%27%25%27",
                                         None),
            ("uma", "GET", rows + "/1", None), ("dan", "POST", rows, {"code": "x"}),
            ("dan", "PUT", rows + "/1", {"code": "x"}), ("dan", "DELETE", rows + "/1", None)):
        with attempts.one(f"{who} {method} {url}"):
            reply = await client.request(method, url, headers=auth(app, who), json=body)
            assert reply.status == 403, (reply.status, await reply.text())
            assert "s3cr3t" not in await reply.text()
    admin = await (await client.get(rows, headers=auth(app, "ada"))).json()
    assert [r["code"] for r in admin["rows"]] == ["s3cr3t"]
    attempts.verdict(at_least=6)
