"""Telegram Bot API: webhook updates (proved by the secret-token header) and long polling.

Config keys (``config.csv``; a value ``keyring:NAME`` is read from the OS keyring):
``telegram-token`` (required), ``telegram-secret`` (required for the webhook: Telegram sends
it in ``X-Telegram-Bot-Api-Secret-Token``), ``telegram-api-url`` (the API's base address).
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from engine.channels.errors import (
    BadSignature,
    ChannelNotConfigured,
    DeliveryFailed,
    MissingSignature,
)
from engine.channels.formatting import (
    button_label,
    reply_pieces,
    telegram_html,
)
from engine.channels.payload import json_payload
from engine.channels.protocol import (
    Capabilities,
    Inbound,
    OutboundCall,
    RawRequest,
    Reply,
    Verdict,
)
from engine.channels.registry import register_channel
from engine.channels.sender import Sender

log = logging.getLogger("hearth.channels")
NAME = "telegram"
DEFAULT_API = "https://api.telegram.org"
SECRET_HEADER = "x-telegram-bot-api-secret-token"
_CALLBACK_BYTES = 64  # Telegram's limit on callback_data


class TelegramAdapter:
    """One bot's Telegram channel."""

    name = NAME
    capabilities = Capabilities(max_length=4096, buttons=True, max_buttons=100,
                                max_button_label=64)

    def __init__(self, token: str, secret: str | None, api_url: str = DEFAULT_API) -> None:
        self.token = token
        self.secret = secret
        self.api_base = f"{api_url.rstrip('/')}/bot{token}"
        self.auth_headers: Mapping[str, str] = {}

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> TelegramAdapter:
        token = config.get("telegram-token", "").strip()
        if not token:
            raise ChannelNotConfigured("the bot has no telegram-token")
        return cls(token, config.get("telegram-secret", "").strip() or None,
                   config.get("telegram-api-url", "").strip() or DEFAULT_API)

    # -- inbound ---------------------------------------------------------------------------
    def handshake(self, request: RawRequest) -> Verdict | None:
        return None  # Telegram has no verification request

    def verify(self, request: RawRequest) -> None:
        if not self.secret:
            raise BadSignature("this bot takes Telegram updates by polling only")
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            raise MissingSignature("the secret token is missing")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise BadSignature("the secret token is wrong")

    def parse(self, body: bytes) -> list[Inbound]:
        update = json_payload(body, noun="update", kind="a Telegram update",
                              key="update_id", key_type=int)
        found = parse_update(update)
        return [] if found is None else [found]

    # -- outbound --------------------------------------------------------------------------
    def render(self, user_id: str, reply: Reply) -> list[OutboundCall]:
        pieces = reply_pieces(reply, self.capabilities.max_length, telegram_html)
        if not pieces and reply.suggestions:
            pieces = ["…"]
        calls = [_send(user_id, piece) for piece in pieces]
        if reply.suggestions and calls:
            keyboard = [[{"text": button_label(s.text, self.capabilities.max_button_label),
                          "callback_data": _callback_data(s.value or s.text)}]
                        for s in reply.suggestions[:self.capabilities.max_buttons]]
            calls[-1].json["reply_markup"] = {"inline_keyboard": keyboard}
        return calls

    def set_webhook(self, url: str) -> OutboundCall:
        """The call that makes Telegram post updates to ``url`` with the secret token."""
        payload: dict[str, Any] = {"url": url, "allowed_updates": ["message", "callback_query"]}
        if self.secret:
            payload["secret_token"] = self.secret
        return OutboundCall("POST", "setWebhook", payload)


def _send(chat_id: str, text: str) -> OutboundCall:
    return OutboundCall("POST", "sendMessage",
                        {"chat_id": _chat(chat_id), "text": text, "parse_mode": "HTML"})


def _chat(chat_id: str) -> int | str:
    return int(chat_id) if chat_id.lstrip("-").isdigit() else chat_id


def _callback_data(value: str) -> str:
    data = value.encode()[:_CALLBACK_BYTES]
    return data.decode("utf-8", errors="ignore")


