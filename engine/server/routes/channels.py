"""Platform webhooks: ``POST /api/channels/telegram/{bot}``, ``GET|POST
/api/channels/whatsapp/{bot}`` (docs/channels.md).

Public (the platforms hold no Hearth credentials) but each call must carry the platform's
proof (Telegram's secret token, WhatsApp's body signature), and only bots that configured
the channel answer: any other bot is a 404, as if the route did not exist. The message is
acknowledged with 200 at once and its turn runs in the background
(:class:`~engine.channels.service.ChannelService`), so a slow bot never makes the platform
resend.
"""

from __future__ import annotations

from aiohttp import web

from engine.bots.errors import UnknownBot
from engine.channels.errors import (
    BadPayload,
    BadSignature,
    ChannelNotConfigured,
    MissingSignature,
)
from engine.channels.protocol import ChannelAdapter, RawRequest
from engine.channels.service import ChannelService
from engine.server.bodies import read_body
from engine.server.errors import BadRequest, Forbidden, NotFound, Unauthorized
from engine.server.routing import Route
from engine.server.state import STATE

CHANNELS: web.AppKey[ChannelService] = web.AppKey("hearth_channels", ChannelService)
MAX_BODY = 256 * 1024  # a platform's notification is a few kilobytes


def install(app: web.Application) -> None:
    """Give ``app`` (its state set, not started) the channel service, closed with the app."""
    app[CHANNELS] = ChannelService(app[STATE].engine)

    async def close(app: web.Application) -> None:
        await app[CHANNELS].aclose()

    app.on_cleanup.append(close)


def _adapter(request: web.Request, channel: str) -> tuple[str, ChannelAdapter]:
    bot = request.match_info["bot"]
    try:  # looked up by name in the registry, never joined into a path
        return bot, request.app[CHANNELS].adapter(bot, channel)
    except (UnknownBot, ChannelNotConfigured):
        raise NotFound(f"no {channel} channel for a bot named {bot[:80]!r}") from None


async def _raw(request: web.Request) -> RawRequest:
    body = await read_body(request, MAX_BODY) if request.can_read_body else b""
    return RawRequest(request.method, {k.lower(): v for k, v in request.headers.items()},
                      {k: request.query[k] for k in request.query}, body)


async def _receive(request: web.Request, channel: str) -> web.StreamResponse:
    bot, adapter = _adapter(request, channel)
    raw = await _raw(request)
    verdict = adapter.handshake(raw)
    if verdict is not None:
        return web.Response(status=verdict.status, text=verdict.text)
    if request.method != "POST":
        raise BadRequest("a webhook notification is posted")
    try:
        adapter.verify(raw)
    except MissingSignature as error:
        raise Unauthorized(error.message, code="unauthorized", headers={}) from None
    except BadSignature as error:
        raise Forbidden(error.message) from None
    try:
        messages = adapter.parse(raw.body)
    except BadPayload as error:
        raise BadRequest(error.message) from None
    queued = request.app[CHANNELS].accept(bot, adapter, messages)
    return web.json_response({"ok": True, "queued": queued})


async def telegram(request: web.Request) -> web.StreamResponse:
    """A Telegram update (checked by its secret-token header)."""
    return await _receive(request, "telegram")


async def whatsapp(request: web.Request) -> web.StreamResponse:
    """A WhatsApp notification (checked by its signature), or the verification handshake."""
    return await _receive(request, "whatsapp")


_TELEGRAM, _WHATSAPP = "/api/channels/telegram/{bot}", "/api/channels/whatsapp/{bot}"
ROUTES = [
    Route("POST", _TELEGRAM, telegram, "public", "Receive a Telegram update", "channels",
          body="any", responses={200: "any"}, errors=(400, 401, 403, 404, 413),
          description="Needs the X-Telegram-Bot-Api-Secret-Token header set by setWebhook; "
                      "only for bots with telegram-token and telegram-secret."),
    Route("POST", _WHATSAPP, whatsapp, "public", "Receive a WhatsApp notification",
          "channels", body="any", responses={200: "any"}, errors=(400, 401, 403, 404, 413),
          description="Needs X-Hub-Signature-256 (HMAC-SHA256 of the body with the app "
                      "secret); only for bots with the whatsapp-* keys."),
    Route("GET", _WHATSAPP, whatsapp, "public", "Answer WhatsApp's verification handshake",
          "channels", responses={200: "text"}, errors=(400, 403, 404),
          description="Echoes hub.challenge when hub.verify_token is the bot's "
                      "whatsapp-verify-token."),
]
