"""FORMAT (BASIC.md §10.2) against the spec and functions/format_*.dialog."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from engine.basic.builtins.formatting import format_value
from engine.basic.errors import BasicTypeError, BasicValueError
from tests.engine.basic.builtin_helpers import NOW, TODAY, FakeContext, call


def fmt(value: Any, pattern: Any = None, locale: str = "en") -> str:
    """FORMAT(value) or FORMAT(value, pattern) for a bot whose locale is ``locale``."""
    args = (value,) if pattern is None else (value, pattern)
    return str(call("FORMAT", *args, ctx=FakeContext(locale=locale)))


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        (1234.567, "N2", "1,234.57"),
        (1234.567, "N0", "1,235"),
        (1234.567, "F1", "1234.6"),
        (1234.567, "n", "1,234.57"),
        (1234.567, "C2", "$1,234.57"),
        (1234.567, "C2[pt]", "R$ 1.234,57"),
        (1234.567, "C2[pt-BR]", "R$ 1.234,57"),
        (1234.567, "C2[es]", "1.234,57 €"),
        (1234.567, "C2[de]", "1.234,57 €"),
        (1234.567, "C2[fr]", "1 234,57 €"),
        (-5, "C2", "-$5.00"),
        (-5, "C2[pt]", "-R$ 5,00"),
        (0.256, "P1", "25.6%"),
        (0.5, "P0", "50%"),
        (42, "D5", "00042"),
        (-42, "D5", "-00042"),
        (41.5, "D3", "042"),
        (1234567.891, "N2[pt]", "1.234.567,89"),
        (1234.5, "F2[fr]", "1234,50"),
        (0.125, "N2", "0.13"),
        (-0.001, "N2", "0.00"),
        (1e16, "N0", "10,000,000,000,000,000"),
        (10**20, "N0", "100,000,000,000,000,000,000"),
        (999, "N0", "999"),
        ("1234.5", "N1", "1,234.5"),
        (1234.5, "#,##0", "1,235"),
        (1234.5, "#,##0.00", "1,234.50"),
        (99, "R$ #,##0.00", "R$ 99.00"),
        (-99, "R$ #,##0.00", "-R$ 99.00"),
        (2.5, "#.##", "2.5"),
        (3.14159, "#.##", "3.14"),
        (5, "#.##", "5"),
        (0.5, "#.##", "0.5"),
        (0.256, "0.0%", "25.6%"),
        (7, "000", "007"),
        (3.14, "+#.#", "+3.1"),
        (-3.14, "+#.#", "-3.1"),
        (0, "+0", "+0"),
        (1234567.891, "#,##0.00[pt]", "1.234.567,89"),
        ("1234.5", "#,##0.0", "1,234.5"),
        (2.345, "0.00", "2.35"),
        (1.005, "0.00", "1.01"),
        (5, "0.0#", "5.0"),
        (5.123, "0.0#", "5.12"),
        (1234.5, "0", "1235"),
        (12, "Total: 0 units", "Total: 12 units"),
        (5, "abc", "5"),
        (5, "", "5"),
        (-0.4, "0", "0"),
        (1234, "#,##0 >", "1,234 >"),
        (float("nan"), "N2", "NaN"),
    ],
)
def test_number_patterns(value: Any, pattern: str, expected: str) -> None:
    assert fmt(value, pattern) == expected


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        (NOW, "yyyy-MM-dd HH:mm", "2026-01-15 10:30"),
        (NOW, "DD/MM/YYYY", "15/01/2026"),
        (NOW, "YYYYMMDD", "20260115"),
        (NOW, "yyyyMMdd", "20260115"),
        (NOW, "MMMM d, yyyy", "January 15, 2026"),
        (NOW, "MMM DD, YYYY HH:mm", "Jan 15, 2026 10:30"),
        (NOW, "hh:mm tt", "10:30 AM"),
        (datetime(2026, 1, 15, 15, 30), "h:mm tt", "3:30 PM"),
        (datetime(2026, 1, 15, 0, 5), "h:mm TT", "12:05 AM"),
        (datetime(2026, 1, 15, 12, 5), "hh:m:s tt", "12:5:0 PM"),
        (NOW, "dddd", "Thursday"),
        (NOW, "ddd", "Thu"),
        (NOW, "yyyy-MM-ddTHH:mm:ss", "2026-01-15T10:30:00"),
        (NOW, "dd 'de' MMMM 'de' yyyy[pt]", "15 de janeiro de 2026"),
        (NOW, "dddd[es]", "jueves"),
        (NOW, "dddd, d 'de' MMMM[es]", "jueves, 15 de enero"),
        (NOW, "ddd MMM[pt]", "qui jan"),
        (date(2026, 3, 7), "dddd MMM[pt]", "sábado mar"),
        (date(2026, 9, 6), "ddd MMM[es]", "dom sep"),
        (NOW, "dddd MMMM[de]", "Thursday January"),
        ("2026-03-05", "d/M/yy", "5/3/26"),
        ("2026-03-05 08:09", "H:mm", "8:09"),
        (TODAY, "yyyy-MM-dd HH:mm:ss", "2026-01-15 00:00:00"),
        (NOW, "HH:mm:ss", "10:30:00"),
        (NOW, "'It''s' yyyy", "It's 2026"),
        (NOW, "''yy", "'26"),
        (NOW, "dd/MM", "15/01"),
        (NOW, "@", "@"),
        (NOW, "N2", "N2"),  # a date pattern: N is literal there
        (NOW, "> <", "> <"),
    ],
)
def test_date_patterns(value: Any, pattern: str, expected: str) -> None:
    assert fmt(value, pattern) == expected


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("12345678", "@@@@@-@@@", "12345-678"),
        (12345678, "@@@@@-@@@", "12345-678"),
        ("ab", ">@@", "AB"),
        ("AbC", "<@@@", "abc"),
        ("123", "@@@@@-@@@", "123-"),
        ("123456789", "@@@-@@", "123-456789"),
        ("12345678901", "@@@.@@@.@@@-@@", "123.456.789-01"),
        ("hello", ">", "HELLO"),
        (True, ">", "TRUE"),
        ([1], "@@", "[1]"),
    ],
)
def test_string_masks(value: Any, pattern: str, expected: str) -> None:
    assert fmt(value, pattern) == expected


def test_dispatch_special_cases() -> None:
    assert fmt(None, "N2") == ""
    assert fmt(12) == "12"
    assert fmt(2.50) == "2.5"
    assert fmt({"k": [1]}, "JSON") == '{"k":[1]}'
    assert fmt({"k": [1]}, "json") == '{"k":[1]}'
    assert fmt({"a": 1, "b": ["x"]}, "YAML") == "a: 1\nb:\n- x"
    assert fmt("2026-02-30", "dd/MM") == "dd/MM2026-02-30"  # not a date: a mask without @
    assert fmt(NOW, None) == "2026-01-15 10:30:00"


def test_bot_locale_applies_without_a_suffix() -> None:
    assert fmt(1234.5, "N2", locale="pt-BR") == "1.234,50"
    assert fmt(1234.5, "N2[en]", locale="pt") == "1,234.50"
    assert fmt(NOW, "MMMM", locale="es") == "enero"
    assert fmt(1234.5, "N2", locale="xx") == "1,234.50"


def test_format_value_is_the_plain_function() -> None:
    assert format_value(1234.567, "N2", "en") == "1,234.57"
    assert format_value(NOW, "JSON") == '"2026-01-15T10:30:00"'
    assert format_value(5, None) == "5"


def test_format_dialog_lines() -> None:
    n = 1234.567
    assert " | ".join([fmt(n, "N2"), fmt(n, "N0"), fmt(n, "F1")]) == "1,234.57 | 1,235 | 1234.6"
    assert fmt(None, "N2") + "|" + fmt(12) + "|" + fmt(5, "abc") == "|12|5"


def test_too_many_decimals() -> None:
    with pytest.raises(BasicValueError):
        fmt(1, "N101")
    assert fmt(1, "F100") == "1." + "0" * 100
    with pytest.raises(BasicTypeError):
        call("FORMAT")
