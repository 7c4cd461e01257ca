"""Admission control: a bounded number of turns in flight, the rest shed at once.

A turn (a REST or OpenAI message, a session opened, a WebSocket message, a webhook or tool
run) holds one slot from the moment it is admitted until the engine has finished it. When
every slot is taken the next turn is refused with :class:`~engine.server.errors.Busy` (503 and
``Retry-After``) instead of queueing without bound: under overload the server keeps its
latency and its memory, and a client knows to come back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from engine.server.errors import Busy


class Admission:
    """At most ``limit`` turns in flight (asyncio: used from the event loop only)."""

    def __init__(self, limit: int, retry_after: int = 1) -> None:
        if limit < 1:
            raise ValueError("the limit of turns in flight must be at least 1")
        self.limit = limit
        self.retry_after = retry_after
        self.in_flight = 0
        self.admitted = 0
        self.shed = 0

    def enter(self) -> None:
        """Take a slot, or raise :class:`Busy` when there is none."""
        if self.in_flight >= self.limit:
            self.shed += 1
            raise Busy(self.retry_after)
        self.in_flight += 1
        self.admitted += 1

    def leave(self) -> None:
        self.in_flight = max(0, self.in_flight - 1)

    def hold(self, task: asyncio.Future[Any], timeout: float) -> None:
        """Give back the slot taken for ``task`` when it ends, or after ``timeout`` seconds
        at the latest: a turn that never ends must not take the server's capacity with it."""
        released = False

        def release(*_: object) -> None:
            nonlocal released
            if not released:
                released = True
                timer.cancel()
                self.leave()

        timer = asyncio.get_running_loop().call_later(timeout, release)
        task.add_done_callback(release)

    @contextmanager
    def slot(self) -> Iterator[None]:
        """``with admission.slot():`` around one turn."""
        self.enter()
        try:
            yield
        finally:
            self.leave()
