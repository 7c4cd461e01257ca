"""Hostile filters, values and names are data or DataError, never SQL (BASIC.md §7.3)."""

from __future__ import annotations

import pytest

from engine.basic.errors import DataError
from engine.basic.filters import parse_filter, query_from_map, query_from_pair
from engine.basic.query import ALL_ROWS, Column, Compare, Like, Query
from engine.data.sqlite_store import SqliteTableStore

PAYLOADS = [
    "x'; DROP TABLE users; --",
    'x"; DROP TABLE users; --',
    "' OR '1'='1",
    "1 OR 1=1",
    "x') OR ('1'='1",
    "%' OR 1=1 --",
    "x\\'; DELETE FROM users; --",
    "users\x00",
    "Robert'); DROP TABLE students;--",
]


@pytest.fixture
def users(store: SqliteTableStore) -> SqliteTableStore:
    store.save("users", {"name": "Ana", "age": 30})
    store.save("users", {"name": "Bo", "age": 40})
    return store


def assert_intact(store: SqliteTableStore) -> None:
    assert [r["name"] for r in store.find("users", ALL_ROWS)][:2] == ["Ana", "Bo"]


@pytest.mark.parametrize(
    "text",
    [
        "name = 'x'; DROP TABLE users",
        "name = 'a' OR 1=1 --",
        "name = 'a' /* */",
        "name = x; DELETE FROM users",
        "name = (SELECT name FROM users)",
        "age > 1 UNION SELECT * FROM sqlite_master",
        "name = 'a' OR name = ''; --'",
        "LENGTH(name) > 2",
        "sqlite_version() = 1",
        "age = 1 + 1",
        "name = 'unbalanced",
        "name\" = 'x'",
        "ORDER BY name; DROP TABLE users",
        "ORDER BY (SELECT 1)",
        "LIMIT 1; DROP TABLE users",
        "LIMIT -1",
    ],
)
def test_hostile_filters_are_rejected(users: SqliteTableStore, text: str) -> None:
    with pytest.raises(DataError):
        users.find("users", parse_filter(text))
    with pytest.raises(DataError):
        users.delete("users", parse_filter(text))
    assert_intact(users)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_values_are_only_data(users: SqliteTableStore, payload: str) -> None:
    doubled = payload.replace("'", "''")
    assert users.find("users", parse_filter(f"name = '{doubled}'")) == []
    assert users.find("users", query_from_pair("name", payload)) == []
    assert users.find("users", query_from_map({"name": payload})) == []
    assert users.find("users", Query(Like(Column("name"), payload))) == []
    assert users.count("users", Query(Compare(Column("name"), "<>", payload))) == 2
    key = users.save("users", {"name": payload, "note": payload})
    assert users.find("users", query_from_pair("id", key)) == [
        {"id": key, "name": payload, "age": None, "note": payload}
    ]
    assert users.search("users", payload, 10)[0]["name"] == payload
    assert users.update_assignments("users", query_from_pair("id", key), f"note = '{doubled}'") == 1
    assert users.delete("users", query_from_pair("name", payload)) == 1
    assert_intact(users)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_names_are_normalised_or_rejected(users: SqliteTableStore, payload: str) -> None:
    users.save(payload, {payload: 1})  # both normalise to plain identifiers
    assert users.find(payload, ALL_ROWS)[0]["id"] == 1
    for name in [payload, f'name"{payload}']:
        with pytest.raises(DataError):
            users.find("users", Query(Compare(Column(name), "=", 1)))
    assert_intact(users)


def test_query_columns_are_checked_even_when_built_by_hand(users: SqliteTableStore) -> None:
    """Inline WHERE builds Query objects directly: their columns still meet the table."""
    evil = Column('name" = "name" OR "1')
    with pytest.raises(DataError, match="unknown column"):
        users.find("users", Query(Compare(evil, "=", "x")))
    # map keys are normalised before they become columns of an automatic table
    assert users.update("users", Query(Compare(Column("age"), "=", 30)), {'age" = 0 --': 1}) == 1
    assert users.find("users", ALL_ROWS)[0] == {"id": 1, "name": "Ana", "age": 30, "age_0": 1}
    assert_intact(users)
