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
from engine.basic.instructions import Message
from engine.basic.program import Program
from engine.basic.validators import Attachment
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
        value = (
            suggestion.value
            if suggestion.kind == "text"
            else f"{suggestion.kind}:{suggestion.value}"
        )
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

    def __init__(
        self,
        root: Path,
        *,
        user_id: str = "ana",
        user_name: str | None = "Ana",
        roles: list[str] | None = None,
        scheduler: Any = None,
        clock: datetime = CLOCK,
    ) -> None:
        self.root = root
        self.package = BotPackage.at(root)
        self.out = Transcript()
        self.clock = FixedClock(clock)
        self.session = SessionState(
            id=f"test-{user_id}",
            bot_name=self.package.name,
            user_id=user_id,
            user_name=user_name,
            channel="web",
            role_names=roles,
        )
        self.services = BotServices(
            self.package,
            AppPaths.from_env().bot_work_dir(self.package.name),
            scheduler=scheduler,
            clock=self.clock,
        )
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
    def run(
        self,
        name: str,
        answers: Iterable[str | Message] = (),
        args: dict[str, Any] | None = None,
        request: dict[str, Any] | None = None,
    ) -> Outcome:
        """Run a script to the end, answering each HEAR with the next answer."""
        self.declare_tables()
        vm = VM(self.host)
        outcome = vm.start(self.program(name), args, request)
        pending = list(answers)
        while outcome.waiting:
            assert pending, f"{name}.bas still waits for input:\n" + "\n".join(self.out.lines[-8:])
            outcome = vm.deliver(pending.pop(0))
        assert outcome.error is None, f"{name}.bas failed: {outcome.error}\n" + "\n".join(
            self.out.lines[-8:]
        )
        assert not pending, f"{name}.bas ended with unused answers {pending}"
        assert not self.out.warnings, self.out.warnings
        return outcome

    def tool_error(self, script: str, /, **args: Any) -> str:
        """Run a tool whose arguments are refused; the error the LLM would get back."""
        self.declare_tables()
        outcome = VM(self.host).start(self.program(script), args)
        assert outcome.error is not None and not outcome.waiting
        return str(outcome.error)

    def tool(self, script: str, /, **args: Any) -> Any:
        """Run a tool with arguments (as the LLM would call it) and return its result."""
        return self.run(script, args=args).result

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
    return frozenset(
        k[6:].lower().replace("-", "_") for k in config.raw() if k.lower().startswith("param-")
    )


@pytest.mark.parametrize("name", ALL)
def test_template_compiles_without_errors_or_warnings(name: str) -> None:
    """What ``hearth check resources/templates`` reports: no error and no warning."""
    scripts = _scripts(name)
    assert any(p.name == "start.bas" for p in scripts)
    for path in scripts:
        source = path.read_text(encoding="utf-8")
        program = compile_source(source, path.stem)
        assert program.diagnostics == [], [d.render(source, str(path)) for d in program.diagnostics]


def _strict_cases() -> list[Any]:
    cases = []
    for name in ALL:
        for path in _scripts(name):
            cases.append(pytest.param(name, path, id=f"{name}/{path.stem}"))
    return cases


@pytest.mark.parametrize(("name", "path"), _strict_cases())
def test_template_script_has_no_undeclared_names(name: str, path: Path) -> None:
    """In strict mode (config basic-strict) too: every name read is assigned, a PARAM or a
    config parameter, so a typo can never reach a user as a NameError."""
    source = path.read_text(encoding="utf-8")
    program = compile_source(source, path.stem, CompileOptions(strict=True, injected=_params(name)))
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
    bot.run(
        "start",
        [
            "Report a problem",
            "3",  # menu by label, area by number (Network)
            "no",  # the quick fixes did not help
            "vpn",  # too short: asked again
            "VPN drops every 10 minutes since Monday",
            "Error 809 in the client",
            "High",  # menu matched by a word of the option
            "not-an-email",
            "ana@example.com",  # HEAR AS EMAIL re-prompts
            "yes",
            "My tickets",
            "yes",
            "1",
            "Switched to the Europe-North gateway",
            "Check a ticket",
            "1001",
            "Done",
        ],
    )
    text = bot.out.text
    assert "Hi Ana! This is the IT helpdesk." in text
    assert "**VPN connects but nothing loads**" in text  # known fix for the network area
    assert "Please give a few more words" in text
    assert "Please enter a valid email address." in text
    assert (
        "Ticket HD-1001 is open (high priority). A technician will pick it up within 4 working "
        "hours." in text
    )
    assert "• HD-1001 [open, high] VPN drops every 10 minutes since Monday" in text
    assert "Closed HD-1001. Thanks for letting us know!" in text
    assert (
        "HD-1001 (VPN drops every 10 minutes since Monday) is closed. Resolution: Switched to the "
        "Europe-North gateway." in text
    )
    assert "+ HD-1001 -> HD-1001" in bot.out.lines  # open tickets offered as a menu

    ticket = bot.rows("tickets")[0]
    assert ticket["requester"] == "ana" and ticket["category"] == "network"
    assert ticket["status"] == "closed" and ticket["email"] == "ana@example.com"
    assert [e["action"] for e in bot.rows("ticket_events")] == ["opened", "closed"]
    assert bot.host.session.kbs == ["troubleshooting"]
    assert bot.host.session.tools == [
        "create-ticket",
        "ticket-status",
        "my-tickets",
        "close-ticket",
    ]
    mails = bot.drive_files("outbox")
    assert len(mails) == 1
    assert "Subject: [HD-1001] HIGH VPN drops every 10 minutes since Monday" in mails[0].read_text()


