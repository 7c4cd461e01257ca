"""The bot templates in ``resources/templates`` run end to end on the real runtime.

Each template is copied to a temporary folder (its drive is written to) and run the way
``hearth run`` runs it: a :class:`BotPackage`, its :class:`BotServices` over ``$HEARTH_HOME``
and a session host,
TABLE declarations first, then the script with scripted answers. Dialog tests assert on the
transcript; tool tests call ``VM(host).start(program, arguments)`` and check both the result
and the rows it wrote. The clock is fixed so dates in transcripts are stable.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.paths import AppPaths
from engine.basic.compiler import CompileOptions, compile_source
from engine.basic.host import Suggestion
from engine.basic.program import Program
from engine.basic.vm import VM, Outcome
from engine.bots.host import BotServices
from engine.bots.package import BotPackage
from engine.sessions.state import SessionState

TEMPLATES = Path(__file__).resolve().parents[2] / "resources" / "templates"
ALL = sorted(p.name[:-5] for p in TEMPLATES.glob("*.gbai"))
CLOCK = datetime(2026, 3, 10, 9, 15)  # a Tuesday


# -- harness --------------------------------------------------------------------------------


class Transcript:
    """A recording Output: bot messages, suggestions, logs and engine warnings in order."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.warnings: list[str] = []

    def talk(self, text: str) -> None:
        self.lines.append(f"< {text}")

    def suggest(self, suggestion: Suggestion) -> None:
        value = suggestion.value if suggestion.kind == "text" else f"{suggestion.kind}:{suggestion.value}"
        self.lines.append(f"+ {suggestion.label} -> {value}")

    def clear_suggestions(self, switchers: bool = False) -> None:
        self.lines.append("+ clear switchers" if switchers else "+ clear")

    def log(self, text: str) -> None:
        self.lines.append(f"# {text}")

    def warn(self, text: str) -> None:
        self.warnings.append(text)

    @property
    def talks(self) -> list[str]:
        return [line[2:] for line in self.lines if line.startswith("< ")]

    @property
    def text(self) -> str:
        return "\n".join(self.talks)


class FixedClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


class RecordingScheduler:
    def __init__(self) -> None:
        self.once: list[tuple[datetime, str]] = []
        self.recurring: list[tuple[str, str]] = []

    def schedule_once(self, at: datetime, script: str) -> None:
        self.once.append((at, script))

    def schedule_recurring(self, spec: str, script: str) -> None:
        self.recurring.append((spec, script))


class Bot:
    """One template installed in a temporary folder, with one session's host."""

    def __init__(self, root: Path, *, user_id: str = "ana", user_name: str | None = "Ana",
                 roles: list[str] | None = None, scheduler: Any = None,
                 clock: datetime = CLOCK) -> None:
        self.root = root
        self.package = BotPackage.at(root)
        self.out = Transcript()
        self.clock = FixedClock(clock)
        self.session = SessionState(id=f"test-{user_id}", bot_name=self.package.name,
                                    user_id=user_id, user_name=user_name, channel="web",
                                    role_names=roles)
        self.services = BotServices(self.package,
                                    AppPaths.from_env().bot_work_dir(self.package.name),
                                    scheduler=scheduler, clock=self.clock)
        if roles is not None:
            self.services.acting_as(frozenset(roles))
        self.host = self.services.host(self.session, self.out)
        self._declared = False

    # compile and declare -----------------------------------------------------------------
    def program(self, name: str) -> Program:
        program = self.host.scripts.load(name)
        assert program is not None, f"{name}.bas does not compile"
        return program

    def declare_tables(self) -> None:
        """TABLE declarations are processed before any script runs, tables.bas first (§7.2)."""
        if self._declared:
            return
        names = ["tables"] + [p.stem for p in self.package.scripts() if p.stem != "tables"]
        for name in names:
            program = self.host.scripts.load(name)
            if program is None:
                continue
            for table in program.module.tables:
                self.host.data.declare_table(table)
        self._declared = True

    # running -----------------------------------------------------------------------------
    def run(self, name: str, answers: Iterable[str] = (), args: dict[str, Any] | None = None,
            request: dict[str, Any] | None = None) -> Outcome:
        """Run a script to the end, answering each HEAR with the next answer."""
        self.declare_tables()
        vm = VM(self.host)
        outcome = vm.start(self.program(name), args, request)
        pending = list(answers)
        while outcome.waiting:
            assert pending, f"{name}.bas still waits for input:\n" + "\n".join(self.out.lines[-8:])
            outcome = vm.deliver(pending.pop(0))
        assert outcome.error is None, f"{name}.bas failed: {outcome.error}\n" + "\n".join(self.out.lines[-8:])
        assert not pending, f"{name}.bas ended with unused answers {pending}"
        assert not self.out.warnings, self.out.warnings
        return outcome

    def tool(self, name: str, **args: Any) -> Any:
        return self.run(name, args=args).result

    # looking at the results ----------------------------------------------------------------
    def rows(self, table: str, query: str = "") -> list[dict[str, Any]]:
        from engine.basic.filters import parse_filter

        return self.host.data.find(table, parse_filter(query))

    def drive_files(self, folder: str = "") -> list[Path]:
        base = self.package.drive_dir / folder
        return sorted(p for p in base.rglob("*") if p.is_file()) if base.exists() else []

    def close(self) -> None:
        self.services.close()


