"""A session's dialog and AI state (BASIC.md §5.5–5.9, §6, §8.2) as one plain value.

It implements the BASIC host's ``SessionService`` and round-trips through JSON
(:meth:`SessionState.to_json` / :meth:`SessionState.from_json`) so a session outlives the
process that created it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from engine.basic import values
from engine.basic.host import Suggestion
from engine.basic.query import Value

_ALIASES = {"session_id": "id"}


@dataclass
class SessionState:
    id: str
    bot_name: str
    user_id: str | None = None
    user_name: str | None = None
    user_email: str | None = None
    user_phone: str | None = None
    channel: str = "web"
    language: str = "en"
    started_at: datetime = field(default_factory=datetime.now)
    suggestions: list[Suggestion] = field(default_factory=list)
    switchers: list[Suggestion] = field(default_factory=list)
    contexts: dict[str, str] = field(default_factory=dict)
    context_name: str | None = None
    tools: list[str] = field(default_factory=list)
    kbs: list[str] = field(default_factory=list)
    websites: list[str] = field(default_factory=list)
    model: str | None = None
    system_prompt: str = ""
    variables: dict[str, Value] = field(default_factory=dict)
    role_names: list[str] | None = None  # None: every role
    turns: int = 0  # committed turns: a turn's bot-table writes are journalled as turn n+1
    other_sessions: Callable[[str, str], Value] | None = field(default=None, repr=False,
                                                               compare=False)

    # -- SessionService --------------------------------------------------------------------
    def get(self, key: str) -> Value:
        name = _ALIASES.get(key.lower(), key.lower())
        builtin = self._builtin(name)
        if builtin is not _MISSING:
            return builtin
        return values.map_get(self.variables, key)

    def _builtin(self, name: str) -> Any:
        if name in ("id", "bot_name", "user_id", "user_name", "user_email", "user_phone",
                    "channel", "language", "started_at", "model"):
            return getattr(self, name)
        if name == "bot_id":
            return self.bot_name
        if name == "context":
            return self.contexts.get(self.context_name) if self.context_name else None
        if name == "context_name":
            return self.context_name
        if name == "system_prompt":
            return self.system_prompt or None
        if name in ("tools", "kbs", "websites"):
            return list(getattr(self, name))
        return _MISSING

    def set(self, key: str, value: Value) -> None:
        if value is None:
            for existing in [k for k in self.variables if k.lower() == key.lower()]:
                del self.variables[existing]
            return
        values.map_set(self.variables, key, value)

    def get_other(self, session_id: str, key: str) -> Value:
        if session_id == self.id:
            return self.get(key)
        return self.other_sessions(session_id, key) if self.other_sessions else None

    def add_suggestion(self, suggestion: Suggestion) -> None:
        self.suggestions.append(suggestion)

    def clear_suggestions(self) -> None:
        self.suggestions.clear()

    def add_switcher(self, suggestion: Suggestion) -> None:
        self.switchers.append(suggestion)

    def clear_switchers(self) -> None:
        self.switchers.clear()

    def set_context(self, name: str, text: str) -> None:
        self.contexts[name] = text
        self.context_name = name

    def activate_context(self, name: str) -> bool:
        """A context suggestion was pressed: activate it if it exists (§5.7)."""
        if name in self.contexts:
            self.context_name = name
            return True
        return False

    def add_tool(self, name: str) -> None:
        if name not in self.tools:
            self.tools.append(name)

    def clear_tools(self) -> None:
        self.tools.clear()

    def use_kb(self, name: str) -> None:
        if name not in self.kbs:
            self.kbs.append(name)

    def clear_kb(self, name: str | None) -> None:
        if name is None or name.upper() == "ALL":
            self.kbs.clear()
        elif name in self.kbs:
            self.kbs.remove(name)

    def use_website(self, url: str, refresh: str | None) -> None:
        if url not in self.websites:
            self.websites.append(url)

    def clear_websites(self) -> None:
        self.websites.clear()

    def use_model(self, name: str | None) -> None:
        self.model = name

    def append_system_prompt(self, text: str) -> None:
        self.system_prompt = f"{self.system_prompt}\n\n{text}" if self.system_prompt else text

    def set_user(self, user_id: str) -> None:
        self.user_id = user_id

    @property
    def roles(self) -> frozenset[str] | None:
        return frozenset(self.role_names) if self.role_names is not None else None

    # -- persistence -----------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        """Plain JSON data (written on every turn: built directly, not with ``asdict``)."""
        data: dict[str, Any] = {name: getattr(self, name) for name in _PLAIN}
        data["started_at"] = self.started_at.isoformat()
        data["variables"] = values.encode(self.variables)
        data["suggestions"] = [_suggestion(s) for s in self.suggestions]
        data["switchers"] = [_suggestion(s) for s in self.switchers]
        for name in ("contexts", "tools", "kbs", "websites"):
            data[name] = type(data[name])(data[name])  # a copy, never the live container
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SessionState:
        fields = dict(data)
        fields["started_at"] = datetime.fromisoformat(fields["started_at"])
        fields["variables"] = values.decode(fields["variables"])
        for name in ("suggestions", "switchers"):
            fields[name] = [Suggestion(**s) for s in fields[name]]
        return cls(**fields)


_PLAIN = ("id", "bot_name", "user_id", "user_name", "user_email", "user_phone", "channel",
          "language", "contexts", "context_name", "tools", "kbs", "websites", "model",
          "system_prompt", "role_names", "turns")


def _suggestion(s: Suggestion) -> dict[str, str]:
    return {"label": s.label, "value": s.value, "kind": s.kind}


class _Missing:
    pass


_MISSING = _Missing()
