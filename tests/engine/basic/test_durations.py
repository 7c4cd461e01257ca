"""REMEMBER durations (BASIC.md §8.1)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.basic.durations import parse_duration
from engine.basic.errors import BasicValueError

UNITS = {
    1: ["second", "seconds", "sec", "s"],
    60: ["minute", "minutes", "min", "m"],
    3600: ["hour", "hours", "h"],
    86400: ["day", "days", "d"],
    7 * 86400: ["week", "weeks", "w"],
    30 * 86400: ["month", "months"],
    365 * 86400: ["year", "years"],
}


@pytest.mark.parametrize(("unit", "seconds"), [(u, s) for s, units in UNITS.items() for u in units])
def test_every_unit_spelling(unit: str, seconds: int) -> None:
    assert parse_duration(f"2 {unit}") == dt.timedelta(seconds=2 * seconds)
    assert parse_duration(f"2{unit}") == dt.timedelta(seconds=2 * seconds)
    assert parse_duration(f" 2 {unit.upper()} ") == dt.timedelta(seconds=2 * seconds)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        (30, 30),
        (0, 0),
        (1.5, 1.5),
        ("30", 30),
        (" 45 ", 45),
        ("1e3", 1000),
        ("2 minutes", 120),
        ("1 minute", 60),
        ("1.5 hours", 5400),
        (".5 days", 43200),
        ("1 month", 30 * 86400),
        ("1 year", 365 * 86400),
        ("3 weeks", 21 * 86400),
    ],
)
def test_numbers_are_seconds_and_n_unit(value: object, seconds: float) -> None:
    assert parse_duration(value) == dt.timedelta(seconds=seconds)


@pytest.mark.parametrize("value", [None, "forever", "FOREVER", " Forever ", "", "   "])
def test_no_expiry(value: object) -> None:
    assert parse_duration(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "fortnight",
        "2 fortnights",
        "5 mins",
        "two minutes",
        "minutes",
        "2 minutes 30 seconds",
        "-5 minutes",
        -1,
        -0.5,
        "-30",
        float("nan"),
        float("inf"),
        True,
        False,
        [1],
        {"minutes": 2},
        dt.date(2026, 1, 15),
        10**400,
        "1e400",
        "99999999999 years",
    ],
)
def test_unreadable_durations_raise_value_error(value: object) -> None:
    with pytest.raises(BasicValueError) as info:
        parse_duration(value)
    assert info.value.kind == "ValueError"
    assert "invalid duration" in info.value.message
    assert len(info.value.message) < 80  # huge inputs are cut in the message


def test_message_quotes_strings() -> None:
    with pytest.raises(BasicValueError, match='invalid duration "fortnight"'):
        parse_duration("fortnight")


@given(st.integers(min_value=0, max_value=10**9))
def test_integer_seconds(n: int) -> None:
    assert parse_duration(n) == dt.timedelta(seconds=n)
    assert parse_duration(str(n)) == dt.timedelta(seconds=n)
    assert parse_duration(f"{n} s") == dt.timedelta(seconds=n)
