"""Fuzzing the chat WebSocket (``/ws``) with hypothesis, against the real server.

Frames are §8 ``UserMessage`` objects with random, malformed and wrongly typed values, JSON
that is not an object, text that is not JSON, deep nesting and huge values. For every frame
the server answers with frames of the protocol only (an ``error`` frame is the one error
shape with a client-side code), never closes the connection, logs no error, and afterwards
still answers a valid message on the same connection and on a new one.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.server import ServerOptions
from tests.engine.server.livekit import LiveServer, live_server
from tests.security.attackkit import TALLY

EXAMPLES = 60
KIND = "chat frame fuzzing (frames)"
TYPES = {"connected", "history", "response", "tool", "waiting", "done", "error"}
CLIENT_CODES = {"bad_request", "invalid_json", "validation", "rate_limited", "busy",
                "payload_too_large", "too_deep"}
QUIET = 1.5  # seconds without a frame after which an answer is complete

scalars = (st.none() | st.booleans() | st.integers(-(2**70), 2**70)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=40))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
FIELDS = ["content", "message_type", "media_url", "context_name", "active_switchers",
          "session_id", "timestamp", "form", "user_id", "role", "type", "__proto__"]
frames = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), values, max_size=6)
typed_frames = st.fixed_dictionaries({}, optional={
    "content": st.text(max_size=200) | values,
    "message_type": st.integers(-5, 15) | values,
    "media_url": st.text(max_size=60) | values,
    "context_name": st.text(max_size=30) | values,
    "active_switchers": st.lists(st.text(max_size=10), max_size=60) | values,
    "form": st.fixed_dictionaries({}, optional={"name": st.text(max_size=20) | values,
                                                "fields": values}) | values,
})


def _nested(depth: int, opener: str, closer: str) -> str:
    return opener * depth + closer * depth


raw_texts = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "null", "[]", "{}", "0", "true", '"text"', "{", "}", "[{]",
                     '{"content": }', "{'content': 'x'}", '{"content": "x"', "\x00",
                     '{"content": "\\ud800"}', '{"message_type": 1e999}',
                     '{"content": "x", "content": 5}', "NaN", "Infinity"]),
    st.integers(1, 20_000).map(lambda d: _nested(d, "[", "]")),
    st.integers(1, 10_000).map(lambda d: '{"content": ' + _nested(d, "[", "]") + "}"),
    st.integers(1, 6_000).map(lambda d: '{"a":' * d + "1" + "}" * d),
    st.integers(1_000, 60_000).map(lambda n: json.dumps({"content": "x" * n})),
    st.integers(1, 5_000).map(lambda n: json.dumps({"active_switchers": ["s"] * n})),
)


# The worst of each kind, sent every time (random draws may miss the extremes).
NASTY = [_nested(20_000, "[", "]"), '{"content": ' + _nested(10_000, "[", "]") + "}",
         '{"a":' * 6_000 + "1" + "}" * 6_000, json.dumps({"content": "x" * 60_000}),
         json.dumps({"active_switchers": ["s"] * 5_000}), '{"message_type": 1e999}',
         '{"content": "\\ud800"}', '{"form": {"fields": ' + _nested(5_000, "[", "]") + "}}",
         json.dumps({"form": {"name": "f", "fields": {str(i): i for i in range(3_000)}}})]


class ChatProbe:
    """One WebSocket connection to the echo bot, driven from this (synchronous) thread."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.loop = asyncio.new_event_loop()
        self.session: aiohttp.ClientSession | None = None
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.frames = 0

    def open(self) -> dict[str, Any]:
        return self.loop.run_until_complete(self._open())

    async def _open(self) -> dict[str, Any]:
        self.session = aiohttp.ClientSession()
        url = self.server.url.replace("http", "ws", 1) + "/ws?bot=echo"
        self.ws = await self.session.ws_connect(url, headers={
            "Authorization": f"Bearer {self.server.admin_token}"}, max_msg_size=0)
        first: dict[str, Any] = await self.ws.receive_json(timeout=10)
        assert first["type"] == "connected", first
        await self._drain()
        return first

    def exchange(self, text: str) -> list[dict[str, Any]]:
        """Send one text frame; the frames that came back until the connection was quiet."""
        return self.loop.run_until_complete(self._exchange(text))

    async def _exchange(self, text: str) -> list[dict[str, Any]]:
        assert self.ws is not None
        await self.ws.send_str(text)
        self.frames += 1
        return await self._drain()

    async def _drain(self) -> list[dict[str, Any]]:
        assert self.ws is not None
        received: list[dict[str, Any]] = []
        while True:
            try:
                message = await self.ws.receive(timeout=QUIET)
            except TimeoutError:
                return received
            assert message.type == aiohttp.WSMsgType.TEXT, (
                f"the server closed or broke the connection: {message.type} {message.data!r} "
                f"{message.extra!r}")
            frame = json.loads(message.data)
            received.append(frame)
            if frame.get("type") in ("done", "error"):
                more = await self._settle()
                return received + more

    async def _settle(self) -> list[dict[str, Any]]:
        """Frames still arriving shortly after a ``done`` or ``error``."""
        assert self.ws is not None
        received: list[dict[str, Any]] = []
        while True:
            try:
                message = await self.ws.receive(timeout=0.1)
            except TimeoutError:
                return received
            assert message.type == aiohttp.WSMsgType.TEXT, message
            received.append(json.loads(message.data))

    async def quick(self, text: str) -> None:
        """Connect and send ``text`` at once, without waiting for start.bas; see the echo."""
        self.session = aiohttp.ClientSession()
        url = self.server.url.replace("http", "ws", 1) + "/ws?bot=echo"
        self.ws = await self.session.ws_connect(url, headers={
            "Authorization": f"Bearer {self.server.admin_token}"})
        assert (await self.ws.receive_json(timeout=10))["type"] == "connected"
        await self.ws.send_json({"content": text})
        seen: list[dict[str, Any]] = []
        while not any(f.get("content") == f"you said {text}" for f in seen):
            seen.append(await self.ws.receive_json(timeout=10))
            assert seen[-1]["type"] != "error", seen

    def say(self, text: str) -> list[str]:
        frames = self.exchange(json.dumps({"content": text}))
        return [f.get("content", "") for f in frames if f.get("type") == "response"]

    def close(self) -> None:
        async def shut() -> None:
            if self.ws is not None:
                await self.ws.close()
            if self.session is not None:
                await self.session.close()

        self.loop.run_until_complete(shut())
        self.loop.close()


