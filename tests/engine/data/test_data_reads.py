"""FIND, COUNT, AGGREGATE and SEARCH on SQLite (BASIC.md §7.3, §7.4, §7.8)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from engine.basic.errors import BasicTypeError, DataError
from engine.basic.filters import apply_query, parse_filter, query_from_map, query_from_pair
from engine.basic.query import ALL_ROWS, Column, Compare, InList, Query
from engine.data.sqlite_store import SqliteTableStore

ORDERS = [
    {"customer": "Ana", "status": "open", "total": 120, "note": None},
    {"customer": "Bo", "status": "closed", "total": 80, "note": "vip"},
    {"customer": "Cy Silva", "status": "pending", "total": 300, "note": "late"},
    {"customer": "Di", "status": "Closed Won", "total": 50, "note": "it's fine"},
]


@pytest.fixture
def orders(store: SqliteTableStore) -> SqliteTableStore:
    for row in ORDERS:
        store.save("orders", row)
    return store


def names(rows: list[dict[str, Any]]) -> str:
    return ",".join(row["customer"] for row in rows)


@pytest.mark.parametrize(
    ("text", "expected"),
    [  # conformance/data/find_filters.bas
        ("total > 100", "Ana,Cy Silva"),
        ("status = 'open' OR status = 'pending'", "Ana,Cy Silva"),
        ("status IN ('open', 'closed') AND NOT total < 100", "Ana"),
        ("customer LIKE 'silva'", "Cy Silva"),
        ("customer like 'b%'", "Bo"),
        ("note IS NULL", "Ana"),
        ("note IS NOT NULL ORDER BY total DESC LIMIT 2", "Cy Silva,Bo"),
        ("status = Closed Won", "Di"),
        ("status=closed", "Bo"),
        ("note = 'it''s fine'", "Di"),
        ("total BETWEEN 50 AND 120 ORDER BY customer DESC", "Di,Bo,Ana"),
        ("(status = 'open' OR total = 50) AND total >= \"50\"", "Ana,Di"),
        ("UPPER(customer) = 'BO'", "Bo"),
        ("*", "Ana,Bo,Cy Silva,Di"),
        ("", "Ana,Bo,Cy Silva,Di"),
    ],
)
def test_find_filters_conformance(orders: SqliteTableStore, text: str, expected: str) -> None:
    assert names(orders.find("orders", parse_filter(text))) == expected


def test_find_map_and_pair_forms(orders: SqliteTableStore) -> None:
    assert names(orders.find("orders", query_from_map({"status": "pending"}))) == "Cy Silva"
    assert names(orders.find("orders", query_from_pair("status", "closed"))) == "Bo"
    by_two = query_from_map({"Status": "closed", "total": "80"})
    assert names(orders.find("ORDERS.csv", by_two)) == "Bo"


@pytest.mark.parametrize(
    "text",
    [
        "total > 100",
        "total >= '80' AND total <= 120",
        "NOT total < 100",
        "NOT note = 'vip'",
        "note <> 'vip'",
        "note = ''",
        "note <> ''",
        "note = NULL",
        "note <> NULL",
        "note > 'a'",
        "NOT note > 'a'",
        "note LIKE '%'",
        "note NOT LIKE 'i%'",
        "note IN ('vip', NULL)",
        "note NOT IN ('vip', 'late')",
        "note NOT IN ('vip', NULL)",
        "total NOT BETWEEN 60 AND 200",
        "customer LIKE '?o'",
        "customer LIKE 'C*a'",
        "customer LIKE '_'",
        "LOWER(status) = 'closed won'",
        "LOWER(status) LIKE 'CLOSED'",
        "status > 'Closed Won'",
        "status < 'c'",
        "ORDER BY note DESC, total",
        "ORDER BY note, customer DESC LIMIT 3",
        "status <> closed ORDER BY status",
    ],
)
def test_sql_and_filter_agree(orders: SqliteTableStore, text: str) -> None:
    """FIND on the table and FILTER on the same rows give the same rows in the same order."""
    rows = orders.find("orders", ALL_ROWS)
    query = parse_filter(text)
    assert names(orders.find("orders", query)) == names(apply_query(rows, query))


def test_missing_table_reads_are_empty_but_filters_are_checked(store: SqliteTableStore) -> None:
    assert store.find("nothing_here", parse_filter("anything = 1")) == []
    assert store.count("nothing_here", ALL_ROWS) == 0
    assert store.search("nothing_here", "x", 10) == []
    with pytest.raises(DataError):
        store.find("nothing_here", parse_filter("anything = 1; --"))


def test_unknown_columns_are_data_errors(orders: SqliteTableStore) -> None:
    for text in ["nickname = 'x'", "ORDER BY nickname", "LOWER(nick) LIKE 'a'"]:
        with pytest.raises(DataError, match="unknown column 'nick"):
            orders.find("orders", parse_filter(text))
    with pytest.raises(DataError, match="nickname"):
        orders.count("orders", parse_filter("nickname IS NULL"))
    with pytest.raises(DataError, match="nickname"):
        orders.aggregate("orders", "SUM", "nickname", ALL_ROWS)


def test_numeric_columns_need_numeric_values(orders: SqliteTableStore) -> None:
    with pytest.raises(DataError, match=r"value 'abc' is not valid for column 'total' \(integer\)"):
        orders.find("orders", parse_filter("total > abc"))
    with pytest.raises(DataError):
        orders.find("orders", parse_filter("total = TRUE"))
    assert names(orders.find("orders", parse_filter("total > 79.5"))) == "Ana,Bo,Cy Silva"
    assert names(orders.find("orders", parse_filter("total = 80.0"))) == "Bo"


def test_text_comparisons_are_case_sensitive_like_is_not(orders: SqliteTableStore) -> None:
    assert orders.find("orders", parse_filter("customer = 'ana'")) == []
    assert names(orders.find("orders", parse_filter("customer LIKE 'ANA'"))) == "Ana"
    assert names(orders.find("orders", parse_filter("status > 'Z'"))) == "Ana,Bo,Cy Silva"


def test_unicode_case_folding_in_like(store: SqliteTableStore) -> None:
    store.save("people", {"name": "ÉLODIE Ñúñez"})
    store.save("people", {"name": "100% sure_thing"})
    assert len(store.find("people", parse_filter("name LIKE 'élodie'"))) == 1
    assert len(store.find("people", parse_filter("LOWER(name) = 'élodie ñúñez'"))) == 1
    assert len(store.find("people", parse_filter("name LIKE '%ñ%'"))) == 1
    assert len(store.find("people", parse_filter("name LIKE '100%'"))) == 1
    assert len(store.find("people", parse_filter("name LIKE 'sur_'"))) == 0  # "_" is literal
    assert len(store.find("people", parse_filter("name LIKE '*sur_*'"))) == 0
    assert len(store.find("people", parse_filter("name LIKE '*sure?thing'"))) == 1
    assert len(store.find("people", parse_filter("name LIKE 'sure_'"))) == 1


def test_typed_columns_in_filters(store: SqliteTableStore) -> None:
    store.save("events", {"on": date(2026, 1, 15), "at": datetime(2026, 1, 15, 9, 30), "ok": True})
    store.save("events", {"on": date(2026, 2, 1), "at": datetime(2026, 2, 1, 18, 0), "ok": False})
    count = lambda text: store.count("events", parse_filter(text))  # noqa: E731
    assert count("on = '2026-01-15'") == 1
    assert count("on > DATE('2026-01-20')") == 1
    assert count("on BETWEEN '2026-01-01' AND '2026-01-31'") == 1
    assert count("at >= '2026-01-15'") == 2
    assert count("at > '2026-01-15 10:00'") == 1
    assert count("DATE(at) = '2026-02-01'") == 1
    assert count("DATE(at) = DATE('2026-02-01 23:59')") == 1
    assert count("ok = TRUE") == 1
    assert count("ok = 'no'") == 1
    assert count("ok LIKE 'tru'") == 1
    with pytest.raises(DataError):
        count("on = 'soon'")
    with pytest.raises(DataError):
        count("ok = maybe")
    with pytest.raises(DataError):
        count("DATE(ok) = '2026-01-01'")


def test_query_values_of_any_type(orders: SqliteTableStore) -> None:
    """Inline WHERE builds queries with script values: they are bound like filter values."""
    query = Query(InList(Column("total"), (80, "300", 12.5)))
    assert names(orders.find("orders", query)) == "Bo,Cy Silva"
    query = Query(Compare(Column("customer"), "=", ["a list"]))
    assert orders.find("orders", query) == []


def test_count(orders: SqliteTableStore) -> None:
    assert orders.count("orders", ALL_ROWS) == 4
    assert orders.count("orders", parse_filter("total < 100")) == 2
    assert orders.count("orders", parse_filter("ORDER BY total LIMIT 3")) == 3


def test_aggregate_on_tables(orders: SqliteTableStore) -> None:
    assert orders.aggregate("orders", "SUM", "total", ALL_ROWS) == 550
    assert orders.aggregate("orders", "avg", "total", parse_filter("total > 60")) == pytest.approx(
        500 / 3
    )
    assert orders.aggregate("orders", "COUNT", "note", ALL_ROWS) == 3
    assert orders.aggregate("orders", "MIN", "customer", ALL_ROWS) == "Ana"
    assert orders.aggregate("orders", "MAX", "total", parse_filter("status LIKE 'clo'")) == 80
    assert orders.aggregate("nowhere", "SUM", "total", ALL_ROWS) == 0
    assert orders.aggregate("nowhere", "AVG", "total", ALL_ROWS) is None
    with pytest.raises(BasicTypeError):
        orders.aggregate("orders", "SUM", "customer", ALL_ROWS)
    with pytest.raises(DataError):
        orders.aggregate("orders", "MEDIAN", "total", ALL_ROWS)


def test_search(store: SqliteTableStore) -> None:
    """conformance/data/set_search_count.bas"""
    store.save("books", {"title": "The Rust Book", "author": "Klabnik", "year": 2018})
    store.save("books", {"title": "Python Tricks", "author": "Bader", "year": 2017})
    store.save("books", {"title": "Fluent Python", "author": "Ramalho", "year": 2015})
    assert len(store.search("books", "python", 10)) == 2
    assert [r["title"] for r in store.search("books", "PYTHON fluent", 10)] == ["Fluent Python"]
    assert [r["title"] for r in store.search("books", "python bader", 10)] == ["Python Tricks"]
    assert len(store.search("books", "python", 1)) == 1
    assert store.search("books", "2018", 10) == []  # only text columns
    assert store.search("books", "100%", 10) == []
    assert len(store.search("books", "", 10)) == 3
    assert store.search("books", "python", 0) == []


def test_rows_keep_insertion_order_and_column_order(store: SqliteTableStore) -> None:
    store.insert("items", {"id": 5, "name": "five"})
    store.insert("items", {"id": 2, "name": "two"})
    store.save("items", {"id": 5, "name": "FIVE", "extra": 1})
    rows = store.find("items", ALL_ROWS)
    assert rows == [
        {"id": 5, "name": "FIVE", "extra": 1},
        {"id": 2, "name": "two", "extra": None},
    ]
    assert [r["id"] for r in store.find("items", parse_filter("ORDER BY id"))] == [2, 5]
    assert store.save("items", {"name": "next"}) == 6


def test_huge_numbers_are_values_not_crashes(orders: SqliteTableStore) -> None:
    huge = "99999999999999999999999"
    assert len(orders.find("orders", parse_filter(f"total < {huge} LIMIT {huge}"))) == 4
    assert orders.find("orders", parse_filter(f"total IN ({huge}, -{huge})")) == []
    assert len(orders.search("orders", "", 10**30)) == 4
    with pytest.raises(DataError):
        orders.save("orders", {"total": 10**30})
