"""One error tree: every storage error is an EngineError, and the libraries' exceptions
(sqlean, OSError, diskcache, json) never leave a backend untranslated."""

from __future__ import annotations

import inspect
import json
import sqlite3
from pathlib import Path

import pytest
import sqlean

import engine.storage.errors as errors
from engine.errors import EngineError
from engine.storage.bus.local import LocalEventBus
from engine.storage.cache.disk import DiskCache
from engine.storage.db.sqlite import SqliteDatabase
from engine.storage.errors import (
    ConstraintError,
    DatabaseError,
    ObjectNotFoundError,
    ObjectStoreError,
    StorageError,
)
from engine.storage.objects.local import LocalObjectStore

pytestmark = pytest.mark.anyio


def test_every_storage_error_is_an_engine_error_and_not_a_base_exception() -> None:
    classes = [c for _, c in inspect.getmembers(errors, inspect.isclass) if c is not EngineError]
    assert len(classes) >= 9
    for cls in classes:
        assert issubclass(cls, StorageError) and issubclass(cls, Exception), cls
    for cls in classes:  # the tree in the module docstring names every class
        assert cls.__name__ in (errors.__doc__ or ""), cls


async def test_database_driver_errors_are_translated(tmp_path: Path) -> None:
    async with SqliteDatabase(tmp_path / "x.db") as db:
        await db.execute("CREATE TABLE t (x UNIQUE)")
        await db.execute("INSERT INTO t VALUES (1)")
        cases = [
            (db.execute("INSERT INTO t VALUES (1)"), ConstraintError, sqlean.IntegrityError),
            (db.fetch_all("SELECT nope FROM t"), DatabaseError, sqlean.OperationalError),
            (db.execute("INSERT INTO t VALUES (?)", ([1],)), DatabaseError, sqlean.Error),
            (db.execute("SELECT 1; SELECT 2"), DatabaseError, (sqlean.Error, sqlean.Warning)),
        ]
        for call, expected, foreign in cases:
            with pytest.raises(expected) as err:
                await call
            assert isinstance(err.value.__cause__, foreign)


async def test_file_system_errors_are_translated(tmp_path: Path) -> None:
    async with LocalObjectStore(tmp_path / "drive") as store:
        await store.put("a", b"x")
        with pytest.raises(ObjectStoreError) as conflict:
            await store.put("a/b", b"y")
        assert isinstance(conflict.value.__cause__, OSError)
        with pytest.raises(ObjectNotFoundError) as missing:
            await store.get("a/b")
        assert isinstance(missing.value.__cause__, OSError)
    blocked = tmp_path / "blocked"
    blocked.write_bytes(b"a file where the store's folder should be")
    with pytest.raises(ObjectStoreError):
        async with LocalObjectStore(blocked):
            pass


async def test_cache_errors_are_translated(tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_bytes(b"a file where the cache's folder should be")
    with pytest.raises(StorageError) as err:
        async with DiskCache(blocked):
            pass
    assert isinstance(err.value.__cause__, OSError | sqlite3.Error)


async def test_event_encoding_errors_are_translated() -> None:
    async with LocalEventBus() as bus:
        with pytest.raises(StorageError) as err:
            await bus.publish("t", {"x": {1, 2}})
        assert isinstance(err.value.__cause__, TypeError)
    assert json.dumps({"ok": 1})  # json itself is fine; only what it refuses is translated
