"""The web chat: one static page (``resources/webchat``) for every bot, no build step.

``/chat/<bot>`` serves the page; it reads the bot from its URL, fetches the bot's look from
``/api/bots/<bot>/webchat`` and talks to ``/ws``.
"""

from __future__ import annotations

from aiohttp import web

from engine.server.errors import NotFound
from engine.server.routing import Route
from engine.server.state import state_of

_ASSET = r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}"
_HEADERS = {"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer"}
_PAGE_HEADERS = {**_HEADERS, "X-Frame-Options": "SAMEORIGIN",
                 "Content-Security-Policy": "default-src 'self'; img-src 'self' data: https:; "
                 "style-src 'self' 'unsafe-inline'; connect-src 'self' ws: wss:"}


async def home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/chat/")


async def page(request: web.Request) -> web.StreamResponse:
    index = state_of(request).options.webchat_dir / "index.html"
    return web.FileResponse(index, headers=_PAGE_HEADERS)


async def asset(request: web.Request) -> web.StreamResponse:
    folder = state_of(request).options.webchat_dir
    name = request.match_info["file"]
    path = folder / name
    if name == "index.html" or not path.is_file():
        raise NotFound(f"no web chat file '{name}'")
    return web.FileResponse(path, headers=_HEADERS)


ROUTES = [
    Route("GET", "/", home, "public", "Redirect to the web chat", "webchat",
          responses={302: None}),
    Route("GET", "/chat/", page, "public", "The web chat page (pick a bot)", "webchat",
          responses={200: "html"}),
    Route("GET", "/chat/{bot}", page, "public", "The web chat page for a bot", "webchat",
          responses={200: "html"}),
    Route("GET", "/webchat/{file:" + _ASSET + "}", asset, "public", "A web chat asset",
          "webchat", responses={200: "binary"}),
]
