"""Desktop tests: offscreen Qt, one qasync loop, and a real Engine on this test's HEARTH_HOME.

Tests are plain functions that drive coroutines with ``aloop.run(...)``; inside them,
:func:`until` waits (on the qasync loop, so Qt and asyncio both progress) for a condition.
The engine is the real one, with the starter template installed as the bot ``starter``.
Secrets go to an in-memory keyring backend, never to the machine's keyring.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest

pytest.importorskip("PySide6")
qasync = pytest.importorskip("qasync")

from PySide6.QtWidgets import QApplication  # noqa: E402

from app.engine_factory import TEMPLATES  # noqa: E402
from engine.api import Engine, EngineConfig  # noqa: E402
from ui.services.secrets import MemoryKeyring  # noqa: E402

T = TypeVar("T")


class LoopRunner:
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 30) -> T:
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))


async def until(predicate: Callable[[], object], timeout: float = 10, what: str = "") -> None:
    """Wait until ``predicate()`` is true, letting Qt and asyncio run meanwhile."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await asyncio.sleep(0.01)


@pytest.fixture(scope="session")
def qapp_cls() -> type[QApplication]:
    return QApplication


@pytest.fixture
def aloop(qapp: QApplication) -> Iterator[LoopRunner]:
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)
    yield LoopRunner(loop)
    loop.run_until_complete(asyncio.sleep(0))
    asyncio.set_event_loop(None)
    loop.close()


@pytest.fixture
def engine_config(hearth_home: Path) -> EngineConfig:
    return EngineConfig.under(hearth_home, TEMPLATES, run_scheduler=False, watch_bots=False)


@pytest.fixture
def engine(aloop: LoopRunner, engine_config: EngineConfig) -> Iterator[Engine]:
    instance = Engine(engine_config)
    aloop.run(instance.open())
    instance.new_bot("starter", "starter")
    yield instance
    aloop.run(instance.aclose())


@pytest.fixture(autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    import keyring

    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)
