"""Built-ins over arrays of maps (BASIC.md §7.9), COUNT/JOIN and MERGE of two arrays (§7.6)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from engine.basic.builtins import lookup
from engine.basic.builtins.rows import aggregate_values, merge_lists
from engine.basic.errors import BasicTypeError, BasicValueError, DataError
from engine.basic.values import json_text
from engine.data.sqlite_store import SqliteTableStore

SALES = [
    {"region": "north", "rep": "Ana", "amount": 100, "month": "jan"},
    {"region": "south", "rep": "Bo", "amount": 250, "month": "jan"},
    {"region": "north", "rep": "Cy", "amount": "50", "month": "feb"},
    {"region": "south", "rep": "Ana", "amount": 75, "month": "feb"},
]
REPS = [{"rep": "Ana", "team": "A"}, {"rep": "Bo", "team": "B"}]


@dataclass
class FakeHost:
    data: Any = None


@dataclass
class FakeContext:
    locale: str = "en"
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    host: FakeHost = field(default_factory=FakeHost)

    def now(self) -> datetime:
        return datetime(2026, 1, 15, 10, 30)


@pytest.fixture
def ctx(tmp_path: Path) -> Iterator[FakeContext]:
    with SqliteTableStore(tmp_path / "bot.db") as store:
        yield FakeContext(host=FakeHost(store))


def call(name: str, *args: Any, ctx: FakeContext | None = None) -> Any:
    entry = lookup(name)
    assert entry is not None, name
    entry.check_arity(len(args))
    return entry.fn(ctx or FakeContext(), list(args))  # type: ignore[arg-type]


def test_in_memory_conformance_case() -> None:
    """conformance/data/in_memory.bas, line by line."""
    assert len(call("FILTER", SALES, "amount >= 100")) == 2
    only_cy = call("FILTER", SALES, "region = north AND rep LIKE 'c'")
    assert json_text(only_cy) == '[{"region":"north","rep":"Cy","amount":"50","month":"feb"}]'
    assert call("AGGREGATE", "SUM", SALES, "amount") == 475
    assert call("AGGREGATE", SALES, "amount", "AVG") == 118.75
    assert call("AGGREGATE", "MAX", SALES, "amount") == 250
    assert call("AGGREGATE", "COUNT", SALES, "rep") == 4
    assert call("AGGREGATE", "SUM", [], "amount") == 0
    assert call("AGGREGATE", "AVG", [], "amount") is None
    groups = call("GROUP_BY", SALES, "region")
    assert list(groups) == ["north", "south"] and len(groups["south"]) == 2
    assert call("PIVOT", SALES, "month", "amount") == {"jan": 350, "feb": 125}
    assert call("PIVOT", SALES, "rep", "amount", "COUNT") == {"Ana": 2, "Bo": 1, "Cy": 1}
    ordered = call("SORT", SALES, "amount", "DESC")
    assert (ordered[0]["rep"], ordered[3]["rep"]) == ("Bo", "Cy")
    joined = call("JOIN", SALES, REPS, "rep")
    assert (len(joined), joined[0]["team"], joined[2]["team"]) == (3, "A", "A")
    assert call("MAP", REPS, "rep->name, team->squad")[0] == {"name": "Ana", "squad": "A"}
    assert call("FILL", REPS[0], "{rep} is in team {team}") == "Ana is in team A"
    assert call("FILL", REPS, "{rep}/{team}") == ["Ana/A", "Bo/B"]


def test_filter_accepts_order_limit_maps_and_null() -> None:
    assert [r["rep"] for r in call("FILTER", SALES, "ORDER BY amount LIMIT 2")] == ["Cy", "Ana"]
    assert len(call("FILTER", SALES, {"region": "north"})) == 2
    assert call("FILTER", None, "a = 1") == []
    assert call("FILTER", SALES, "*") == SALES
    with pytest.raises(DataError):
        call("FILTER", SALES, "amount > 1; DROP")
    with pytest.raises(BasicTypeError):
        call("FILTER", "text", "a = 1")


def test_aggregate_rules() -> None:
    assert aggregate_values("sum", [1, 2, None, "3"]) == 6
    assert type(aggregate_values("SUM", [1, 2])) is int
    assert aggregate_values("SUM", [1, 2.5]) == 3.5
    assert aggregate_values("AVG", [1, 2]) == 1.5
    assert type(aggregate_values("AVG", [2, 2])) is float
    assert aggregate_values("COUNT", [None, "", 0]) == 2
    assert aggregate_values("MIN", ["10", 9, None]) == 9
    assert aggregate_values("MAX", [date(2026, 1, 2), date(2026, 1, 1)]) == date(2026, 1, 2)
    assert aggregate_values("MIN", []) is None
    with pytest.raises(BasicTypeError):
        aggregate_values("SUM", [1, "abc"])
    with pytest.raises(BasicTypeError):
        aggregate_values("AVG", [True])
    with pytest.raises(BasicValueError):
        aggregate_values("MEDIAN", [1])


def test_aggregate_forms(ctx: FakeContext) -> None:
    assert call("AGGREGATE", SALES, "SUM", "amount") == 475
    assert call("AGGREGATE", SALES, "sum", "amount", "region = north") == 150
    with pytest.raises(BasicValueError):
        call("AGGREGATE", SALES, "amount", "total")
    store = ctx.host.data
    for total in (10, 20, 40):
        store.save("orders", {"total": total, "open": total > 15})
    assert call("AGGREGATE", "orders", "SUM", "total", ctx=ctx) == 70
    assert call("AGGREGATE", "orders", "AVG", "total", "open = TRUE", ctx=ctx) == 30.0
    assert call("AGGREGATE", "SUM", "orders", "total", ctx=ctx) == 70
    assert call("AGGREGATE", "Orders.csv", "MAX", "total", ctx=ctx) == 40
    assert call("AGGREGATE", "missing", "SUM", "total", ctx=ctx) == 0
    assert call("AGGREGATE", "missing", "MAX", "total", ctx=ctx) is None
    with pytest.raises(DataError):
        call("AGGREGATE", "orders", "SUM", "nope", ctx=ctx)


def test_sort() -> None:
    assert call("SORT", [3, 1, 2]) == [1, 2, 3]
    assert call("SORT", [3, 1, 2], "desc") == [3, 2, 1]
    assert call("SORT", ["b", "B", "a", None, "10", 9, True]) == [
        None,
        9,
        "10",
        "a",
        "B",
        "b",
        True,
    ]
    data = [{"n": "x", "k": 2}, {"n": "y", "k": 1}, {"n": "z", "k": 2}]
    assert [r["n"] for r in call("SORT", data, "k")] == ["y", "x", "z"]
    assert [r["n"] for r in call("SORT", data, "K", "DESC")] == ["x", "z", "y"]  # stable
    assert [r["n"] for r in call("SORT", data, "missing")] == ["x", "y", "z"]
    original = [2, 1]
    assert call("SORT", original) == [1, 2] and original == [2, 1]
    with pytest.raises(BasicValueError):
        call("SORT", data, "k", "sideways")


def test_group_by_and_pivot() -> None:
    data = [{"k": None, "v": 1}, {"k": 1, "v": 2}, {"v": 3}, {"k": "1", "v": 4}]
    groups = call("GROUP_BY", data, "k")
    assert list(groups) == ["", "1"] and [r["v"] for r in groups[""]] == [1, 3]
    assert call("PIVOT", data, "k", "v") == {"": 4, "1": 6}
    assert call("PIVOT", data, "k", "v", "max") == {"": 3, "1": 4}
    with pytest.raises(BasicValueError):
        call("PIVOT", data, "k", "v", "MODE")


def test_join_both_meanings() -> None:
    assert call("JOIN", [1, "a", None, 2.5]) == "1 a  2.5"
    assert call("JOIN", [1, 2], "-") == "1-2"
    assert call("JOIN", None, ",") == ""
    left = [{"id": 1, "name": "L"}, {"name": "no key"}]
    right = [{"ID": 1, "name": "R", "extra": True}, {"extra": False}]
    assert call("JOIN", left, right, "id") == [{"id": 1, "name": "L", "extra": True}]


def test_map_and_fill() -> None:
    renamed = call("MAP", [{"A": 1, "b": 2, "c": 3}, 5], "a->x, c -> z")
    assert renamed == [{"x": 1, "b": 2, "z": 3}, 5]
    assert list(renamed[0]) == ["x", "b", "z"]
    assert call("MAP", {"a": 1}, "a->b") == {"b": 1}
    with pytest.raises(BasicValueError):
        call("MAP", [], "a=b")
    assert call("FILL", {"Name": "Ana", "n": 2.50}, "{name}: {n} {missing}.") == "Ana: 2.5 ."
    assert call("FILL", [], "{x}") == []


def test_count(ctx: FakeContext) -> None:
    assert call("COUNT", [1, 2]) == 2
    assert call("COUNT", {"a": 1}) == 1
    assert call("COUNT", "héllo") == 5
    assert call("COUNT", None) == 0
    with pytest.raises(BasicTypeError):
        call("COUNT", 5)
    ctx.host.data.save("books", {"year": 2015})
    ctx.host.data.save("books", {"year": 2019})
    assert call("COUNT", "books", "year < 2018", ctx=ctx) == 1
    assert call("COUNT", "books", "*", ctx=ctx) == 2
    assert call("COUNT", "books", {"year": 2019}, ctx=ctx) == 1
    assert call("COUNT", "nope", "*", ctx=ctx) == 0


def test_merge_lists() -> None:
    a = [{"id": 1, "n": "a"}, {"id": 2, "n": "b"}]
    b = [{"id": 2, "n": "B"}, {"id": 3, "n": "c"}]
    assert merge_lists(a, b) == [{"id": 1, "n": "a"}, {"id": 2, "n": "b"}, {"id": 3, "n": "c"}]
    assert merge_lists([1, "2"], [2, 3, 3]) == [1, "2", 3]
    assert merge_lists([{"n": 1}], [{"n": 1}, {"ID": 1, "n": 1}]) == [{"n": 1}, {"ID": 1, "n": 1}]
    assert len(a) == 2  # inputs untouched


def test_arity() -> None:
    for name, count in [("FILTER", 1), ("AGGREGATE", 2), ("SORT", 4), ("JOIN", 4), ("COUNT", 3)]:
        with pytest.raises(BasicTypeError):
            call(name, *([[]] * count))
