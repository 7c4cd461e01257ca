"""A bot's drive files (BASIC.md §9.1). Paths are drive paths, jailed to the bot's drive by
the office layer: ``..``, absolute paths and links out of the drive are refused (403)."""

from __future__ import annotations

import asyncio
import mimetypes
import re

from aiohttp import web

from engine.office.drive import LocalDrive
from engine.server import schemas
from engine.server.bodies import attachment, json_response, no_content, read_body
from engine.server.errors import BadRequest
from engine.server.routes.common import bot_of
from engine.server.routing import Param, Route
from engine.server.state import state_of

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _path(request: web.Request, *, required: bool) -> str:
    path = request.query.get("path", "").strip()
    if required and not path.strip("/"):
        raise BadRequest("give the file's drive path in 'path'", code="validation")
    return path


def _new_path(request: web.Request) -> str:
    """The path of a file to create: no control characters (a CR or LF in a name would break
    every header and listing it appears in)."""
    path = _path(request, required=True)
    if _CONTROL.search(path):
        raise BadRequest("a drive path cannot hold control characters (CR, LF, tab...)",
                         code="validation")
    return path


def _drive(request: web.Request) -> LocalDrive:
    bot = bot_of(request)
    return state_of(request).engine.bots.services(bot.package.name).drive


async def list_folder(request: web.Request) -> web.Response:
    folder = _path(request, required=False) or "/"
    drive = _drive(request)
    entries = await asyncio.to_thread(drive.list, folder)
    return json_response({"folder": folder, "entries": entries})


async def read_file(request: web.Request) -> web.Response:
    path = _path(request, required=True)
    data = await asyncio.to_thread(_drive(request).read_bytes, path)
    kind = mimetypes.guess_type(path)[0] or "application/octet-stream"
    name = path.rstrip("/").rsplit("/", 1)[-1]
    return web.Response(body=data, content_type=kind,
                        headers={"Content-Disposition": attachment(name)})


async def write_file(request: web.Request) -> web.Response:
    """Create or replace a file with the request body (any bytes)."""
    path = _new_path(request)
    data = await read_body(request, state_of(request).options.max_upload_bytes)
    drive = _drive(request)
    await asyncio.to_thread(drive.write, path, data)
    return json_response({"path": path, "size": len(data)}, status=201)


async def delete_file(request: web.Request) -> web.Response:
    await asyncio.to_thread(_drive(request).delete, _path(request, required=True))
    return no_content()


_FOLDER = (Param("path", "a drive folder (default: the root)"),)
_FILE = (Param("path", "the file's drive path, e.g. reports/may.pdf", required=True),)
ROUTES = [
    Route("GET", "/api/bots/{bot}/drive", list_folder, "user", "List a drive folder", "drive",
          responses={200: schemas.DriveListing}, query=_FOLDER),
    Route("GET", "/api/bots/{bot}/drive/file", read_file, "user", "Download a drive file",
          "drive", responses={200: "binary"}, query=_FILE),
    Route("PUT", "/api/bots/{bot}/drive/file", write_file, "designer", "Upload a drive file",
          "drive", body="binary", responses={201: schemas.DriveWritten}, query=_FILE),
    Route("DELETE", "/api/bots/{bot}/drive/file", delete_file, "designer",
          "Delete a drive file or folder", "drive", responses={204: None}, query=_FILE),
]
