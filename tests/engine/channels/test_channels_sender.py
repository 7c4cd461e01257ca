"""The sender against the Telegram fake: what is retried, how long it waits, when it stops."""

from __future__ import annotations

import pytest

from engine.channels.errors import DeliveryFailed
from engine.channels.protocol import OutboundCall
from engine.channels.sender import RetryPolicy, Sender
from tests.engine.channels.fakes.telegram import FakeTelegram

pytestmark = pytest.mark.asyncio
CALL = OutboundCall("POST", "sendMessage", {"chat_id": 1, "text": "hi"})


class Waits:
    """A sleep that only records how long it was asked to wait."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(seconds)


async def _sender(policy: RetryPolicy) -> tuple[Sender, Waits]:
    waits = Waits()
    return Sender(policy, sleep=waits), waits


async def test_5xx_backs_off_exponentially_then_succeeds(telegram: FakeTelegram) -> None:
    sender, waits = await _sender(RetryPolicy(attempts=4, base_delay=0.5))
    for _ in range(3):
        telegram.fail_next(502)
    answer = await sender.call(f"{telegram.url}/bot{telegram.token}", {}, CALL)
    await sender.aclose()
    assert answer["ok"] is True and waits.asked == [0.5, 1.0, 2.0]
    assert len(telegram.calls) == 4


async def test_the_platform_wait_is_honoured_but_bounded(telegram: FakeTelegram) -> None:
    sender, waits = await _sender(RetryPolicy(attempts=3, max_delay=5.0))
    telegram.fail_next(429, retry_after=3)
    telegram.fail_next(429, retry_after=3600)
    await sender.call(f"{telegram.url}/bot{telegram.token}", {}, CALL)
    await sender.aclose()
    assert waits.asked == [3.0, 5.0]


async def test_it_gives_up_after_its_attempts(telegram: FakeTelegram) -> None:
    sender, waits = await _sender(RetryPolicy(attempts=3))
    for _ in range(5):
        telegram.fail_next(500)
    with pytest.raises(DeliveryFailed, match="status 500"):
        await sender.call(f"{telegram.url}/bot{telegram.token}", {}, CALL)
    await sender.aclose()
    assert len(telegram.calls) == 3 and len(waits.asked) == 2


async def test_a_refusal_is_not_retried(telegram: FakeTelegram) -> None:
    sender, waits = await _sender(RetryPolicy(attempts=5))
    with pytest.raises(DeliveryFailed, match="status 401"):
        await sender.call(f"{telegram.url}/botWRONG", {}, CALL)
    telegram.fail_next(400)
    with pytest.raises(DeliveryFailed, match="status 400"):
        await sender.call(f"{telegram.url}/bot{telegram.token}", {}, CALL)
    await sender.aclose()
    assert waits.asked == []


async def test_an_unreachable_platform_is_retried_then_refused() -> None:
    sender, waits = await _sender(RetryPolicy(attempts=3, timeout=2))
    with pytest.raises(DeliveryFailed):
        await sender.call("http://127.0.0.1:9/bot1", {}, CALL)  # nothing listens on port 9
    await sender.aclose()
    assert len(waits.asked) == 2
