"""WhatsApp end to end: the fake makes the handshake and posts signed notifications to the
real server; the replies arrive at the fake's messages endpoint in the published shape."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import TestServer

from engine.channels.service import ChannelService
from engine.server.routes.channels import CHANNELS
from tests.engine.channels.conftest import WA_SECRET, WA_VERIFY
from tests.engine.channels.fakes.whatsapp import FakeWhatsApp, button_reply, notification, text

pytestmark = pytest.mark.asyncio
PHONE = "5511999990000"


def _url(hearth: TestServer, bot: str = "desk") -> str:
    return str(hearth.make_url(f"/api/channels/whatsapp/{bot}"))


def _service(hearth: TestServer) -> ChannelService:
    return hearth.app[CHANNELS]


async def _say(hearth: TestServer, whatsapp: FakeWhatsApp, message: dict[str, object],
               secret: str | None = WA_SECRET, **kwargs: str) -> tuple[int, str]:
    payload = notification(whatsapp.phone_id, PHONE, message)
    answer = await whatsapp.notify(_url(hearth), payload, secret, **kwargs)
    await _service(hearth).drain()
    return answer


async def test_the_verification_handshake(hearth: TestServer, whatsapp: FakeWhatsApp) -> None:
    assert await whatsapp.verify(_url(hearth), WA_VERIFY, "1158201444") == (200, "1158201444")
    status, _ = await whatsapp.verify(_url(hearth), "not-the-token", "1158201444")
    assert status == 403
    status, _ = await whatsapp.verify(_url(hearth, "plain"), WA_VERIFY, "1")
    assert status == 404


async def test_a_message_is_answered_with_reply_buttons(hearth: TestServer,
                                                        whatsapp: FakeWhatsApp) -> None:
    status, body = await _say(hearth, whatsapp, text("wamid.A1", "hello"))
    assert status == 200 and '"queued": 1' in body
    greeting, answer = whatsapp.sent()
    assert greeting["to"] == PHONE and greeting["type"] == "text"
    assert greeting["text"]["body"] == "Welcome to the *desk*."
    interactive = answer["interactive"]
    assert answer["type"] == "interactive" and interactive["type"] == "button"
    assert interactive["body"]["text"] == "You chose hello"
    assert [b["reply"] for b in interactive["action"]["buttons"]] == [
        {"id": "book", "title": "Book a room"}, {"id": "long", "title": "Long answer"},
        {"id": "menu", "title": "More choices"}]


async def test_more_than_three_suggestions_become_a_list(hearth: TestServer,
                                                         whatsapp: FakeWhatsApp) -> None:
    await _say(hearth, whatsapp, text("wamid.B1", "menu"))
    listed = whatsapp.sent()[-1]["interactive"]
    assert listed["type"] == "list" and listed["body"]["text"] == "Which day?"
    rows = listed["action"]["sections"][0]["rows"]
    assert [r["title"] for r in rows] == ["Mon", "Tue", "Wed", "Thu", "Fri"]
    await _say(hearth, whatsapp, button_reply("wamid.B2", "Wed", "Wed"))
    assert whatsapp.sent()[-1]["interactive"]["body"]["text"] == "Booked for Wed"


async def test_a_long_reply_is_split_under_the_limits(hearth: TestServer,
                                                      whatsapp: FakeWhatsApp) -> None:
    await _say(hearth, whatsapp, text("wamid.C1", "long"))
    sent = whatsapp.sent()[1:]
    texts = [m["text"]["body"] for m in sent[:-1]]
    last = sent[-1]["interactive"]["body"]["text"]  # the buttons ride on the last piece
    assert all(len(t) <= 4096 for t in texts) and len(last) <= 1024
    assert " ".join([*texts, last]).count("fills the long answer.") == 150


@pytest.mark.parametrize(("secret", "signature", "status"), [
    (None, None, 401), ("not-the-app-secret", None, 403), (WA_SECRET, "sha256=00", 403),
    (WA_SECRET, "sha1=abc", 403)])
async def test_a_missing_or_wrong_signature_is_refused_without_a_turn(
        hearth: TestServer, whatsapp: FakeWhatsApp, secret: str | None,
        signature: str | None, status: int) -> None:
    kwargs = {"signature": signature} if signature is not None else {}
    code, _ = await _say(hearth, whatsapp, text("wamid.D1", "hello"), secret, **kwargs)
    assert code == status
    assert whatsapp.calls == []
    assert await _service(hearth).engine.list_sessions("desk") == []


async def test_a_replayed_message_id_is_ignored(hearth: TestServer,
                                                whatsapp: FakeWhatsApp) -> None:
    await _say(hearth, whatsapp, text("wamid.E1", "book"))
    count = len(whatsapp.sent())
    status, body = await _say(hearth, whatsapp, text("wamid.E1", "book"))
    assert status == 200 and '"queued": 0' in body
    assert len(whatsapp.sent()) == count


async def test_a_429_is_retried_after_retry_after(hearth: TestServer,
                                                  whatsapp: FakeWhatsApp) -> None:
    whatsapp.fail_next(429, retry_after=1)
    await _say(hearth, whatsapp, text("wamid.F1", "book"))
    refused, accepted = whatsapp.calls[:2]
    assert refused.body == accepted.body and accepted.at - refused.at >= 0.95
    assert len(whatsapp.sent()) == 3  # the refused call, then the greeting and the answer


async def test_a_body_too_large_is_refused(hearth: TestServer, whatsapp: FakeWhatsApp) -> None:
    huge = text("wamid.G1", "x" * 300_000)
    status, _ = await _say(hearth, whatsapp, huge)
    assert status == 413 and whatsapp.calls == []


async def test_delivery_statuses_are_acknowledged_without_a_turn(
        hearth: TestServer, whatsapp: FakeWhatsApp) -> None:
    statuses = {"object": "whatsapp_business_account", "entry": [{"id": "WABA", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "15550001", "phone_number_id": "1055"},
            "statuses": [{"id": "wamid.OUT1", "status": "delivered", "timestamp": "1",
                          "recipient_id": PHONE}]}}]}]}
    status, body = await whatsapp.notify(_url(hearth), statuses, WA_SECRET)
    await _service(hearth).drain()
    assert (status, '"queued": 0' in body) == (200, True)
    assert whatsapp.calls == []