def test_helpdesk_quick_fix_avoids_a_ticket_and_hand_off_is_queued(install: Any) -> None:
    bot = install("helpdesk")
    bot.run(
        "start",
        ["1", "Account or password", "yes", "Talk to a technician", "Printer on floor 2 is broken"],
    )
    assert "**Forgotten or expired password**" in bot.out.text
    assert "Great! Nothing else to do then." in bot.out.text
    assert bot.rows("tickets") == []
    handoff = json.loads((bot.package.drive_dir / "outbox" / "handoffs.jsonl").read_text())
    assert (
        handoff["department"] == "it-support"
        and handoff["reason"] == "Printer on floor 2 is broken"
    )


def test_helpdesk_search_known_fixes_falls_back_to_single_words(install: Any) -> None:
    bot = install("helpdesk")
    bot.run(
        "start",
        ["Search known fixes", "my printer is offline", "Search known fixes", "zebra", "Done"],
    )
    assert "**Printer shows offline**" in bot.out.text
    assert "I found no known fix for that." in bot.out.text


def test_helpdesk_tools_create_list_check_and_close(install: Any) -> None:
    bot = install("helpdesk")
    created = bot.tool(
        "create-ticket",
        subject="Laptop does not charge",
        category="HARDWARE",
        priority="urgent",
        email="Ana@Example.com",
    )
    assert created["ok"] is True and created["ticket_id"] == "HD-1001"
    assert created["priority"] == "urgent" and "within the hour" in created["message"]
    second = bot.tool("create-ticket", subject="Need Visio installed", category="software")
    assert second["ticket_id"] == "HD-1002" and second["priority"] == "normal"
    rows = bot.rows("tickets", "ORDER BY ticket_id")
    assert [r["category"] for r in rows] == ["hardware", "software"]
    assert rows[1]["email"] == "ana@example.com"  # remembered from the first ticket (user memory)

    listing = bot.tool("my-tickets")
    assert listing.splitlines()[0] == "Your open tickets:"
    assert "• HD-1002 [open, normal] Need Visio installed" in listing
    assert "opened today" in bot.tool("ticket-status", ticket_id="hd-1001")
    assert (
        bot.tool("close-ticket", ticket_id="1002", resolution="Installed by IT")
        == "Closed HD-1002. Thanks for letting us know!"
    )
    assert "not one of your open tickets" in bot.tool("close-ticket", ticket_id="HD-1002")
    assert bot.tool("my-tickets", status="closed").endswith(
        "HD-1002 [closed, normal] Need Visio installed"
    )

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
    agent.host.data.update(
        "tickets", _filter("ticket_id = 'HD-1001'"), {"internal_note": "swap cable"}
    )
    assert agent.rows("tickets")[0]["internal_note"] == "swap cable"
    assert len(agent.rows("ticket_events")) == 1

    employee = install("helpdesk", user_id="ana", roles=["employee"])
    employee.declare_tables()
    row = employee.rows("tickets")[0]
    assert "internal_note" not in row and row["subject"] == "Monitor flickers"
    with pytest.raises(Exception, match=r"(?i)permission|not allowed"):
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
        bot.host.data.save(
            "tickets",
            {
                "ticket_id": f"HD-{number}",
                "requester": "ana",
                "category": category,
                "subject": f"Problem {number}",
                "created": old,
                "updated": old,
            },
        )
    bot.host.data.save(
        "tickets",
        {
            "ticket_id": "HD-1003",
            "requester": "bo",
            "category": "network",
            "subject": "Fresh",
            "created": CLOCK,
            "updated": CLOCK,
        },
    )
    assert bot.run("escalate-stale").result == 2
    assert bot.out.talks == ["2 stale ticket(s) reported to it-support@example.com"]
    mail = bot.drive_files("outbox")[0].read_text()
    assert "Subject: Helpdesk: 2 stale ticket(s)" in mail
    assert "NETWORK" in mail and "HD-1001" in mail and "HD-1003" not in mail


def _filter(text: str) -> Any:
    from engine.basic.filters import parse_filter

    return parse_filter(text)


# -- starter --------------------------------------------------------------------------------


def test_starter_notes_are_per_user(install: Any) -> None:
    ana = install("starter")
    ana.run("start", ["Take a note", "Buy milk", "1", "Call Bo", "List my notes", "Quit"])
    assert "Hello, Ana! I keep short notes for you, on this machine only." in ana.out.talks
    assert ana.host.session.tools == ["add-note"]  # offered to the model (issue 12)
    assert "Saved. You have 2 note(s)." in ana.out.talks
    assert any(t.startswith("• Buy milk  (Mar 10, 09:15)") for t in ana.out.talks)
    assert ana.tool("add-note", text="Renew passport") == "Note 3 saved."

    bo = install("starter", user_id="bo", user_name=None)
    bo.run("start", ["List my notes", "Clear my notes", "yes", "Quit"])
    assert bo.out.talks[:2] == [
        "Hello! I keep short notes for you, on this machine only.",
        "No notes yet.",
    ]
    assert "Removed 0 note(s)." in bo.out.talks
    assert len(ana.rows("notes")) == 3


