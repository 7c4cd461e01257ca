"""A Telegram Bot API fake: ``/bot<token>/<method>`` as the published API shapes it
(``{"ok": true, "result": …}``; errors ``{"ok": false, "error_code", "description",
"parameters": {"retry_after"}}``), plus the updates it would post to a webhook."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from tests.engine.channels.fakes.base import FakePlatform

_IDS = itertools.count(1000)


@dataclass
class FakeTelegram(FakePlatform):
    token: str = "123:fake-token"
    pending: list[dict[str, Any]] = field(default_factory=list)
    webhook: dict[str, Any] = field(default_factory=dict)
    max_wait: float = 0.5  # a getUpdates long poll never holds a test longer

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/bot{token}/{method}", self._method)]

    async def _method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        method, body = request.match_info["method"], await request.json()
        assert isinstance(body, dict), "Telegram methods take a JSON object"
        await self.record(method, body)
        failure = self.take_failure()
        if failure is not None:
            extra = {"retry_after": failure.retry_after} if failure.retry_after else None
            return _error(failure.status, "Too Many Requests" if failure.status == 429
                          else "Internal Server Error", extra)
        if method == "sendMessage":
            return _ok(_sent(body))
        if method == "getUpdates":
            return _ok(await self._updates(body))
        if method == "setWebhook":
            self.webhook = body
            return _ok(True)
        if method == "answerCallbackQuery":
            assert body.get("callback_query_id"), "answerCallbackQuery needs the query's id"
            return _ok(True)
        if method == "deleteWebhook":
            self.webhook = {}
            return _ok(True)
        return _error(404, "Not Found: method not found")

    async def _updates(self, body: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook:
            raise web.HTTPConflict(text='{"ok":false,"error_code":409}')
        offset = int(body.get("offset", 0))
        self.pending = [u for u in self.pending if u["update_id"] >= offset]
        deadline = asyncio.get_running_loop().time() + min(float(body.get("timeout", 0)),
                                                           self.max_wait)
        while not self.pending and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        return list(self.pending)

    def sent(self) -> list[dict[str, Any]]:
        return [c.body for c in self.calls if c.path == "sendMessage"]

    async def post_update(self, url: str, update: dict[str, Any],
                          secret: str | None) -> tuple[int, dict[str, Any]]:
        """Deliver ``update`` to a webhook as Telegram does (the secret in its header)."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        async with aiohttp.ClientSession() as client, client.post(
                url, json=update, headers=headers) as response:
            return response.status, await response.json(content_type=None)


def _sent(body: dict[str, Any]) -> dict[str, Any]:
    """Check a sendMessage body as Telegram would; the Message it returns."""
    text = body.get("text")
    if not isinstance(body.get("chat_id"), (int, str)) or not isinstance(text, str) or not text:
        raise web.HTTPBadRequest(text='{"ok":false,"error_code":400}')
    if len(text) > 4096:
        raise web.HTTPBadRequest(text='{"ok":false,"description":"message is too long"}')
    markup = body.get("reply_markup")
    if markup is not None:
        for row in markup["inline_keyboard"]:
            for button in row:
                assert isinstance(button["text"], str) and button["text"]
                assert 1 <= len(button["callback_data"].encode()) <= 64
    return {"message_id": next(_IDS), "chat": {"id": body["chat_id"], "type": "private"},
            "date": 0, "text": text}


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(status: int, description: str, parameters: dict[str, Any] | None = None
           ) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=status)


def text_update(update_id: int, chat_id: int, text: str) -> dict[str, Any]:
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "text": text,
        "from": {"id": chat_id, "is_bot": False, "first_name": "Ana"},
        "chat": {"id": chat_id, "type": "private", "first_name": "Ana"}}}


def button_update(update_id: int, chat_id: int, data: str) -> dict[str, Any]:
    return {"update_id": update_id, "callback_query": {
        "id": str(update_id), "data": data, "chat_instance": "1",
        "from": {"id": chat_id, "is_bot": False, "first_name": "Ana"},
        "message": {"message_id": 1, "date": 0, "chat": {"id": chat_id, "type": "private"}}}}
