"""SessionState round-trips through JSON with every field (the encoder is hand-written)."""

from __future__ import annotations

import json
from dataclasses import fields
from datetime import date

from engine.basic.host import Suggestion
from engine.sessions.state import SessionState


def test_every_field_round_trips() -> None:
    state = SessionState("s1", "bot", user_id="u", channel="api", role_names=["sales"])
    state.add_suggestion(Suggestion("Help", "help", "context"))
    state.add_switcher(Suggestion("Short", "concise", "switcher"))
    state.set_context("it", "You are IT support.")
    state.add_tool("create-ticket")
    state.use_kb("policies")
    state.use_website("https://example.com", "1d")
    state.use_model("fast")
    state.append_system_prompt("Be brief.")
    state.set("due", date(2026, 1, 15))
    data = json.loads(json.dumps(state.to_json()))
    again = SessionState.from_json(data)
    for field in fields(SessionState):
        if field.name != "other_sessions":
            assert getattr(again, field.name) == getattr(state, field.name), field.name
    assert type(again.get("due")) is date


def test_the_json_is_a_copy() -> None:
    state = SessionState("s1", "bot")
    data = state.to_json()
    state.add_tool("later")
    assert data["tools"] == []
