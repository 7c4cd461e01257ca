"""XSS payloads in the web chat, in a real headless Chromium (Debian's, driven by Playwright).

A bot says script, event-handler, SVG and ``javascript:`` payloads, offers them as
suggestions, echoes what the visitor types, and is titled with one; citations, tool results
and error messages carrying payloads are added to the real server's frames on their way to
the page. The page runs with its Content-Security-Policy *bypassed*, so the page's own
escaping is the only defence under test, and a control proves that an injected handler would
run. Every payload must leave ``window.__pwned`` unset, open no dialog, create no element or
attribute the chat does not make itself, and be shown as text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests

from tests.engine.server.browserkit import TIMEOUT
from tests.engine.server.livekit import LiveServer, live_server
from tests.engine.server.serverkit import PASSWORD
from tests.engine.sessions.sessionkit import write_bot
from tests.security.attackkit import Attempts

KIND = "XSS in the web chat"
TITLE = "<img src=x onerror=window.__pwned='title'>"

PAYLOADS = [
    "<script>window.__pwned='script'</script>",
    "<img src=x onerror=window.__pwned='img'>",
    '<img src="x" onerror="alert(1)">',
    "<svg onload=window.__pwned='svg'>",
    "<svg><script>window.__pwned='svg-script'</script></svg>",
    "<iframe src=javascript:window.__pwned='iframe'></iframe>",
    "<a href=javascript:window.__pwned='a'>click</a>",
    "<details open ontoggle=window.__pwned='details'>x</details>",
    "<input autofocus onfocus=window.__pwned='input'>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__pwned='mxss'>",
    "<body onload=window.__pwned='body'>",
    "<object data=javascript:window.__pwned='object'></object>",
    "[click me](javascript:window.__pwned='md-link')",
    "[click me](javascript://%0awindow.__pwned='md-link2')",
    "[click me](JaVaScRiPt:alert(2))",
    "![image](javascript:window.__pwned='md-image')",
    '[x](https://a.example/" onmouseover="window.__pwned=\'md-attr\')',
    "[x](https://a.example/'onmouseover='window.__pwned=1')",
    "[<img src=x onerror=window.__pwned='md-text'>](https://a.example/)",
    "**<img src=x onerror=window.__pwned='bold'>**",
    "`<img src=x onerror=window.__pwned='code'>`",
    "```\n<script>window.__pwned='fence'</script>\n```",
    "&lt;img src=x onerror=window.__pwned='entity'&gt;",
    "<<script>script>window.__pwned='nested'<</script>/script>",
    "</p><img src=x onerror=window.__pwned='close-p'><p>",
    "<style>@import 'javascript:alert(3)';</style>",
]
TYPED = [p for p in PAYLOADS if "\n" not in p][:12]


def _basic(text: str) -> str:
    """``text`` as a BASIC string literal (§2.3: doubled quotes, backslash and ``$`` escaped)."""
    escaped = text.replace("\\", "\\\\").replace("$", "\\$").replace('"', '""')
    return '"' + escaped.replace("\n", "\\n") + '"'


def _start_script() -> str:
    lines = [f"TALK {_basic(p)}" for p in PAYLOADS]
    lines += [f"ADD SUGGESTION TEXT {_basic(p)} AS {_basic(p)}" for p in PAYLOADS[:8]]
    lines += ['TALK "pick one"', "DO", "  HEAR m", '  TALK "you said " + m', "LOOP"]
    return "\n".join(lines) + "\n"


@pytest.fixture
def server(hearth_home: Path) -> Iterator[LiveServer]:
    write_bot(hearth_home, "xss", {"start.bas": _start_script()},
              f"bot-name,{TITLE}\nbot-description,{TITLE}\nwebchat-anonymous,true\n")
    with live_server(hearth_home) as live:
        yield live


class Watched:
    """A page with the CSP bypassed, its dialogs recorded and its DOM inspected."""

    CHECK = """() => {
      const allowed = new Set(['p', 'br', 'code', 'pre', 'strong', 'em', 'a', 'span', 'div',
                               'li', 'button']);
      const bad = [];
      for (const id of ['log', 'suggestions', 'title', 'subtitle', 'bots']) {
        for (const el of document.getElementById(id).querySelectorAll('*')) {
          const tag = el.tagName.toLowerCase();
          if (!allowed.has(tag)) bad.push(id + ': <' + tag + '>');
          for (const attr of el.attributes) {
            if (attr.name.startsWith('on')) bad.push(id + ': ' + tag + '[' + attr.name + ']');
          }
          const href = el.getAttribute('href');
          if (tag === 'a' && !/^(https?:\\/\\/|\\/chat\\/)/.test(href || '')) {
            bad.push(id + ': a href=' + href);
          }
        }
      }
      return {bad, pwned: window.__pwned === undefined ? null : String(window.__pwned)};
    }"""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(bypass_csp=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(TIMEOUT)
        self.dialogs: list[str] = []
        self.page.on("dialog", self._dialog)

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def control(self) -> None:
        """An injected handler does run in this page: a clean result means escaping held."""
        self.page.evaluate("document.body.insertAdjacentHTML('beforeend', "
                           "'<img src=x onerror=\"window.__control=1\">')")
        self.page.wait_for_function("window.__control === 1")

    def settle(self) -> None:
        """Image errors, focus and toggle events fire asynchronously after a render."""
        self.page.wait_for_timeout(300)

    def clean(self) -> None:
        found = self.page.evaluate(self.CHECK)
        assert found["pwned"] is None, f"a payload ran: window.__pwned = {found['pwned']}"
        assert not self.dialogs, f"a payload opened a dialog: {self.dialogs}"
        assert not found["bad"], f"payload markup reached the DOM: {found['bad']}"

    def log_text(self) -> str:
        text: str = self.page.get_by_role("log").inner_text()
        return text


def _plain(payload: str) -> bool:
    """Payloads without Markdown marks are shown exactly as they are."""
    return not any(mark in payload for mark in "*`[!\n&")


def _inject(route: Any) -> None:
    """Forward the real server's frames, adding payloads where a bot's sources, a tool's
    result and an error message would be."""
    server = route.connect_to_server()
    injected = {"done": False}

    def from_server(message: str | bytes) -> None:
        frame = json.loads(message)
        if frame.get("type") == "response" and frame.get("content") == "pick one":
            frame["citations"] = [{"n": i, "source": p, "page": p, "snippet": p}
                                  for i, p in enumerate(PAYLOADS[:6], 1)]
        route.send(json.dumps(frame))
        if frame.get("type") == "done" and not injected["done"]:
            injected["done"] = True
            for payload in PAYLOADS[:4]:
                route.send(json.dumps({"type": "tool", "tool": payload, "result": payload,
                                       "finished": True, "session_id": frame["session_id"]}))
                route.send(json.dumps({"type": "error", "error": {
                    "code": "bad_request", "message": payload}}))
            route.send(json.dumps({"type": "done", "session_id": frame["session_id"],
                                   "error": PAYLOADS[1]}))

    server.on_message(from_server)
    route.on_message(lambda message: server.send(message))


def test_bot_answers_suggestions_and_typed_text(browser: Any, server: LiveServer) -> None:
    watched = Watched(browser)
    page = watched.page
    page.route_web_socket(re.compile(r"/ws\b"), _inject)
    page.goto(server.url + "/chat/xss")
    log = page.get_by_role("log")
    log.get_by_text("pick one").wait_for()
    page.locator("#log li.tool").first.wait_for()
    watched.control()
    watched.settle()
    attempts = Attempts(KIND)
    shown = watched.log_text()
    for payload in PAYLOADS:
        with attempts.one(f"bot answer {payload!r}"):
            watched.clean()
            if _plain(payload):
                assert payload in shown, f"not shown as text: {payload!r}"
    for payload in PAYLOADS[:6]:
        with attempts.one(f"citation {payload!r}"):
            watched.clean()
            assert page.locator(".citations .chip").filter(has_text=payload).count() >= 1
    for payload in PAYLOADS[:4]:
        with attempts.one(f"tool name, result and error message {payload!r}"):
            watched.clean()
            assert shown.count(payload) >= 2 or not _plain(payload)
    with attempts.one("bot title and description"):
        watched.clean()
        assert page.locator("#title").inner_text() == TITLE
        assert page.title() == TITLE
    buttons = page.get_by_role("group", name="Suggestions").get_by_role("button")
    assert buttons.count() == 8
    for index, payload in enumerate(PAYLOADS[:8]):
        with attempts.one(f"suggestion {payload!r}"):
            assert buttons.nth(index).inner_text() == payload
            watched.clean()
    box = page.get_by_label("Message", exact=True)
    for payload in TYPED:
        with attempts.one(f"typed and echoed {payload!r}"):
            box.fill(payload)
            box.press("Enter")
            if _plain(payload):
                log.get_by_text("you said " + payload, exact=True).wait_for()
            watched.settle()
            watched.clean()
    page.reload()  # the history comes back through the "history" frame
    log.get_by_text("pick one").wait_for()
    watched.settle()
    with attempts.one("everything again, from the session's history"):
        watched.clean()
    attempts.verdict(at_least=len(PAYLOADS) + len(TYPED) + 15)


def test_bot_name_in_the_url_and_the_bot_picker(browser: Any, server: LiveServer) -> None:
    watched = Watched(browser)
    page = watched.page
    watched.page.goto(server.url + "/chat/")
    watched.control()
    attempts = Attempts(KIND)
    for payload in PAYLOADS[:10]:
        with attempts.one(f"bot name in the URL {payload!r}"):
            page.goto(server.url + "/chat/" + quote(payload, safe=""))
            page.get_by_text("There is no bot named").wait_for()
            watched.settle()
            watched.clean()
            if _plain(payload):
                assert payload in watched.log_text()
    with attempts.one("bot title in the bot picker"):
        page.goto(server.url + "/chat/")
        page.get_by_label("Username").fill("uma")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.locator("#bots a").filter(has_text=TITLE).wait_for()
        watched.settle()
        watched.clean()
    attempts.verdict(at_least=11)


def test_the_page_also_forbids_inline_script(server: LiveServer) -> None:
    """Defence in depth: the page's CSP allows no inline script (the tests above bypass it)."""
    reply = requests.get(server.url + "/chat/xss", timeout=10)
    policy = reply.headers["Content-Security-Policy"]
    rules = dict(rule.strip().split(" ", 1) for rule in policy.split(";") if rule.strip())
    scripts = rules.get("script-src", rules["default-src"])
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
