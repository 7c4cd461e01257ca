"""Synchronous host services for BASIC runs (worker threads) backed by the async engine.

The VM runs on a worker thread; these adapters hand a request to the engine's event loop
and wait for it, so scripts stay simple and the engine keeps one owner per resource.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from engine.basic.errors import ServiceError, not_available
from engine.bots.scheduler import Scheduler

_TIMEOUT = 30.0


def _wait(loop: asyncio.AbstractEventLoop, work: Coroutine[Any, Any, Any]) -> Any:
    future = asyncio.run_coroutine_threadsafe(work, loop)
    try:
        return future.result(_TIMEOUT)
    except TimeoutError:
        future.cancel()
        raise ServiceError("the engine did not answer in time") from None


class SchedulerBridge:
    """Run-time ``SET SCHEDULE`` of a bot: stored by the scheduler, survives restarts."""

    def __init__(self, loop: asyncio.AbstractEventLoop, scheduler: Scheduler, bot: str) -> None:
        self.loop = loop
        self.scheduler = scheduler
        self.bot = bot

    def schedule_once(self, at: datetime, script: str) -> None:
        _wait(self.loop, self.scheduler.register(self.bot, script, run_at=at))

    def schedule_recurring(self, spec: str, script: str) -> None:
        _wait(self.loop, self.scheduler.register(self.bot, script, cron=spec))


BotEventPublisher = Callable[[str, str, str, Any], Coroutine[Any, Any, None]]


class EventsBridge:
    """``PUBLISH EVENT``: handlers of the bot's other scripts run afterwards (§9.7)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, publish: BotEventPublisher,
                 bot: str) -> None:
        self.loop = loop
        self.publish_event = publish
        self.bot = bot

    def publish(self, name: str, data: Any, source: str) -> None:
        # Queued, not awaited: the other scripts run after the current statement.
        asyncio.run_coroutine_threadsafe(self.publish_event(self.bot, source, name, data),
                                         self.loop)

    def wait_for(self, name: str, timeout: float | None) -> Any:
        raise not_available("WAIT FOR EVENT")