# -- contacts -------------------------------------------------------------------------------


def test_contacts_dialog_import_add_find_edit_export(install: Any) -> None:
    bot = install("contacts")
    bot.run(
        "start",
        [
            "Import event leads",
            "Import event leads",  # twice: nothing duplicated
            "Add a contact",
            "joão  da silva",
            "Joao@Lusomar.example",
            "yes",
            "+351 (912) 000-111",
            "Lusomar",
            "customer",
            "Add a contact",
            "Marta K",
            "MARTA.KOWALSKI@baltic-freight.example",
            "Role",
            "Head of Logistics",
            "Find a contact",
            "lusomar",
            "2",
            "Add a note",
            "Asked for a demo in May",
            "Find a contact",
            "becker",
            "Edit",
            "E-mail",
            "joao@lusomar.example",
            "Browse by company",
            "Lusomar",
            "Find a contact",
            "priya",
            "Delete",
            "yes",
            "Export to CSV",
            "Done",
        ],
    )
    talks = bot.out.talks
    assert talks[0] == "Hello! The address book has 0 contacts."
    assert talks.count("Imported 4 lead(s): 4 new, 0 updated.") == 1
    assert "Imported 4 lead(s): 0 new, 4 updated." in talks
    assert "Skipped (no e-mail): Lena Fischer" in talks
    assert "Saved João Da Silva as contact #5." in talks  # HEAR AS NAME normalised
    assert (
        "marta.kowalski@baltic-freight.example is already in the address book as Marta Kowalski "
        "(Baltic Freight)." in talks
    )
    assert "Updated Marta Kowalski's role to Head of Logistics." in talks
    assert "2 contacts match. Which one?" in talks
    assert "Another contact already uses joao@lusomar.example. Nothing was changed." in talks
    assert "Lusomar: 2\nBaltic Freight: 1\nBright Labs: 1\nBecker Bau: 1" in talks
    assert (
        "• João Da Silva - joao@lusomar.example\n• João Pereira, CTO - joao.pereira@lusomar.example"
        in talks
    )
    assert "Exported 4 contact(s) to exports/contacts-2026-03-10.csv in the bot's drive." in talks

    joao = bot.rows("contacts", "email = 'joao@lusomar.example'")[0]
    assert (
        joao["phone"] == "+351912000111" and joao["tags"] == "customer" and joao["source"] == "chat"
    )
    silva_notes = bot.rows("contacts", "name = 'João Da Silva'")[0]["notes"]
    assert silva_notes == "2026-03-10: Asked for a demo in May"
    assert bot.rows("contacts", "name LIKE 'priya'") == []
    csv = (bot.package.drive_dir / "exports" / "contacts-2026-03-10.csv").read_text()
    assert csv.splitlines()[0] == "name,email,phone,company,role,city,tags"
    assert (
        "Marta Kowalski,marta.kowalski@baltic-freight.example,+48601234567,Baltic Freight,Head of "
        "Logistics,Gdansk,lead" in csv
    )
    assert bot.host.memory.get_bot("last-import")["inserted"] == 0  # the second import


def test_contacts_tools_upsert_by_email_and_search(install: Any) -> None:
    bot = install("contacts")
    bot.declare_tables()
    assert (
        bot.tool(
            "add-contact",
            name="ana  silva",
            email="Ana@Example.com",
            phone="+351 910 000 000",
            company="Acme",
            city="Lisbon",
            tag="lead",
        )
        == "Added Ana Silva <ana@example.com> as contact #1."
    )
    assert (
        bot.tool(
            "add-contact",
            name="Bo Berg",
            email="bo@example.com",
            company="Acme",
            role="CFO",
            tag="customer",
        )
        == "Added Bo Berg <bo@example.com> as contact #2."
    )
    # same e-mail: an update that keeps what it is not told and merges the tag
    assert (
        bot.tool("add-contact", email="ana@example.com", tag="customer", note="Signed the contract")
        == "Updated Ana Silva <ana@example.com>."
    )
    ana = bot.rows("contacts", "id = 1")[0]
    assert ana["tags"] == "lead,customer" and ana["city"] == "Lisbon"
    assert ana["notes"] == "2026-03-10: Signed the contract" and ana["source"] == "assistant"

    assert bot.tool("find-contact", query="acme") == (
        "Ana Silva - at Acme - ana@example.com - +351910000000\nBo Berg - CFO at Acme - "
        "bo@example.com"
    )
    assert bot.tool("find-contact", query="acme lisbon").startswith("Ana Silva")
    assert bot.tool("find-contact", query="acme", tag="customer", limit=1) == (
        "Ana Silva - at Acme - ana@example.com - +351910000000\n(1 more: refine the search)"
    )
    assert bot.tool("find-contact", query="zebra") == 'No contact matches "zebra".'
    assert "email" in bot.tool_error("add-contact", name="X Y", email="not-an-address")
    assert len(bot.rows("contacts")) == 2


# -- reminders ------------------------------------------------------------------------------


