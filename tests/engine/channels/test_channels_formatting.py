"""Formatting, the registry and adapter parsing, without a network."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping

import pytest

from engine.channels.errors import BadPayload, ChannelError, ChannelNotConfigured, UnknownChannel
from engine.channels.formatting import (
    reply_pieces,
    split_text,
    telegram_html,
    whatsapp_markup,
)
from engine.channels.protocol import ChannelAdapter, RawRequest, Reply
from engine.channels.registry import (
    channel_factory,
    channel_names,
    register_channel,
    unregister_channel,
)
from engine.channels.service import resolved_config, session_id_for
from engine.channels.telegram import TelegramAdapter, parse_update
from engine.channels.whatsapp import WhatsAppAdapter
from engine.events import CitationDTO, SuggestionDTO


def test_markdown_becomes_telegram_html_with_everything_else_escaped() -> None:
    assert telegram_html("**Hi** <b>you</b> & *all*") == \
        "<b>Hi</b> &lt;b&gt;you&lt;/b&gt; &amp; <i>all</i>"
    assert telegram_html("`a<b` and ```\nx**y**\n```") == \
        "<code>a&lt;b</code> and <pre>x**y**\n</pre>"
    assert telegram_html('[site](https://h.example/a?b=1&c="2")') == \
        '<a href="https://h.example/a?b=1&amp;c=&quot;2&quot;">site</a>'
    assert telegram_html("snake_case_name and 2*3*4") == "snake_case_name and 2*3*4"


def test_markdown_becomes_whatsapp_markup() -> None:
    assert whatsapp_markup("**bold** *it* ~~gone~~") == "*bold* _it_ ~gone~"
    assert whatsapp_markup("[docs](https://h.example/d)") == "docs (https://h.example/d)"
    assert whatsapp_markup("`**raw**`") == "```**raw**```"


@pytest.mark.parametrize("limit", [5, 17, 40, 100])
def test_splitting_keeps_every_word_and_obeys_the_limit(limit: int) -> None:
    text = ("First paragraph here. It has two sentences.\n\nSecond one, longer, with "
            "words enough to need a cut somewhere. Third sentence! " + "x" * 23)
    pieces = split_text(text, limit)
    assert all(0 < len(p) <= limit for p in pieces)
    assert "".join(text.split()) == "".join("".join(pieces).split())


def test_splitting_prefers_paragraphs_then_sentences_then_words() -> None:
    assert split_text("One two.\n\nThree four.", 15) == ["One two.", "Three four."]
    assert split_text("One two. Three four.", 15) == ["One two.", "Three four."]
    assert split_text("alpha beta gamma", 11) == ["alpha beta", "gamma"]
    assert split_text("a" * 25, 10) == ["a" * 10, "a" * 10, "a" * 5]


def test_markup_growth_is_cut_again_and_citations_are_text() -> None:
    reply = Reply(("<" * 30,), citations=(CitationDTO(1, "guide.pdf", 3),))
    pieces = reply_pieces(reply, 40, telegram_html)
    assert all(len(p) <= 40 for p in pieces)
    assert "".join(pieces).replace("&lt;", "<").startswith("<" * 30)
    assert pieces[-1].endswith("[1] guide.pdf, p. 3")


def test_whatsapp_buttons_are_shortened_to_the_platform_limit() -> None:
    adapter = WhatsAppAdapter("t", "s", "v", "9")
    calls = adapter.render("1", Reply(("Pick",), (SuggestionDTO("A very long button label "
                                                                "indeed"),)))
    button = calls[0].json["interactive"]["action"]["buttons"][0]["reply"]
    assert len(button["title"]) <= 20 and button["title"].endswith("…")
    assert button["id"] == "A very long button label indeed"


def test_registry_builtins_and_a_plugin_channel() -> None:
    assert {"telegram", "whatsapp"} <= set(channel_names())

    class Echo:
        name = "echo-test"

    def factory(config: Mapping[str, str]) -> ChannelAdapter:
        return Echo()  # type: ignore[return-value]

    register_channel("echo-test", factory)
    assert channel_factory("echo-test") is factory
    with pytest.raises(ChannelError):
        register_channel("echo-test", factory)
    register_channel("echo-test", factory, replace=True)
    unregister_channel("echo-test")
    assert "echo-test" not in channel_names()
    with pytest.raises(ChannelError):
        register_channel("../x", factory)
    with pytest.raises(UnknownChannel):
        channel_factory("carrier-pigeon")


def test_adapters_need_their_keys() -> None:
    with pytest.raises(ChannelNotConfigured):
        TelegramAdapter.from_config({})
    with pytest.raises(ChannelNotConfigured, match="whatsapp-app-secret"):
        WhatsAppAdapter.from_config({"whatsapp-token": "t", "whatsapp-verify-token": "v",
                                     "whatsapp-phone-id": "1"})


def test_keyring_values_are_read_and_a_missing_secret_leaves_the_key_empty() -> None:
    class Secrets:
        def get(self, name: str) -> str | None:
            return {"tg": "123:abc"}.get(name)

    resolved = resolved_config({"telegram-token": "keyring:tg", "telegram-secret": "keyring:no",
                                "telegram-api-url": "http://127.0.0.1:1"}, Secrets())
    assert resolved == {"telegram-token": "123:abc", "telegram-secret": "",
                        "telegram-api-url": "http://127.0.0.1:1"}


def test_one_session_id_per_bot_channel_and_user() -> None:
    ids = {session_id_for(b, c, u) for b in ("a", "b") for c in ("telegram", "whatsapp")
           for u in ("1", "2")}
    assert len(ids) == 8 and session_id_for("a", "telegram", "1") in ids


def test_telegram_location_contact_and_media_are_fields() -> None:
    base = {"chat": {"id": 5}, "from": {"id": 5, "first_name": "Ana"}, "message_id": 1}
    located = parse_update({"update_id": 1, "message": {
        **base, "location": {"latitude": -23.5, "longitude": -46.6}}})
    assert located is not None and located.location == (-23.5, -46.6)
    contact = parse_update({"update_id": 2, "message": {
        **base, "contact": {"phone_number": "+5511", "first_name": "Bo"}}})
    assert contact is not None and contact.text == "+5511" and contact.contact is not None
    voice = parse_update({"update_id": 3, "message": {
        **base, "voice": {"file_id": "F1", "mime_type": "audio/ogg"}}})
    assert voice is not None and voice.media == {"kind": "voice", "id": "F1",
                                                 "mime_type": "audio/ogg"}
    assert parse_update({"update_id": 4, "edited_message": base}) is None


def test_whatsapp_parse_location_and_refuse_foreign_bodies() -> None:
    adapter = WhatsAppAdapter("t", "secret", "v", "9")
    body = json.dumps({"entry": [{"changes": [{"value": {"messages": [
        {"from": "55", "id": "m1", "type": "location",
         "location": {"latitude": 1.5, "longitude": 2.5}},
        {"from": "55", "id": "m2", "type": "reaction", "reaction": {"emoji": "x"}}]}}]}]})
    found = adapter.parse(body.encode())
    assert [(m.message_id, m.location) for m in found] == [("m1", (1.5, 2.5))]
    with pytest.raises(BadPayload):
        adapter.parse(b"[1, 2]")
    raw = b'{"entry": []}'
    signature = "sha256=" + hmac.new(b"secret", raw, hashlib.sha256).hexdigest()
    adapter.verify(RawRequest("POST", {"x-hub-signature-256": signature.upper()
                                       .replace("SHA256=", "sha256=")}, {}, raw))