@pytest.fixture
def install(tmp_path: Path) -> Iterable[Any]:
    """``install("helpdesk", user_id=…)``: copy a template to tmp_path and open a session on it."""
    opened: list[Bot] = []

    def factory(name: str, **kwargs: Any) -> Bot:
        root = tmp_path / "bots" / f"{name}.gbai"
        if not root.exists():
            shutil.copytree(TEMPLATES / f"{name}.gbai", root)
        bot = Bot(root, **kwargs)
        opened.append(bot)
        return bot

    yield factory
    for bot in opened:
        bot.close()


# -- every template -------------------------------------------------------------------------


def _scripts(name: str) -> list[Path]:
    return BotPackage.at(TEMPLATES / f"{name}.gbai").scripts()


def _params(name: str) -> frozenset[str]:
    config = BotPackage.at(TEMPLATES / f"{name}.gbai").config()
    return frozenset(k[6:].lower().replace("-", "_") for k in config.raw()
                     if k.lower().startswith("param-"))


@pytest.mark.parametrize("name", ALL)
def test_template_compiles_without_errors_or_warnings(name: str) -> None:
    """Zero diagnostics, even in strict mode: no unknown statement and no undeclared name."""
    scripts = _scripts(name)
    assert any(p.name == "start.bas" for p in scripts)
    for path in scripts:
        source = path.read_text(encoding="utf-8")
        for options in (CompileOptions(), CompileOptions(strict=True, injected=_params(name))):
            program = compile_source(source, path.stem, options)
            assert program.diagnostics == [], [d.render(source, str(path)) for d in program.diagnostics]


@pytest.mark.parametrize("name", ALL)
def test_template_package_is_complete(name: str) -> None:
    package = BotPackage.at(TEMPLATES / f"{name}.gbai")
    rows, warnings = package.config_rows()
    assert warnings == []
    for key in ("bot-name", "bot-description", "welcome-message", "language"):
        assert rows.get(key), f"{name}: config.csv has no {key}"
    # every param-* the scripts rely on has a value (an unset one would be null at run time)
    for key, value in rows.items():
        if key.startswith("param-"):
            assert value.strip(), f"{name}: {key} is empty"


def _tools() -> list[tuple[str, Path]]:
    found = []
    for name in ALL:
        for path in _scripts(name):
            program = compile_source(path.read_text(encoding="utf-8"), path.stem)
            if program.is_tool:
                found.append((name, path))
    return found


@pytest.mark.parametrize(("name", "path"), _tools(), ids=lambda v: getattr(v, "stem", v))
def test_every_tool_compiles_to_a_descriptor(name: str, path: Path) -> None:
    program = compile_source(path.read_text(encoding="utf-8"), path.stem)
    tool = program.openai_tool()
    function = tool["function"]
    assert tool["type"] == "function" and function["name"] == path.stem
    assert len(function["description"]) > 15, f"{path.stem}: describe the tool for the model"
    properties = function["parameters"]["properties"]
    for param, schema in properties.items():
        assert schema["description"], f"{path.stem}: parameter {param} has no DESCRIPTION"
    assert set(function["parameters"]["required"]) <= set(properties)
    mcp = program.mcp_tool()
    assert mcp["name"] == path.stem and mcp["inputSchema"]["properties"] == properties
    json.dumps(tool)  # plain JSON, ready to send to a model