def test_reminders_dialog_books_nudges_and_remembers_the_usual_time(install: Any) -> None:
    scheduler = RecordingScheduler()
    bot = install("reminders", scheduler=scheduler)
    bot.run(
        "start",
        [
            "New reminder",
            "Call the dentist",
            "yesterday",
            "tomorrow",
            "25:00",
            "2pm",
            "Just once",
            "New reminder",
            "Water the plants",
            "today",
            "yes",
            "Every week",
            "New reminder",
            "Stand-up notes",
            "today",
            "no",
            "8am",
            "9:00",
            "10:30",
            "1",
            "What's coming up",
            "Snooze one",
            "1",
            "1 hour",
            "Mark one done",
            "Call the dentist - Wed 11 Mar 14:00",
            "Done",
        ],
    )
    talks = bot.out.talks
    assert talks[0] == "Hi! You are all caught up."
    assert "That day is already behind us." in talks
    assert "Please enter a valid time." in talks
    assert "Reminder #1 set for Wednesday 11 March at 14:00." in talks
    assert "At your usual time, 14:00?" in talks  # REMEMBERed
    assert "Reminder #2 set for Tuesday 10 March at 14:00, repeating weekly." in talks
    assert talks.count("That time has already passed today. At what time then?") == 2
    assert "Reminder #3 set for Tuesday 10 March at 10:30." in talks
    assert (
        "• today at 10:30: Stand-up notes\n• today at 14:00: Water the plants (weekly)\n• "
        "tomorrow at 14:00: Call the dentist" in talks
    )
    assert 'Snoozed "Stand-up notes" until Tue 10 Mar 11:30.' in talks
    assert 'Done: "Call the dentist". Well done!' in talks

    assert scheduler.once == [
        (datetime(2026, 3, 11, 14, 0), "send-due.bas"),
        (datetime(2026, 3, 10, 14, 0), "send-due.bas"),
        (datetime(2026, 3, 10, 10, 30), "send-due.bas"),
        (datetime(2026, 3, 10, 11, 30), "send-due.bas"),
    ]
    rows = {r["text"]: r for r in bot.rows("reminders")}
    assert rows["Call the dentist"]["done"] is True
    assert rows["Stand-up notes"]["due"] == datetime(2026, 3, 10, 11, 30)
    assert bot.host.memory.recall("usual-time", CLOCK) == "10:30"


def test_reminders_without_a_scheduler_fall_back_to_the_digest(install: Any) -> None:
    bot = install("reminders")  # the terminal runner has no scheduler
    result = bot.tool("add-reminder", text="Pay rent", day="2026-03-31")
    assert (
        result
        == "Reminder #1 set for Tuesday 31 March at 09:00 (it will be in your morning digest)."
    )
    assert bot.tool("add-reminder", text="Too late", day="2026-03-10", time="8:00") == (
        "That time has already passed: Tue 10 Mar 08:00."
    )
    assert bot.tool("list-reminders") == "Nothing planned for the next 7 days."
    assert bot.tool("list-reminders", days=30) == "• Mar 31 at 09:00: Pay rent"


def test_reminders_jobs_send_due_reminders_and_the_morning_digest(install: Any) -> None:
    scheduler = RecordingScheduler()
    ana = install("reminders", scheduler=scheduler)
    ana.tool(
        "add-reminder", text="Water the plants", day="2026-03-10", time="10:00", repeat="weekly"
    )
    ana.tool("add-reminder", text="Call the dentist", day="2026-03-11", time="14:00")
    bo = install("reminders", user_id="bo", scheduler=scheduler)
    bo.tool("add-reminder", text="Submit timesheet", day="2026-03-10", time="17:00")
    assert [s.spec for s in ana.program("send-due").module.schedules] == ["every 15 minutes"]
    assert [s.spec for s in ana.program("morning-digest").module.schedules] == ["every day at 9am"]

    later = install(
        "reminders", user_id="system", scheduler=scheduler, clock=datetime(2026, 3, 10, 17, 5)
    )
    assert later.run("send-due").result == 2
    assert later.out.talks == [
        "⏰ ana: Water the plants (due 10:00)",
        "⏰ bo: Submit timesheet (due 17:00)",
    ]
    plants = later.rows("reminders", "text = 'Water the plants'")[0]
    assert plants["due"] == datetime(2026, 3, 17, 10, 0) and plants["notified"] is False
    assert scheduler.once[-1] == (datetime(2026, 3, 17, 10, 0), "send-due.bas")
    assert later.run("send-due").result == 0  # nothing is sent twice

    morning = install("reminders", user_id="system", clock=datetime(2026, 3, 11, 9, 0))
    assert morning.run("morning-digest").result == 2
    assert morning.out.talks == [  # people in the order of their earliest open reminder
        "Good morning bo! Today: nothing. Still open from before: Submit timesheet.",
        "Good morning ana! Today: 14:00 Call the dentist.",
    ]


# -- survey ---------------------------------------------------------------------------------


