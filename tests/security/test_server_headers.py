"""Names and values that end up in response headers (issue 10, defect 6).

Before the fix a drive file could be stored under a name holding CR/LF, and downloading it
dropped the connection (aiohttp refuses such a header after the handler returned); a webhook
script that put a CR/LF into a response header did the same; a non-ASCII name came out
garbled in ``Content-Disposition``. Now such names are refused at upload (400), downloads of
any name keep the connection and carry the exact name in RFC 6266 ``filename*``, and a
webhook header a script got wrong is left out.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient

from engine.server.state import STATE
from tests.engine.server.serverkit import auth, error_of
from tests.engine.sessions.sessionkit import write_bot
from tests.security.attackkit import Attempts

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]
KIND = "header injection"
DRIVE = "/api/bots/hooks/drive/file"
CONTROL_NAMES = ["a\r\nb.txt", "a\nb.txt", "a\rb.txt", "tab\there.txt", "nul\x00.txt",
                 "del\x7f.txt", "dir\r\n/inner.txt", "x\r\nSet-Cookie: y=1.txt"]


def _disposition_name(header: str) -> tuple[str, str]:
    """The (ASCII ``filename``, decoded ``filename*``) of a Content-Disposition value."""
    plain = header.split('filename="', 1)[1].split('"', 1)[0]
    star = header.split("filename*=UTF-8''", 1)[1] if "filename*=" in header else ""
    return plain, unquote(star, errors="strict")


async def test_control_characters_in_drive_names_are_refused_at_upload(
        client: Client, app: web.Application) -> None:
    designer = auth(app, "dan")
    attempts = Attempts(KIND)
    for name in CONTROL_NAMES:
        with attempts.one(f"upload to drive path {name!r}"):
            reply = await client.put(DRIVE, params={"path": name}, data=b"x", headers=designer)
            assert reply.status == 400, await reply.text()
            assert error_of(await reply.json())[0] == "validation"
    attempts.verdict(at_least=8)
    drive = app[STATE].engine.bots.services("hooks").drive.root
    assert not [p for p in drive.rglob("*") if any(c in p.name for c in "\r\n\x00\x7f\t")]


async def test_a_stored_name_with_cr_lf_downloads_without_dropping_the_connection(
        client: Client, app: web.Application) -> None:
    drive: Path = app[STATE].engine.bots.services("hooks").drive.root
    attempts = Attempts(KIND)
    for name in CONTROL_NAMES[:4] + CONTROL_NAMES[7:]:
        (drive / name).write_bytes(b"legacy")  # stored before uploads were checked
        with attempts.one(f"download of a stored {name!r}"):
            reply = await client.get(DRIVE, params={"path": name}, headers=auth(app, "uma"))
            assert reply.status == 200 and await reply.read() == b"legacy"
            header = reply.headers["Content-Disposition"]
            assert not any(c in header for c in "\r\n") and "Set-Cookie" not in reply.headers
            assert _disposition_name(header)[1] == name
    attempts.verdict(at_least=5)


async def test_non_ascii_names_use_rfc_6266(client: Client, app: web.Application) -> None:
    for name in ("relatório ação 2026.txt", "日本語の資料.pdf", 'quote"and\\slash.txt',
                 "100% done.txt", "plain-name.txt"):
        put = await client.put(DRIVE, params={"path": f"docs/{name}"}, data=b"doc",
                               headers=auth(app, "dan"))
        assert put.status == 201, await put.text()
        reply = await client.get(DRIVE, params={"path": f"docs/{name}"}, headers=auth(app, "uma"))
        assert reply.status == 200
        header = reply.headers["Content-Disposition"]
        assert header.isascii(), header
        plain, exact = _disposition_name(header)
        assert plain.isascii() and '"' not in plain and "\\" not in plain
        assert exact == name or (not exact and plain == name), header


async def test_a_webhook_header_with_cr_lf_is_left_out(client: Client, app: web.Application,
                                                       hearth_home: Path) -> None:
    write_bot(hearth_home, "relay", {"relay.bas": (
        'WEBHOOK "relay"\n'
        'RETURN {status: 202, body: "relayed", headers: {"X-Note": body.note, "X-Ok": "yes"}}\n'
    )}, "bot-name,Relay\nwebhook-anonymous,true\n")
    reply = await client.post("/api/relay/webhook/relay", json={"note": "fine"})
    assert reply.status == 202 and reply.headers["X-Note"] == "fine"  # the control
    attempts = Attempts(KIND)
    for note in ("a\r\nSet-Cookie: session=stolen", "a\nb", "a\rb", "\x00", "ok\x1b[31m"):
        with attempts.one(f"anonymous webhook echoing {note!r} into a header"):
            reply = await client.post("/api/relay/webhook/relay", json={"note": note})
            assert reply.status == 202 and await reply.text() == "relayed"
            assert "X-Note" not in reply.headers and "Set-Cookie" not in reply.headers
            assert reply.headers["X-Ok"] == "yes"
    attempts.verdict(at_least=5)


async def test_a_drive_name_that_is_not_utf8_is_listed(client: Client,
                                                      app: web.Application) -> None:
    drive: Path = app[STATE].engine.bots.services("hooks").drive.root
    Path(os.fsdecode(os.fsencode(str(drive)) + b"/odd\xff.txt")).write_bytes(b"odd")
    attempts = Attempts(KIND)
    with attempts.one("listing a drive folder holding a name that is not UTF-8"):
        reply = await client.get("/api/bots/hooks/drive", headers=auth(app, "uma"))
        assert reply.status == 200, await reply.text()
        entries = (await reply.json())["entries"]
        assert any(str(entry).startswith("odd") for entry in entries), entries
    attempts.verdict(at_least=1)
