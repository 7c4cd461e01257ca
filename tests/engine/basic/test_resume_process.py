"""A dialog suspended at HEAR resumes in another process (BASIC.md §12.4).

The parent process runs an order dialog up to some answer, writes the VM snapshot and the
session state to disk and closes everything; a child process (this file run as a script)
rebuilds a host over the same bot folder (the same SQLite database, memory database and
drive), restores the snapshot and delivers the remaining answers. Its transcript must
continue the parent's exactly as an uninterrupted run does.

The dialog keeps real state across the suspension: a DO loop, a SUB with HEARs inside a WITH
block and a FOR loop (called as a statement, so a procedure frame is on the stack), ON ERROR
RESUME NEXT with a trapped error, SAVE/FIND on the bot's tables, a drive file, bot memory,
session keys and a CALL of another script.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from engine.basic import values
from engine.basic.compiler import CompileOptions
from engine.basic.vm import VM, Outcome
from engine.bots.config import BotConfig, parse_config
from engine.sessions.state import SessionState
from tests.conformance import harness

REPO = Path(__file__).resolve().parents[3]
NOW = datetime(2026, 1, 15, 10, 30)

DIALOG = """\
' Collects order items; every HEAR is a point where the run may be suspended.
SUB ask_item(n)
  WITH item
    .n = n
    TALK "Item " & n & ": what do you need?"
    HEAR name AS NAME
    TALK "How many " & .name & "?"
    HEAR qty AS INTEGER
  END WITH
  tags = []
  FOR t = 1 TO 2
    TALK "Tag " & t & " for " & item.name & "?"
    HEAR tag
    IF tag <> "" THEN PUSH tags, LCASE(tag)
  NEXT
  item.tags = tags
END SUB

ADD SUGGESTION "done" AS "I'm done"
SET CONTEXT "orders" AS "The user is placing an order."
SET SESSION "stage", "collecting"
ON ERROR RESUME NEXT
count = 0
total = 0
DO
  count += 1
  item = NULL
  ask_item count
  id = SAVE "orders", item
  total = total + item.qty
  per_unit = 100 / item.qty
  IF ERR THEN
    TALK "Noted: no units of " & item.name & " (" & ERR.kind & " at line " & ERR.line & ")"
    CLEAR ERROR
  END IF
  APPEND "orders/log.txt", item.name & " x" & item.qty
  SET BOT MEMORY "orders_seen", count
  TALK "Saved #" & id & ". Another item?"
  HEAR more AS BOOLEAN
LOOP WHILE more
SET SESSION "stage", "summary"
rows = FIND "orders", "qty >= 0 ORDER BY qty DESC"
FOR EACH r IN rows
  TALK r.name & ": " & r.qty & " [" & JOIN(r.tags, ", ") & "]"
