"""Conversion and test built-ins (BASIC.md §10.6) and functions/conversion.dialog."""

from __future__ import annotations

from typing import Any

import pytest

from engine.basic import values
from engine.basic.builtins import lookup
from engine.basic.errors import BasicTypeError, BasicValueError
from tests.engine.basic.builtin_helpers import NOW, TODAY, call


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("CINT", ("2.5",), 3),
        ("CINT", (-2.5,), -3),
        ("CINT", (None,), 0),
        ("CINT", ("7",), 7),
        ("CINT", (2.4999,), 2),
        ("CINT", (" 12 ",), 12),
        ("CINT", (True,), 1),
        ("CINT", (10**30,), 10**30),
        ("CDBL", ("1.5",), 1.5),
        ("CDBL", (2,), 2.0),
        ("CDBL", (None,), 0.0),
        ("CDBL", ("1e3",), 1000.0),
        ("CBOOL", ("yes",), True),
        ("CBOOL", ("OFF",), False),
        ("CBOOL", (0,), False),
        ("CBOOL", (2,), True),
        ("CBOOL", (0.0,), False),
        ("CBOOL", (None,), False),
        ("CBOOL", ("",), False),
        ("CBOOL", (" True ",), True),
        ("CBOOL", ("on",), True),
        ("CBOOL", ("1",), True),
        ("CBOOL", ("No",), False),
        ("CBOOL", ("0",), False),
        ("CBOOL", (False,), False),
        ("ISNULL", (None,), True),
        ("ISNULL", ("",), False),
        ("ISEMPTY", ("  ",), True),
        ("ISEMPTY", ([],), True),
        ("ISEMPTY", ({},), True),
        ("ISEMPTY", (None,), True),
        ("ISEMPTY", (0,), False),
        ("ISEMPTY", ("x",), False),
        ("ISEMPTY", ([None],), False),
        ("ISEMPTY", (False,), False),
        ("ISNUMERIC", ("12.5",), True),
        ("ISNUMERIC", (" 12 ",), True),
        ("ISNUMERIC", ("1,5",), False),
        ("ISNUMERIC", ("",), False),
        ("ISNUMERIC", (True,), False),
        ("ISNUMERIC", (3,), True),
        ("ISNUMERIC", (2.5,), True),
        ("ISNUMERIC", (None,), False),
        ("NVL", (None, "n/a"), "n/a"),
        ("NVL", ("", "empty"), "empty"),
        ("NVL", (0, "zero"), 0),
        ("IFNULL", (None, 5), 5),
        ("NVL", ("  ", "x"), "  "),
        ("COALESCE", (None, "", "third", "fourth"), "third"),
        ("COALESCE", (None, "", "x"), "x"),
        ("COALESCE", (None, ""), None),
        ("COALESCE", (0, 1), 0),
        ("TYPEOF", (None,), "null"),
        ("TYPEOF", (True,), "boolean"),
        ("TYPEOF", (1,), "integer"),
        ("TYPEOF", (1.5,), "float"),
        ("TYPENAME", ("s",), "string"),
        ("TYPEOF", ([],), "array"),
        ("TYPEOF", ({},), "map"),
        ("TYPEOF", (TODAY,), "date"),
        ("TYPEOF", (NOW,), "datetime"),
        ("TYPEOF", (values.div(1, 2),), "float"),
    ],
)
def test_conversion_functions(name: str, args: tuple[Any, ...], expected: Any) -> None:
    result = call(name, *args)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("name", "arg"),
    [
        ("CINT", "abc"),
        ("CINT", "1,5"),
        ("CINT", []),
        ("CINT", float("inf")),
        ("CDBL", "abc"),
        ("CDBL", {}),
        ("CDBL", 10**400),
        ("CBOOL", "maybe"),
        ("CBOOL", "2"),
        ("CBOOL", [1]),
        ("CBOOL", TODAY),
    ],
)
def test_impossible_conversions_are_value_errors(name: str, arg: Any) -> None:
    with pytest.raises(BasicValueError):
        call(name, arg)


def test_iif_is_not_a_builtin() -> None:
    # The compiler evaluates IIF lazily (only the chosen branch), so it is not registered.
    assert lookup("IIF") is None


def test_guid() -> None:
    g = call("GUID")
    assert len(g) == 36
    assert values.like(g, "????????-????-4???-????-????????????")
    assert g == g.lower()
    assert call("UUID") != call("UUID")
    assert call("ISNUMERIC", g) is False
    assert g[19] in "89ab"  # RFC 4122 variant


def test_arity() -> None:
    with pytest.raises(BasicTypeError):
        call("NVL", 1)
    with pytest.raises(BasicTypeError):
        call("GUID", 1)
    with pytest.raises(BasicTypeError):
        call("COALESCE")