def test_survey_validates_answers_saves_them_and_asks_only_once(install: Any) -> None:
    bot = install("survey")
    bot.run(
        "start",
        [
            "yes",
            "1",
            "five",
            "9",
            "4",
            "sure",
            "ten",
            "11",
            "10",
            "Great mechanic, fixed my gears in an hour",
        ],
    )
    talks = bot.out.talks
    assert (
        talks[0]
        == "Hi! Thanks for visiting Spoke & Chain Cycles. May I ask you 4 quick questions? It "
        "takes about a minute."
    )
    assert "Please enter a valid whole number." in talks  # HEAR AS INTEGER
    assert "Please answer with a number from 1 to 5." in talks  # the range check
    assert "Please answer with a number from 0 to 10." in talks
    assert "Was your bike ready when we promised?" in talks  # repairs only
    assert talks[-1].startswith("Thank you so much!")
    row = bot.rows("responses")[0]
    assert (row["service"], row["satisfaction"], row["nps"], row["on_time"]) == (
        "Repair or service",
        4,
        10,
        True,
    )
    assert (
        row["comment"] == "Great mechanic, fixed my gears in an hour" and row["respondent"] == "ana"
    )

    again = install("survey")
    again.run("start")
    assert again.out.talks == [
        "You already told us about your last visit - thank you! See you soon at Spoke & Chain "
        "Cycles."
    ]


def test_survey_detractor_asks_for_a_call_back_and_alerts_the_owner(install: Any) -> None:
    bot = install("survey")
    bot.run(
        "start",
        ["y", "Rental", "2", "3", "The bike had a flat tyre after 2 km", "yes", "bo@example.com"],
    )
    assert 'Sorry we let you down. What went wrong? (or "no")' in bot.out.talks
    assert (
        bot.out.talks[-1]
        == "Thank you. Our manager will write to you at bo@example.com within one working day."
    )
    row = bot.rows("responses")[0]
    assert row["contact_ok"] is True and row["on_time"] is None and row["email"] == "bo@example.com"
    mail = bot.drive_files("outbox")[0].read_text()
    assert "To: owner@spokeandchain.example" in mail
    assert "Subject: Unhappy customer wants a call back (2/5, NPS 3)" in mail


def test_survey_declined_or_abandoned_saves_nothing(install: Any) -> None:
    bot = install("survey")
    bot.run("start", ["no"])
    assert bot.out.talks[-1] == "No problem. Have a good ride!"
    other = install("survey", user_id="bo")
    other.run("start", ["yes", "Buying a bike", "0", "9", "6"])  # three out-of-range answers
    assert other.out.talks[-1] == "Let's leave it there - thanks for your time."
    assert bot.rows("responses") == []


def _seed_survey(bot: Bot) -> None:
    bot.declare_tables()
    answers = [
        ("Repair or service", 5, 10, True, "Fast and friendly", 1),
        ("Repair or service", 2, 3, False, "Two days late", 2),
        ("Buying a bike", 4, 9, None, None, 3),
        ("Rental", 3, 7, None, "Helmets were too small", 5),
        ("Repair or service", 4, 8, True, None, 40),
    ]  # older than a month
    for service, satisfaction, nps, on_time, comment, days_ago in answers:
        bot.host.data.save(
            "responses",
            {
                "service": service,
                "satisfaction": satisfaction,
                "nps": nps,
                "on_time": on_time,
                "comment": comment,
                "contact_ok": satisfaction <= 2,
                "submitted": CLOCK - timedelta(days=days_ago),
            },
        )


def test_survey_summary_tool_computes_nps_and_per_service_scores(install: Any) -> None:
    owner = install("survey", user_id="owner", roles=["owner"])
    _seed_survey(owner)
    month = owner.tool("survey-summary")
    assert (month["answers"], month["satisfaction"], month["nps"]) == (4, 3.5, 25)
    assert (
        month["promoters"],
        month["detractors"],
        month["on_time_percent"],
        month["call_backs"],
    ) == (2, 1, 50, 1)
    assert month["by_service"]["Repair or service"] == {"answers": 2, "satisfaction": 3.5}
    assert month["comments"] == [
        "5/5, NPS 10 (Repair or service): Fast and friendly",  # newest first
        "2/5, NPS 3 (Repair or service): Two days late",
        "3/5, NPS 7 (Rental): Helmets were too small",
    ]
    assert "| Buying a bike | 1 | 4.0 |" in month["text"]
    repairs = owner.tool("survey-summary", days=0, service="repair or service")
    assert repairs["answers"] == 3 and repairs["period"] == "all time"
    assert owner.tool("survey-summary", days=7, service="Rental")["answers"] == 1


def test_survey_results_are_for_the_owner_only(install: Any) -> None:
    owner = install("survey", user_id="owner", roles=["owner"])
    _seed_survey(owner)
    owner.run("results", ["Last 30 days", "yes"])
    assert owner.out.talks[1].startswith(
        "## Customer survey, last 30 days\n\n- Answers: 4\n- Average satisfaction: 3.5 / 5\n- "
        "NPS: 25"
    )
    assert owner.out.talks[-1] == "Saved to reports/survey-2026-03-10.md."
    assert (
        (owner.package.drive_dir / "reports" / "survey-2026-03-10.md")
        .read_text()
        .startswith("## Customer survey")
    )

    customer = install("survey", user_id="bo", roles=["customer"])
    customer.run("results", ["All time"])
    assert customer.out.talks[-1] == "The survey results are for the shop owner only."


def test_survey_weekly_report_job_writes_and_mails_the_report(install: Any) -> None:
    job = install("survey", user_id="scheduler")
    assert [s.spec for s in job.program("weekly-report").module.schedules] == [
        "every monday at 8am"
    ]
    _seed_survey(job)
    assert job.run("weekly-report").result == 4
    assert job.out.talks == ["Weekly report (4 answers) sent to owner@spokeandchain.example"]
    assert (job.package.drive_dir / "reports" / "week-2026-03-10.md").is_file()
    mail = job.drive_files("outbox")[0].read_text()
    assert "Subject: Survey last week: NPS 25, satisfaction 3.5/5" in mail
    assert 'filename="week-2026-03-10.md"' in mail