def parse_update(update: Mapping[str, Any]) -> Inbound | None:
    """The message of one update (a text, a button press, a location, a contact or media);
    None for updates that are not a person's message (edits, joins and the like)."""
    update_id = str(update.get("update_id"))
    callback = update.get("callback_query")
    if isinstance(callback, Mapping):
        chat = _dig(callback, "message", "chat", "id") or _dig(callback, "from", "id")
        data = callback.get("data")
        if chat is None or not isinstance(data, str):
            return None
        receipt = OutboundCall("POST", "answerCallbackQuery",
                               {"callback_query_id": str(callback.get("id", ""))})
        return Inbound(str(chat), update_id, data, _name(callback.get("from")), button=data,
                       receipts=(receipt,))
    message = update.get("message")
    if not isinstance(message, Mapping):
        return None
    chat = _dig(message, "chat", "id")
    if chat is None:
        return None
    name = _name(message.get("from"))
    text = message.get("text") or message.get("caption") or ""
    location, contact, media = message.get("location"), message.get("contact"), _media(message)
    if isinstance(location, Mapping):
        point = (float(location.get("latitude", 0)), float(location.get("longitude", 0)))
        return Inbound(str(chat), update_id, text or f"{point[0]},{point[1]}", name,
                       location=point)
    if isinstance(contact, Mapping):
        return Inbound(str(chat), update_id, text or str(contact.get("phone_number", "")), name,
                       contact=dict(contact))
    if not isinstance(text, str) or (not text and media is None):
        return None
    return Inbound(str(chat), update_id, text, name, media=media)


def _media(message: Mapping[str, Any]) -> dict[str, Any] | None:
    for kind in ("voice", "audio", "document", "video"):
        item = message.get(kind)
        if isinstance(item, Mapping):
            return {"kind": kind, "id": item.get("file_id"), "mime_type": item.get("mime_type")}
    photos = message.get("photo")
    if isinstance(photos, list) and photos and isinstance(photos[-1], Mapping):
        return {"kind": "image", "id": photos[-1].get("file_id"), "mime_type": "image/jpeg"}
    return None


def _name(user: Any) -> str | None:
    if not isinstance(user, Mapping):
        return None
    parts = [str(user[k]) for k in ("first_name", "last_name") if user.get(k)]
    return " ".join(parts) or None


def _dig(data: Mapping[str, Any], *keys: str) -> Any:
    value: Any = data
    for key in keys:
        if not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


Handle = Callable[[Inbound], Awaitable[None]]


class TelegramPoller:
    """Long polling (``getUpdates`` with an offset) for a machine Telegram cannot reach.

    Each update is handed to ``handle`` once; the offset then moves past it, so Telegram
    forgets it. Errors wait ``backoff`` seconds and poll again; :meth:`stop` ends the loop.
    """

    def __init__(self, adapter: TelegramAdapter, sender: Sender, handle: Handle, *,
                 poll_timeout: int = 25, backoff: float = 1.0) -> None:
        self.adapter, self.sender, self.handle = adapter, sender, handle
        self.poll_timeout, self.backoff = poll_timeout, backoff
        self.offset = 0
        self._stopped = asyncio.Event()

    def stop(self) -> None:
        self._stopped.set()

    async def run(self) -> None:
        await self._call(OutboundCall("POST", "deleteWebhook", {}))  # polling needs no webhook
        while not self._stopped.is_set():
            try:
                await self.poll_once()
            except DeliveryFailed as error:
                log.warning("telegram polling: %s", error.message)
                await self._pause(self.backoff)

    async def poll_once(self) -> int:
        """One ``getUpdates`` call; the number of updates handled."""
        answer = await self._call(OutboundCall("POST", "getUpdates", {
            "offset": self.offset, "timeout": self.poll_timeout,
            "allowed_updates": ["message", "callback_query"]}), timeout=self.poll_timeout + 10)
        updates = answer.get("result")
        if not isinstance(updates, list):
            return 0
        for update in updates:
            if not isinstance(update, Mapping) or not isinstance(update.get("update_id"), int):
                continue
            self.offset = max(self.offset, update["update_id"] + 1)
            found = parse_update(update)
            if found is not None:
                await self.handle(found)
        return len(updates)

    async def _call(self, call: OutboundCall, timeout: float | None = None) -> dict[str, Any]:
        return await self.sender.call(self.adapter.api_base, self.adapter.auth_headers, call,
                                      timeout=timeout)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopped.wait(), seconds)


register_channel(NAME, TelegramAdapter.from_config)