# -- helpdesk -------------------------------------------------------------------------------


def test_helpdesk_dialog_reports_a_problem_and_closes_it(install: Any) -> None:
    bot = install("helpdesk")
    bot.run("start", [
        "Report a problem", "3",              # menu by label, area by number (Network)
        "no",                                 # the quick fixes did not help
        "vpn",                                # too short: asked again
        "VPN drops every 10 minutes since Monday",
        "Error 809 in the client",
        "High",                               # menu matched by a word of the option
        "not-an-email", "ana@example.com",    # HEAR AS EMAIL re-prompts
        "yes",
        "My tickets", "yes", "1", "Switched to the Europe-North gateway",
        "Check a ticket", "1001",
        "Done",
    ])
    text = bot.out.text
    assert "Hi Ana! This is the IT helpdesk." in text
    assert "**VPN connects but nothing loads**" in text          # known fix for the network area
    assert "Please give a few more words" in text
    assert "Please enter a valid email address." in text
    assert "Ticket HD-1001 is open (high priority). A technician will pick it up within 4 working hours." in text
    assert "• HD-1001 [open, high] VPN drops every 10 minutes since Monday" in text
    assert "Closed HD-1001. Thanks for letting us know!" in text
    assert "HD-1001 (VPN drops every 10 minutes since Monday) is closed. Resolution: Switched to the Europe-North gateway." in text
    assert "+ HD-1001 -> HD-1001" in bot.out.lines                # open tickets offered as a menu

    ticket = bot.rows("tickets")[0]
    assert ticket["requester"] == "ana" and ticket["category"] == "network"
    assert ticket["status"] == "closed" and ticket["email"] == "ana@example.com"
    assert [e["action"] for e in bot.rows("ticket_events")] == ["opened", "closed"]
    assert bot.host.session.kbs == ["troubleshooting"]
    assert bot.host.session.tools == ["create-ticket", "ticket-status", "my-tickets", "close-ticket"]
    mails = bot.drive_files("outbox")
    assert len(mails) == 1
    assert "Subject: [HD-1001] HIGH VPN drops every 10 minutes since Monday" in mails[0].read_text()


def test_helpdesk_quick_fix_avoids_a_ticket_and_hand_off_is_queued(install: Any) -> None:
    bot = install("helpdesk")
    bot.run("start", ["1", "Account or password", "yes", "Talk to a technician", "Printer on floor 2 is broken"])
    assert "**Forgotten or expired password**" in bot.out.text
    assert "Great! Nothing else to do then." in bot.out.text
    assert bot.rows("tickets") == []
    handoff = json.loads((bot.package.drive_dir / "outbox" / "handoffs.jsonl").read_text())
    assert handoff["department"] == "it-support" and handoff["reason"] == "Printer on floor 2 is broken"


def test_helpdesk_search_known_fixes_falls_back_to_single_words(install: Any) -> None:
    bot = install("helpdesk")
    bot.run("start", ["Search known fixes", "my printer is offline", "Search known fixes", "zebra", "Done"])
    assert "**Printer shows offline**" in bot.out.text
    assert "I found no known fix for that." in bot.out.text


