"""What a new session says when its start dialog cannot run (docs/basic-compatibility.md K2).

A ``start.bas`` with syntax errors is not run (BASIC.md §12.2); rather than open the chat in
silence (or with a welcome message that hides the problem), the session shows the errors
with their lines, so the person who brought the bot sees what to fix.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from engine.bots.registry import CompiledBot

_SHOWN = 5


def broken_start(compiled: CompiledBot, script: str) -> str | None:
    """The message for a start dialog that failed to compile, or None when it is fine or
    missing."""
    program = compiled.programs.get(script.lower().removesuffix(".bas"))
    if program is None or program.ok:
        return None
    errors = [d for d in program.diagnostics if d.is_error]
    lines = [f"- line {d.line}, column {d.col}: {d.message}" for d in errors[:_SHOWN]]
    if len(errors) > _SHOWN:
        lines.append(f"- … and {len(errors) - _SHOWN} more")
    name = script if script.lower().endswith(".bas") else f"{script}.bas"
    return f"The start dialog {name} has errors and did not run:\n" + "\n".join(lines)
