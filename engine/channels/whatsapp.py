"""WhatsApp Cloud API: the verify-token handshake, ``X-Hub-Signature-256`` on the raw body,
text and interactive messages (reply buttons up to 3 suggestions, a list beyond).

Config keys (``config.csv``; a value ``keyring:NAME`` is read from the OS keyring):
``whatsapp-token`` (the access token), ``whatsapp-app-secret`` (signs the webhooks),
``whatsapp-verify-token`` (the handshake), ``whatsapp-phone-id`` (the sending number's id),
``whatsapp-api-url`` (the API's base address, with its version).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from typing import Any

from engine.channels.errors import (
    BadSignature,
    ChannelNotConfigured,
    MissingSignature,
)
from engine.channels.formatting import (
    button_label,
    rendered_pieces,
    reply_pieces,
    whatsapp_markup,
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
from engine.events import SuggestionDTO

NAME = "whatsapp"
DEFAULT_API = "https://graph.facebook.com/v19.0"
SIGNATURE_HEADER = "x-hub-signature-256"
_KEYS = ("whatsapp-token", "whatsapp-app-secret", "whatsapp-verify-token", "whatsapp-phone-id")
_MAX_REPLY_BUTTONS = 3
_MAX_LIST_ROWS = 10
_INTERACTIVE_BODY = 1024  # an interactive message's body is shorter than a text's


class WhatsAppAdapter:
    """One bot's WhatsApp channel."""

    name = NAME
    capabilities = Capabilities(max_length=4096, buttons=True, max_buttons=_MAX_LIST_ROWS,
                                max_button_label=20)

    def __init__(self, token: str, app_secret: str, verify_token: str, phone_id: str,
                 api_url: str = DEFAULT_API) -> None:
        self.app_secret, self.verify_token, self.phone_id = app_secret, verify_token, phone_id
        self.api_base = api_url.rstrip("/")
        self.auth_headers: Mapping[str, str] = {"Authorization": f"Bearer {token}"}

    @classmethod
    def from_config(cls, config: Mapping[str, str]) -> WhatsAppAdapter:
        values = [config.get(key, "").strip() for key in _KEYS]
        missing = [key for key, value in zip(_KEYS, values, strict=True) if not value]
        if missing:
            raise ChannelNotConfigured(f"the bot has no {', '.join(missing)}")
        token, secret, verify, phone = values
        api_url = config.get("whatsapp-api-url", "").strip() or DEFAULT_API
        return cls(token, secret, verify, phone, api_url=api_url)

    # -- inbound ---------------------------------------------------------------------------
    def handshake(self, request: RawRequest) -> Verdict | None:
        """The subscription check: echo ``hub.challenge`` when ``hub.verify_token`` matches."""
        if request.method != "GET":
            return None
        mode, token = request.query.get("hub.mode"), request.query.get("hub.verify_token", "")
        challenge = request.query.get("hub.challenge", "")
        if mode == "subscribe" and challenge and hmac.compare_digest(
                token.encode(), self.verify_token.encode()):
            return Verdict(200, challenge)
        return Verdict(403, "verification failed")

    def verify(self, request: RawRequest) -> None:
        given = request.headers.get(SIGNATURE_HEADER)
        if given is None:
            raise MissingSignature("the signature is missing")
        expected = "sha256=" + hmac.new(self.app_secret.encode(), request.body,
                                        hashlib.sha256).hexdigest()
        if not hmac.compare_digest(given.strip().lower().encode(), expected.encode()):
            raise BadSignature("the signature is wrong")

    def parse(self, body: bytes) -> list[Inbound]:
        data = json_payload(body, noun="notification", kind="a WhatsApp notification",
                            key="entry", key_type=list)
        found: list[Inbound] = []
        for entry in data["entry"]:
            for change in _list(entry, "changes"):
                value = change.get("value") if isinstance(change, Mapping) else None
                if isinstance(value, Mapping):
                    found.extend(_messages(value))
        return found

    # -- outbound --------------------------------------------------------------------------
    def render(self, user_id: str, reply: Reply) -> list[OutboundCall]:
        pieces = reply_pieces(reply, self.capabilities.max_length, whatsapp_markup)
        if not reply.suggestions:
            return [self._message(user_id, "text", {"preview_url": False, "body": piece})
                    for piece in pieces]
        last = pieces.pop() if pieces else "…"
        if len(last) > _INTERACTIVE_BODY:
            more = rendered_pieces(last, _INTERACTIVE_BODY, lambda same: same)
            last = more.pop()
            pieces.extend(more)
        calls = [self._message(user_id, "text", {"preview_url": False, "body": piece})
                 for piece in pieces]
        calls.append(self._message(user_id, "interactive", _interactive(last, reply.suggestions)))
        return calls

    def _message(self, to: str, kind: str, content: dict[str, Any]) -> OutboundCall:
        return OutboundCall("POST", f"{self.phone_id}/messages", {
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": to,
            "type": kind, kind: content})


