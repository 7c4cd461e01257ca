"""Bot tables (role-checked CRUD), drive files, webhooks and the knowledge base over REST."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import FormData, web
from aiohttp.test_utils import TestClient

from engine.server.state import STATE
from tests.engine.server.serverkit import auth, error_of

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]
ROWS = "/api/bots/hooks/tables/orders/rows"


async def test_table_crud_with_roles(client: Client, app: web.Application) -> None:
    designer, user = auth(app, "dan"), auth(app, "uma")
    created = await client.post(ROWS, headers=designer, json={"item": "pen", "qty": 3})
    assert created.status == 201
    key = (await created.json())["id"]
    denied = await client.post(ROWS, headers=user, json={"item": "ink"})
    assert denied.status == 403 and error_of(await denied.json())[0] == "forbidden"
    rows = await (await client.get(ROWS, headers=user, params={"filter": "qty > 2"})).json()
    assert [(r["item"], r["qty"]) for r in rows["rows"]] == [("pen", 3)]
    one = await client.get(f"{ROWS}/{key}", headers=user)
    assert (await one.json())["row"]["item"] == "pen"
    changed = await client.put(f"{ROWS}/{key}", headers=designer, json={"qty": 5})
    assert await changed.json() == {"changed": 1}
    assert (await client.put(f"{ROWS}/{key}", headers=user, json={"qty": 1})).status == 403
    assert (await client.put(f"{ROWS}/999", headers=designer, json={"qty": 1})).status == 404
    tables = await (await client.get("/api/bots/hooks/tables", headers=user)).json()
    assert {"name": "orders", "columns": ["id", "item", "qty"], "key": "id"} in tables["tables"]
    assert (await client.delete(f"{ROWS}/{key}", headers=user)).status == 403
    assert (await client.delete(f"{ROWS}/{key}", headers=designer)).status == 204
    assert (await client.get(f"{ROWS}/{key}", headers=user)).status == 404


async def test_table_roles_of_the_declaration(client: Client, app: web.Application) -> None:
    path = "/api/bots/hooks/tables/secrets/rows"
    refused = await client.post(path, headers=auth(app, "dan"), json={"code": "x"})
    assert refused.status == 403  # WRITE BY "admin"
    assert (await client.post(path, headers=auth(app, "ada"), json={"code": "x"})).status == 201
    assert (await client.get(path, headers=auth(app, "uma"))).status == 403  # READ BY designer
    rows = await (await client.get(path, headers=auth(app, "dan"))).json()
    assert [r["code"] for r in rows["rows"]] == ["x"]


async def test_bad_filter_is_a_400(client: Client, app: web.Application) -> None:
    reply = await client.get(ROWS, headers=auth(app, "uma"), params={"filter": "qty >"})
    assert reply.status == 400 and error_of(await reply.json())[0] == "bad_request"


async def test_drive(client: Client, app: web.Application) -> None:
    designer, user = auth(app, "dan"), auth(app, "uma")
    base = "/api/bots/hooks/drive"
    put = await client.put(f"{base}/file", params={"path": "docs/a.txt"}, data=b"hello",
                           headers=designer)
    assert put.status == 201 and await put.json() == {"path": "docs/a.txt", "size": 5}
    assert (await client.put(f"{base}/file", params={"path": "b.txt"}, data=b"x",
                             headers=user)).status == 403
    listing = await (await client.get(base, headers=user)).json()
    assert listing == {"folder": "/", "entries": ["docs/"]}
    got = await client.get(f"{base}/file", params={"path": "docs/a.txt"}, headers=user)
    assert await got.read() == b"hello" and got.content_type == "text/plain"
    escape = await client.get(f"{base}/file", params={"path": "../../etc/passwd"}, headers=user)
    assert escape.status == 403 and error_of(await escape.json())[0] == "forbidden"
    missing = await client.get(f"{base}/file", params={"path": "nope.txt"}, headers=user)
    assert missing.status == 404
    assert (await client.delete(f"{base}/file", params={"path": "docs"},
                                headers=designer)).status == 204
    assert (await (await client.get(base, headers=user)).json())["entries"] == []


async def test_webhooks(client: Client, app: web.Application) -> None:
    user = auth(app, "uma")
    got = await client.get("/api/hooks/webhook/order", params={"id": "7"},
                           headers={**user, "User-Agent": "tester"})
    assert got.status == 200 and await got.json() == {"id": "7", "agent": "tester"}
    posted = await client.post("/api/hooks/webhook/order", json={"item": "pen", "qty": 2},
                               headers=user)
    assert posted.status == 201 and posted.headers["X-Order"] == "ok"
    assert await posted.json() == {"saved": "pen"}
    empty = await client.post("/api/hooks/webhook/order", headers=user)
    assert empty.status == 204
    plain = await client.post("/api/hooks/webhook/plain", headers=user)
    assert plain.status == 200 and await plain.json() == "pong POST"
    broken = await client.post("/api/hooks/webhook/broken", headers=user)
    assert broken.status == 500 and error_of(await broken.json())[0] == "script_error"
    assert (await client.get("/api/hooks/webhook/nope", headers=user)).status == 404
    anonymous = await client.post("/api/hooks/webhook/plain")
    assert anonymous.status == 401


async def test_anonymous_webhooks_where_the_bot_allows(client: Client, app: web.Application,
                                                       hearth_home: Path) -> None:
    script = hearth_home / "bots" / "open.gbai" / "open.gbdialog" / "ping.bas"
    script.write_text('WEBHOOK "ping"\nRETURN {ok: true}\n', encoding="utf-8")
    from engine.server.state import STATE

    app[STATE].engine.bots.reload("open")
    reply = await client.get("/api/open/webhook/ping")
    assert reply.status == 200 and await reply.json() == {"ok": True}


async def test_knowledge_base_without_a_kb_is_unavailable(client: Client,
                                                          app: web.Application) -> None:
    reply = await client.get("/api/bots/hooks/kb/search", params={"q": "printer"},
                             headers=auth(app, "uma"))
    assert reply.status == 503 and error_of(await reply.json())[0] == "unavailable"
    form = FormData()
    form.add_field("collection", "manuals")
    form.add_field("file", b"The printer on floor 2 jams.", filename="printer.txt")
    stored = await client.post("/api/bots/hooks/kb/documents", data=form,
                               headers=auth(app, "dan"))
    assert stored.status == 503  # nothing could index it, so nothing is kept (issue 10 #11)
    code, message = error_of(await stored.json())
    assert code == "unavailable" and "hearth models pull all-minilm-l6-v2" in message
    kb_dir = app[STATE].engine.bots.package("hooks").kb_dir
    assert not (kb_dir / "manuals" / "printer.txt").exists()
