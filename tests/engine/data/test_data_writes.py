"""SAVE, INSERT, UPDATE, SET, DELETE and MERGE on automatic tables (BASIC.md §7.2, §7.5–§7.7)."""

from __future__ import annotations

import uuid

import pytest

from engine.basic.errors import DataError
from engine.basic.filters import parse_filter
from engine.basic.query import ALL_ROWS, Query
from engine.basic.values import json_text
from engine.data.sqlite_store import SqliteTableStore


def table(store: SqliteTableStore, name: str, query: Query = ALL_ROWS) -> str:
    return json_text(store.find(name, query))


def test_save_creates_an_automatic_table(store: SqliteTableStore) -> None:
    """conformance/data/save_find_auto.bas"""
    assert (
        store.save("tickets.csv", {"title": "Printer jam", "priority": "high", "hours": 2.5}) == 1
    )
    assert store.save("Tickets.CSV", {"Title": "No wifi", "priority": "low", "hours": 1}) == 2
    assert table(store, "tickets") == (
        '[{"id":1,"title":"Printer jam","priority":"high","hours":2.5},'
        '{"id":2,"title":"No wifi","priority":"low","hours":1}]'
    )
    rows = store.find("tickets", ALL_ROWS)
    assert [type(r["hours"]) for r in rows] == [float, float]


def test_new_keys_add_columns_and_values_convert(store: SqliteTableStore) -> None:
    """conformance/data/auto_columns_evolve.bas"""
    store.save("people", {"name": "Ana"})
    store.save("people", {"name": "Bo", "age": 40})
    assert (
        table(store, "people") == '[{"id":1,"name":"Ana","age":null},{"id":2,"name":"Bo","age":40}]'
    )
    store.save("people", {"name": "Cy", "age": "41"})
    assert store.find("people", ALL_ROWS)[-1]["age"] == 41
    with pytest.raises(DataError) as caught:
        store.save("people", {"name": "Di", "age": "forty", "new_column": 1})
    assert caught.value.message == "value 'forty' is not valid for column 'age' (integer)"
    assert store.count("people", ALL_ROWS) == 3
    assert list(store.find("people", ALL_ROWS)[0]) == ["id", "name", "age"]  # rolled back
    store.save("people", {"name": "Ed", "new_column": "x"})
    assert list(store.find("people", ALL_ROWS)[0]) == ["id", "name", "age", "new_column"]


def test_column_type_comes_from_first_non_null_value(store: SqliteTableStore) -> None:
    store.save("t", {"a": None, "b": 1, "c": 1.5, "d": True, "e": [1], "f": "x"})
    store.save("t", {"a": 5, "b": "2", "c": 3, "d": "yes", "e": {"k": 1}, "f": 7})
    row = store.find("t", ALL_ROWS)[1]
    assert row == {"id": 2, "a": "5", "b": 2, "c": 3.0, "d": True, "e": {"k": 1}, "f": "7"}
    assert type(row["c"]) is float
    for bad in [{"b": 1.5}, {"b": True}, {"c": "x"}, {"d": "maybe"}, {"d": 2}, {"b": 2**63}]:
        with pytest.raises(DataError, match="is not valid for column"):
            store.save("t", bad)


def test_save_upserts_on_the_key(store: SqliteTableStore) -> None:
    """conformance/data/upsert_and_keys.bas"""
    assert store.save_keyed("settings", "theme", {"value": "dark"}) == "theme"
    store.save_keyed("settings", "lang", {"value": "en"})
    store.save_keyed("settings", "theme", {"value": "light", "id": "ignored"})
    assert table(store, "settings") == '[{"id":"theme","value":"light"},{"id":"lang","value":"en"}]'
    key = store.save("notes", {"text": "first"})
    assert key == 1
    assert store.save("notes", {"ID": "1", "text": "edited"}) == 1
    assert store.save("notes", {"text": "second"}) == 2
    assert table(store, "notes") == '[{"id":1,"text":"edited"},{"id":2,"text":"second"}]'


def test_save_never_modifies_its_map(store: SqliteTableStore) -> None:
    record = {"Name": "Ana"}
    store.save("people", record)
    assert record == {"Name": "Ana"}


def test_generated_keys(store: SqliteTableStore) -> None:
    store.insert("n", {"id": 41})
    assert store.save("n", {"id": None, "x": 1}) == 42
    store.save("texts", {"id": "a"})
    generated = store.save("texts", {"x": 1})
    assert isinstance(generated, str) and uuid.UUID(generated).version == 4


def test_save_values_named_and_positional(store: SqliteTableStore) -> None:
    key = store.save_values("auto", [("name", "Ana"), ("score", 3)])
    assert store.find("auto", ALL_ROWS) == [{"id": key, "name": "Ana", "score": 3}]
    with pytest.raises(DataError, match="declared table"):
        store.save_values("auto", [(None, "Bo"), ("score", 4)])
    with pytest.raises(DataError, match="declared table"):
        store.save_values("brand_new", [(None, 1)])


