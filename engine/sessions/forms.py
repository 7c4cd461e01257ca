"""A form posted from the web chat or the desktop runs the bot's ``ON FORM SUBMIT``
handlers in the session (docs/basic-compatibility.md F1).

The message's ``form`` is ``{"name": str, "fields": {name: value}}``. Every handler of every
compiled script of the bot that takes this form runs in turn, in the session (its TALKs reach
the user), each in a run of its own; a bot with no handler says so once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.basic import values
from engine.basic.formsubmit import form_event_value, form_events, form_globals
from engine.events import MessageType

if TYPE_CHECKING:
    from collections.abc import Callable

    from engine.basic.program import ProcCode, Program
    from engine.basic.vm import VM, Outcome
    from engine.bots.registry import CompiledBot
    from engine.sessions.manager import SessionManager
    from engine.sessions.state import SessionState

NO_HANDLER = "This bot does not take forms."


def form_parts(form: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The form's name and fields, as text keys (a missing part is empty)."""
    name = values.text(form.get("name")) if form.get("name") is not None else ""
    fields = form.get("fields")
    return name, dict(fields) if isinstance(fields, dict) else {}


async def submit_form(manager: SessionManager, state: SessionState, compiled: CompiledBot,
                      form: dict[str, Any]) -> int:
    """Run the handlers that take this form; returns how many ran."""
    name, fields = form_parts(form)
    summary = f"(form {name or 'submitted'}: {', '.join(sorted(fields)) or 'no fields'})"
    await manager._record(state, "user", summary, MessageType.USER)
    ran = 0
    event = form_event_value(name, fields)
    extra = form_globals(fields)
    keys = form_events(name)
    for program in list(compiled.programs.values()):
        if not program.ok:
            continue
        for key in keys:
            for handler in program.handlers.get(key, []):
                ran += 1
                await manager._run(state, program, _handler_run(program, handler, event, extra))
    if ran == 0:
        await manager._say(state, NO_HANDLER)
    return ran


def _handler_run(program: Program, handler: ProcCode, event: dict[str, Any],
                 extra: dict[str, Any]) -> Callable[[VM], Outcome]:
    return lambda vm: vm.start_handler(program, handler, event, extra)
