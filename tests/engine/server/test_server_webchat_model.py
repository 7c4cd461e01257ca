"""The web chat names the model behind an LLM answer (issue 12), in a real headless Chromium:
a bot without a dialog answers through the engine's LLM turn (a scripted local model here),
and the answer carries "answered by MODEL"; a script's TALK carries nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from engine.api import Engine
from tests.engine.llm.llmfakes import FakeChatModel
from tests.engine.server.browserkit import logged_in_chat, send
from tests.engine.server.livekit import LiveServer, live_server
from tests.engine.server.modelkit import use_model
from tests.engine.sessions.sessionkit import write_bot


def _fake_model(engine: Engine) -> None:
    use_model(engine, FakeChatModel("Paris is the capital.", name="tiny-model"))


@pytest.fixture
def server(hearth_home: Path) -> Iterator[LiveServer]:
    write_bot(hearth_home, "askme", {"start.bas": 'TALK "Ask me anything."\n'})
    with live_server(hearth_home, prepare=_fake_model) as live:
        yield live


def test_an_llm_answer_names_its_model(browser: Any, server: LiveServer) -> None:
    page = browser.new_page()
    log = logged_in_chat(page, server.url + "/chat/askme", "Ask me anything.")
    send(page, "What is the capital of France?")
    log.get_by_text("answered by tiny-model").wait_for()
    answer = log.locator(".msg.bot").last
    assert "Paris is the capital." in answer.inner_text()
    assert log.locator(".msg.bot").first.locator(".model").count() == 0  # the TALK