def test_helpdesk_tools_create_list_check_and_close(install: Any) -> None:
    bot = install("helpdesk")
    created = bot.tool("create-ticket", subject="Laptop does not charge", category="HARDWARE",
                       priority="urgent", email="Ana@Example.com")
    assert created["ok"] is True and created["ticket_id"] == "HD-1001"
    assert created["priority"] == "urgent" and "within the hour" in created["message"]
    second = bot.tool("create-ticket", subject="Need Visio installed", category="software")
    assert second["ticket_id"] == "HD-1002" and second["priority"] == "normal"
    rows = bot.rows("tickets", "ORDER BY ticket_id")
    assert [r["category"] for r in rows] == ["hardware", "software"]
    assert rows[1]["email"] == "ana@example.com"      # remembered from the first ticket (user memory)

    listing = bot.tool("my-tickets")
    assert listing.splitlines()[0] == "Your open tickets:"
    assert "• HD-1002 [open, normal] Need Visio installed" in listing
    assert "opened today" in bot.tool("ticket-status", ticket_id="hd-1001")
    assert bot.tool("close-ticket", ticket_id="1002", resolution="Installed by IT") == "Closed HD-1002. Thanks for letting us know!"
    assert "not one of your open tickets" in bot.tool("close-ticket", ticket_id="HD-1002")
    assert bot.tool("my-tickets", status="closed").endswith("HD-1002 [closed, normal] Need Visio installed")

    # another employee cannot see or close Ana's tickets
    bo = install("helpdesk", user_id="bo", user_name="Bo")
    assert "could not find ticket HD-1001" in bo.tool("ticket-status", ticket_id="HD-1001")
    assert "not one of your open tickets" in bo.tool("close-ticket", ticket_id="HD-1001")
    assert bo.tool("my-tickets", status="all") == "You have no tickets."


def test_helpdesk_create_ticket_asks_for_missing_values(install: Any) -> None:
    bot = install("helpdesk")
    bot.declare_tables()
    vm = VM(bot.host)
    outcome = vm.start(bot.program("create-ticket"), {})
    # the ENUM parameter without a value is offered as buttons before the first question
    assert "+ hardware -> hardware" in bot.out.lines
    for answer in ("Outlook crashes when I open the calendar", "software"):
        assert outcome.waiting
        outcome = vm.deliver(answer)
    assert outcome.error is None and outcome.result["ticket_id"] == "HD-1001"
    assert bot.rows("tickets")[0]["category"] == "software"


def test_helpdesk_roles_hide_internal_notes_and_the_audit_log(install: Any) -> None:
    agent = install("helpdesk", user_id="tech", roles=["agent"])
    agent.tool("create-ticket", subject="Monitor flickers", category="hardware")
    agent.host.data.update("tickets", _filter("ticket_id = 'HD-1001'"), {"internal_note": "swap cable"})
    assert agent.rows("tickets")[0]["internal_note"] == "swap cable"
    assert len(agent.rows("ticket_events")) == 1

    employee = install("helpdesk", user_id="ana", roles=["employee"])
    employee.declare_tables()
    row = employee.rows("tickets")[0]
    assert "internal_note" not in row and row["subject"] == "Monitor flickers"
    with pytest.raises(Exception, match="(?i)permission|not allowed"):
        employee.rows("ticket_events")
    # ...but an employee's actions are still logged on their behalf
    employee.tool("create-ticket", subject="Keyboard missing keys", category="hardware")
    assert len(agent.rows("ticket_events")) == 2


def test_helpdesk_stale_ticket_job_mails_a_digest(install: Any) -> None:
    bot = install("helpdesk")
    program = bot.program("escalate-stale")
    assert [s.spec for s in program.module.schedules] == ["every weekday at 8:30"]
    bot.declare_tables()
    old = CLOCK - timedelta(days=5)
    for number, category in ((1001, "network"), (1002, "hardware")):
        bot.host.data.save("tickets", {"ticket_id": f"HD-{number}", "requester": "ana",
                                       "category": category, "subject": f"Problem {number}",
                                       "created": old, "updated": old})
    bot.host.data.save("tickets", {"ticket_id": "HD-1003", "requester": "bo", "category": "network",
                                   "subject": "Fresh", "created": CLOCK, "updated": CLOCK})
    assert bot.run("escalate-stale").result == 2
    assert bot.out.talks == ["2 stale ticket(s) reported to it-support@example.com"]
    mail = bot.drive_files("outbox")[0].read_text()
    assert "Subject: Helpdesk: 2 stale ticket(s)" in mail
    assert "NETWORK" in mail and "HD-1001" in mail and "HD-1003" not in mail


def _filter(text: str) -> Any:
    from engine.basic.filters import parse_filter

    return parse_filter(text)
