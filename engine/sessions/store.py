"""Persistence of sessions: their state, message history and suspended dialogs.

``SessionStore`` is the seam; :class:`SqlSessionStore` implements it on the engine's
:class:`~engine.storage.db.Database` (SQLite embedded, PostgreSQL when scaled out) with
its own named migrations.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from engine.sessions.state import SessionState
from engine.storage.migrations import apply_migrations, register_migration


@dataclass(frozen=True, slots=True)
class ChatMessage:
    session_id: str
    role: str  # user | bot | tool | system
    content: str
    message_type: int
    created_at: datetime
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DialogRecord:
    """A run suspended at HEAR (BASIC.md §12.4)."""

    script: str
    snapshot: dict[str, Any]
    suspended_at: datetime
    source: str | None = None  # a generated script (tool button) keeps its own source


@dataclass(frozen=True, slots=True)
class SessionSummary:
    id: str
    bot: str
    user_id: str | None
    channel: str
    updated_at: datetime
    title: str


class SessionStore(Protocol):
    async def save_session(self, state: SessionState) -> None: ...
    async def load_session(self, session_id: str) -> SessionState | None: ...
    async def list_sessions(self, bot: str | None = None,
                            user_id: str | None = None) -> list[SessionSummary]: ...
    async def delete_session(self, session_id: str) -> None: ...
    async def append_message(self, message: ChatMessage) -> None: ...
    async def history(self, session_id: str, limit: int = 200) -> list[ChatMessage]: ...
    async def save_dialog(self, session_id: str, record: DialogRecord) -> None: ...
    async def load_dialog(self, session_id: str) -> DialogRecord | None: ...
    async def clear_dialog(self, session_id: str) -> None: ...


def dump(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


_TABLES = [
    ("0001_sessions", [
        """CREATE TABLE IF NOT EXISTS sessions (
            id TEXT PRIMARY KEY, bot TEXT NOT NULL, user_id TEXT, channel TEXT NOT NULL,
            state TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS sessions_bot_user ON sessions (bot, user_id)",
        """CREATE TABLE IF NOT EXISTS messages (
            id INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, role TEXT NOT NULL,
            content TEXT NOT NULL, message_type INTEGER NOT NULL, meta TEXT NOT NULL,
            created_at TEXT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS messages_session ON messages (session_id, id)",
        """CREATE TABLE IF NOT EXISTS dialogs (
            session_id TEXT PRIMARY KEY, script TEXT NOT NULL, snapshot TEXT NOT NULL,
            source TEXT, suspended_at TEXT NOT NULL)""",
    ]),
]


_INSERT_MESSAGE = ("INSERT INTO messages (session_id, role, content, message_type, meta, "
                   "created_at) VALUES (?, ?, ?, ?, ?, ?)")


def _message_row(m: ChatMessage) -> tuple[Any, ...]:
    return (m.session_id, m.role, m.content, m.message_type, dump(m.meta),
            m.created_at.isoformat(timespec="seconds"))


def _session_statement(state: SessionState) -> tuple[str, tuple[Any, ...]]:
    now = datetime.now().isoformat(timespec="seconds")
    return ("INSERT INTO sessions (id, bot, user_id, channel, state, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET "
            "user_id = excluded.user_id, state = excluded.state, "
            "updated_at = excluded.updated_at",
            (state.id, state.bot_name, state.user_id, state.channel, dump(state.to_json()),
             now, now))


def _dialog_statement(session_id: str, record: DialogRecord | None
                      ) -> tuple[str, tuple[Any, ...]]:
    if record is None:
        return "DELETE FROM dialogs WHERE session_id = ?", (session_id,)
    return ("INSERT INTO dialogs (session_id, script, snapshot, source, suspended_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET "
            "script = excluded.script, snapshot = excluded.snapshot, "
            "source = excluded.source, suspended_at = excluded.suspended_at",
            (session_id, record.script, dump(record.snapshot), record.source,
             record.suspended_at.isoformat(timespec="seconds")))


for _name, _statements in _TABLES:
    register_migration("sessions", _name, _statements)


class SqlSessionStore:
    """:class:`SessionStore` on the engine database (portable SQL, ``?`` placeholders)."""

    def __init__(self, db: Any) -> None:
        self.db = db

    async def install(self) -> None:
        """Apply the sessions migrations (recorded once in the ``migrations`` table)."""
        await apply_migrations(self.db)

    async def save_session(self, state: SessionState) -> None:
        await self.db.execute(*_session_statement(state))

    async def load_session(self, session_id: str) -> SessionState | None:
        row = await self.db.fetch_one("SELECT state FROM sessions WHERE id = ?", (session_id,))
        return SessionState.from_json(json.loads(row["state"])) if row else None

    async def list_sessions(self, bot: str | None = None,
                            user_id: str | None = None) -> list[SessionSummary]:
        rows = await self.db.fetch_all(
            "SELECT s.id, s.bot, s.user_id, s.channel, s.updated_at, "
            "(SELECT content FROM messages m WHERE m.session_id = s.id AND m.role = 'user' "
            " ORDER BY m.id LIMIT 1) AS title FROM sessions s "
            "WHERE (? IS NULL OR s.bot = ?) AND (? IS NULL OR s.user_id = ?) "
            "ORDER BY s.updated_at DESC",
            (bot, bot, user_id, user_id),
        )
        return [SessionSummary(r["id"], r["bot"], r["user_id"], r["channel"],
                               datetime.fromisoformat(r["updated_at"]),
                               (r["title"] or "New conversation")[:80]) for r in rows]

    async def delete_session(self, session_id: str) -> None:
        for table, column in (("messages", "session_id"), ("dialogs", "session_id"),
                              ("sessions", "id")):
            await self.db.execute(f"DELETE FROM {table} WHERE {column} = ?", (session_id,))

    async def append_message(self, message: ChatMessage) -> None:
        await self.db.execute(_INSERT_MESSAGE, _message_row(message))

    async def history(self, session_id: str, limit: int = 200) -> list[ChatMessage]:
        rows = await self.db.fetch_all(
            "SELECT * FROM (SELECT id, session_id, role, content, message_type, meta, "
            "created_at FROM messages WHERE session_id = ? ORDER BY id DESC LIMIT ?) "
            "AS recent ORDER BY id",
            (session_id, limit),
        )
        return [ChatMessage(r["session_id"], r["role"], r["content"], r["message_type"],
                            datetime.fromisoformat(r["created_at"]), json.loads(r["meta"]))
                for r in rows]

    async def save_dialog(self, session_id: str, record: DialogRecord) -> None:
        await self.db.execute(*_dialog_statement(session_id, record))

    async def load_dialog(self, session_id: str) -> DialogRecord | None:
        row = await self.db.fetch_one(
            "SELECT script, snapshot, source, suspended_at FROM dialogs WHERE session_id = ?",
            (session_id,))
        if row is None:
            return None
        return DialogRecord(row["script"], json.loads(row["snapshot"]),
                            datetime.fromisoformat(row["suspended_at"]), row["source"])

    async def clear_dialog(self, session_id: str) -> None:
        await self.db.execute(*_dialog_statement(session_id, None))

    async def commit(self, session_id: str, state: SessionState | None,
                     messages: list[ChatMessage], dialog: DialogRecord | None,
                     dialog_changed: bool) -> None:
        """A turn's writes in one transaction: new messages, the dialog, the state."""
        statements: list[tuple[str, Any]] = [(_INSERT_MESSAGE, _message_row(m)) for m in messages]
        if dialog_changed:
            statements.append(_dialog_statement(session_id, dialog))
        if state is not None:
            statements.append(_session_statement(state))
        if statements:
            await self.db.batch(statements)


@dataclass
class _Pending:
    state: SessionState | None = None
    messages: list[ChatMessage] = field(default_factory=list)
    dialog: DialogRecord | None = None
    dialog_changed: bool = False


class TurnBuffer:
    """A write-behind :class:`SessionStore` for one engine process.

    A turn's writes are buffered and committed together by :meth:`flush` (one transaction
    per turn instead of one per message); live sessions and their dialogs are cached, so a
    turn reads nothing. Reads of history flush first, so they always see every write.
    """

    def __init__(self, store: SqlSessionStore, capacity: int = 2000) -> None:
        self.store = store
        self.capacity = capacity
        self._states: dict[str, SessionState] = {}
        self._dialogs: dict[str, DialogRecord | None] = {}
        self._pending: dict[str, _Pending] = {}

    def _remember(self, session_id: str) -> _Pending:
        if len(self._states) > self.capacity:
            for old in list(self._states)[: self.capacity // 4]:
                if old not in self._pending:
                    self._states.pop(old, None)
                    self._dialogs.pop(old, None)
        return self._pending.setdefault(session_id, _Pending())

    async def save_session(self, state: SessionState) -> None:
        self._states[state.id] = state
        self._remember(state.id).state = state

    async def load_session(self, session_id: str) -> SessionState | None:
        state = self._states.get(session_id)
        if state is None:
            state = await self.store.load_session(session_id)
            if state is not None:
                self._states[session_id] = state
        return state

    async def list_sessions(self, bot: str | None = None,
                            user_id: str | None = None) -> list[SessionSummary]:
        await self.flush_all()
        return await self.store.list_sessions(bot, user_id)

    async def delete_session(self, session_id: str) -> None:
        self._pending.pop(session_id, None)
        self._states.pop(session_id, None)
        self._dialogs.pop(session_id, None)
        await self.store.delete_session(session_id)

    async def append_message(self, message: ChatMessage) -> None:
        self._remember(message.session_id).messages.append(message)

    async def history(self, session_id: str, limit: int = 200) -> list[ChatMessage]:
        await self.flush(session_id)
        return await self.store.history(session_id, limit)

    async def save_dialog(self, session_id: str, record: DialogRecord) -> None:
        pending = self._remember(session_id)
        pending.dialog, pending.dialog_changed = record, True
        self._dialogs[session_id] = record

    async def load_dialog(self, session_id: str) -> DialogRecord | None:
        if session_id not in self._dialogs:
            self._dialogs[session_id] = await self.store.load_dialog(session_id)
        return self._dialogs[session_id]

    async def clear_dialog(self, session_id: str) -> None:
        if session_id in self._dialogs and self._dialogs[session_id] is None:
            return  # already known to have none (stored, or a clear is pending)
        pending = self._remember(session_id)
        pending.dialog, pending.dialog_changed = None, True
        self._dialogs[session_id] = None

    async def flush(self, session_id: str) -> None:
        """Commit the session's pending writes in one transaction.

        If the commit fails (disk full...), nothing of it was stored, so the cached state and
        dialog are dropped too: the session is read back as the database has it, the state
        before the turn, instead of living on in memory until a restart takes it back.
        """
        pending = self._pending.pop(session_id, None)
        if pending is None:
            return
        try:
            await self.store.commit(session_id, pending.state, pending.messages, pending.dialog,
                                    pending.dialog_changed)
        except BaseException:
            self._states.pop(session_id, None)
            self._dialogs.pop(session_id, None)
            raise

    async def flush_all(self) -> None:
        for session_id in list(self._pending):
            await self.flush(session_id)
