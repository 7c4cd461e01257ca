"""The web chat in a real headless Chromium (Debian's, driven by Playwright): open the page,
log in, send a message, see the answer, click a suggestion; an anonymous bot needs no login."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_service
from tests.engine.server.livekit import LiveServer, live_server
from tests.engine.server.serverkit import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
TIMEOUT = 45_000  # generous: a loaded 2-core machine renders slowly


@pytest.fixture
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        require_service("chromium", "install Debian's chromium package")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require_service("chromium", "the playwright package is not installed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS,
                                              headless=True)
        yield launched
        launched.close()


@pytest.fixture
def server(hearth_home: Path) -> Iterator[LiveServer]:
    theme = hearth_home / "bots" / "open.gbai" / "open.gbtheme"
    theme.mkdir(parents=True)
    (theme / "extra.css").write_text(".bar { border-bottom: 3px solid rgb(1, 2, 3); }\n")
    with live_server(hearth_home) as live:
        yield live


def test_log_in_send_and_click_a_suggestion(browser: Any, server: LiveServer) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 780})  # a phone
    page.set_default_timeout(TIMEOUT)
    page.goto(server.url + "/chat/starter")
    page.get_by_label("Username").fill("uma")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    log = page.get_by_role("log")
    log.get_by_text("I keep short notes for you").wait_for()
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
