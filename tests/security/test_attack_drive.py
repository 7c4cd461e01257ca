"""Drive traversal in every encoding, over the REST drive routes and through the BASIC drive
keywords (a webhook hands the attacker's path to READ, WRITE, LIST, COPY, …).

Files holding :data:`SECRET` are planted beside, above and around the drive, and symbolic
links inside the drive point at them. After every attack: the secret was not in the answer,
every file outside the drive is byte-for-byte as before, and the forms that really climb out
of the drive were refused as such (403 / ``PermissionError``).
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient
from yarl import URL

from engine.api import Engine
from tests.engine.server.serverkit import auth
from tests.security.attackkit import SECRET, Attempts, open_with_bots, outside_drive, plant_secrets

pytestmark = pytest.mark.asyncio
Client = TestClient[web.Request, web.Application]
KIND_REST = "drive traversal (REST)"
KIND_BASIC = "drive traversal (BASIC keywords)"
PASSWD = "root:x:0:0"

DRIVE_HOOK = (
    'WEBHOOK "drive"\n'
    'ON ERROR RESUME NEXT\n'
    'op = body.op\n'
    'p = body.path\n'
    'result = NULL\n'
    'IF op = "read" THEN\n'
    '  result = READ p\n'
    'ELSEIF op = "get" THEN\n'
    '  result = GET p\n'
    'ELSEIF op = "lines" THEN\n'
    '  result = READ p AS LINES\n'
    'ELSEIF op = "write" THEN\n'
    '  WRITE p, "PWNED"\n'
    'ELSEIF op = "append" THEN\n'
    '  APPEND p, "PWNED"\n'
    'ELSEIF op = "list" THEN\n'
    '  result = LIST p\n'
    'ELSEIF op = "delete" THEN\n'
    '  DELETE FILE p\n'
    'ELSEIF op = "copyin" THEN\n'
    '  COPY p, "stolen.txt"\n'
    'ELSEIF op = "copyout" THEN\n'
    '  COPY "inside.txt", p\n'
    'ELSEIF op = "movein" THEN\n'
    '  MOVE p, "moved.txt"\n'
    'ELSEIF op = "extract" THEN\n'
    '  result = EXTRACT p, "unzipped/"\n'
    'ELSEIF op = "compress" THEN\n'
    '  result = COMPRESS [p], "out.zip"\n'
    'END IF\n'
    'IF ERR THEN\n'
    '  RETURN {ok: FALSE, kind: ERR.KIND, text: ERR.DESCRIPTION}\n'
    'END IF\n'
    "' What the attack brought into the drive, read back.\n"
    'IF op = "copyin" THEN result = READ "stolen.txt"\n'
    'IF op = "movein" THEN result = READ "moved.txt"\n'
    'IF op = "compress" THEN\n'
    '  listed = EXTRACT result, "recompressed/"\n'
    '  result = READ listed[0]\n'
    'END IF\n'
    'IF ERR THEN\n'
    '  RETURN {ok: FALSE, kind: ERR.KIND, text: ERR.DESCRIPTION}\n'
    'END IF\n'
    'RETURN {ok: TRUE, result: result}\n'
)

# Paths as the script receives them (already decoded). True: the path climbs out of the drive
# and must be refused as such (PermissionError); False: a name that only looks dangerous,
# which may be a plain (missing or harmless) file inside the drive.
BASIC_PATHS: dict[str, bool] = {
    "../secret.txt": True, "../../secret.txt": True, "../../../secret.txt": True,
    "..\\secret.txt": True, "..\\..\\secret.txt": True, "a/../../secret.txt": True,
    "./../secret.txt": True, "..//secret.txt": True, "../vault.gbot/config.csv": True,
    "../vault.gbot/secret.txt": True, "..": True, "../": True, "/../secret.txt": True,
    "\\..\\secret.txt": True, "C:\\Windows\\win.ini": True, "c:/secret.txt": True,
    "..\x00/secret.txt": True, "inside.txt\x00../../secret.txt": True,
    "%2e%2e%2fsecret.txt": False, "%2e%2e/secret.txt": False, "%252e%252e%252fsecret.txt": False,
    "..%2fsecret.txt": False, "..%5csecret.txt": False, "....//secret.txt": False,
    "\xc0\xae\xc0\xae/secret.txt": False, "\xc0\xae\xc0\xae\xc0\xafsecret.txt": False,
    "..\u2215secret.txt": False, "\u2024\u2024/secret.txt": False,
    "\uff0e\uff0e\uff0fsecret.txt": False, "..\uff3csecret.txt": False,
    "\u2025/secret.txt": False, "/etc/passwd": False, "//etc/passwd": False,
    "file:///etc/passwd": False, "~/secret.txt": False, "\\\\server\\share\\secret.txt": False,
    "link_out": True, "dir_out/secret.txt": True, "dir_out": True, "etc_link/passwd": True,
    "rel_link": True, "inside_link/../../secret.txt": True,
}
BASIC_OPS = ("read", "get", "lines", "write", "append", "list", "delete", "copyin", "copyout",
             "movein", "compress")

# Raw query strings (exactly as sent on the wire) for the REST routes; True: after the
# server's one URL-decoding the path climbs out, so the answer must be 403.
REST_PATHS: dict[str, bool] = {
    "../secret.txt": True, "..%2fsecret.txt": True, "%2e%2e%2fsecret.txt": True,
    "%2e%2e/secret.txt": True, ".%2e/secret.txt": True, "..%5csecret.txt": True,
    "..\\secret.txt": True, "%2e%2e%5csecret.txt": True, "../../secret.txt": True,
    "../../../secret.txt": True, "a/../../secret.txt": True, "../vault.gbot/config.csv": True,
    "..%00/secret.txt": True, "%2e%2e%2f%2e%2e%2fsecret.txt": True, "C:%5csecret.txt": True,
    "link_out": True, "dir_out/secret.txt": True, "etc_link/passwd": True, "rel_link": True,
    "%252e%252e%252fsecret.txt": False, "..%252fsecret.txt": False, "%2fetc%2fpasswd": False,
    "/etc/passwd": False, "//etc/passwd": False, "....//secret.txt": False,
    "%c0%ae%c0%ae%c0%afsecret.txt": False, "%c0%ae%c0%ae/secret.txt": False,
    "%e0%80%ae%e0%80%ae/secret.txt": False, "%u002e%u002e%u2215secret.txt": False,
    "..%e2%88%95secret.txt": False, "%ef%bc%8e%ef%bc%8e%ef%bc%8fsecret.txt": False,
    "%e2%80%a5/secret.txt": False, "secret.txt%00.png": True, "~%2fsecret.txt": False,
}


@pytest_asyncio.fixture
async def engine(hearth_home: Path) -> AsyncIterator[Engine]:
    opened = await open_with_bots(hearth_home, {"vault": ({"drive.bas": DRIVE_HOOK}, "")})
    try:
        yield opened
    finally:
        await opened.aclose()


@pytest.fixture
def drive(hearth_home: Path) -> Path:
    """The vault bot's drive: one harmless file, symbolic links out, secrets around it."""
    root = hearth_home / "bots" / "vault.gbai" / "vault.gbdrive"
    root.mkdir(parents=True, exist_ok=True)
    (root / "inside.txt").write_text("harmless\n")
    (root / "folder").mkdir(exist_ok=True)
    secrets = plant_secrets(hearth_home, "vault")
    os.symlink(hearth_home / "secret.txt", root / "link_out")
    os.symlink(hearth_home / "bots", root / "dir_out")
    os.symlink(hearth_home / "etc", root / "etc_link")  # a fake /etc, never the real one
    os.symlink("../secret.txt", root / "rel_link")
    os.symlink(root / "folder", root / "inside_link")
    assert all(SECRET in p.read_text() for p in secrets)
    return root


