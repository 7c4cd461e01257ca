"""The keyword handler registry: every effect keyword is one registered function.

A handler gets the running VM and an :class:`Invocation` (evaluated arguments and clauses,
plus the pieces some keywords need: the inline WHERE as a query, UPDATE's SET list, a store
for PUSH's target) and returns the keyword's value. Built-in keywords register through the
same ``keyword`` decorator a plug-in would use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from engine.basic import ast
from engine.basic.query import Query, Value

if TYPE_CHECKING:
    from engine.basic.vm import VM, Frame


@dataclass(slots=True)
class Invocation:
    args: list[Value]
    clauses: dict[str, list[Value]]
    command: ast.Command
    frame: Frame
    query: Query | None = None
    sets: dict[str, Value] = field(default_factory=dict)
    store: Callable[[Frame, Any], None] | None = None

    def arg(self, index: int, default: Value = None) -> Value:
        return self.args[index] if index < len(self.args) else default

    def clause(self, word: str) -> list[Value] | None:
        return self.clauses.get(word)

    @property
    def line(self) -> int:
        return self.command.line


Handler = Callable[["VM", Invocation], Value]

HANDLERS: dict[str, Handler] = {}


def keyword(*phrases: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        for phrase in phrases:
            if phrase in HANDLERS:
                raise RuntimeError(f"keyword {phrase} registered twice")
            HANDLERS[phrase] = fn
        return fn

    return register


def load_all() -> None:
    """Import every built-in keyword module (each registers its handlers)."""
    from engine.basic.keywords import (  # noqa: F401
        ai,
        api,
        data,
        dialog,
        files,
        messaging,
        state,
    )
