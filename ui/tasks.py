"""Background coroutines of a controller: tracked, their errors reported, cancelled on close.

A controller never lets an exception escape into the event loop's default handler (which
would print a traceback nobody sees): :meth:`TaskSet.spawn` reports it through ``on_error``
as one sentence, which the view shows where the problem is.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from engine.errors import EngineError

log = logging.getLogger(__name__)
T = TypeVar("T")


def describe(error: BaseException) -> str:
    """A user-safe sentence for an error (engine errors carry one)."""
    message = getattr(error, "message", None)
    if isinstance(error, EngineError) and isinstance(message, str):
        return message
    if isinstance(message, str) and message:
        return message
    text = str(error) or type(error).__name__
    return text[0].upper() + text[1:] if text else "Something went wrong."


class TaskSet:
    def __init__(self, on_error: Callable[[str], None]) -> None:
        self._on_error = on_error
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, coro: Coroutine[Any, Any, T]) -> asyncio.Task[T]:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        error = task.exception()
        if error is not None:
            log.warning("background task failed", exc_info=error)
            self._on_error(describe(error))

    @property
    def pending(self) -> int:
        return len(self._tasks)

    async def wait_idle(self) -> None:
        """Wait until every task spawned so far (and those they spawn) has finished."""
        while self._tasks:
            await asyncio.wait(list(self._tasks))

    async def aclose(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