def _leaked(text: str) -> bool:
    return SECRET in text or PASSWD in text


def _written_inside(drive: Path) -> list[Path]:
    return [p for p in drive.rglob("*") if p.is_file() and not p.is_symlink()
            and b"PWNED" in p.read_bytes()]


async def test_rest_drive_routes(client: Client, app: web.Application, drive: Path,
                                 hearth_home: Path) -> None:
    before = outside_drive(hearth_home, drive)
    base = str(client.make_url("/api/bots/vault/drive"))
    user, designer = auth(app, "uma"), auth(app, "dan")
    control = await client.get("/api/bots/vault/drive/file?path=inside.txt", headers=user)
    assert control.status == 200 and await control.text() == "harmless\n"
    attempts = Attempts(KIND_REST)
    for raw, leaves in REST_PATHS.items():
        for method, route, headers in (("GET", "/file", user), ("GET", "", user),
                                       ("PUT", "/file", designer),
                                       ("DELETE", "/file", designer)):
            with attempts.one(f"{method} drive{route}?path={raw}"):
                url = URL(f"{base}{route}?path={raw}", encoded=True)
                reply = await client.session.request(method, url, headers=headers,
                                                     data=b"PWNED" if method == "PUT" else None)
                text = await reply.text()
                assert reply.status < 500, (reply.status, text)
                assert not _leaked(text), text[:200]
                if leaves:
                    # A NUL is refused as an invalid path (400) or by the jail (403).
                    refused = (400, 403) if "%00" in raw else (403,)
                    assert reply.status in refused, (reply.status, text)
                elif reply.status == 201:
                    assert _written_inside(drive), "a 201 but no file in the drive"
                assert outside_drive(hearth_home, drive) == before
        for stale in _written_inside(drive):
            stale.unlink()
    attempts.verdict(at_least=4 * len(REST_PATHS))


