"""A fresh bot database (a real SQLite file) and ``.gbdata`` folder per test."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from engine.data.sqlite_store import SqliteTableStore

StoreFactory = Callable[..., SqliteTableStore]


@pytest.fixture
def data_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "testbot.gbdata"
    folder.mkdir()
    return folder


@pytest.fixture
def open_store(tmp_path: Path, data_folder: Path) -> Iterator[StoreFactory]:
    """Opens stores on the test's database file (several: a restart is a new store)."""
    opened: list[SqliteTableStore] = []

    def factory(roles: frozenset[str] | None = None) -> SqliteTableStore:
        store = SqliteTableStore(tmp_path / "bot.db", data_folder, lambda: roles)
        opened.append(store)
        return store

    yield factory
    for store in opened:
        store.close()


@pytest.fixture
def store(open_store: StoreFactory) -> SqliteTableStore:
    return open_store()
