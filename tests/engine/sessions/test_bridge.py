"""The hand-off of a BASIC run to a worker thread (engine/sessions/bridge.py) under
cancellation: the waiting coroutine always ends, whatever the order of events.

The race the server hit: a chat turn was cancelled (the client closed the WebSocket) after
its job was submitted but before a worker thread took it. The job was then never run, so it
never closed its output, and ``pump`` waited for the end of its events forever. Here a busy
one-thread executor holds the job in the queue to force that ordering every time.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from engine.events import BotResponse, Event
from engine.sessions.bridge import RunOutput, run_in_thread
from engine.sessions.state import SessionState

pytestmark = pytest.mark.asyncio
BOUND = 5.0  # seconds; the runs below take milliseconds when nothing hangs


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    async def __call__(self, event: Event) -> None:
        self.events.append(event)


def _output(loop: asyncio.AbstractEventLoop) -> RunOutput:
    return RunOutput(loop, SessionState(id="s1", bot_name="bot"), "bot")


async def _ends(task: asyncio.Future[object]) -> None:
    done, _ = await asyncio.wait({task}, timeout=BOUND)
    assert done, "the run's coroutine never ended (it waits for events that never come)"


async def test_cancelled_before_a_worker_takes_the_job_ends_and_never_runs_it() -> None:
    loop = asyncio.get_running_loop()
    busy, ran = threading.Event(), threading.Event()
    executor = ThreadPoolExecutor(1)
    try:
        executor.submit(busy.wait)  # the only worker is taken: the job waits in the queue
        task = asyncio.ensure_future(run_in_thread(loop, executor, _output(loop), Recorder(),
                                                   ran.set))
        await asyncio.sleep(0.05)  # submitted, not started
        task.cancel()
        await _ends(task)
        assert task.cancelled()
        busy.set()
        await asyncio.sleep(0.05)
        assert not ran.is_set()  # a cancelled turn's job never runs later either
    finally:
        busy.set()
        executor.shutdown(wait=True)


async def test_an_executor_shut_down_under_a_queued_job_ends_the_run() -> None:
    loop = asyncio.get_running_loop()
    busy = threading.Event()
    executor = ThreadPoolExecutor(1)
    executor.submit(busy.wait)
    task = asyncio.ensure_future(run_in_thread(loop, executor, _output(loop), Recorder(),
                                               lambda: None))
    await asyncio.sleep(0.05)
    executor.shutdown(wait=False, cancel_futures=True)  # what SessionManager.close does
    await _ends(task)
    assert task.cancelled()
    busy.set()


async def test_cancelled_while_the_job_runs_waits_for_it_and_keeps_its_events() -> None:
    loop = asyncio.get_running_loop()
    started, release = threading.Event(), threading.Event()
    output = _output(loop)
    emitted = Recorder()

    def work() -> str:
        started.set()
        release.wait(BOUND)
        output.talk("finished anyway")
        return "done"

    with ThreadPoolExecutor(1) as executor:
        task = asyncio.ensure_future(run_in_thread(loop, executor, output, emitted, work))
        while not started.is_set():
            await asyncio.sleep(0.01)
        task.cancel()
        await asyncio.sleep(0.05)
        assert not task.done()  # the worker still runs: the turn is not over
        release.set()
        await _ends(task)
    assert task.cancelled()
    said = [e.content for e in emitted.events if isinstance(e, BotResponse)]
    assert said == ["finished anyway"]


async def test_many_cancellations_at_every_moment_of_the_hand_off_all_end() -> None:
    """Cancel after 0..n loop iterations, across the submit/start boundary, many times."""
    loop = asyncio.get_running_loop()
    with ThreadPoolExecutor(2) as executor:
        for round_ in range(200):
            output = _output(loop)
            task = asyncio.ensure_future(run_in_thread(
                loop, executor, output, Recorder(), lambda out=output: out.talk("hi")))
            for _ in range(round_ % 4):
                await asyncio.sleep(0)
            task.cancel()
            await _ends(task)


async def test_a_normal_run_returns_its_result_after_its_events() -> None:
    loop = asyncio.get_running_loop()
    output = _output(loop)
    emitted = Recorder()

    def work() -> int:
        output.talk("one")
        output.talk("two")
        return 42

    with ThreadPoolExecutor(1) as executor:
        assert await run_in_thread(loop, executor, output, emitted, work) == 42
    assert [e.content for e in emitted.events if isinstance(e, BotResponse)] == ["one", "two"]
