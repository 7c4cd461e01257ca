"""The host of a debug run: the bot's real services (tables, drive, memory, HTTP guard) seen
by a throw-away session, with an output that writes the conformance transcript notation
(``< said``, ``+ label -> value``, ``# log``) instead of chat events."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from engine.basic.host import Host, Suggestion
from engine.basic.values import text as basic_text
from engine.sessions.state import SessionState
from ui.ports import BotRegistryPort

Emit = Callable[[str], None]


class TranscriptOutput:
    """``Output`` of a debug run; ``emit`` is called on the run's thread, one line at a time."""

    def __init__(self, emit: Emit) -> None:
        self._emit = emit

    def talk(self, text: str) -> None:
        for part in text.split("\n"):
            self._emit(f"< {part}" if part else "<")

    def suggest(self, suggestion: Suggestion) -> None:
        value = suggestion.value if suggestion.kind == "text" else \
            f"{suggestion.kind}:{suggestion.value}"
        self._emit(f"+ {suggestion.label} -> {value}")

    def clear_suggestions(self, switchers: bool = False) -> None:
        self._emit("+ clear switchers" if switchers else "+ clear")

    def log(self, text: str) -> None:
        self._emit(f"# {text}")

    def warn(self, text: str) -> None:
        self._emit(f"# warning: {text}")


def debug_session(bot: str) -> SessionState:
    return SessionState(id=f"debug-{uuid.uuid4().hex[:12]}", bot_name=bot, user_id="designer",
                        user_name="Designer", channel="debug",
                        started_at=datetime.now().replace(microsecond=0))


def debug_host(bots: BotRegistryPort, bot: str, emit: Emit) -> Host:
    """A host over the bot's shared services for one debug run."""
    services = bots.services(bot)
    host: Host = services.host(debug_session(bot), TranscriptOutput(emit))
    return host


def result_line(value: object) -> str:
    return f"= {basic_text(value)}"
