"""The shared webhook-body decoder keeps each platform's BadPayload messages."""

from __future__ import annotations

import pytest

from engine.channels.errors import BadPayload
from engine.channels.telegram import TelegramAdapter
from engine.channels.whatsapp import WhatsAppAdapter

TELEGRAM = TelegramAdapter("123:abc", "secret")
WHATSAPP = WhatsAppAdapter("token", "app-secret", "verify", "phone")


@pytest.mark.parametrize(("adapter", "body", "message"), [
    (TELEGRAM, b"{not json", "the update is not JSON"),
    (TELEGRAM, b"[1, 2]", "the body is not a Telegram update"),
    (TELEGRAM, b'{"update_id": "7"}', "the body is not a Telegram update"),
    (WHATSAPP, b"\xff\xfe", "the notification is not JSON"),
    (WHATSAPP, b'"text"', "the body is not a WhatsApp notification"),
    (WHATSAPP, b'{"entry": {}}', "the body is not a WhatsApp notification"),
])
def test_bad_bodies_are_refused_with_the_platform_message(
        adapter: TelegramAdapter | WhatsAppAdapter, body: bytes, message: str) -> None:
    with pytest.raises(BadPayload) as caught:
        adapter.parse(body)
    assert str(caught.value) == message


def test_well_formed_bodies_with_nothing_to_read_give_no_messages() -> None:
    assert TELEGRAM.parse(b'{"update_id": 1}') == []
    assert WHATSAPP.parse(b'{"entry": []}') == []
