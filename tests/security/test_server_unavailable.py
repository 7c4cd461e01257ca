"""What the server lacks is said plainly, and nothing half-done is kept (issue 10, defects 7
and 11).

- No embedding model: every knowledge-base route answered 400, and an upload was stored
  anyway (never indexed). Now: 503 naming the command that installs the model, and the
  upload is refused before anything is written.
- A full disk: a drive upload answered 400 (the drive's wrapped ENOSPC), a KB upload a 500.
  Now: 507 with "disk full", and the folder is as it was. The disk is a real small tmpfs
  (mounting needs root, as in CI).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import ClientResponse, FormData, web
from aiohttp.test_utils import TestClient, TestServer

from engine.api import Engine, EngineConfig
from engine.server import ServerOptions, build_app
from tests.engine.server.serverkit import (
    TEMPLATES,
    HashingKnowledge,
    add_users,
    auth,
    error_of,
    make_bots,
)
from tests.reliability.smalldisk import fill, small_disk

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]
HINT = "hearth models pull all-minilm-l6-v2"


def _document(name: str = "printer.txt", body: bytes = b"The printer jams.") -> FormData:
    form = FormData()
    form.add_field("collection", "manuals")
    form.add_field("file", body, filename=name)
    return form


@pytest_asyncio.fixture
async def no_model(hearth_home: Path) -> AsyncIterator[tuple[Client, web.Application, Path]]:
    """A server whose engine has a model folder without the embedding model in it."""
    make_bots(hearth_home)
    kb = hearth_home / "bots" / "hooks.gbai" / "hooks.gbkb"
    (kb / "faq").mkdir(parents=True)
    (kb / "faq" / "hours.txt").write_text("We open at nine.", encoding="utf-8")
    config = EngineConfig.under(hearth_home, TEMPLATES, run_scheduler=False, watch_bots=False,
                                models_dir=hearth_home / "models")
    engine = await Engine(config).open()
    app = await build_app(engine, ServerOptions(rate_per_second=1000, rate_burst=1000))
    await add_users(app)
    try:
        async with TestClient(TestServer(app)) as client:
            yield client, app, kb
    finally:
        await engine.aclose()


async def _unavailable(reply: ClientResponse) -> None:
    body = await reply.json()
    assert reply.status == 503, body
    code, message = error_of(body)
    assert code == "unavailable" and HINT in message, message


async def test_without_the_embedding_model_kb_routes_say_how_to_get_it(
        no_model: tuple[Client, web.Application, Path]) -> None:
    client, app, kb = no_model
    user, designer = auth(app, "uma"), auth(app, "dan")
    await _unavailable(await client.get("/api/bots/hooks/kb/collections", headers=user))
    await _unavailable(await client.get("/api/bots/hooks/kb/search", params={"q": "open"},
                                        headers=user))
    await _unavailable(await client.post("/api/bots/hooks/kb/documents", data=_document(),
                                         headers=designer))
    assert not (kb / "manuals").exists()  # nothing was stored
    assert sorted(p.name for p in kb.rglob("*") if p.is_file()) == ["hours.txt"]


@pytest_asyncio.fixture
async def indexed(engine: Engine, hearth_home: Path) -> AsyncIterator[tuple[Client,
                                                                          web.Application]]:
    """The usual test server, with a real knowledge base (hashing embedder)."""
    knowledge = HashingKnowledge(hearth_home)
    app = await build_app(engine, ServerOptions(rate_per_second=1000, rate_burst=1000,
                                                knowledge=knowledge))
    await add_users(app)
    try:
        async with TestClient(TestServer(app)) as client:
            yield client, app
    finally:
        await knowledge.aclose()


async def _disk_full(reply: ClientResponse) -> None:
    body = await reply.json()
    assert reply.status == 507, body
    code, message = error_of(body)
    assert code == "disk_full" and message.startswith("disk full"), message


async def test_a_full_disk_is_a_507_and_keeps_the_previous_file(
        indexed: tuple[Client, web.Application], engine: Engine) -> None:
    client, app = indexed
    designer = auth(app, "dan")
    drive = engine.bots.package("hooks").drive_dir
    with small_disk(drive, 1):
        put = await client.put("/api/bots/hooks/drive/file", params={"path": "keep.txt"},
                               data=b"first version", headers=designer)
        assert put.status == 201
        fill(drive)
        reply = await client.put("/api/bots/hooks/drive/file", params={"path": "keep.txt"},
                                 data=b"x" * 200_000, headers=designer)
        await _disk_full(reply)
        assert (drive / "keep.txt").read_bytes() == b"first version"
        new = await client.put("/api/bots/hooks/drive/file", params={"path": "new.bin"},
                               data=b"y" * 200_000, headers=designer)
        await _disk_full(new)
        assert not (drive / "new.bin").exists()


async def test_a_kb_upload_on_a_full_disk_is_a_507_and_not_kept(
        indexed: tuple[Client, web.Application], engine: Engine) -> None:
    client, app = indexed
    kb = engine.bots.package("hooks").kb_dir
    with small_disk(kb, 1):
        fill(kb)
        reply = await client.post("/api/bots/hooks/kb/documents",
                                  data=_document("big.txt", b"words " * 50_000),
                                  headers=auth(app, "dan"))
        await _disk_full(reply)
        assert not (kb / "manuals" / "big.txt").exists()