# -- faq ------------------------------------------------------------------------------------


def test_faq_dialog_works_without_a_model_and_prepares_the_assistant(install: Any) -> None:
    bot = install("faq")
    bot.run(
        "start",
        [
            "Browse questions by topic",
            "Fines",
            "2",
            "Ask a question",
            "Is there a late fee for DVDs?",
            "Ask a question",
            "Can I get a telescope delivered to Mars?",
            "Opening hours this week",
            "Contact the library",
            "That's all",
        ],
    )
    talks = bot.out.talks
    assert (
        talks[0]
        == "Welcome to Riverside Public Library! The Main Library is open today from 09:00 to "
        "20:00."
    )
    assert talks[2:5] == [
        "Pick a topic:",
        "Which question?",
        "An item 6 weeks overdue counts as lost and its replacement cost is charged. If you find "
        "and return it within 6 months, the charge is cancelled.",
    ]
    assert (
        "**Do you charge late fees?**\nThere are no overdue fines on books and audiobooks."
        in bot.out.text
    )
    assert (
        "I don't have an answer to that one. Please ask the staff: +1 555 0134 200 or "
        "ask@riverside-library.example." in talks
    )
    assert (
        "Main Library:\nToday (Tuesday 10 March): 09:00-20:00\nWednesday 11 March: 09:00-20:00"
        in bot.out.text
    )
    assert talks[-1] == "Happy reading! You can type any other question at any time."
    # ready for the model: knowledge base, tool, context, system prompt and question buttons
    session = bot.host.session
    assert session.kbs == ["library"] and session.tools == ["opening-hours"]
    assert session.context_name == "visitor" and set(session.contexts) == {"visitor", "kids"}
    assert session.system_prompt.startswith("Today is Tuesday 10 March 2026.")
    assert "+1 555 0134 200" in session.system_prompt
    assert [s.label for s in session.suggestions] == [
        "How do I get a library card?",
        "Do you charge late fees?",
        "Is the library open today?",
        "How do I borrow e-books?",
        "I'm asking for a child",
    ]
    assert session.suggestions[-1].kind == "context" and session.suggestions[-1].value == "kids"


def test_faq_knowledge_base_documents_are_in_place() -> None:
    kb = TEMPLATES / "faq.gbai" / "faq.gbkb" / "library"
    documents = sorted(p.name for p in kb.iterdir())
    assert len(documents) >= 6 and "holiday-closures-2026.txt" in documents
    for path in kb.iterdir():
        assert len(path.read_text(encoding="utf-8")) > 500, f"{path.name} is too thin to be useful"


def test_faq_opening_hours_tool_knows_holidays_and_branches(install: Any) -> None:
    bot = install("faq")
    assert bot.tool("opening-hours") == "Main Library:\nToday (Tuesday 10 March): 09:00-20:00"
    assert bot.tool("opening-hours", day="2026-12-23", days=4) == (
        "Main Library:\nWednesday 23 December: 09:00-20:00\nThursday 24 December: 09:00-13:00 "
        "(Christmas Eve)\n"
        "Friday 25 December: closed (Christmas Day)\nSaturday 26 December: 10:00-17:00"
    )
    assert bot.tool("opening-hours", day="2026-03-14", branch="harbour", days=2) == (
        "Harbour:\nSaturday 14 March: closed\nSunday 15 March: closed"
    )
    assert bot.tool("opening-hours", day="2026-04-03", branch="Northside") == (
        "Northside:\nFriday 3 April: closed (Good Friday)"
    )


# -- expenses -------------------------------------------------------------------------------


def _receipt(bot: Bot, name: str = "taxi.jpg", mime: str = "image/jpeg") -> Message:
    """A message carrying an uploaded file, as a channel delivers it (the file is in uploads/)."""
    path = f"uploads/{name}"
    bot.host.drive.write(path, b"\xff\xd8\xff receipt")
    return Message("", (Attachment(name, path, mime, 13),))


