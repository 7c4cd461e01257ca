"""The session manager on the real embedded store: start dialogs, persisted HEAR across
restarts, discarded runs, tool buttons, history, and crash safety with SIGKILL."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import sqlean

from engine.events import MessageType, UserMessage
from engine.sessions.manager import NO_MODEL
from tests.engine.sessions.sessionkit import session_stack, write_bot

REPO = Path(__file__).resolve().parents[3]

ASK_NAME = """
TALK "Hi!"
HEAR name AS NAME
TALK "Nice to meet you, " + name
HEAR size AS "Small", "Large"
SAVE "orders", {who: name, size: size}
TALK "Ordered a " + size + " for " + name
"""


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


def test_start_runs_once_and_history_is_kept(tmp_path: Path) -> None:
    write_bot(tmp_path, "shop", {"start.bas": ASK_NAME})

    async def scenario() -> None:
        async with session_stack(tmp_path) as stack:
            state = await stack.manager.open("shop", user_id="u1")
            again = await stack.manager.open("shop", session_id=state.id)
            assert again.id == state.id
            assert stack.transcript.said == ["Hi!"]
            await stack.manager.send(UserMessage(state.id, "ana silva"))
            history = await stack.manager.history(state.id)
            assert [(m.role, m.content) for m in history] == [
                ("bot", "Hi!"), ("user", "ana silva"), ("bot", "Nice to meet you, Ana Silva")]
            assert stack.transcript.waiting[-1] == ("Small", "Large")

    run(scenario())


def test_suspended_dialog_resumes_after_restart(tmp_path: Path) -> None:
    write_bot(tmp_path, "shop", {"start.bas": ASK_NAME})

    async def first() -> str:
        async with session_stack(tmp_path) as stack:
            state = await stack.manager.open("shop", user_id="u1")
            await stack.manager.send(UserMessage(state.id, "bo"))
            return state.id

    async def second(session_id: str) -> list[str]:
        async with session_stack(tmp_path) as stack:
            await stack.manager.send(UserMessage(session_id, "2"))
            rows = stack.bots.services("shop").tables.find("orders", __import__(
                "engine.basic.query", fromlist=["ALL_ROWS"]).ALL_ROWS)
            assert [(r["who"], r["size"]) for r in rows] == [("Bo", "Large")]
            return stack.transcript.said

    session_id = run(first())
    assert run(second(session_id)) == ["Ordered a Large for Bo"]  # type: ignore[arg-type]


def test_changed_script_discards_the_suspended_run(tmp_path: Path) -> None:
    root = write_bot(tmp_path, "shop", {"start.bas": ASK_NAME})

    async def scenario() -> None:
        async with session_stack(tmp_path) as stack:
            state = await stack.manager.open("shop")
            (root / "shop.gbdialog" / "start.bas").write_text(ASK_NAME + "\nTALK \"v2\"\n")
            stack.bots.reload("shop")
            await stack.manager.send(UserMessage(state.id, "ana"))
            assert stack.transcript.said[-1] == NO_MODEL
            assert await stack.manager.store.load_dialog(state.id) is None

    run(scenario())


def test_hear_timeout_discards_an_old_run(tmp_path: Path) -> None:
    write_bot(tmp_path, "shop", {"start.bas": ASK_NAME}, "hear-timeout-secs,1\n")

    async def scenario() -> None:
        async with session_stack(tmp_path) as stack:
            state = await stack.manager.open("shop")
            await asyncio.sleep(1.2)
            await stack.manager.send(UserMessage(state.id, "ana"))
            assert stack.transcript.said[-1] == NO_MODEL

    run(scenario())


def test_tool_button_asks_for_missing_arguments(tmp_path: Path) -> None:
    tool = """
PARAM item AS STRING DESCRIPTION "Which item?"
PARAM qty AS INTEGER DESCRIPTION "How many?"
DESCRIPTION "Order an item"
SAVE "orders", {item: item, qty: qty}
RETURN "Ordered " + qty + " x " + item
"""
    write_bot(tmp_path, "shop", {"order.bas": tool})

    async def scenario() -> None:
        async with session_stack(tmp_path) as stack:
            state = await stack.manager.open("shop")
            await stack.manager.send(UserMessage(state.id, "order", MessageType.TOOL))
            await stack.manager.send(UserMessage(state.id, "pens"))
            await stack.manager.send(UserMessage(state.id, "x"))
            await stack.manager.send(UserMessage(state.id, "3"))
            assert stack.transcript.said == [
                "Which item?", "How many?", "Please enter a valid whole number.",
                "Ordered 3 x pens"]

    run(scenario())


def test_empty_message_reruns_start(tmp_path: Path) -> None:
    write_bot(tmp_path, "hi", {"start.bas": 'TALK "hello"\nADD SUGGESTION TEXT "help"\n'})

    async def scenario() -> None:
        async with session_stack(tmp_path) as stack:
            state = await stack.manager.open("hi")
            await stack.manager.send(UserMessage(state.id, ""))
            assert stack.transcript.said == ["hello", "hello"]

    run(scenario())


def _integrity(path: Path) -> str:
    conn = sqlean.connect(str(path))
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def test_sigkill_while_waiting_on_hear_resumes(tmp_path: Path) -> None:
    write_bot(tmp_path, "crashbot", {"start.bas": ASK_NAME})
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.engine.sessions.sessionkit", str(tmp_path), "hear"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "READY"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
    assert _integrity(tmp_path / "hearth.db") == "ok"

    async def resume() -> list[str]:
        async with session_stack(tmp_path) as stack:
            await stack.manager.send(UserMessage("s1", "cy"))
            return stack.transcript.said

    assert run(resume()) == ["Nice to meet you, Cy"]


def test_an_internal_error_finishes_the_turn_with_a_message(tmp_path: Path) -> None:
    write_bot(tmp_path, "shop", {"start.bas": ASK_NAME})

    class Broken:
        async def answer(self, *args: object) -> str:
            raise RuntimeError("boom")

    async def scenario() -> str | None:
        from engine.events import TurnFinished

        async with session_stack(tmp_path) as stack:
            state = await stack.manager.open("shop")
            await stack.manager.store.clear_dialog(state.id)
            stack.manager.chat = Broken()  # type: ignore[assignment]
            await stack.manager.send(UserMessage(state.id, "hello"))
            finished = [e for e in stack.transcript.events if isinstance(e, TurnFinished)]
            assert await stack.manager.history(state.id)  # the user's message was kept
            return finished[-1].error

    error = run(scenario())
    assert error is not None and "internal error (RuntimeError)" in str(error)
