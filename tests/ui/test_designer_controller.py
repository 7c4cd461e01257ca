"""DesignerController and DebugController on the real engine and the starter template:
live diagnostics, problems, tool schema, saving, new bots, hot reload, and debug runs."""

from __future__ import annotations

import json
from pathlib import Path

from engine.api import Engine
from engine.events import BotDiagnostics
from tests.ui.conftest import LoopRunner, until
from ui.controllers.debug import DebugController
from ui.controllers.designer import DesignerController


def test_opening_a_bot_shows_its_tree_and_start_script(aloop: LoopRunner, engine: Engine) -> None:
    designer = DesignerController(engine)
    designer.load()
    names = [p.name for p in designer.tree.paths()]
    assert {"start.bas", "add-note.bas", "config.csv"} <= set(names)
    assert designer.current is not None and designer.current.name == "start.bas"
    assert designer.problems.rows == []


def test_typing_an_error_shows_a_problem_then_fixing_it_clears_it(aloop: LoopRunner,
                                                                  engine: Engine) -> None:
    designer = DesignerController(engine)
    designer.load()
    path = designer.current
    assert path is not None
    broken = designer.documents[path].text.replace("END SELECT", "END SELEKT")

    async def scenario() -> None:
        designer.edit(path, broken)
        await designer.compiled()

    aloop.run(scenario())
    assert designer.documents[path].modified
    rows = designer.problems.rows
    assert rows and rows[0][0] == "start.bas" and rows[0][1].is_error
    assert designer.problems.cell(0, 2) == f"{rows[0][1].line}:{rows[0][1].col}"
    location = designer.problem_location(0)
    assert location is not None and location[0] == path

    async def fix() -> None:
        designer.edit(path, broken.replace("END SELEKT", "END SELECT"))
        await designer.compiled()

    aloop.run(fix())
    assert designer.problems.rows == []


def test_a_tool_shows_its_openai_schema(aloop: LoopRunner, engine: Engine) -> None:
    designer = DesignerController(engine)
    schemas: list[str] = []
    designer.schema_changed.connect(schemas.append)
    designer.load()
    package = designer.package
    assert package is not None
    designer.open(package.dialog_dir / "add-note.bas")
    schema = json.loads(schemas[-1])
    assert schema["function"]["name"] == "add-note" or schema.get("name") == "add-note" \
        or "add" in json.dumps(schema)
    assert "text" in json.dumps(schema)
    designer.open(package.dialog_dir / "start.bas")
    assert schemas[-1] == ""


def test_saving_recompiles_the_bot(aloop: LoopRunner, engine: Engine) -> None:
    designer = DesignerController(engine)
    designer.load()
    path = designer.current
    assert path is not None
    designer.edit(path, 'TALK "changed"\n')
    assert designer.save()
    assert path.read_text(encoding="utf-8") == 'TALK "changed"\n'
    assert not designer.documents[path].modified
    program = engine.bots.bot("starter").program("start")
    assert program is not None and "changed" in program.source


def test_new_bot_from_a_template(aloop: LoopRunner, engine: Engine) -> None:
    designer = DesignerController(engine)
    designer.load()
    names = [name for name, _ in designer.templates()]
    assert "starter" in names and "helpdesk" in names
    assert dict(designer.templates())["starter"].startswith("A first bot")
    assert designer.new_bot("desk", "helpdesk")
    assert designer.bot == "desk"
    assert any(p.name == "create-ticket.bas" for p in designer.tree.paths())
    errors: list[str] = []
    designer.error.connect(errors.append)
    assert not designer.new_bot("desk", "helpdesk")
    assert errors and "already exists" in errors[0]


def test_a_file_changed_on_disk_reloads_a_clean_document(aloop: LoopRunner,
                                                         engine: Engine) -> None:
    designer = DesignerController(engine)
    designer.load()
    path = designer.current
    assert path is not None
    path.write_text('TALK "from disk"\nIF x THEN\n', encoding="utf-8")
    engine.bots.reload("starter")
    designer.handle(BotDiagnostics("", "starter", str(path), ()))
    assert designer.documents[path].text.startswith('TALK "from disk"')
    assert designer.problems.rows and designer.problems.rows[0][1].is_error


