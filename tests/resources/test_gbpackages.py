"""Hearth's own General Bots-style packages (``tests/resources/gbpackages``, written for
issue 11, not copies of upstream files) install and run: every script compiles without an
error, the start dialogs run to their end on the real session stack (SQLite store, bot
registry, compiler, VM), their tools are described as the docs say, a form reaches its
handler, and a package whose scripts live outside ``.gbdialog`` is loaded."""

from __future__ import annotations

import asyncio
import re
import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from engine.basic.compiler import compile_source
from engine.basic.query import ALL_ROWS
from engine.bots.package import BotPackage
from engine.events import UserMessage
from tests.engine.sessions.sessionkit import Stack, session_stack

PACKAGES = Path(__file__).resolve().parent / "gbpackages"
NAMES = sorted(p.name[:-5] for p in PACKAGES.glob("*.gbai"))


def _install(home: Path, name: str) -> None:
    shutil.copytree(PACKAGES / f"{name}.gbai", home / "bots" / f"{name}.gbai")


async def _talk(stack: Stack, bot: str, answers: list[str],
                form: dict[str, Any] | None = None) -> list[str]:
    start = len(stack.transcript.said)
    state = await stack.manager.open(bot, user_id="u1", user_name="Ana Silva")
    for answer in answers:
        await stack.manager.send(UserMessage(state.id, answer))
    if form is not None:
        await stack.manager.send(UserMessage(state.id, "", form=form))
    return stack.transcript.said[start:]


@pytest.mark.parametrize("name", NAMES)
def test_every_script_compiles_without_errors(name: str) -> None:
    package = BotPackage.at(PACKAGES / f"{name}.gbai")
    scripts = package.scripts()
    assert scripts, f"{name} has no script"
    for path in scripts:
        program = compile_source(path.read_text(encoding="utf-8"), path.stem)
        assert program.ok, [d.headline(str(path)) for d in program.errors]


def test_clinic_books_an_appointment(tmp_path: Path) -> None:
    _install(tmp_path, "clinic")

    async def scenario() -> tuple[list[str], list[dict[str, Any]], Any]:
        async with session_stack(tmp_path) as stack:
            said = await _talk(stack, "clinic", ["general", "dias", "2026-03-12", "10:30", ""])
            rows = stack.bots.services("clinic").tables.find("appointments", ALL_ROWS)
            tools = stack.bots.bot("clinic").tools
            return said, rows, tools["book-appointment"].openai_tool()

    said, rows, tool = asyncio.run(scenario())
    assert re.fullmatch(r"Good (morning|afternoon), Ana Silva!", said[0])
    assert said[1:] == [
        "Our general doctors:", "Dr. Alves, room 1 (40 EUR)", "Dr. Dias, room 4 (45 EUR)",
        "Who would you like to see?", "Which day? (for example 2026-03-12)",
        "At what time? Pick one or type another.",
        "Booked #1: Dr. Dias on 12/03/2026 at 10:30, room 4 (booked)",
        "Anything the doctor should know? (press enter to skip)",
        "Noted: nothing. See you soon!"]
    assert len(rows) == 1 and rows[0]["status"] == "confirmed"
    assert isinstance(rows[0]["created"], datetime)  # DEFAULT NOW() (compat T1)
    assert str(rows[0]["day"]) == "2026-03-12" and rows[0]["patient"] == "Ana Silva"
    properties = tool["function"]["parameters"]["properties"]
    assert properties["patient"] == {"type": "string", "description": "The patient's full name"}
    assert properties["budget"]["type"] == "number"
    assert tool["function"]["parameters"]["required"] == ["patient", "doctor", "day"]


def test_storefront_scripts_outside_gbdialog_run(tmp_path: Path) -> None:
    _install(tmp_path, "storefront")
    form = {"name": "feedback", "fields": {"rating": 5, "comment": "great shop"}}

    async def scenario() -> tuple[list[str], list[str], list[dict[str, Any]], list[str]]:
        async with session_stack(tmp_path) as stack:
            first = await _talk(stack, "storefront", ["snacks", "2"], form)
            second = await _talk(stack, "storefront", ["flowers"])
            feedback = stack.bots.services("storefront").tables.find("feedback", ALL_ROWS)
            return first, second, feedback, sorted(stack.bots.bot("storefront").programs)

    first, second, feedback, programs = asyncio.run(scenario())
    assert programs == ["basket", "start"]
    assert first == [
        "Hi Ana Silva, welcome to the Corner Store.", "What are you looking for?",
        "Oat biscuits: 3.20 EUR", "Dark chocolate: 2.80 EUR", "Sea salt crisps: 1.90 EUR",
        "Best value: Sea salt crisps", "How many packs of Sea salt crisps?",
        "Basket: 1 line(s), last 2 x A6 = 3.80", "Items in your last lines: 2",
        "Shipping is quoted at the till.", "Thanks for rating us 5/5!"]
    assert [(r["rating"], r["comment"]) for r in feedback] == [(5, "great shop")]
    assert second == ["Hi Ana Silva, welcome to the Corner Store.", "What are you looking for?",
                      "Nothing like 'flowers' today, sorry."]


def test_helpdesk_opens_tickets_and_escalates(tmp_path: Path) -> None:
    _install(tmp_path, "helpdesk-lite")

    async def scenario() -> tuple[list[str], list[str], list[dict[str, Any]]]:
        async with session_stack(tmp_path) as stack:
            first = await _talk(stack, "helpdesk-lite", ["My printer is jammed", "yes"])
            second = await _talk(stack, "helpdesk-lite", ["I forgot my password", "no", ""])
            rows = stack.bots.services("helpdesk-lite").tables.find("tickets", ALL_ROWS)
            return first, second, rows

    first, second, rows = asyncio.run(scenario())
    assert first == ["IT Helpdesk for Ana Silva", "What is the problem?",
                     "Is it stopping your work?", "Ticket #1 opened (high, open)."]
    assert second == [
        "IT Helpdesk for Ana Silva", "Your latest open ticket: #1 My printer is jammed",
        "What is the problem?",
        "You can reset your password yourself at the self-service portal.",
        "Did that solve it?", "Is it stopping your work?", "Ticket #2 opened (normal, open).",
        "You have 2 open tickets; a technician will call you."]
    assert [(r["priority"], r["owner"]) for r in rows] == [("high", "u1"), ("normal", "u1")]


def test_bots_list_counts_scripts_outside_gbdialog(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HEARTH_HOME", str(tmp_path))
    for name in NAMES:
        _install(tmp_path, name)
    assert main(["bots", "list"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"storefront\s+Corner Store\s+2 script\(s\), basket, ok", out), out
    assert "0 script(s)" not in out


def test_compile_rate_over_templates_and_test_packages() -> None:
    from bench.compile_rate import DEFAULT_FOLDERS, measure

    rate = measure(list(DEFAULT_FOLDERS))
    assert rate.packages == len(NAMES) + len(list((PACKAGES.parents[2] / "resources" /
                                                   "templates").glob("*.gbai")))
    assert rate.failures == [] and rate.script_rate == 1.0 and rate.start_rate == 1.0


def test_bots_list_names_scripts_it_does_not_load(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HEARTH_HOME", str(tmp_path))
    _install(tmp_path, "helpdesk-lite")
    extra = tmp_path / "bots" / "helpdesk-lite.gbai" / "old"
    extra.mkdir()
    (extra / "legacy.bas").write_text('TALK "old"\n', encoding="utf-8")
    assert main(["bots", "list"]) == 0
    out = capsys.readouterr().out
    assert "1 .bas file(s) not loaded (outside the .gbdialog folder): legacy.bas" in out
