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
from tests.engine.server.livekit import LiveServer, live_server
from tests.engine.server.serverkit import PASSWORD
from tests.engine.server.test_server_webchat_browser import TIMEOUT, browser  # noqa: F401
from tests.engine.sessions.sessionkit import write_bot


class _OneModel:
    def __init__(self, model: FakeChatModel) -> None:
        self.default = model.model
        self._model = model

    def model(self, requested: str | None = None) -> FakeChatModel:
        return self._model

    async def aclose(self) -> None:
        return None


def _fake_model(engine: Engine) -> None:
    engine.llm = _OneModel(FakeChatModel("Paris is the capital.",  # type: ignore[assignment]
                                         name="tiny-model"))


@pytest.fixture
def server(hearth_home: Path) -> Iterator[LiveServer]:
    write_bot(hearth_home, "askme", {"start.bas": 'TALK "Ask me anything."\n'})
    with live_server(hearth_home, prepare=_fake_model) as live:
        yield live


def test_an_llm_answer_names_its_model(browser: Any, server: LiveServer) -> None:  # noqa: F811
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(server.url + "/chat/askme")
    page.get_by_label("Username").fill("uma")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    log = page.get_by_role("log")
    log.get_by_text("Ask me anything.").wait_for()
    box = page.get_by_label("Message", exact=True)
    box.fill("What is the capital of France?")
    box.press("Enter")
    log.get_by_text("answered by tiny-model").wait_for()
    answer = log.locator(".msg.bot").last
    assert "Paris is the capital." in answer.inner_text()
    assert log.locator(".msg.bot").first.locator(".model").count() == 0  # the TALK
