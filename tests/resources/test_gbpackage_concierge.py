"""The concierge package (``tests/resources/gbpackages/concierge.gbai``, written for issue 11)
uses the expression forms of docs/basic-compatibility.md together — ``#`` comments, ``??``,
``?.``, ``?:``, ``||``, methods, ``GET "session.k"`` in expressions, FORMAT without
parentheses, a built-in without parentheses, infix CONTAINS/STARTS WITH, keyword phrases
(an alias and unavailable ones, caught) — and runs end to end on the real session stack
(SQLite store, bot registry, compiler, VM). No model is installed here, so the LLM-backed
phrase raises its ServiceError, which the script catches."""

from __future__ import annotations

import asyncio
import shutil
from datetime import date, timedelta
from pathlib import Path

from engine.basic.vm import VM
from engine.bots.package import BotPackage
from engine.events import UserMessage
from tests.engine.basic.conftest import BasicKit
from tests.engine.sessions.sessionkit import session_stack

PACKAGE = Path(__file__).resolve().parent / "gbpackages" / "concierge.gbai"


def _dialog(tmp_path: Path, answers: list[str]) -> list[str]:
    shutil.copytree(PACKAGE, tmp_path / "bots" / "concierge.gbai")

    async def scenario() -> list[str]:
        async with session_stack(tmp_path) as stack:
            state = await stack.manager.open("concierge", user_id="u1",
                                             user_name="Ana Silva")
            for answer in answers:
                await stack.manager.send(UserMessage(state.id, answer))
            return stack.transcript.said

    return asyncio.run(scenario())


def test_a_stay_with_a_late_arrival(tmp_path: Path) -> None:
    said = _dialog(tmp_path, ["3", "I arrive late"])
    checkout = (date.today() + timedelta(days=3)).strftime("%d/%m/%Y")
    assert said == [
        "Welcome to the hotel, Ana!", "How many nights will you stay?",
        f"That is 361.50 EUR, checking out on {checkout}.", "Breakfast is on us.",
        "Anything we can do before you arrive?",
        "Late arrival noted: the desk is open all night.",
        'Booking: {"guest":"Ana Silva","nights":3,"total":"361.50"}']


def test_a_spa_request_meets_an_unavailable_keyword(tmp_path: Path) -> None:
    said = _dialog(tmp_path, ["1", "spa please"])
    assert said[3:] == [
        "Enjoy your stay.", "Anything we can do before you arrive?",
        "The spa books at the desk (keyword SEARCH PRODUCTS is not available in Hearth).",
        'Booking: {"guest":"Ana Silva","nights":1,"total":"120.50"}']


def test_a_free_request_without_a_model_is_still_answered(tmp_path: Path) -> None:
    said = _dialog(tmp_path, ["2", "a quiet room"])
    assert said[5] == "Thanks, Ana: we will read it."


def test_room_service_tool() -> None:
    basic = BasicKit()
    package = BotPackage.at(PACKAGE)
    path = package.script("room-service")
    assert path is not None
    program = basic.program(path.read_text(encoding="utf-8"))
    tool = program.openai_tool()
    assert tool["function"]["description"] == "Order room service for the guest"
    assert tool["function"]["parameters"]["required"] == ["dish", "quantity"]

    def order(dish: str, quantity: int) -> object:
        outcome = VM(basic.host()).start(program, {"dish": dish, "quantity": quantity})
        assert outcome.error is None, outcome.error
        return outcome.result

    assert order(" Soup ", 2) == "2 x soup: 15.00 EUR"
    assert order("pizza", 1) == ("We do not serve pizza; the menu has soup, club sandwich, "
                                 "salad.")
