"""A bot's knowledge base: its collections, hybrid search, and document upload.

Uploads are stored in the bot package's ``.gbkb`` folder (``<collection>/`` below it, or the
folder itself for the bot's root collection), where the KB layer finds them, and the
collection is re-indexed right away. Without the embedding model every KB route answers 503
with the command that installs it, and an upload is refused before anything is stored; an
upload whose indexing fails is not kept either (the folder is as it was).
"""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from engine.kb.errors import EmbedderError
from engine.server import schemas
from engine.server.bodies import json_response, query_int
from engine.server.errors import EMBEDDING_HINT, BadRequest, PayloadTooLarge, Unavailable
from engine.server.options import Knowledge
from engine.server.routes.common import bot_of
from engine.server.routing import Param, Route
from engine.server.state import state_of

_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._()-]{0,199}$")


async def _knowledge(request: web.Request, bot: str) -> Knowledge:
    state = state_of(request)
    if not await state.can_index():
        raise Unavailable(EMBEDDING_HINT)
    try:
        found = await state.knowledge(bot)
    except EmbedderError:
        raise Unavailable(EMBEDDING_HINT) from None
    if found is None:
        raise Unavailable(f"bot '{bot}' has no knowledge base in this engine")
    return found


async def collections(request: web.Request) -> web.Response:
    bot = bot_of(request)
    kb = await _knowledge(request, bot.package.name)
    return json_response({"collections": kb.collections()})


async def search(request: web.Request) -> web.Response:
    """Hybrid search (BM25 + vectors) over the named collections (default: all)."""
    bot = bot_of(request)
    query = request.query.get("q", "").strip()
    if not query:
        raise BadRequest("give the search text in 'q'", code="validation")
    k = query_int(request, "k", 5, 1, 50)
    kb = await _knowledge(request, bot.package.name)
    names = request.query.getall("collection", []) or kb.collections()
    hits = await kb.search(names, query, k)
    return json_response({"query": query, "hits": [h.to_json() for h in hits]})


async def upload(request: web.Request) -> web.Response:
    """``multipart/form-data`` with a ``file`` part and an optional ``collection`` field."""
    bot = bot_of(request)
    if not request.content_type.startswith("multipart/"):
        raise BadRequest("send multipart/form-data with a 'file' part", code="validation")
    collection, name, data = await _read_upload(request)
    if not await state_of(request).can_index():
        raise Unavailable(EMBEDDING_HINT)  # refused before anything is stored
    gbkb = bot.package.kb_dir
    folder = gbkb / collection if collection else gbkb
    target = folder / name
    previous = await asyncio.to_thread(_store, target, data)
    try:
        kb = await _knowledge(request, bot.package.name)
        report = (await kb.ingest(folder)).to_json()
    except BaseException:
        await asyncio.to_thread(_restore, target, previous)
        raise
    return json_response({"collection": collection or gbkb.name,
                          "stored": f"{folder.name}/{name}", "report": report}, status=201)


def _store(target: Path, data: bytes) -> bytes | None:
    """Write ``data`` to ``target``; return what the file held before (None: it was new)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    previous = target.read_bytes() if target.is_file() else None
    try:
        target.write_bytes(data)
    except BaseException:
        _restore(target, previous)
        raise
    return previous


def _restore(target: Path, previous: bytes | None) -> None:
    """Put ``target`` back as it was before :func:`_store` (best effort on a full disk)."""
    try:
        if previous is None:
            target.unlink(missing_ok=True)
        else:
            target.write_bytes(previous)
    except OSError:
        target.unlink(missing_ok=True)


async def _read_upload(request: web.Request) -> tuple[str, str, bytes]:
    try:
        return await _parts(request)
    except (ValueError, HttpProcessingError) as error:
        raise BadRequest("the multipart body is malformed", code="validation",
                         details={"reason": str(error)[:200]}) from None


async def _parts(request: web.Request) -> tuple[str, str, bytes]:
    limit = state_of(request).options.max_upload_bytes
    reader = await request.multipart()
    collection, name, data = "", "", b""
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            continue
        if part.name == "collection":
            collection = (await part.text()).strip()
        elif part.name == "file":
            name = (part.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
            data = await _bounded(part, limit)
    for label, value in (("collection", collection), ("file name", name)):
        if (value or label == "file name") and not _SAFE_NAME.match(value):
            raise BadRequest(f"invalid {label} '{value}'", code="validation")
    if not data:
        raise BadRequest("the 'file' part is missing or empty", code="validation")
    return collection, name, data


async def _bounded(part: BodyPartReader, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := await part.read_chunk():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the file is larger than {limit} bytes",
                                  details={"limit": limit})
        chunks.append(chunk)
    return b"".join(chunks)


_NO_MODEL = (503,)  # no embedding model (the message says how to install it)
ROUTES = [
    Route("GET", "/api/bots/{bot}/kb/collections", collections, "user",
          "List the KB collections", "knowledge", responses={200: schemas.Collections},
          errors=_NO_MODEL),
    Route("GET", "/api/bots/{bot}/kb/search", search, "user", "Search the knowledge base",
          "knowledge", responses={200: schemas.KbHits}, errors=_NO_MODEL,
          query=(Param("q", "what to search for", required=True),
                 Param("collection", "a collection to search (repeatable; default all)"),
                 Param("k", "passages to return (1-50, default 5)", "integer"))),
    Route("POST", "/api/bots/{bot}/kb/documents", upload, "designer",
          "Upload a document to a collection", "knowledge", body="multipart",
          responses={201: schemas.KbUploaded}, errors=_NO_MODEL),
]
