"""A tool's result reaches a web visitor in words, never raw (issue 12), in a real headless
Chromium: the model calls the opening-hours tool and then writes nothing, so the answer is
the templated sentence made from the tool's JSON; the tool note names the tool only."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.api import Engine
from engine.llm.provider import Capabilities
from tests.engine.llm.llmfakes import FakeChatModel, tool_call
from tests.engine.server.browserkit import logged_in_chat, send
from tests.engine.server.livekit import LiveServer, live_server
from tests.engine.server.modelkit import use_model
from tests.engine.sessions.sessionkit import write_bot

HOURS = ('PARAM day AS STRING OPTIONAL DESCRIPTION "day"\n'
         'DESCRIPTION "Opening hours of the library"\n'
         'RETURN {"monday": "9-17", "saturday": "10-16"}\n')


def _tool_model(engine: Engine) -> None:
    model = FakeChatModel(tool_call("opening-hours", "{}"), "", name="tiny-model",
                          capabilities=Capabilities(supports_tools=True, max_context=2048))
    use_model(engine, model)


@pytest.fixture
def server(hearth_home: Path) -> Iterator[LiveServer]:
    write_bot(hearth_home, "library", {
        "start.bas": 'ADD TOOL "opening-hours"\nTALK "Ask me about the library."\n',
        "opening-hours.bas": HOURS})
    with live_server(hearth_home, prepare=_tool_model) as live:
        yield live


def test_a_tool_result_is_shown_as_a_sentence(browser: Any, server: LiveServer) -> None:
    page = browser.new_page()
    log = logged_in_chat(page, server.url + "/chat/library", "Ask me about the library.")
    send(page, "When are you open?")
    log.get_by_text("answered by tiny-model").wait_for()
    answer = log.locator(".msg.bot").last.inner_text()
    assert "Opening hours: monday: 9-17; saturday: 10-16" in answer
    text = log.inner_text()
    assert "{" not in text and '"monday"' not in text, text
    assert log.locator(".tool").last.inner_text() == "Used opening-hours"