def test_expenses_dialog_logs_with_receipts_and_reports(install: Any) -> None:
    bot = install("expenses")
    bot.run(
        "start",
        [
            "Log an expense",
            "$ 1.234,50",
            "yesterday",
            "Lodging",
            "Hotel Aurora",
            "Client visit Lisbon",
            "yes",
            _receipt(bot, "hotel.pdf", "application/pdf"),
            "Log an expense",
            "twelve",
            "12,90",
            "tomorrow",  # a future date is refused
            "Log an expense",
            "12,90",
            "today",
            "2",
            "Café Central",
            "Lunch with Acme",
            "no",
            "Log an expense",
            "89",
            "2026-03-02",
            "Travel",
            "Taxi",
            "Airport",
            "no",
            "This month",
            "Monthly report as PDF",
            "2026-13",
            "2026-03",
            "Another month",
            "2026-02",
            "Done",
        ],
    )
    talks = bot.out.talks
    assert "Logged $1,234.50 for Lodging on Mar 9 (#1)." in talks
    assert "Please enter a valid amount." in talks  # HEAR AS MONEY
    assert "That date is in the future; expenses are logged once paid." in talks
    assert "Logged $12.90 for Meals on Mar 10 (#2)." in talks
    assert (
        "Logged $89.00 for Travel on Mar 2 (#3). Receipts are required above $75: please send it "
        "from the menu." in talks
    )
    report = next(t for t in talks if t.startswith("# Expenses, March 2026"))
    assert (
        "| Lodging | $1,234.50 |\n| Travel | $89.00 |\n| Meals | $12.90 |\n| **Total** | "
        "**$1,336.40** |" in report
    )
    assert "Budget: $1,500 - 89% used, $163.60 left." in report
    assert "1 item(s) still need attention" in report
    assert "Please write the month as YYYY-MM." in talks
    assert (
        "Your report for 2026-03 is in the bot's drive: reports/expenses-ana-2026-03.pdf" in talks
    )
    assert "# Expenses, February 2026\n\nNo expenses recorded." in talks

    pdf = bot.package.drive_dir / "reports" / "expenses-ana-2026-03.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    hotel = bot.rows("expenses", "id = 1")[0]
    assert hotel["amount"] == 1234.5 and hotel["status"] == "submitted"
    assert hotel["receipt"].startswith("receipts/2026-03/") and hotel["receipt"].endswith(
        "-hotel.pdf"
    )
    assert (bot.package.drive_dir / hotel["receipt"]).is_file()
    assert not (bot.package.drive_dir / "uploads" / "hotel.pdf").exists()  # moved, not copied
    assert bot.rows("expenses", "id = 3")[0]["status"] == "missing receipt"


def _card(bot: Bot, body: Any, token: str = "change-me-to-a-long-random-string") -> Any:
    request = {
        "method": "POST",
        "path": "/api/expenses/webhook/card-transaction",
        "params": {},
        "headers": {"x-feed-token": token, "content-type": "application/json"},
        "body": body,
    }
    return bot.run("card-feed", request=request).result


def test_expenses_card_feed_webhook_and_completing_transactions(install: Any) -> None:
    feed = install("expenses", user_id="card-provider")
    assert feed.program("card-feed").module.webhooks == ["card-transaction"]
    tx = {
        "transaction_id": "TX-9001",
        "card_holder": "ana",
        "amount": "86.4",
        "merchant": "Blue Cab",
        "date": "2026-03-08",
    }
    assert _card(feed, tx, token="wrong") == {"status": 401, "body": {"error": "invalid token"}}
    assert _card(feed, {"card_holder": "ana"})["status"] == 400
    assert _card(feed, tx) == {"status": 201, "body": {"id": 1, "status": "pending"}}
    assert _card(feed, tx) == {
        "status": 200,
        "body": {"id": 1, "status": "pending", "duplicate": True},
    }
    assert (
        _card(feed, {**tx, "transaction_id": "TX-9002", "amount": 18, "merchant": "Cafe Nero"})[
            "status"
        ]
        == 201
    )
    assert "# [INFO] card transaction TX-9001 stored as expense 1" in feed.out.lines

    ana = install("expenses")
    ana.run(
        "start",
        [
            "Complete card transactions",
            "Travel",
            "Taxi to the client",
            "Meals",
            "Coffee with Bo",
            "Done",
        ],
    )
    assert ana.out.talks[0] == "Hi! You have 2 card transaction(s) to complete."
    assert "$86.40 at Blue Cab on Sun 8 Mar. Which category?" in ana.out.talks
    assert "Done - remember to send the receipt for this one." in ana.out.talks
    rows = ana.rows("expenses", "ORDER BY id")
    assert [(r["category"], r["status"], r["source"]) for r in rows] == [
        ("Travel", "missing receipt", "card"),
        ("Meals", "submitted", "card"),
    ]


def test_expenses_tools_and_month_end_job(install: Any) -> None:
    ana = install("expenses")
    assert (
        ana.tool(
            "log-expense",
            amount="42.499",
            category="travel",
            spent_on="2026-02-27",
            merchant="Rail",
        )
        == "Logged $42.50 for Travel on Feb 27 (#1)."
    )
    assert (
        ana.tool("log-expense", amount=0, category="Meals")
        == "Please give the amount paid (more than zero)."
    )
    assert (
        ana.tool("log-expense", amount=10, category="Meals", spent_on="2026-03-11")
        == "The date 2026-03-11 is in the future."
    )
    ana.tool(
        "log-expense",
        amount=1600,
        category="Software",
        spent_on="2026-02-03",
        receipt="receipts/x.pdf",
    )
    report = ana.tool("expense-report", month="2026-02")
    assert report["count"] == 2 and report["total"] == 1642.5
    assert report["by_category"][0] == {"category": "Software", "amount": 1600}
    assert "Budget: $1,500 - 110% used, **$142.50 over**." in report["text"]
    assert (
        ana.tool("expense-report", month="February")
        == "I need the month as YYYY-MM, for example 2026-03."
    )
    assert ana.tool("expense-report")["count"] == 0
    install("expenses", user_id="bo").tool(
        "log-expense", amount=99, category="Training", spent_on="2026-02-10"
    )

    job = install("expenses", user_id="scheduler", clock=datetime(2026, 4, 1, 8, 0))
    assert [s.spec for s in job.program("month-end").module.schedules] == [
        "every month on day 1 at 8am"
    ]
    assert job.run("month-end").result == 0  # nothing in March
    job = install("expenses", user_id="scheduler", clock=datetime(2026, 3, 1, 8, 0))
    assert job.run("month-end").result == 3
    assert job.out.talks == [
        "Month-end summary for February 2026 sent to finance@example.com (3 expenses, 1 not ready)."
    ]
    mail = job.drive_files("outbox")[0].read_text()
    assert "Subject: Expenses February 2026: $1,741.50" in mail
    assert "ana: $1,642.50" in mail and "  Software: $1,600.00" in mail and "bo: $99.00" in mail
    assert "Not ready for approval (1 item(s)): bo" in mail


