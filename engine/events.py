"""What the engine tells its shells: frozen events, one class per kind.

Every shell (desktop, WebSocket, terminal) listens to the same events. ``BotResponse``
mirrors the chat protocol of ARCHITECTURE.md §8 so the server can send it as is.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, is_dataclass
from datetime import datetime
from enum import IntEnum
from functools import cache
from typing import Any

_FIELDS: dict[type, tuple[str, ...]] = {}


def _field_names(kind: type) -> tuple[str, ...]:
    names = _FIELDS.get(kind)
    if names is None:
        names = _FIELDS[kind] = tuple(f.name for f in fields(kind))
    return names


class MessageType(IntEnum):
    """``message_type`` codes of the chat protocol (§8)."""

    EXTERNAL = 0
    USER = 1
    BOT = 2
    CONTINUE = 3
    SUGGESTION = 4
    CONTEXT_CHANGE = 5
    TOOL = 6
    SYSTEM = 7
    SWITCHER = 8
    CANCEL = 9


@dataclass(frozen=True, slots=True)
class SuggestionDTO:
    text: str
    kind: str = "text"  # text | context | tool
    value: str | None = None
    tool: str | None = None


@dataclass(frozen=True, slots=True)
class SwitcherDTO:
    id: str
    label: str


@dataclass(frozen=True, slots=True)
class CitationDTO:
    n: int
    source: str
    page: int | None = None
    snippet: str = ""


@dataclass(frozen=True, slots=True)
class UserMessage:
    """A message from a person (§8 ``UserMessage``)."""

    session_id: str
    content: str
    message_type: MessageType = MessageType.USER
    media_url: str | None = None
    context_name: str | None = None
    active_switchers: tuple[str, ...] = ()
    attachments: tuple[dict[str, Any], ...] = ()
    timestamp: datetime = field(default_factory=datetime.now)
    form: dict[str, Any] | None = None  # a posted form: {"name": str, "fields": {…}}


@dataclass(frozen=True, slots=True)
class Event:
    session_id: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (``type`` names the class); built by hand: events are hot."""
        data: dict[str, Any] = {"type": type(self).__name__}
        for name in _field_names(type(self)):
            value = getattr(self, name)
            if type(value) is tuple and value and is_dataclass(value[0]):
                value = [asdict(item) for item in value]
            elif type(value) is datetime:
                value = value.isoformat()
            data[name] = value
        return data


@dataclass(frozen=True, slots=True)
class BotResponse(Event):
    """One chunk (``is_complete`` False) or one whole message of the bot (§8)."""

    content: str
    message_type: MessageType = MessageType.BOT
    is_complete: bool = True
    suggestions: tuple[SuggestionDTO, ...] = ()
    switchers: tuple[SwitcherDTO, ...] = ()
    citations: tuple[CitationDTO, ...] = ()
    context_name: str | None = None
    model: str | None = None  # the model that wrote an LLM answer (None: a script's TALK)


@dataclass(frozen=True, slots=True)
class ToolExecution(Event):
    tool: str
    arguments: dict[str, Any]
    result: str | None = None
    finished: bool = False


@dataclass(frozen=True, slots=True)
class DialogWaiting(Event):
    """The session's dialog waits for an answer (a HEAR)."""

    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TurnFinished(Event):
    """Everything the engine had to say about one user message has been said."""

    error: str | None = None


@dataclass(frozen=True, slots=True)
class ScriptLog(Event):
    """PRINT / LOG_* lines and engine warnings of a run (never shown in the chat)."""

    bot: str
    text: str
    warning: bool = False


@dataclass(frozen=True, slots=True)
class BotDiagnostics(Event):
    """A bot's scripts were (re)compiled: the problems found (``session_id`` is empty)."""

    bot: str
    file: str
    diagnostics: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class JobFinished(Event):
    """A scheduled job ran (``session_id`` is the job's run id)."""

    bot: str
    script: str
    output: tuple[str, ...] = ()
    error: str | None = None


_NESTED: dict[str, type[Any]] = {"suggestions": SuggestionDTO, "switchers": SwitcherDTO,
                                  "citations": CitationDTO}


@cache
def event_types() -> dict[str, type[Event]]:
    found: dict[str, type[Event]] = {}
    pending: list[type[Event]] = [Event]
    while pending:
        kind = pending.pop()
        for sub in kind.__subclasses__():
            found[sub.__name__] = sub
            pending.append(sub)
    return found


def event_from_json(data: dict[str, Any]) -> Event | None:
    """The typed event of a bus message (``to_json`` output); None for an unknown type."""
    kind = event_types().get(str(data.get("type")))
    if kind is None:
        return None
    fields = {k: v for k, v in data.items() if k != "type"}
    for name, nested in _NESTED.items():
        if name in fields:
            fields[name] = tuple(nested(**item) for item in fields[name])
    for name in ("options", "diagnostics", "output"):
        if name in fields and isinstance(fields[name], list):
            fields[name] = tuple(fields[name])
    if "message_type" in fields:
        fields["message_type"] = MessageType(fields["message_type"])
    return kind(**fields)