NEXT
size = CALL describe(total)
log = READ "orders/log.txt" AS LINES
context = GET "session.context_name"
TALK count & " items, " & total & " units, a " & size & "; " & COUNT(log) & " log lines"
TALK "memory " & GET BOT MEMORY("orders_seen") & ", stage " & GET SESSION("stage") & ", " & context
"""

DESCRIBE = """\
PARAM units AS INTEGER
IF units > 5 THEN RETURN "big order"
RETURN "small order"
"""

ANSWERS = [
    "widget", "3", "Red", "", "yes",  # item 1
    "gadget", "lots", "0", "blue", "Small", "y",  # item 2: one retry, then a trapped error
    "sprocket", "x", "y", "z", "big", "fast", "no",  # item 3: three bad answers give up
]


# --- the host, shared by both processes ----------------------------------------------------


def make_bot(root: Path) -> Path:
    bot = root / "testbot.gbai"
    dialog = bot / "testbot.gbdialog"
    dialog.mkdir(parents=True)
    (dialog / "main.bas").write_text(DIALOG, encoding="utf-8")
    (dialog / "describe.bas").write_text(DESCRIBE, encoding="utf-8")
    return bot


def new_host(bot: Path, session: SessionState) -> harness.TestHost:
    rows, _ = parse_config("")
    config = BotConfig(rows, {"language": "en", "locale": "en"})
    return harness.TestHost(bot, config, harness.TestClock(NOW), harness.Recorder(),
                            harness.ScriptedLlm([]), session, CompileOptions())


def close(host: harness.TestHost) -> None:
    host.data.close()  # type: ignore[attr-defined]
    host.memory.close()  # type: ignore[attr-defined]


def deliver(vm: VM, host: harness.TestHost, outcome: Outcome, answers: list[str]) -> Outcome:
    for answer in answers:
        assert outcome.waiting, f"the run ended before the answer {answer!r}"
        host.output.lines.append(f"> {answer}")
        outcome = vm.deliver(answer)
    return outcome


def ending(outcome: Outcome) -> list[str]:
    if outcome.waiting:
        return ["… still waiting"]
    if outcome.error is not None:
        return [f"! {outcome.error}"]
    return [f"= {values.json_text(outcome.result)}"]


def start(bot: Path, answers: list[str]) -> tuple[VM, harness.TestHost, Outcome]:
    host = new_host(bot, harness.new_session(NOW))
    program = host.scripts.load("main")
    assert program is not None
    assert program.ok, [d.transcript() for d in program.errors]
    vm = VM(host)
    outcome = deliver(vm, host, vm.start(program), answers)
    return vm, host, outcome


# --- the child process --------------------------------------------------------------------


def resume(state_file: Path) -> dict[str, Any]:
    """Restore the suspended run described by ``state_file`` and deliver its answers."""
    state = json.loads(state_file.read_text(encoding="utf-8"))
    host = new_host(Path(state["bot"]), SessionState.from_json(state["session"]))
    program = host.scripts.load("main")
    assert program is not None
    vm = VM(host)
    if not vm.restore(state["snapshot"], program):
        raise SystemExit("the suspended run did not restore")
    outcome = deliver(vm, host, Outcome(True), state["answers"])
    result = {"lines": host.output.lines + ending(outcome), "session": host.session.to_json(),
              "pid": os.getpid()}
    close(host)
    return result


def run_child(state_file: Path) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, __file__, str(state_file)], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


# --- the tests ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    bot = make_bot(tmp_path_factory.mktemp("straight"))
    _vm, host, outcome = start(bot, ANSWERS)
    result = {"lines": host.output.lines + ending(outcome), "session": host.session.to_json()}
    close(host)
    return result


def test_the_uninterrupted_run_does_what_the_dialog_says(uninterrupted: dict[str, Any]) -> None:
    lines = uninterrupted["lines"]
    assert lines[:3] == ["+ I'm done -> context:done", "< Item 1: what do you need?",
                         "> widget"]
    assert "< Noted: no units of Gadget (DivisionByZero at line 31)" in lines
    assert "< Noted: no units of Sprocket (DivisionByZero at line 31)" in lines
    assert lines.count("< Please enter a valid whole number.") == 3
    assert lines[-5:] == ["< Widget: 3 [red]",
                          "< Gadget: 0 [blue, small]",
                          "< 3 items, 3 units, a small order; 3 log lines",
                          "< memory 3, stage summary, orders",
                          "= null"]
    session = uninterrupted["session"]
    assert session["variables"] == {"stage": "summary"}
    assert session["context_name"] == "orders"
    assert [s["label"] for s in session["suggestions"]] == ["I'm done"]


@pytest.mark.parametrize(
    "split",
    [1,  # in ask_item, inside WITH, waiting for the first quantity
     7,  # in ask_item, after a re-prompt (attempt count 1)
     9,  # in ask_item's FOR loop, second item
     14,  # two invalid quantities given: the next bad one gives up
     17],  # at the top level, three items saved to the database
)
def test_resumed_in_a_new_process(tmp_path: Path, uninterrupted: dict[str, Any],
                                  split: int) -> None:
    bot = make_bot(tmp_path)
    vm, host, outcome = start(bot, ANSWERS[:split])
    assert outcome.waiting
    state_file = tmp_path / "suspended.json"
    state = {"bot": str(bot), "snapshot": vm.snapshot(), "session": host.session.to_json(),
             "answers": ANSWERS[split:]}
    state_file.write_text(json.dumps(state), encoding="utf-8")
    before = list(host.output.lines)
    close(host)
    del vm, host

    child = run_child(state_file)

    assert child["pid"] != os.getpid()
    assert before + child["lines"] == uninterrupted["lines"]
    assert child["session"] == uninterrupted["session"]


def test_the_snapshot_holds_a_procedure_frame_and_its_state(tmp_path: Path) -> None:
    vm, host, _outcome = start(make_bot(tmp_path), ANSWERS[:9])
    snapshot = json.loads(json.dumps(vm.snapshot()))
    close(host)
    frames = snapshot["frames"]
    assert [(f["script"], f["proc"], f["on_error"]) for f in frames] == [
        ("main", None, "resume"), ("main", "ask_item", "off")]
    assert values.decode(snapshot["data"])["vars"][1]["tags"] == ["blue"]


if __name__ == "__main__":
    print(json.dumps(resume(Path(sys.argv[1]))))