# -- bookings -------------------------------------------------------------------------------


def test_bookings_dialog_books_lists_cancels_and_requests_a_call(install: Any) -> None:
    bot = install("bookings")
    bot.run(
        "start",
        [
            "Book an appointment",
            "Sports massage",
            "yesterday",
            "2026-03-14",
            "tomorrow",
            "Morning",
            "09:00",
            "maria   lopes",
            "+351 912 000 111",
            "Book an appointment",
            "1",
            "tomorrow",
            "Afternoon",
            "1",
            "yes",
            "My appointments",
            "Cancel an appointment",
            "1",
            "yes",
            "Ask reception to call me",
            "My back pain is worse",
            "Done",
        ],
    )
    talks = bot.out.talks
    assert "Please choose a day between today and 9 April." in talks
    assert "Sorry, Saturday 14 March is fully booked or we are closed." in talks
    assert (
        "Sports massage booked for Maria Lopes on Wednesday 11 March at 09:00 (45 min, $60) at 14 "
        "Northgate Road, 2nd floor." in talks
    )
    assert "Is the appointment for Maria Lopes?" in talks  # user memory
    assert (
        "Initial assessment booked for Maria Lopes on Wednesday 11 March at 12:00 (60 min, $85) "
        "at 14 Northgate Road, 2nd floor." in talks
    )
    assert (
        "Your upcoming appointments:\n• Wed 11 Mar 09:00 - Sports massage (Maria Lopes)\n• Wed 11 "
        "Mar 12:00 - Initial assessment (Maria Lopes)" in talks
    )
    # 09:00 tomorrow is less than 24 hours away at 09:15 today
    assert "This is less than 24 hours away, so 50% of the price will be charged." in talks
    assert "Cancelled. A late-cancellation fee applies." in talks
    assert talks[-3].startswith("Reception will call you today (request #2).")
    # the slot is free again, the appointment is kept as cancelled, reception got two tasks
    assert [e["title"] for e in bot.rows("calendar_events")] == ["Initial assessment - Maria Lopes"]
    assert [a["status"] for a in bot.rows("appointments", "ORDER BY id")] == ["cancelled", "booked"]
    tasks = bot.rows("tasks", "ORDER BY id")
    assert (
        tasks[0]["title"] == "Offer freed slot Wed 11 Mar 09:00" and tasks[0]["priority"] == "high"
    )
    assert (
        tasks[0]["description"]
        == "Sports massage cancelled by Maria Lopes (late cancellation: charge 50%)"
    )
    assert tasks[0]["assignee"] == "reception" and tasks[0]["status"] == "open"
    assert (
        tasks[1]["title"] == "Call back Maria Lopes on +351912000111"
        and tasks[1]["priority"] == "high"
    )


def test_bookings_tools_respect_hours_closures_and_overlaps(install: Any) -> None:
    bot = install("bookings")
    today = bot.tool("available-slots", day="2026-03-10", treatment="Initial assessment")
    assert today[0] == "10:30" and today[-1] == "17:00"  # an hour's notice, and it must fit
    assert bot.tool("available-slots", day="2026-03-14") == []  # Saturday
    booked = bot.tool(
        "book-appointment",
        treatment="sports massage",
        day="2026-03-12",
        time="10am",
        patient="ana silva",
        phone="+351910000000",
    )
    assert (
        booked["ok"] is True
        and "Sports massage booked for Ana Silva on Thursday 12 March at 10:00" in booked["message"]
    )
    free = bot.tool("available-slots", day="2026-03-12", treatment="Follow-up session")
    assert "09:30" in free and "10:00" not in free and "10:30" not in free and "11:00" in free
    clash = bot.tool(
        "book-appointment",
        treatment="Initial assessment",
        day="2026-03-12",
        time="09:30",
        patient="Bo Berg",
        phone="+351910000001",
    )
    assert clash["ok"] is False and clash["message"].startswith(
        "09:30 on Thu 12 Mar is not available. Free times: 08:00, 08:30, 09:00, 11:00"
    )
    assert len(bot.rows("calendar_events")) == 1

    sheet = install("bookings", user_id="scheduler", clock=datetime(2026, 3, 11, 18, 0))
    assert [s.spec for s in sheet.program("day-sheet").module.schedules] == ["every weekday at 6pm"]
    assert sheet.run("day-sheet").result == 1
    mail = sheet.drive_files("outbox")[0].read_text()
    assert "Subject: Day sheet Thu 12 Mar: 1 appointment(s)" in mail
    assert "10:00  Sports massage (45 min)  Ana Silva  +351910000000" in mail
