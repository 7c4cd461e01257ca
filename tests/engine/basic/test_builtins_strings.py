"""String built-ins (BASIC.md §10.1) against the spec table and strings_*.dialog."""

from __future__ import annotations

from typing import Any

import pytest

from engine.basic import values
from engine.basic.builtins import lookup
from engine.basic.errors import BasicTypeError, BasicValueError
from tests.engine.basic.builtin_helpers import call


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("LEN", ("Hello World",), 11),
        ("LEN", ("héllo",), 5),
        ("LEN", (None,), 0),
        ("LEN", ([1, 2],), 2),
        ("LEN", ({"a": 1},), 1),
        ("LEN", (123,), 3),
        ("LEFT", ("Hello World", 5), "Hello"),
        ("RIGHT", ("Hello World", 5), "World"),
        ("RIGHT", ("2026-01", 2), "01"),
        ("LEFT", ("ab", 10), "ab"),
        ("LEFT", ("ab", 0), ""),
        ("RIGHT", ("ab", -1), ""),
        ("LEFT", (None, 3), ""),
        ("LEFT", ("abc", "2"), "ab"),
        ("MID", ("Hello World", 7), "World"),
        ("MID", ("Hello", 2, 3), "ell"),
        ("MID", ("Hello World", 50), ""),
        ("MID", ("Hello", 0, 2), "He"),
        ("MID", ("Hello", 2, 0), ""),
        ("MID", ("Hello", 2, -1), ""),
        ("INSTR", ("Hello World", "o"), 5),
        ("INSTR", (6, "Hello World", "o"), 8),
        ("INSTR", ("Hello World", "z"), 0),
        ("INSTR", ("Hello World", "WORLD"), 0),
        ("INSTR", ("a,b,c", ","), 2),
        ("INSTR", (3, "abc", ""), 3),
        ("INSTR", ("abc", ""), 1),
        ("UCASE", ("ok",), "OK"),
        ("UPPER", ("Hello World",), "HELLO WORLD"),
        ("LCASE", ("Hello World",), "hello world"),
        ("LOWER", ("ÁB",), "áb"),
        ("UCASE", (None,), ""),
        ("TRIM", ("  a ",), "a"),
        ("LTRIM", ("  pad  ",), "pad  "),
        ("RTRIM", ("  pad  ",), "  pad"),
        ("TRIM", ("\t pad\n",), "pad"),
        ("REPLACE", ("a-b-c", "-", "/"), "a/b/c"),
        ("REPLACE", ("aaa", "a", "bb"), "bbbbbb"),
        ("REPLACE", ("abc", "", "x"), "abc"),
        ("REPLACE", ("aA", "a", "b"), "bA"),
        ("SPLIT", ("a,,b", ","), ["a", "", "b"]),
        ("SPLIT", ("one two",), ["one", "two"]),
        ("SPLIT", ("", ","), []),
        ("SPLIT", ("abc", ""), ["a", "b", "c"]),
        ("SPLIT", (None,), []),
        ("STR", (2.50,), "2.5"),
        ("CSTR", (10,), "10"),
        ("STR", (None,), ""),
        ("STR", ([1, "a"],), '[1,"a"]'),
        ("VAL", ("42 kg",), 42),
        ("VAL", ("3.5",), 3.5),
        ("VAL", ("abc",), 0),
        ("VAL", ("  -7 ",), -7),
        ("VAL", ("1e3x",), 1000.0),
        ("VAL", ("1e",), 1),
        ("VAL", ("1,5",), 1),
        ("VAL", (None,), 0),
        ("VAL", (2.5,), 2.5),
        ("CHR", (65,), "A"),
        ("CHR", (97,), "a"),
        ("CHR", (0x1F600,), "😀"),
        ("ASC", ("a",), 97),
        ("ASC", ("€uro",), 8364),
        ("CONTAINS", ("Hello", "ELL"), True),
        ("CONTAINS", ("Hello", "xyz"), False),
        ("CONTAINS", ([1, 2], "2"), True),
        ("CONTAINS", ([1, 2], 9), False),
        ("CONTAINS", ({"k": 1}, "K"), True),
        ("CONTAINS", (None, "x"), False),
        ("CONTAINS", (12345, 23), True),
        ("STARTSWITH", ("Invoice-7", "invoice"), True),
        ("STARTSWITH", ("Invoice-7", "voice"), False),
        ("ENDSWITH", ("a.PDF", ".pdf"), True),
        ("ENDSWITH", ("report.PDF", ".pdf"), True),
        ("ENDSWITH", ("a", "ab"), False),
    ],
)
def test_string_functions(name: str, args: tuple[Any, ...], expected: Any) -> None:
    result = call(name, *args)
    assert result == expected
    assert type(result) is type(expected)


def test_val_adds_up_as_in_the_conformance_case() -> None:
    total = values.add(values.add(call("VAL", "42 kg"), call("VAL", "3.5")), call("VAL", "abc"))
    assert values.text(total) == "45.5"
    assert values.text(values.mul(call("VAL", "  -7 "), 2)) == "-14"


@pytest.mark.parametrize(
    ("name", "args", "error"),
    [
        ("ASC", ("",), BasicValueError),
        ("CHR", (-1,), BasicValueError),
        ("CHR", (0x110000,), BasicValueError),
        ("CHR", (0xD800,), BasicValueError),
        ("LEFT", ("abc", "x"), BasicTypeError),
        ("LEFT", ("abc", True), BasicTypeError),
        ("LEN", (), BasicTypeError),
        ("LEFT", ("abc",), BasicTypeError),
        ("MID", ("a", 1, 2, 3), BasicTypeError),
        ("INSTR", ("a",), BasicTypeError),
    ],
)
def test_string_errors(name: str, args: tuple[Any, ...], error: type[Exception]) -> None:
    with pytest.raises(error):
        call(name, *args)


def test_split_results_are_fresh_arrays() -> None:
    first = call("SPLIT", "a b")
    first.append("c")
    assert call("SPLIT", "a b") == ["a", "b"]


def test_aliases_share_one_entry() -> None:
    assert lookup("UCASE") is lookup("upper")
    assert lookup("LCASE") is lookup("LOWER")
    assert lookup("STR") is lookup("CSTR")
