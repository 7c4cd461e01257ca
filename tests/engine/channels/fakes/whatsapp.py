"""A WhatsApp Cloud API fake: ``POST /{version}/{phone-id}/messages`` with a bearer token, as
the published API shapes it (errors ``{"error": {"message", "type", "code"}}``), plus the
signed notifications and the verification handshake it would make to a webhook."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from dataclasses import dataclass
from typing import Any

import aiohttp
from aiohttp import web

from tests.engine.channels.fakes.base import FakePlatform

_IDS = itertools.count(1)


@dataclass
class FakeWhatsApp(FakePlatform):
    token: str = "wa-access-token"
    phone_id: str = "1055"
    version: str = "v19.0"

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/{version}/{phone}/messages", self._messages)]

    @property
    def api_url(self) -> str:
        return f"{self.url}/{self.version}"

    async def _messages(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return _error(401, "Invalid OAuth access token", 190)
        if request.match_info["phone"] != self.phone_id:
            return _error(400, "Unsupported post request", 100)
        body = await request.json()
        await self.record("messages", body)
        failure = self.take_failure()
        if failure is not None:
            headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after else {}
            return _error(failure.status, "Rate limit hit", 130429, headers)
        _check(body)
        return web.json_response({"messaging_product": "whatsapp",
                                  "contacts": [{"input": body["to"], "wa_id": body["to"]}],
                                  "messages": [{"id": f"wamid.OUT{next(_IDS)}"}]})

    def sent(self) -> list[dict[str, Any]]:
        return [c.body for c in self.calls if c.path == "messages"]

    async def notify(self, url: str, payload: dict[str, Any], app_secret: str | None, *,
                     signature: str | None = None) -> tuple[int, str]:
        """Post a notification as the platform does: the raw body signed with the app secret
        (``signature`` overrides it, to send a wrong one; no secret: no header)."""
        raw = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if signature is not None:
            headers["X-Hub-Signature-256"] = signature
        elif app_secret is not None:
            digest = hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()
            headers["X-Hub-Signature-256"] = f"sha256={digest}"
        async with aiohttp.ClientSession() as client, client.post(
                url, data=raw, headers=headers) as response:
            return response.status, await response.text()

    async def verify(self, url: str, verify_token: str, challenge: str) -> tuple[int, str]:
        """The subscription handshake (GET with hub.mode, hub.verify_token, hub.challenge)."""
        params = {"hub.mode": "subscribe", "hub.verify_token": verify_token,
                  "hub.challenge": challenge}
        async with aiohttp.ClientSession() as client, client.get(url, params=params) as response:
            return response.status, await response.text()


def _check(body: dict[str, Any]) -> None:
    """A message body as the API accepts it (else the test fails on the spot)."""
    assert body["messaging_product"] == "whatsapp" and body["to"]
    kind = body["type"]
    if kind == "text":
        assert 1 <= len(body["text"]["body"]) <= 4096
        return
    assert kind == "interactive", kind
    interactive = body["interactive"]
    assert 1 <= len(interactive["body"]["text"]) <= 1024
    if interactive["type"] == "button":
        buttons = interactive["action"]["buttons"]
        assert 1 <= len(buttons) <= 3
        for button in buttons:
            assert button["type"] == "reply"
            assert 1 <= len(button["reply"]["title"]) <= 20 and button["reply"]["id"]
    else:
        assert interactive["type"] == "list"
        assert len(interactive["action"]["button"]) <= 20
        rows = [r for s in interactive["action"]["sections"] for r in s["rows"]]
        assert 1 <= len(rows) <= 10 and all(len(r["title"]) <= 24 for r in rows)


def _error(status: int, message: str, code: int, headers: dict[str, str] | None = None
           ) -> web.Response:
    return web.json_response({"error": {"message": message, "type": "OAuthException",
                                        "code": code}}, status=status, headers=headers)


def notification(phone_id: str, sender: str, message: dict[str, Any]) -> dict[str, Any]:
    """A ``messages`` notification carrying one message."""
    return {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001", "phone_number_id": phone_id},
            "contacts": [{"profile": {"name": "Bo"}, "wa_id": sender}],
            "messages": [{"from": sender, "timestamp": "1700000000", **message}]}}]}]}


def text(message_id: str, body: str) -> dict[str, Any]:
    return {"id": message_id, "type": "text", "text": {"body": body}}


def button_reply(message_id: str, reply_id: str, title: str) -> dict[str, Any]:
    return {"id": message_id, "type": "interactive", "interactive": {
        "type": "button_reply", "button_reply": {"id": reply_id, "title": title}}}
