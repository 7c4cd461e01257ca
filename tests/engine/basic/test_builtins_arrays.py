"""Array and map built-ins (BASIC.md §10.5, §7.8) and functions/arrays.dialog."""

from __future__ import annotations

from typing import Any

import pytest

from engine.basic import values
from engine.basic.errors import BasicTypeError
from tests.engine.basic.builtin_helpers import NOW, TODAY, call


def test_bounds() -> None:
    a = [3, 1, 2]
    assert [call("UBOUND", a), call("LBOUND", a)] == [2, 0]
    assert call("UBOUND", []) == -1
    assert call("UBOUND", None) == -1
    assert call("UBOUND", [7, 8, 9]) == 2
    with pytest.raises(BasicTypeError):
        call("UBOUND", 5)


def test_push_append_pop_change_the_array_in_place() -> None:
    a = [3, 1, 2]
    assert call("PUSH", a, 5) is a
    call("APPEND", a, 4)
    assert a == [3, 1, 2, 5, 4]
    assert call("POP", a) == 4
    assert a == [3, 1, 2, 5]
    assert call("POP", []) is None
    assert call("POP", None) is None
    assert call("PUSH", None, "x") == ["x"]
    with pytest.raises(BasicTypeError):
        call("PUSH", "text", 1)
    with pytest.raises(BasicTypeError):
        call("POP", {"a": 1})


def test_constructors() -> None:
    assert call("ARRAY", 7) == [7]
    assert call("NEW_ARRAY") == []
    assert call("NEW_ARRAY", 1, "two") == [1, "two"]
    assert call("NEW_OBJECT") == {}
    assert call("CREATE_OBJECT") == {}
    assert call("NEW_OBJECT") is not call("NEW_OBJECT")
    with pytest.raises(BasicTypeError):
        call("NEW_OBJECT", 1)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (([1, 1, "1", 2, 1],), [1, "1", 2]),
        ((["x", "x"],), ["x"]),
        (([1, 1.0, True],), [1, 1.0, True]),
        (([[1], [1], {"a": 1}, {"a": 1}, {"A": 1}],), [[1], {"a": 1}, {"A": 1}]),
        (([TODAY, NOW, TODAY],), [TODAY, NOW]),
        (([None, None],), [None]),
        ((None,), []),
    ],
)
def test_unique(args: tuple[Any, ...], expected: list[Any]) -> None:
    result = call("UNIQUE", *args)
    assert result == expected
    assert [type(x) for x in result] == [type(x) for x in expected]


def test_reverse_slice_index_of() -> None:
    original = [1, 2, 3]
    assert call("REVERSE", original) == [3, 2, 1]
    assert original == [1, 2, 3]
    assert call("REVERSE", "abc") == "cba"
    assert call("REVERSE", None) == ""
    assert call("SLICE", [1, 2, 3, 4], 1, 3) == [2, 3]
    assert call("SLICE", [1, 2, 3, 4], -2) == [3, 4]
    assert call("SLICE", [1, 2, 3, 4], 0, -1) == [1, 2, 3]
    assert call("SLICE", [1, 2, 3, 4], 3, 1) == []
    assert call("SLICE", "hello", 1, 3) == "el"
    assert call("SLICE", None, 0) == []
    assert call("INDEX_OF", ["a", "b"], "b") == 1
    assert call("INDEX_OF", ["a"], "z") == -1
    assert call("INDEX_OF", [1, 2], "2") == 1
    assert call("INDEX_OF", "hello", "l") == 2
    assert call("INDEX_OF", None, 1) == -1


def test_keys_values() -> None:
    m = {"b": 1, "a": 2}
    assert call("KEYS", m) == ["b", "a"]
    assert call("VALUES", m) == [1, 2]
    assert call("KEYS", {"a": 1}) == ["a"]
    assert call("KEYS", None) == []
    with pytest.raises(BasicTypeError):
        call("KEYS", [1])


def test_first_last() -> None:
    assert [call("FIRST", [9, 8]), call("LAST", [9, 8])] == [9, 8]
    assert call("FIRST", "hello big world") == "hello"
    assert call("LAST", "a b c") == "c"
    assert call("FIRST", []) is None
    assert call("LAST", "") is None
    assert call("FIRST", None) is None
    assert call("FIRST", "  padded  words ") == "padded"
    with pytest.raises(BasicTypeError):
        call("FIRST", {"a": 1})


def test_arrays_dialog_line() -> None:
    a = [3, 1, 2]
    parts = [call("UBOUND", a), call("LBOUND", a), call("UBOUND", []), call("UBOUND", None)]
    assert " ".join(values.text(p) for p in parts) == "2 0 -1 -1"