async def _run(client: Client, headers: dict[str, str], op: str, path: str) -> Any:
    reply = await client.post("/api/vault/webhook/drive", json={"op": op, "path": path},
                              headers=headers)
    text = await reply.text()
    assert reply.status == 200, (reply.status, text)
    assert not _leaked(text), text[:200]
    return await reply.json()


async def test_basic_drive_keywords(client: Client, app: web.Application, drive: Path,
                                    hearth_home: Path) -> None:
    headers = auth(app, "ada")
    control = await _run(client, headers, "read", "inside.txt")
    assert control == {"ok": True, "result": "harmless\n"}
    refused = await _run(client, headers, "read", "../secret.txt")
    assert refused["ok"] is False and refused["kind"] == "PermissionError"
    before = outside_drive(hearth_home, drive)
    attempts = Attempts(KIND_BASIC)
    for path, leaves in BASIC_PATHS.items():
        for op in BASIC_OPS:
            with attempts.one(f"{op} {path!r}"):
                answer = await _run(client, headers, op, path)
                if leaves:
                    assert answer["ok"] is False, answer
                    assert answer["kind"] == "PermissionError", answer
                elif not answer["ok"]:
                    assert answer["kind"] in ("FileError", "PermissionError"), answer
                assert outside_drive(hearth_home, drive) == before
                assert (drive / "inside.txt").read_text() == "harmless\n" or op == "movein"
                (drive / "inside.txt").write_text("harmless\n")
        for stale in _written_inside(drive):
            stale.unlink()
    attempts.verdict(at_least=len(BASIC_PATHS) * len(BASIC_OPS))


def _zip(entries: dict[str, bytes], links: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data)
        for name, target in links.items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (0o120777 << 16)  # a symbolic link entry
            archive.writestr(info, target)
    return buffer.getvalue()


ZIP_SLIPS = {
    "parent entry": ({"../slip.txt": b"PWNED"}, {}),
    "deep parent entry": ({"a/../../../slip.txt": b"PWNED"}, {}),
    "absolute entry": ({"/tmp/hearth-slip.txt": b"PWNED"}, {}),
    "backslash entry": ({"..\\slip.txt": b"PWNED"}, {}),
    "drive letter entry": ({"C:\\slip.txt": b"PWNED"}, {}),
    "symlink entry then write through it": ({"out/slip.txt": b"PWNED"}, {"out": "../.."}),
    "symlink entry to the secret": ({}, {"s.txt": "../../../secret.txt"}),
}


async def test_zip_slip_through_extract(client: Client, app: web.Application, drive: Path,
                                        hearth_home: Path) -> None:
    headers = auth(app, "ada")
    before = outside_drive(hearth_home, drive)
    attempts = Attempts(KIND_BASIC)
    for name, (entries, links) in ZIP_SLIPS.items():
        (drive / "evil.zip").write_bytes(_zip(entries, links))
        with attempts.one(f"EXTRACT with a {name}"):
            answer = await _run(client, headers, "extract", "evil.zip")
            assert not answer["ok"] or all(".." not in str(p) for p in answer["result"])
            assert outside_drive(hearth_home, drive) == before
            assert not Path("/tmp/hearth-slip.txt").exists()
            for link in links:
                extracted = drive / "unzipped" / link
                assert not extracted.is_symlink(), f"{link} was extracted as a link"
            if answer["ok"]:
                for listed in answer["result"]:
                    read = await _run(client, headers, "read", str(listed))
                    assert not _leaked(str(read))
    attempts.verdict(at_least=len(ZIP_SLIPS))