def test_insert(store: SqliteTableStore) -> None:
    """conformance/data/insert_merge.bas"""
    assert store.insert("products", {"id": 1, "name": "Pen", "stock": 10}) == {
        "id": 1,
        "success": True,
    }
    store.insert("products", {"id": 2, "name": "Ink", "stock": 0})
    with pytest.raises(DataError, match="duplicate key '1'"):
        store.insert("products", {"id": 1, "name": "Dup"})
    assert store.insert("products", {"name": "Pad"}) == {"id": 3, "success": True}
    assert store.count("products", ALL_ROWS) == 3


def test_merge(store: SqliteTableStore) -> None:
    store.insert("products", {"id": 1, "name": "Pen", "stock": 10})
    store.insert("products", {"id": 2, "name": "Ink", "stock": 0})
    incoming = [{"id": 2, "name": "Ink", "stock": 25}, {"id": 3, "name": "Pad", "stock": 5}]
    assert store.merge("products", incoming, "id") == {"inserted": 1, "updated": 1}
    assert store.merge("products", [{"name": "Pen", "stock": 11}], "Name") == {
        "inserted": 0,
        "updated": 1,
    }
    assert table(store, "products", parse_filter("ORDER BY id")) == (
        '[{"id":1,"name":"Pen","stock":11},{"id":2,"name":"Ink","stock":25},'
        '{"id":3,"name":"Pad","stock":5}]'
    )
    assert store.merge("fresh", [{"code": "a", "n": 1}, {"code": "a", "n": 2}], "code") == {
        "inserted": 1,
        "updated": 1,
    }
    assert table(store, "fresh") == '[{"id":1,"code":"a","n":2}]'
    assert store.merge("fresh", [], "code") == {"inserted": 0, "updated": 0}
    with pytest.raises(DataError, match="array of maps"):
        store.merge("fresh", [1], "code")
    with pytest.raises(DataError, match="unknown column 'sku'"):
        store.merge("fresh", [{"n": 3}], "sku")


def test_update_and_legacy_set(store: SqliteTableStore) -> None:
    """conformance/data/update_delete.bas and set_search_count.bas"""
    for row in [("Ana", 10, "new"), ("Bo", 55, "new"), ("Cy", 90, "hot")]:
        store.save("leads", dict(zip(("name", "score", "status"), row)))
    assert store.update("leads", parse_filter("score >= 50"), {"status": "qualified"}) == 2
    assert table(store, "leads", parse_filter("status = 'qualified'")) == (
        '[{"id":2,"name":"Bo","score":55,"status":"qualified"},'
        '{"id":3,"name":"Cy","score":90,"status":"qualified"}]'
    )
    assert store.update("leads", parse_filter("name = 'Nobody'"), {"status": "x"}) == 0
    assert store.update("leads", parse_filter("ORDER BY score DESC LIMIT 1"), {"Tag": "top"}) == 1
    assert store.find("leads", parse_filter("tag = top"))[0]["name"] == "Cy"
    assert (
        store.update_assignments("leads", parse_filter("name = Ana"), "score = 14, tag = a b") == 1
    )
    assert store.find("leads", ALL_ROWS)[0] == {
        "id": 1, "name": "Ana", "score": 14, "status": "new", "tag": "a b"
    }  # fmt: skip
    with pytest.raises(DataError):
        store.update("leads", ALL_ROWS, {"score": "lots"})
    with pytest.raises(DataError):
        store.update_assignments("leads", ALL_ROWS, "score = 1; DROP TABLE leads")
    assert store.update("missing", ALL_ROWS, {"a": 1}) == 0


def test_delete(store: SqliteTableStore) -> None:
    for name in ["Ana", "Bo", "Cy"]:
        store.save("leads", {"name": name})
    assert store.delete("leads", parse_filter("name = 'Ana'")) == 1
    with pytest.raises(DataError, match="DELETE needs a filter"):
        store.delete("leads", parse_filter(""))
    with pytest.raises(DataError, match="DELETE needs a filter"):
        store.delete("leads", Query())
    assert store.count("leads", ALL_ROWS) == 2
    assert store.delete("leads", parse_filter("ORDER BY name DESC LIMIT 1")) == 1
    assert store.delete("leads", parse_filter("*")) == 1
    assert store.count("leads", ALL_ROWS) == 0
    assert store.delete("missing", parse_filter("*")) == 0
    assert store.delete("missing", parse_filter("a = 1")) == 0


def test_reserved_and_invalid_names(store: SqliteTableStore) -> None:
    for name in ["sqlite_master", "SQLITE_sequence.csv", "", "***"]:
        with pytest.raises(DataError):
            store.save(name, {"a": 1})
        with pytest.raises(DataError):
            store.find(name, ALL_ROWS)
    with pytest.raises(DataError):
        store.save("t", {"!!!": 1})