def _interactive(body: str, suggestions: Sequence[SuggestionDTO]) -> dict[str, Any]:
    """Reply buttons for up to three suggestions, a list (up to ten rows) beyond."""
    if len(suggestions) <= _MAX_REPLY_BUTTONS:
        buttons = [{"type": "reply", "reply": {"id": _id(s), "title": button_label(s.text, 20)}}
                   for s in suggestions]
        return {"type": "button", "body": {"text": body}, "action": {"buttons": buttons}}
    rows = [{"id": _id(s), "title": button_label(s.text, 24)}
            for s in suggestions[:_MAX_LIST_ROWS]]
    return {"type": "list", "body": {"text": body},
            "action": {"button": "Options", "sections": [{"title": "Options", "rows": rows}]}}


def _id(suggestion: SuggestionDTO) -> str:
    return (suggestion.value or suggestion.text)[:256]


def _list(data: Any, key: str) -> list[Any]:
    value = data.get(key) if isinstance(data, Mapping) else None
    return value if isinstance(value, list) else []


def _messages(value: Mapping[str, Any]) -> list[Inbound]:
    names = {str(c.get("wa_id")): str(c.get("profile", {}).get("name", ""))
             for c in _list(value, "contacts") if isinstance(c, Mapping)}
    found = []
    for message in _list(value, "messages"):
        if isinstance(message, Mapping) and message.get("from") and message.get("id"):
            inbound = _message(message, names.get(str(message["from"])) or None)
            if inbound is not None:
                found.append(inbound)
    return found


def _message(message: Mapping[str, Any], name: str | None) -> Inbound | None:
    sender, mid, kind = str(message["from"]), str(message["id"]), message.get("type")
    body: Any = message.get(kind) if isinstance(kind, str) else None
    if not isinstance(body, (Mapping, list)):
        return None
    if kind == "text" and isinstance(body, Mapping):
        return Inbound(sender, mid, str(body.get("body", "")), name)
    if kind == "interactive" and isinstance(body, Mapping):
        choice = body.get("button_reply") or body.get("list_reply")
        if isinstance(choice, Mapping) and choice.get("id"):
            return Inbound(sender, mid, str(choice["id"]), name, button=str(choice["id"]))
        return None
    if kind == "button" and isinstance(body, Mapping):  # a template's quick reply
        payload = str(body.get("payload") or body.get("text") or "")
        return Inbound(sender, mid, payload, name, button=payload)
    if kind == "location" and isinstance(body, Mapping):
        point = (float(body.get("latitude", 0)), float(body.get("longitude", 0)))
        return Inbound(sender, mid, f"{point[0]},{point[1]}", name, location=point)
    if kind == "contacts" and isinstance(body, list) and body and isinstance(body[0], Mapping):
        phones = _list(body[0], "phones")
        phone = str(phones[0].get("phone", "")) if phones and isinstance(phones[0], Mapping) else ""
        return Inbound(sender, mid, phone, name, contact=dict(body[0]))
    if kind in ("image", "audio", "voice", "video", "document", "sticker") and isinstance(
            body, Mapping):
        media = {"kind": kind, "id": body.get("id"), "mime_type": body.get("mime_type")}
        return Inbound(sender, mid, str(body.get("caption", "")), name, media=media)
    return None


register_channel(NAME, WhatsAppAdapter.from_config)