def test_hot_reload_follows_the_engine_watcher(aloop: LoopRunner, hearth_home: Path) -> None:
    from app.engine_factory import TEMPLATES
    from engine.api import EngineConfig

    engine = Engine(EngineConfig.under(hearth_home, TEMPLATES, run_scheduler=False))
    aloop.run(engine.open())
    engine.new_bot("starter", "starter")
    designer = DesignerController(engine)
    designer.load()
    designer.follow()
    path = designer.current
    assert path is not None

    async def scenario() -> None:
        await until(lambda: designer.tasks.pending == 1)
        await __import__("asyncio").sleep(0.5)
        path.write_text('TALK "edited elsewhere"\n', encoding="utf-8")
        await until(lambda: "edited elsewhere" in designer.documents[path].text, timeout=15,
                    what="the watcher")

    aloop.run(scenario())
    aloop.run(designer.aclose())
    aloop.run(engine.aclose())


DEBUGGED = """\
total = 0
SUB add(n)
  total = total + n
END SUB
add 2
HEAR name
TALK "hi " + name + ", total " + total
"""


def test_debug_run_steps_pauses_at_breakpoints_and_answers_hear(aloop: LoopRunner,
                                                               engine: Engine) -> None:
    debug = DebugController(engine.bots)
    states: list[str] = []
    debug.state_changed.connect(states.append)
    debug.toggle_breakpoint("probe", 3)

    async def scenario() -> None:
        debug.start("starter", "probe", DEBUGGED, step=True)
        await until(lambda: debug.state == "paused")
        assert debug.last_pause is not None and debug.last_pause.line == 1
        debug.run()
        await until(lambda: debug.state == "paused" and debug.last_pause
                    and debug.last_pause.line == 3)
        assert [f.name for f in debug.stack.rows] == ["probe › add", "probe"]
        assert debug.locals.cell(0, 0) == "n" and debug.locals.cell(0, 1) == "2"
        debug.select_frame(1)
        assert "total" in [v.name for v in debug.locals.rows]
        debug.step_out()
        await until(lambda: debug.state == "paused")
        assert debug.last_pause is not None and debug.last_pause.line == 6
        debug.run()
        await until(lambda: debug.state == "waiting")
        debug.answer("Ana")
        await until(lambda: debug.state == "finished")

    aloop.run(scenario())
    assert debug.transcript[-3:] == ["> Ana", "< hi Ana, total 2", "-- Finished."]
    assert "waiting" in states and "paused" in states
    aloop.run(debug.aclose())


def test_debug_refuses_a_script_with_errors_and_can_stop(aloop: LoopRunner,
                                                        engine: Engine) -> None:
    debug = DebugController(engine.bots)
    errors: list[str] = []
    debug.error.connect(errors.append)
    debug.start("starter", "bad", "IF x THEN\n")
    assert errors and errors[0].startswith("bad.bas cannot run: line")

    async def scenario() -> None:
        debug.start("starter", "loop", 'DO\n  x = x + 1\nLOOP', step=True)
        await until(lambda: debug.state == "paused")
        debug.stop()
        await until(lambda: debug.state == "finished")

    aloop.run(scenario())
    assert debug.transcript[-1] == "-- Stopped."
    aloop.run(debug.aclose())


def test_debug_runs_use_the_bots_real_tables(aloop: LoopRunner, engine: Engine) -> None:
    debug = DebugController(engine.bots)

    async def scenario() -> None:
        debug.start("starter", "probe", 'SAVE "notes", {text: "x"}\nTALK COUNT("notes", "*")')
        await until(lambda: debug.state == "finished")

    aloop.run(scenario())
    assert "< 1" in debug.transcript
    aloop.run(debug.aclose())
