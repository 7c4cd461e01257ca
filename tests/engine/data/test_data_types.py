"""Stored values come back with their BASIC types (BASIC.md §7.2 "Stored values")."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlean

from engine.basic.errors import DataError
from engine.basic.filters import parse_filter
from engine.basic.query import ALL_ROWS, FieldDecl, TableDecl
from engine.data.convert import from_stored, to_param, to_stored
from engine.data.schema import ColumnSpec
from engine.data.sqlite_store import SqliteTableStore

StoreFactory = Callable[..., SqliteTableStore]

RECORD: dict[str, Any] = {
    "title": "Olá",
    "count": 3,
    "big": 2**62,
    "ratio": 1.0,
    "flag": False,
    "day": date(2026, 1, 15),
    "moment": datetime(2026, 1, 15, 10, 30, 5),
    "tags": ["a", 1, 2.0, None, True],
    "meta": {"when": date(2026, 1, 1), "$odd": 1, "nested": {"x": [1.5]}},
    "nothing": None,
}


def test_types_round_trip_across_a_restart(open_store: StoreFactory) -> None:
    first = open_store()
    key = first.save("things", RECORD)
    first.close()
    row = open_store().find("things", ALL_ROWS)[0]
    assert row == {"id": key, **RECORD}
    for name, value in RECORD.items():
        assert type(row[name]) is type(value), name
    assert type(row["meta"]["when"]) is date
    assert type(row["tags"][2]) is float


def test_declared_types_convert_on_the_way_in(store: SqliteTableStore) -> None:
    decl = TableDecl(
        "typed",
        (
            FieldDecl("n", "integer"),
            FieldDecl("x", "float"),
            FieldDecl("b", "boolean"),
            FieldDecl("d", "date"),
            FieldDecl("t", "datetime"),
            FieldDecl("j", "json"),
            FieldDecl("s", "text"),
        ),
    )
    store.declare_table(decl)
    store.save(
        "typed",
        {
            "n": " 42 ",
            "x": "2",
            "b": "Yes",
            "d": datetime(2026, 3, 1, 12, 0),
            "t": "2026-03-01",
            "j": "just text",
            "s": datetime(2026, 3, 1, 9, 5),
        },
    )
    assert store.find("typed", ALL_ROWS)[0] == {
        "id": 1,
        "n": 42,
        "x": 2.0,
        "b": True,
        "d": date(2026, 3, 1),
        "t": datetime(2026, 3, 1, 0, 0),
        "j": "just text",
        "s": "2026-03-01 09:05:00",
    }


@pytest.mark.parametrize(
    ("column_type", "value"),
    [
        ("integer", "1.5"),
        ("integer", True),
        ("integer", [1]),
        ("float", "1,5"),
        ("boolean", "maybe"),
        ("boolean", 2),
        ("date", "15/01/2026"),
        ("date", 20260115),
        ("datetime", "2026-01-15 25:00"),
    ],
)
def test_invalid_values(column_type: Any, value: Any) -> None:
    column = ColumnSpec("score", column_type)
    with pytest.raises(DataError, match=f"is not valid for column 'score' \\({column_type}\\)"):
        to_stored(value, column)


def test_stored_forms_are_plain_sql_values() -> None:
    assert to_stored(date(2026, 1, 5), ColumnSpec("d", "date")) == "2026-01-05"
    assert to_stored("2026-01-05T07:08", ColumnSpec("t", "datetime")) == "2026-01-05 07:08:00"
    assert to_stored(True, ColumnSpec("b", "boolean")) == 1
    assert to_stored(2.5, ColumnSpec("s", "text")) == "2.5"
    assert to_stored(None, ColumnSpec("n", "integer")) is None
    assert to_param(2.5, ColumnSpec("n", "integer")) == 2.5
    assert to_param(datetime(2026, 1, 5, 8), ColumnSpec("d", "date")) == "2026-01-05 08:00:00"
    assert from_stored("garbage", "date") == "garbage"


def test_a_shared_connection_and_many_threads(tmp_path: Path) -> None:
    connection = sqlean.connect(str(tmp_path / "shared.db"), check_same_thread=False)
    store = SqliteTableStore(connection)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for i in range(25):
                store.save("hits", {"worker": worker, "i": i})
                store.count("hits", parse_filter(f"worker = {worker}"))
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert store.count("hits", ALL_ROWS) == 100
    ids = [row["id"] for row in store.find("hits", parse_filter("ORDER BY id"))]
    assert ids == list(range(1, 101))
    store.close()  # not owned: the connection stays open
    assert connection.execute("SELECT COUNT(*) FROM hits").fetchone()[0] == 100
    connection.close()
