"""KB routes over the real KnowledgeBase (hashing embedder: no model file needed)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import FormData, web
from aiohttp.test_utils import TestClient, TestServer

from engine.api import Engine
from engine.server import ServerOptions, build_app
from tests.engine.server.serverkit import HashingKnowledge, add_users, auth, error_of

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]


@pytest_asyncio.fixture
async def kb_client(engine: Engine, hearth_home: Path
                    ) -> AsyncIterator[tuple[Client, web.Application]]:
    knowledge = HashingKnowledge(hearth_home)
    app = await build_app(engine, ServerOptions(knowledge=knowledge))
    await add_users(app)
    async with TestClient(TestServer(app)) as client:
        yield client, app
    await knowledge.aclose()


def upload(text: bytes, name: str, collection: str = "manuals") -> FormData:
    form = FormData()
    form.add_field("collection", collection)
    form.add_field("file", text, filename=name, content_type="text/plain")
    return form


async def test_upload_index_and_search(kb_client: tuple[Client, web.Application],
                                       hearth_home: Path) -> None:
    client, app = kb_client
    designer, user = auth(app, "dan"), auth(app, "uma")
    reply = await client.post("/api/bots/hooks/kb/documents", headers=designer,
                              data=upload(b"# Printer\n\nThe printer on floor 2 jams when the "
                                          b"paper tray is overfilled.", "printer.md"))
    assert reply.status == 201, await reply.text()
    body = await reply.json()
    assert body["stored"] == "manuals/printer.md" and body["report"]["documents"] == 1
    kept = hearth_home / "bots" / "hooks.gbai" / "hooks.gbkb" / "manuals" / "printer.md"
    assert kept.is_file()
    await client.post("/api/bots/hooks/kb/documents", headers=designer,
                      data=upload(b"Wi-Fi passwords rotate every month.", "wifi.txt", "network"))
    names = await (await client.get("/api/bots/hooks/kb/collections", headers=user)).json()
    assert sorted(names["collections"]) == ["manuals", "network"]
    hits = await (await client.get("/api/bots/hooks/kb/search", headers=user,
                                   params={"q": "printer paper tray", "k": "3"})).json()
    assert hits["hits"][0]["source"] == "printer.md"
    assert hits["hits"][0]["collection"] == "manuals"
    only = await (await client.get("/api/bots/hooks/kb/search", headers=user,
                                   params={"q": "printer", "collection": "network"})).json()
    assert all(h["collection"] == "network" for h in only["hits"])


async def test_upload_needs_a_designer_and_a_safe_name(
        kb_client: tuple[Client, web.Application]) -> None:
    client, app = kb_client
    refused = await client.post("/api/bots/hooks/kb/documents", headers=auth(app, "uma"),
                                data=upload(b"x", "a.txt"))
    assert refused.status == 403
    sneaky = await client.post("/api/bots/hooks/kb/documents", headers=auth(app, "dan"),
                               data=upload(b"x", "a.txt", "../../etc"))
    assert sneaky.status == 400 and error_of(await sneaky.json())[0] == "validation"
    empty = await client.get("/api/bots/hooks/kb/search", headers=auth(app, "uma"))
    assert empty.status == 400
