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
from tests.engine.server.livekit import LiveServer, live_server
from tests.engine.server.serverkit import PASSWORD
from tests.engine.server.test_server_webchat_browser import TIMEOUT, browser  # noqa: F401
from tests.engine.server.test_server_webchat_model import _OneModel
from tests.engine.sessions.sessionkit import write_bot

HOURS = ('PARAM day AS STRING OPTIONAL DESCRIPTION "day"\n'
         'DESCRIPTION "Opening hours of the library"\n'
         'RETURN {"monday": "9-17", "saturday": "10-16"}\n')


def _tool_model(engine: Engine) -> None:
    model = FakeChatModel(tool_call("opening-hours", "{}"), "", name="tiny-model",
                          capabilities=Capabilities(supports_tools=True, max_context=2048))
    engine.llm = _OneModel(model)  # type: ignore[assignment]


@pytest.fixture
def server(hearth_home: Path) -> Iterator[LiveServer]:
    write_bot(hearth_home, "library", {
        "start.bas": 'ADD TOOL "opening-hours"\nTALK "Ask me about the library."\n',
        "opening-hours.bas": HOURS})
    with live_server(hearth_home, prepare=_tool_model) as live:
        yield live


def test_a_tool_result_is_shown_as_a_sentence(browser: Any, server: LiveServer) -> None:  # noqa: F811
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(server.url + "/chat/library")
    page.get_by_label("Username").fill("uma")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    log = page.get_by_role("log")
    log.get_by_text("Ask me about the library.").wait_for()
    box = page.get_by_label("Message", exact=True)
    box.fill("When are you open?")
    box.press("Enter")
    log.get_by_text("answered by tiny-model").wait_for()
    answer = log.locator(".msg.bot").last.inner_text()
    assert "Opening hours: monday: 9-17; saturday: 10-16" in answer
    text = log.inner_text()
    assert "{" not in text and '"monday"' not in text, text
    assert log.locator(".tool").last.inner_text() == "Used opening-hours"