KB_NAMES = {  # (collection, file name) of an upload; none may land outside the .gbkb folder
    "parent collection": ("..", "a.md"), "climbing collection": ("../../x", "a.md"),
    "absolute collection": ("/etc", "a.md"), "encoded collection": ("%2e%2e", "a.md"),
    "backslash collection": ("..\\..", "a.md"), "collection into the drive": (
        "../vault.gbdrive", "a.md"), "dotted collection": (".hidden", "a.md"),
    "NUL collection": ("x\x00/../..", "a.md"), "parent file name": ("manuals", "../../a.md"),
    "climbing file name": ("manuals", "../../../../secret.txt"),
    "backslash file name": ("manuals", "..\\..\\..\\secret.txt"),
    "absolute file name": ("manuals", "/etc/passwd"), "dot-dot file name": ("manuals", ".."),
    "NUL file name": ("manuals", "a.md\x00.png"), "encoded file name": ("manuals", "%2e%2e%2fa.md"),
    "fullwidth file name": ("manuals", "\uff0e\uff0e\uff0fa.md"),
    "CR LF file name": ("manuals", "a.md\r\nX-Evil: 1"), "empty file name": ("manuals", ""),
    "quote in the file name": ("manuals", 'a".md'),
}


BOUNDARY = "hearth-attack-boundary"


def _multipart(collection: str, name: str) -> bytes:
    """The upload's body written by hand: client libraries refuse NUL or CR LF in a file
    name, an attacker's raw socket does not."""
    head = f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"collection\"\r\n\r\n"
    part = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"{name}\"\r\nContent-Type: text/plain\r\n\r\n")
    return (head.encode() + collection.encode("utf-8", "surrogatepass") + b"\r\n" +
            part.encode("utf-8", "surrogatepass") + b"# PWNED\n\nuploaded text\r\n" +
            f"--{BOUNDARY}--\r\n".encode())


@pytest.mark.filterwarnings("ignore::aiohttp.multipart.BadContentDispositionHeader")
async def test_kb_upload_names(engine: Engine, hearth_home: Path, drive: Path) -> None:
    """The KB upload route (designer) takes a collection and a file name from the request:
    neither may put a byte outside the bot's ``.gbkb`` folder."""
    from aiohttp.test_utils import TestServer

    from engine.server import ServerOptions, build_app
    from tests.engine.server.serverkit import HashingKnowledge, add_users

    knowledge = HashingKnowledge(hearth_home)
    app = await build_app(engine, ServerOptions(knowledge=knowledge))
    await add_users(app)
    kb_dir = hearth_home / "bots" / "vault.gbai" / "vault.gbkb"
    try:
        async with TestClient(TestServer(app)) as client:
            designer = auth(app, "dan")

            async def upload(collection: str, name: str) -> tuple[int, str]:
                reply = await client.post("/api/bots/vault/kb/documents", data=_multipart(
                    collection, name), headers={**designer, "Content-Type":
                                                f"multipart/form-data; boundary={BOUNDARY}"})
                return reply.status, await reply.text()

            control = await upload("manuals", "fine.md")
            assert control[0] == 201, control  # the route works: refusals below are refusals
            before = {k: v for k, v in outside_drive(hearth_home, drive).items()
                      if not k.startswith("bots/vault.gbai/vault.gbkb/")}
            attempts = Attempts("KB upload traversal")
            for label, (collection, name) in KB_NAMES.items():
                with attempts.one(f"{label}: {collection!r} / {name!r}"):
                    status, text = await upload(collection, name)
                    assert status in (201, 400), (status, text)
                    assert not _leaked(text)
                    after = {k: v for k, v in outside_drive(hearth_home, drive).items()
                             if not k.startswith("bots/vault.gbai/vault.gbkb/")}
                    assert after == before, sorted(set(after) ^ set(before))
                    assert not _written_inside(drive)
                    stray = [p for p in kb_dir.rglob("*") if p.is_file()
                             and not p.resolve().is_relative_to(kb_dir.resolve())]
                    assert not stray, stray
            attempts.verdict(at_least=len(KB_NAMES))
    finally:
        await knowledge.aclose()
