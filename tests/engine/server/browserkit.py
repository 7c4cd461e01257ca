"""A real headless Chromium (Debian's, driven by Playwright) for the web chat tests, and the
steps every chat page test starts with."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require_service
from tests.engine.server.serverkit import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
TIMEOUT = 45_000  # generous: a loaded 2-core machine renders slowly


@pytest.fixture
def browser() -> Iterator[Any]:
    """A launched Chromium; without Chromium or Playwright the test needs a service
    (skipped locally, failed in CI)."""
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


def logged_in_chat(page: Any, url: str, greeting: str, user: str = "uma") -> Any:
    """Open the chat page at ``url`` on ``page``, log in as ``user`` (password ``PASSWORD``)
    and wait for the bot's ``greeting``; returns the message log."""
    page.set_default_timeout(TIMEOUT)
    page.goto(url)
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    log = page.get_by_role("log")
    log.get_by_text(greeting).wait_for()
    return log


def send(page: Any, text: str) -> None:
    """Type ``text`` in the message box and press Enter."""
    box = page.get_by_label("Message", exact=True)
    box.fill(text)
    box.press("Enter")
