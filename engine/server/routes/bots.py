"""The installed bots, and the public look of each one's web chat (``.gbtheme``)."""

from __future__ import annotations

from pathlib import Path

from aiohttp import web

from engine.api import BotInfo
from engine.bots.registry import CompiledBot
from engine.server import schemas
from engine.server.bodies import json_response
from engine.server.errors import NotFound
from engine.server.routes.common import bot_of
from engine.server.routing import Route
from engine.server.state import state_of

DEFAULT_COLOR1 = "#0b6e4f"
DEFAULT_COLOR2 = "#f6f4ef"
_LOGOS = ("logo.svg", "logo.png", "logo.jpg", "logo.webp")
_THEME_FILE = r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}"


def _flag(bot: CompiledBot, key: str) -> bool:
    return bot.config.get(key, "false").strip().lower() in ("true", "yes", "1", "on")


async def list_bots(request: web.Request) -> web.Response:
    infos = state_of(request).engine.list_bots()
    return json_response({"bots": [_info(i) for i in infos]})


def _info(info: BotInfo) -> dict[str, object]:
    return {"name": info.name, "title": info.title, "description": info.description,
            "scripts": info.scripts, "tools": list(info.tools), "errors": info.errors,
            "warnings": info.warnings}


async def get_bot(request: web.Request) -> web.Response:
    bot = bot_of(request)
    info = next(i for i in state_of(request).engine.list_bots() if i.name == bot.package.name)
    webhooks = sorted({hook for p in bot.programs.values() if p.ok for hook in p.module.webhooks})
    return json_response({**_info(info), "dialogs": sorted(bot.programs), "webhooks": webhooks,
                          "webchat_anonymous": _flag(bot, "webchat-anonymous")})


def _theme_files(bot: CompiledBot) -> list[Path]:
    folder = bot.package.theme_dir
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith("."))


async def webchat_config(request: web.Request) -> web.Response:
    """What the web chat page needs to look like the bot: title, colours, logo, CSS."""
    bot = bot_of(request)
    name = bot.package.name
    base = f"/api/bots/{name}/theme/"
    files = _theme_files(bot)
    names = {p.name.lower(): p.name for p in files}
    logo = bot.config.get("theme-logo")
    if logo and not logo.startswith(("http://", "https://", "/")):
        logo = base + logo
    if not logo:
        found = next((names[n] for n in _LOGOS if n in names), None)
        logo = base + found if found else None
    return json_response({
        "bot": name,
        "title": bot.config.get("theme-title") or bot.config.get("bot-name", name),
        "description": bot.config.get("bot-description", ""),
        "color1": bot.config.get("theme-color1", DEFAULT_COLOR1),
        "color2": bot.config.get("theme-color2", DEFAULT_COLOR2),
        "logo": logo,
        "stylesheets": [base + p.name for p in files if p.suffix.lower() == ".css"],
        "anonymous": _flag(bot, "webchat-anonymous"),
    })


async def theme_file(request: web.Request) -> web.StreamResponse:
    """A file of the bot's ``.gbtheme`` folder (CSS, logo, images)."""
    bot = bot_of(request)
    wanted = request.match_info["file"]
    match = next((p for p in _theme_files(bot) if p.name == wanted), None)
    if match is None:
        raise NotFound(f"no theme file '{wanted}'")
    return web.FileResponse(match, headers={"Cache-Control": "public, max-age=300"})


ROUTES = [
    Route("GET", "/api/bots", list_bots, "user", "List the bots", "bots",
          responses={200: schemas.BotList}),
    Route("GET", "/api/bots/{bot}", get_bot, "user", "One bot: dialogs, tools, webhooks",
          "bots", responses={200: schemas.BotDetail}),
    Route("GET", "/api/bots/{bot}/webchat", webchat_config, "public",
          "The web chat's look for a bot (title, colours, logo, CSS)", "webchat",
          responses={200: schemas.WebchatConfig}),
    Route("GET", "/api/bots/{bot}/theme/{file:" + _THEME_FILE + "}", theme_file, "public",
          "A file of the bot's .gbtheme folder", "webchat", responses={200: "binary"}),
]
