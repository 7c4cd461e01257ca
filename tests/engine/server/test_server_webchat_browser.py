"""The web chat in a real headless Chromium (Debian's, driven by Playwright): open the page,
log in, send a message, see the answer, click a suggestion; an anonymous bot needs no login."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine.server.browserkit import TIMEOUT, logged_in_chat
from tests.engine.server.livekit import LiveServer, live_server


@pytest.fixture
def server(hearth_home: Path) -> Iterator[LiveServer]:
    theme = hearth_home / "bots" / "open.gbai" / "open.gbtheme"
    theme.mkdir(parents=True)
    (theme / "extra.css").write_text(".bar { border-bottom: 3px solid rgb(1, 2, 3); }\n")
    with live_server(hearth_home) as live:
        yield live


def test_log_in_send_and_click_a_suggestion(browser: Any, server: LiveServer) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 780})  # a phone
    log = logged_in_chat(page, server.url + "/chat/starter", "I keep short notes for you")
    suggestions = page.get_by_role("group", name="Suggestions")
    suggestions.get_by_role("button", name="List my notes").click()
    log.get_by_text("No notes yet.").wait_for()
    box = page.get_by_label("Message", exact=True)
    box.fill("Take a note")
    box.press("Enter")
    log.get_by_text("What should I write down?").wait_for()
    box.fill("buy bread")
    page.get_by_role("button", name="Send").click()
    log.get_by_text("Saved. You have 1 note(s).").wait_for()
    assert page.title() == "Starter"
    page.reload()  # the session continues: history comes back, start.bas does not run again
    log.get_by_text("Saved. You have 1 note(s).").wait_for()
    assert log.get_by_text("I keep short notes for you").count() == 1


def test_anonymous_bot_with_a_theme(browser: Any, server: LiveServer) -> None:
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(server.url + "/chat/open")
    box = page.get_by_label("Message", exact=True)
    box.wait_for()
    page.get_by_role("status").get_by_text("Online").wait_for()
    box.fill("hello browser")
    box.press("Enter")
    page.get_by_role("log").get_by_text("you said hello browser").wait_for()
    assert page.get_by_role("heading", name="Open").is_visible()
    border = page.eval_on_selector(".bar", "e => getComputedStyle(e).borderBottomColor")
    assert border == "rgb(1, 2, 3)"


def test_unknown_bot_says_so(browser: Any, server: LiveServer) -> None:
    page = browser.new_page()
    page.set_default_timeout(TIMEOUT)
    page.goto(server.url + "/chat/ghost")
    page.get_by_text("There is no bot named").wait_for()
