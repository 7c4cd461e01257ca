"""Telegram end to end: the fake posts updates to the real server, the engine runs the turn,
the reply arrives at the fake as sendMessage calls of the published shape."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp.test_utils import TestServer

from engine.channels.service import ChannelService
from engine.channels.telegram import TelegramAdapter, TelegramPoller
from engine.server.routes.channels import CHANNELS
from tests.engine.channels.conftest import TG_SECRET
from tests.engine.channels.fakes.telegram import FakeTelegram, button_update, text_update

pytestmark = pytest.mark.asyncio
CHAT = 4242


def _url(hearth: TestServer, bot: str = "desk") -> str:
    return str(hearth.make_url(f"/api/channels/telegram/{bot}"))


def _service(hearth: TestServer) -> ChannelService:
    return hearth.app[CHANNELS]


async def test_a_message_runs_a_turn_and_the_reply_has_buttons(
        hearth: TestServer, telegram: FakeTelegram) -> None:
    status, body = await telegram.post_update(_url(hearth), text_update(1, CHAT, "hello"),
                                              TG_SECRET)
    assert (status, body) == (200, {"ok": True, "queued": 1})
    greeting, answer = [c.body for c in await telegram.wait_calls(2)]
    assert greeting["chat_id"] == CHAT and greeting["parse_mode"] == "HTML"
    assert greeting["text"] == "Welcome to the <b>desk</b>."
    assert answer["text"] == "You chose hello"
    keyboard = answer["reply_markup"]["inline_keyboard"]
    assert [row[0]["text"] for row in keyboard] == ["Book a room", "Long answer", "More choices"]
    assert [row[0]["callback_data"] for row in keyboard] == ["book", "long", "menu"]


async def test_a_button_press_is_the_answer_and_long_replies_are_split(
        hearth: TestServer, telegram: FakeTelegram) -> None:
    await telegram.post_update(_url(hearth), text_update(1, CHAT, "/start"), TG_SECRET)
    await telegram.wait_calls(1)  # /start only opens the session: the greeting
    await telegram.post_update(_url(hearth), button_update(2, CHAT, "long"), TG_SECRET)
    await _service(hearth).drain()
    pieces = [c["text"] for c in telegram.sent()[1:]]
    assert len(pieces) == 2 and all(len(p) <= 4096 for p in pieces)
    assert pieces[0].endswith("fills the long answer.")  # cut at a sentence
    assert pieces[1].startswith("Sentence number ")
    assert "".join(pieces).count("fills the long answer") == 150
    assert "reply_markup" in telegram.sent()[-1] and "reply_markup" not in telegram.sent()[1]
    answered = [c.body for c in telegram.calls if c.path == "answerCallbackQuery"]
    assert answered == [{"callback_query_id": "2"}]  # the pressed button stops spinning


async def test_one_session_per_chat(hearth: TestServer, telegram: FakeTelegram) -> None:
    await telegram.post_update(_url(hearth), text_update(1, CHAT, "/start"), TG_SECRET)
    await telegram.post_update(_url(hearth), text_update(2, CHAT + 1, "/start"), TG_SECRET)
    await _service(hearth).drain()
    await telegram.post_update(_url(hearth), text_update(3, CHAT, "menu"), TG_SECRET)
    await _service(hearth).drain()
    await telegram.post_update(_url(hearth), button_update(4, CHAT, "Tue"), TG_SECRET)
    await _service(hearth).drain()
    mine = [c["text"] for c in telegram.sent() if c["chat_id"] == CHAT]
    assert mine == ["Welcome to the <b>desk</b>.", "Which day?", "Booked for Tue"]
    assert len(telegram.sent()) == 4  # the other chat got its greeting only
    sessions = await hearth.app[CHANNELS].engine.list_sessions("desk")
    assert sorted(s.user_id or "" for s in sessions) == [f"telegram:{CHAT}",
                                                           f"telegram:{CHAT + 1}"]


@pytest.mark.parametrize(("secret", "status"), [(None, 401), ("wrong-secret", 403),
                                                (TG_SECRET[:-1], 403)])
async def test_a_missing_or_wrong_secret_is_refused_without_a_turn(
        hearth: TestServer, telegram: FakeTelegram, secret: str | None, status: int) -> None:
    code, body = await telegram.post_update(_url(hearth), text_update(1, CHAT, "hi"), secret)
    assert code == status and "error" in body
    await _service(hearth).drain()
    assert telegram.calls == []
    assert await _service(hearth).engine.list_sessions("desk") == []


async def test_only_bots_that_configured_telegram_answer(
        hearth: TestServer, telegram: FakeTelegram) -> None:
    for bot in ("plain", "nobody", "..%2F..%2Fdesk"):
        code, _ = await telegram.post_update(_url(hearth, bot), text_update(1, CHAT, "hi"),
                                             TG_SECRET)
        assert code == 404
    assert telegram.calls == []


async def test_a_resent_update_is_answered_once(hearth: TestServer,
                                                telegram: FakeTelegram) -> None:
    update = text_update(7, CHAT, "again")
    first = await telegram.post_update(_url(hearth), update, TG_SECRET)
    second = await telegram.post_update(_url(hearth), update, TG_SECRET)
    assert first[1]["queued"] == 1 and second == (200, {"ok": True, "queued": 0})
    await _service(hearth).drain()
    assert [c["text"] for c in telegram.sent()] == ["Welcome to the <b>desk</b>.",
                                                    "You chose again"]


async def test_a_429_is_retried_after_retry_after(hearth: TestServer,
                                                  telegram: FakeTelegram) -> None:
    telegram.fail_next(429, retry_after=1)
    await telegram.post_update(_url(hearth), text_update(1, CHAT, "/start"), TG_SECRET)
    refused, accepted = await telegram.wait_calls(2)
    assert refused.body == accepted.body
    assert accepted.at - refused.at >= 0.95  # the wait Telegram asked for
    assert _service(hearth).sender.retries == 1


async def test_a_failed_turn_is_retried_not_dropped(hearth: TestServer,
                                                    telegram: FakeTelegram) -> None:
    engine = _service(hearth).engine
    real, failures = engine.send, []

    async def flaky(*args: object, **kwargs: object) -> None:
        if not failures:
            failures.append(1)
            raise RuntimeError("the turn broke")
        await real(*args, **kwargs)  # type: ignore[arg-type]

    engine.send = flaky  # type: ignore[method-assign]
    _service(hearth).retry_delay = 0.01
    await telegram.post_update(_url(hearth), text_update(1, CHAT, "/start"), TG_SECRET)
    await telegram.post_update(_url(hearth), text_update(2, CHAT, "book"), TG_SECRET)
    await _service(hearth).drain()
    assert failures == [1]
    assert [c["text"] for c in telegram.sent()] == ["Welcome to the <b>desk</b>.",
                                                    "You chose book"]


async def test_long_polling_gets_updates_and_answers(hearth: TestServer,
                                                     telegram: FakeTelegram) -> None:
    service = _service(hearth)
    adapter = service.adapter("desk", "telegram")
    assert isinstance(adapter, TelegramAdapter)
    telegram.webhook = {"url": "https://example.invalid/hook"}  # polling must remove it
    telegram.pending = [text_update(50, CHAT, "/start"), text_update(51, CHAT, "book")]

    async def handle(message: object) -> None:
        await service.handle("desk", adapter, message)  # type: ignore[arg-type]

    poller = TelegramPoller(adapter, service.sender, handle, poll_timeout=1)
    task = asyncio.ensure_future(poller.run())
    try:
        await telegram.wait_calls(5)  # deleteWebhook, getUpdates, 2 × sendMessage, getUpdates
        await asyncio.sleep(0.3)
    finally:
        poller.stop()
        await asyncio.wait_for(task, 5)
    methods = [c.path for c in telegram.calls]
    assert methods[:2] == ["deleteWebhook", "getUpdates"]
    assert [c["text"] for c in telegram.sent()] == ["Welcome to the <b>desk</b>.",
                                                    "You chose book"]
    offsets = [c.body["offset"] for c in telegram.calls if c.path == "getUpdates"]
    assert offsets[0] == 0 and set(offsets[1:]) == {52}  # past the handled updates
    assert poller.offset == 52


async def test_set_webhook_carries_the_secret(hearth: TestServer,
                                              telegram: FakeTelegram) -> None:
    service = _service(hearth)
    adapter = service.adapter("desk", "telegram")
    assert isinstance(adapter, TelegramAdapter)
    await service.sender.call(adapter.api_base, adapter.auth_headers,
                              adapter.set_webhook(_url(hearth)))
    assert telegram.webhook["secret_token"] == TG_SECRET
    assert telegram.webhook["url"] == _url(hearth)
