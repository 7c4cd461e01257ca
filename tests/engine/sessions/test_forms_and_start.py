"""ON FORM SUBMIT handlers run in the session when a form arrives, and a start dialog that
does not compile shows its errors when the chat opens (docs/basic-compatibility.md F1, K2).
Real SQLite session store, real bot registry and compiler."""

from __future__ import annotations

import asyncio
from pathlib import Path

from engine.events import UserMessage
from engine.sessions.forms import NO_HANDLER
from tests.engine.sessions.sessionkit import session_stack, write_bot

FORMS = '''TALK "Welcome"
ON FORM SUBMIT "contact"
    TALK "Thanks, " + name + " (" + form.email + ")"
    SAVE "contacts", form
END ON
ON FORM SUBMIT
    TALK "form " + form_name + " with " + COUNT(fields) + " field(s)"
END ON
'''


def test_form_submit_runs_the_handlers_with_the_fields(tmp_path: Path) -> None:
    write_bot(tmp_path, "crm", {"start.bas": FORMS})

    async def scenario() -> list[str]:
        async with session_stack(tmp_path) as stack:
            state = await stack.manager.open("crm", user_id="u1")
            form = {"name": "contact", "fields": {"name": "Ana", "email": "ana@example.com"}}
            await stack.manager.send(UserMessage(state.id, "", form=form))
            await stack.manager.send(UserMessage(state.id, "", form={"name": "poll",
                                                                    "fields": {"q": "yes"}}))
            rows = stack.bots.services("crm").tables.find("contacts", _all())
            assert [(r["name"], r["email"]) for r in rows] == [("Ana", "ana@example.com")]
            history = await stack.manager.history(state.id)
            assert any("form contact" in m.content for m in history if m.role == "user")
            return stack.transcript.said

    said = asyncio.run(scenario())
    assert said == ["Welcome", "Thanks, Ana (ana@example.com)", "form contact with 2 field(s)",
                    "form poll with 1 field(s)"]


def test_a_form_for_a_bot_without_handlers_says_so(tmp_path: Path) -> None:
    write_bot(tmp_path, "plain", {"start.bas": 'TALK "Hi"\n'})

    async def scenario() -> list[str]:
        async with session_stack(tmp_path) as stack:
            state = await stack.manager.open("plain", user_id="u1")
            await stack.manager.send(UserMessage(state.id, "", form={"name": "x", "fields": {}}))
            return stack.transcript.said

    assert asyncio.run(scenario()) == ["Hi", NO_HANDLER]


def test_a_start_dialog_with_errors_shows_them(tmp_path: Path) -> None:
    write_bot(tmp_path, "broken", {"start.bas": 'TALK "Hi"\nIF x THEN\nTALK "never"\n'},
              "welcome-message,Hello there\n")

    async def scenario() -> list[str]:
        async with session_stack(tmp_path) as stack:
            await stack.manager.open("broken", user_id="u1")
            return stack.transcript.said

    said = asyncio.run(scenario())
    assert len(said) == 1
    assert said[0].startswith("The start dialog start.bas has errors and did not run:")
    assert "line 2" in said[0] and "END IF" in said[0]


def _all():  # type: ignore[no-untyped-def]
    from engine.basic.query import ALL_ROWS

    return ALL_ROWS
