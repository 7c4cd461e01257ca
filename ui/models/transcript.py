"""The conversation shown in the Chat view: one row per message, tool call or error.

Rows are immutable :class:`ChatEntry` values; streaming replaces the last row's entry with a
longer one (``dataChanged``), so the transcript widget re-renders only that row.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt

from engine.events import CitationDTO, MessageType
from engine.sessions.store import ChatMessage

Role = Literal["user", "bot", "tool", "error", "notice"]
ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
_CITE = re.compile(r"\[(\d{1,3})\]")
Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True, slots=True)
class ChatEntry:
    role: Role
    text: str
    at: datetime
    streaming: bool = False
    citations: tuple[CitationDTO, ...] = ()
    tool: str = ""
    arguments: str = ""
    result: str | None = None

    @property
    def finished_tool(self) -> bool:
        return self.role == "tool" and self.result is not None

    def markdown(self, row: int) -> str:
        """The entry as Markdown; ``[n]`` markers become ``cite:ROW:N`` links."""
        if self.role == "tool":
            result = self.result if self.result is not None else "running…"
            return (f"**Tool** `{self.tool}` `{self.arguments}`\n\n"
                    f"> {result.strip() or '(no result)'}")
        if not self.citations:
            return self.text
        known = {c.n for c in self.citations}

        def link(match: re.Match[str]) -> str:
            n = int(match.group(1))
            return f"[\\[{n}\\]](cite:{row}:{n})" if n in known else match.group(0)

        return _CITE.sub(link, self.text)


def entry_from_history(message: ChatMessage) -> ChatEntry | None:
    """A stored message as a transcript row (system rows are not shown)."""
    if message.role == "user":
        return ChatEntry("user", message.content, message.created_at)
    if message.role == "bot":
        citations = tuple(CitationDTO(**c) for c in message.meta.get("citations", ()))
        return ChatEntry("bot", message.content, message.created_at, citations=citations)
    if message.role == "tool":
        return ChatEntry("tool", "", message.created_at, tool=message.meta.get("tool", "tool"),
                         arguments=message.content, result=message.meta.get("result", ""))
    return None


def tool_arguments(arguments: dict[str, Any]) -> str:
    return json.dumps(arguments, ensure_ascii=False, default=str)


def user_kind(message_type: int) -> bool:
    return message_type in (MessageType.USER, MessageType.SUGGESTION, MessageType.TOOL)


class TranscriptModel(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self._entries: list[ChatEntry] = []

    # -- Qt ----------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._entries)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._entries):
            return None
        entry = self._entries[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.text if entry.role != "tool" else f"{entry.tool} {entry.arguments}"
        if role == ENTRY_ROLE:
            return entry
        return None

    # -- editing -----------------------------------------------------------------------------
    @property
    def entries(self) -> list[ChatEntry]:
        return list(self._entries)

    def entry(self, row: int) -> ChatEntry:
        return self._entries[row]

    def reset(self, entries: list[ChatEntry]) -> None:
        self.beginResetModel()
        self._entries = list(entries)
        self.endResetModel()

    def append(self, entry: ChatEntry) -> int:
        row = len(self._entries)
        self.beginInsertRows(QModelIndex(), row, row)
        self._entries.append(entry)
        self.endInsertRows()
        return row

    def set_entry(self, row: int, entry: ChatEntry) -> None:
        self._entries[row] = entry
        index = self.index(row)
        self.dataChanged.emit(index, index)

    def streaming_row(self) -> int | None:
        if self._entries and self._entries[-1].streaming:
            return len(self._entries) - 1
        return None

    def stream(self, chunk: str, at: datetime) -> int:
        """Add ``chunk`` to the answer being streamed (started if there is none)."""
        row = self.streaming_row()
        if row is None:
            return self.append(ChatEntry("bot", chunk, at, streaming=True))
        entry = self._entries[row]
        self.set_entry(row, replace(entry, text=entry.text + chunk))
        return row

    def finish_stream(self, full_text: str, citations: tuple[CitationDTO, ...]) -> int | None:
        row = self.streaming_row()
        if row is None:
            return None
        entry = self._entries[row]
        text = full_text if len(full_text) >= len(entry.text) else entry.text
        self.set_entry(row, replace(entry, text=text, streaming=False,
                                    citations=citations or entry.citations))
        return row

    def open_tool_row(self, tool: str) -> int | None:
        for row in range(len(self._entries) - 1, -1, -1):
            entry = self._entries[row]
            if entry.role == "tool" and entry.tool == tool and entry.result is None:
                return row
        return None
