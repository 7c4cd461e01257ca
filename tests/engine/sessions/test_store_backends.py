"""The session store's SQL is portable: the same calls on SQLite and on PostgreSQL (the
session's embedded server, a fresh schema), migrations included."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from engine.sessions.state import SessionState
from engine.sessions.store import ChatMessage, DialogRecord, SqlSessionStore
from engine.storage.urls import database_from_url
from tests.services.postgres import PostgresServer, postgres_server

__all__ = ["postgres_server"]  # a fixture: imported so pytest finds it here

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["sqlite", "postgresql"])
async def store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[SqlSessionStore]:
    if request.param == "sqlite":
        async with database_from_url("sqlite://" + (tmp_path / "h.db").as_uri()[7:]) as db:
            yield await _installed(db)
        return
    server: PostgresServer = request.getfixturevalue("postgres_server")
    async with server.schema() as url, database_from_url(url) as db:
        yield await _installed(db)


async def _installed(db: object) -> SqlSessionStore:
    store = SqlSessionStore(db)
    await store.install()
    return store


def message(session: str, role: str, text: str) -> ChatMessage:
    return ChatMessage(session, role, text, 0, datetime(2026, 12, 7, 6, 0), {"n": 1})


async def test_sessions_messages_and_dialogs_round_trip(store: SqlSessionStore) -> None:
    await store.save_session(SessionState(id="s1", bot_name="faq", user_id="ana"))
    await store.save_session(SessionState(id="s2", bot_name="shop"))
    await store.append_message(message("s1", "user", "hello"))
    await store.commit("s1", None, [message("s1", "bot", "hi ana")], None, False)
    assert [m.content for m in await store.history("s1")] == ["hello", "hi ana"]
    assert [s.id for s in await store.list_sessions(bot="faq")] == ["s1"]
    assert [s.id for s in await store.list_sessions(user_id="ana")] == ["s1"]
    assert {s.id for s in await store.list_sessions()} == {"s1", "s2"}
    assert (await store.list_sessions(bot="faq"))[0].title == "hello"
    await store.save_dialog("s1", DialogRecord("main", {"pc": 3}, datetime(2026, 12, 7)))
    dialog = await store.load_dialog("s1")
    assert dialog is not None and dialog.snapshot == {"pc": 3}
    await store.delete_session("s1")
    assert await store.load_session("s1") is None and await store.history("s1") == []
    assert await store.load_dialog("s1") is None
