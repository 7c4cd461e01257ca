"""Date built-ins (BASIC.md §10.4) against the spec table and functions/dates.dialog."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from engine.basic import values
from engine.basic.errors import BasicTypeError, BasicValueError
from tests.engine.basic.builtin_helpers import NOW, TODAY, FakeContext, call


def test_now_and_today_read_the_context_clock() -> None:
    ctx = FakeContext(clock=datetime(2026, 1, 15, 10, 30, 0, 123456))
    assert call("NOW", ctx=ctx) == NOW
    assert type(call("TODAY", ctx=ctx)) is date
    assert call("TODAY", ctx=ctx) == TODAY
    assert values.text(call("NOW")) == "2026-01-15 10:30:00"


@pytest.mark.parametrize(
    ("name", "expected"),
    [("YEAR", 2026), ("MONTH", 1), ("DAY", 15), ("HOUR", 10), ("MINUTE", 30), ("SECOND", 0)],
)
def test_parts(name: str, expected: int) -> None:
    assert call(name, NOW) == expected
    assert call(name, "2026-01-15 10:30") == expected
    assert call(name, None) is None


def test_parts_of_a_date_and_weekday() -> None:
    assert call("HOUR", TODAY) == 0
    assert call("WEEKDAY", TODAY) == 5
    assert call("WEEKDAY", "2026-01-18") == 1
    assert call("WEEKDAY", "17/01/2026") == 7
    assert call("MONTH", call("NOW")) == 1


def test_part_errors() -> None:
    with pytest.raises(BasicValueError):
        call("YEAR", "not a date")
    with pytest.raises(BasicTypeError):
        call("YEAR", 2026)


def test_date() -> None:
    assert call("DATE", 2026, 2, 1) == date(2026, 2, 1)
    assert type(call("DATE", 2026, 2, 1)) is date
    for bad in ((2026, 2, 30), (2026, 13, 1), (0, 1, 1), (10**20, 1, 1)):
        with pytest.raises(BasicValueError):
            call("DATE", *bad)


@pytest.mark.parametrize(
    ("s", "expected"),
    [
        ("2026-01-15", date(2026, 1, 15)),
        ("2026/01/15", date(2026, 1, 15)),
        ("31/01/2026", date(2026, 1, 31)),
        ("31.01.2026", date(2026, 1, 31)),
        ("31-01-2026", date(2026, 1, 31)),
        ("01/31/2026", date(2026, 1, 31)),  # month first only when the day cannot be a month
        ("05/03/2026", date(2026, 3, 5)),
        ("5/3/26", date(2026, 3, 5)),
        ("15 Jan 2026", date(2026, 1, 15)),
        ("Jan 15, 2026", date(2026, 1, 15)),
        ("January 15 2026", date(2026, 1, 15)),
        ("today", TODAY),
        ("Tomorrow", date(2026, 1, 16)),
        ("yesterday", date(2026, 1, 14)),
        ("amanhã", date(2026, 1, 16)),
        ("ontem", date(2026, 1, 14)),
        ("hoy", TODAY),
        ("2026-01-15 08:05", datetime(2026, 1, 15, 8, 5)),
        ("2026-01-15T08:05:00", datetime(2026, 1, 15, 8, 5)),
        ("2026-01-15 08:05:09", datetime(2026, 1, 15, 8, 5, 9)),
    ],
)
def test_datevalue(s: str, expected: date) -> None:
    result = call("DATEVALUE", s)
    assert result == expected
    assert type(result) is type(expected)
    assert call("ISDATE", s) is True


def test_datevalue_passes_dates_through() -> None:
    assert call("DATEVALUE", NOW) is NOW
    assert call("DATEVALUE", TODAY) is TODAY


@pytest.mark.parametrize(
    "bad", ["2026-02-30", "31/02/2026", "", "soon", "2026-01-15 25:00", 42, None]
)
def test_datevalue_invalid(bad: Any) -> None:
    with pytest.raises(BasicValueError):
        call("DATEVALUE", bad)
    assert call("ISDATE", bad) is False


def test_isdate() -> None:
    assert call("ISDATE", TODAY) is True
    assert call("ISDATE", NOW) is True
    assert call("ISDATE", [TODAY]) is False


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((TODAY, 1, "month"), date(2026, 2, 15)),
        ((TODAY, -7, "day"), date(2026, 1, 8)),
        ((NOW, 90, "minute"), datetime(2026, 1, 15, 12, 0)),
        ((date(2026, 1, 31), 1, "month"), date(2026, 2, 28)),
        (("2024-02-29", 1, "year"), date(2025, 2, 28)),
        (("2024-01-31", 1, "months"), date(2024, 2, 29)),
        (("day", 7, TODAY), date(2026, 1, 22)),
        ((TODAY, "week", 2), date(2026, 1, 29)),
        ((NOW, 2, "h"), datetime(2026, 1, 15, 12, 30)),
        ((TODAY, 1, "quarter"), date(2026, 4, 15)),
        ((TODAY, 1.9, "month"), date(2026, 2, 15)),
        ((TODAY, -13, "MON"), date(2024, 12, 15)),
        ((TODAY, 1.5, "day"), date(2026, 1, 16)),
        ((NOW, 1.5, "days"), datetime(2026, 1, 16, 22, 30)),
        ((TODAY, 1, "hour"), datetime(2026, 1, 15, 1, 0)),
        ((TODAY, 30, "s"), datetime(2026, 1, 15, 0, 0, 30)),
        ((NOW, 1, "m"), datetime(2026, 1, 15, 10, 31)),
        ((NOW, "2", "yyyy"), datetime(2028, 1, 15, 10, 30)),
        ((NOW, 3, "ww"), datetime(2026, 2, 5, 10, 30)),
        ((TODAY, None, "day"), TODAY),
        ((None, 1, "day"), None),
    ],
)
def test_dateadd(args: tuple[Any, ...], expected: Any) -> None:
    result = call("DATEADD", *args)
    assert result == expected
    assert type(result) is type(expected)


def test_dateadd_errors() -> None:
    with pytest.raises(BasicValueError):
        call("DATEADD", TODAY, 1, "fortnight")
    with pytest.raises(BasicValueError):
        call("DATEADD", date(9999, 12, 1), 1, "month")
    with pytest.raises(BasicTypeError):
        call("DATEADD", TODAY, 1)
    with pytest.raises(BasicTypeError):
        call("DATEADD", TODAY, "x", "day")
    with pytest.raises(BasicTypeError):
        call("DATEADD", 5, 7, "day")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((TODAY, "2026-02-01", "day"), 17),
        ((NOW, date(2026, 1, 20), "day"), 5),
        (("2026-01-31", "2026-03-01", "month"), 2),
        ((NOW, "2026-01-15 12:00", "hour"), 1),
        ((NOW, "2026-01-15 12:00", "m"), 90),
        (("day", "2026-01-20", TODAY), -5),
        (("2025-06-30", TODAY, "year"), 1),
        ((TODAY, "2026-01-29", "week"), 2),
        ((TODAY, "2026-01-02", "week"), -1),  # -13 days, truncated toward zero
        ((NOW, "2026-01-15 09:00", "hours"), -1),
        ((NOW, "2026-01-16 10:29:59", "day"), 1),
        ((NOW, "2026-01-16 10:29:59", "second"), 86399),
        ((TODAY, "2026-04-01", "quarter"), 1),
        ((TODAY, "2025-12-31", "q"), -1),
        ((TODAY, None, "day"), None),
    ],
)
def test_datediff(args: tuple[Any, ...], expected: Any) -> None:
    assert call("DATEDIFF", *args) == expected


def test_date_dialog_lines() -> None:
    line = " | ".join(
        [
            values.text(call("DATEADD", TODAY, 1, "month")),
            values.text(call("DATEADD", TODAY, -7, "day")),
            values.text(call("DATEADD", NOW, 90, "minute")),
        ]
    )
    assert line == "2026-02-15 | 2026-01-08 | 2026-01-15 12:00:00"
    parts = [call("DATEVALUE", "31.01.2026"), call("DATEVALUE", "2026-01-15T08:05:00")]
    assert " ".join(values.text(p) for p in parts) == "2026-01-31 2026-01-15 08:05:00"
