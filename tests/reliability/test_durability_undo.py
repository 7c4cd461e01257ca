"""The undo journal of bot tables (``engine/data/journal.py``) on a real ``tables.db``:
every kind of write a unit makes is put back exactly, and writes outside a unit, or of a
committed unit, stay."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.basic.filters import parse_filter
from engine.basic.query import ALL_ROWS
from engine.data.journal import writes_of
from engine.data.sqlite_store import SqliteTableStore


def rows(store: SqliteTableStore, table: str) -> list[dict[str, object]]:
    return store.find(table, ALL_ROWS)


@pytest.fixture
def store(tmp_path: Path) -> SqliteTableStore:
    tables = SqliteTableStore(tmp_path / "tables.db")
    tables.save("people", {"name": "Ada", "age": 36})
    tables.save("people", {"name": "Bob", "age": 41})
    return tables


def test_undo_puts_back_inserts_updates_deletes_and_merges(store: SqliteTableStore) -> None:
    before = rows(store, "people")
    unit = "turn:s1:7"
    with writes_of(unit):
        store.save("people", {"name": "Cy", "age": 20, "city": "Oslo"})  # adds a column
        store.update_assignments("people", parse_filter("name = 'Ada'"), "age = 37")
        store.delete("people", parse_filter("name = 'Bob'"))
        store.merge("people", [{"name": "Ada", "age": 38}, {"name": "Di", "age": 9}], "name")
        store.save("other", {"n": 1})  # a table the unit created
    assert store.wrote(unit)
    assert len(rows(store, "people")) == 3
    assert store.undo(unit) > 0
    after = rows(store, "people")
    assert [{k: r[k] for k in ("id", "name", "age")} for r in after] == before
    assert all(r.get("city") is None for r in after)  # the added column stays, empty
    assert rows(store, "other") == []
    assert not store.wrote(unit) and store.unfinished("turn:") == []


def test_a_settled_unit_and_writes_outside_units_stay(store: SqliteTableStore) -> None:
    with writes_of("turn:s1:1"):
        store.save("people", {"name": "Cy", "age": 20})
    store.settle("turn:s1:1")  # its records go with the next transaction
    store.save("people", {"name": "Di", "age": 9})  # no unit: never journalled
    assert store.unfinished("") == []
    assert store.undo("turn:s1:1") == 0
    assert [r["name"] for r in rows(store, "people")] == ["Ada", "Bob", "Cy", "Di"]


def test_units_of_a_dead_process_are_listed_and_of_a_live_one_are_not(
        tmp_path: Path, store: SqliteTableStore) -> None:
    with writes_of("turn:s1:2"):
        store.save("people", {"name": "Cy", "age": 20})
    with writes_of("job:tick@2026-03-02T09:00:00"):
        store.save("people", {"name": "Di", "age": 9})
    assert store.unfinished("turn:") == ["turn:s1:2"]  # ours: nothing of it runs now
    conn = store._conn  # another process's unit: pid 1 is always alive
    conn.execute("UPDATE _hearth_undo SET owner = 1 WHERE unit LIKE 'job:%'")
    assert store.unfinished("job:") == []
    conn.execute("UPDATE _hearth_undo SET owner = 2147483646 WHERE unit LIKE 'job:%'")
    assert store.unfinished("job:") == ["job:tick@2026-03-02T09:00:00"]
    store.undo("job:tick@2026-03-02T09:00:00")
    assert [r["name"] for r in rows(store, "people")] == ["Ada", "Bob", "Cy"]