@pytest.fixture
def server(hearth_home: Path) -> Iterator[LiveServer]:
    options = ServerOptions(rate_per_second=100_000, rate_burst=100_000, turn_timeout=10)
    with live_server(hearth_home, options) as live:
        yield live


@pytest.fixture
def probe(server: LiveServer) -> Iterator[ChatProbe]:
    opened = ChatProbe(server)
    opened.open()
    yield opened
    opened.close()


def _only_protocol(frames: list[dict[str, Any]]) -> None:
    for frame in frames:
        assert frame.get("type") in TYPES, frame
        if frame["type"] == "error":
            error = frame["error"]
            assert set(error) <= {"code", "message", "details"}, frame
            assert error["code"] in CLIENT_CODES, frame
        text = json.dumps(frame)
        assert "Traceback" not in text and 'File "' not in text, frame


def _no_server_errors(caplog: pytest.LogCaptureFixture) -> None:
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not errors, [f"{r.name}: {r.getMessage()[:300]}" for r in errors]


def _still_answers(probe: ChatProbe, server: LiveServer) -> None:
    assert "you said still here" in probe.say("still here")
    fresh = ChatProbe(server)
    try:
        fresh.open()
        assert "you said new connection" in fresh.say("new connection")
    finally:
        fresh.close()


def _attack(probe: ChatProbe, text: str) -> None:
    """One frame, counted in the attack tally."""
    try:
        _only_protocol(probe.exchange(text))
    except AssertionError:
        TALLY.count(KIND, passed=True)
        raise
    TALLY.count(KIND, passed=False)


def _fuzz(probe: ChatProbe, strategy: st.SearchStrategy[str]) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(text=strategy)
    def run(text: str) -> None:
        _attack(probe, text)

    run()


def _dumps(frame: Any) -> str:
    return json.dumps(frame, allow_nan=True)


def test_frames_with_random_fields_and_values(probe: ChatProbe, server: LiveServer,
                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    _fuzz(probe, frames.map(_dumps))
    _no_server_errors(caplog)
    _still_answers(probe, server)


def test_frames_with_wrongly_typed_fields(probe: ChatProbe, server: LiveServer,
                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    _fuzz(probe, typed_frames.map(_dumps))
    _no_server_errors(caplog)
    _still_answers(probe, server)


def test_text_that_is_not_a_frame(probe: ChatProbe, server: LiveServer,
                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.ERROR)
    for text in NASTY:
        _attack(probe, text)
    _fuzz(probe, raw_texts)
    _no_server_errors(caplog)
    _still_answers(probe, server)


def test_binary_and_oversized_frames(probe: ChatProbe, server: LiveServer,
                                     caplog: pytest.LogCaptureFixture) -> None:
    """Binary frames are ignored; a frame over the 64 KiB limit closes that connection only
    (WebSocket code 1009), and the server goes on serving everyone else."""
    caplog.set_level(logging.ERROR)
    assert probe.ws is not None

    async def binary() -> list[dict[str, Any]]:
        assert probe.ws is not None
        await probe.ws.send_bytes(b"\xff\xfe\x00{" * 100)
        return await probe._drain()

    assert probe.loop.run_until_complete(binary()) == []
    _still_answers(probe, server)
    big = ChatProbe(server)
    try:
        big.open()

        async def oversized() -> aiohttp.WSMessage:
            assert big.ws is not None
            await big.ws.send_str(json.dumps({"content": "x" * 70_000}))
            return await big.ws.receive(timeout=10)

        closed = big.loop.run_until_complete(oversized())
        assert closed.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                               aiohttp.WSMsgType.CLOSING), closed
        assert big.ws is not None and big.ws.close_code == 1009, big.ws.close_code
    finally:
        big.close()
    _still_answers(probe, server)
    _no_server_errors(caplog)


def test_a_message_right_after_connecting_is_answered(server: LiveServer) -> None:
    """A client may send as soon as ``connected`` arrives, while start.bas is still opening
    the session: the message is answered, not refused with "no session" and lost."""
    for attempt in range(8):
        probe = ChatProbe(server)
        try:
            probe.loop.run_until_complete(probe.quick(f"quick {attempt}"))
        finally:
            probe.close()
