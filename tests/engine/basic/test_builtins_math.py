"""Math built-ins (BASIC.md §10.3) against the spec table and functions/math.dialog."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest

from engine.basic import values
from engine.basic.errors import BasicTypeError, BasicValueError
from tests.engine.basic.builtin_helpers import TODAY, FakeContext, call


def text(name: str, *args: Any) -> str:
    return values.text(call(name, *args))


@pytest.mark.parametrize(
    ("name", "args", "expected"),
    [
        ("ABS", (-3,), 3),
        ("ABS", (2.5,), 2.5),
        ("ABS", ("-4",), 4),
        ("ABS", (None,), 0),
        ("INT", (-2.5,), -3),
        ("FIX", (-2.5,), -2),
        ("INT", (2.9,), 2),
        ("INT", ("2.9",), 2),
        ("INT", (7,), 7),
        ("FLOOR", (2.7,), 2),
        ("CEIL", (2.1,), 3),
        ("CEILING", (-2.1,), -2),
        ("ROUND", (2.5,), 3),
        ("ROUND", (-2.5,), -3),
        ("ROUND", (0.5,), 1),
        ("ROUND", (0.4,), 0),
        ("ROUND", (1.005, 2), 1.01),
        ("ROUND", (2.675, 2), 2.68),
        ("ROUND", (-2.675, 2), -2.68),
        ("ROUND", (1234.5678, 1), 1234.6),
        ("ROUND", (10, 2), 10.0),
        ("ROUND", (7,), 7),
        ("ROUND", (2.5, 0), 3),
        ("ROUND", (1250, -2), 1300.0),
        ("ROUND", (49, -2), 0.0),
        ("ROUND", (0.05, 0), 0),
        ("ROUND", (1e300, 2), 1e300),
        ("ROUND", (0.1, 1000), 0.1),
        ("ROUND", ("2.5",), 3),
        ("SQR", (16,), 4.0),
        ("SQRT", (2,), 1.4142135623730951),
        ("POW", (2, 10), 1024),
        ("POWER", (9, 0.5), 3.0),
        ("POW", (2, -1), 0.5),
        ("MOD", (7, 3), 1),
        ("MOD", (-7, 3), -1),
        ("MOD", (7.5, 2), 1.5),
        ("SGN", (-4,), -1),
        ("SGN", (0,), 0),
        ("SGN", (0.5,), 1),
        ("MIN", (3, 1, 2), 1),
        ("MAX", ([3, 9, 2],), 9),
        ("MIN", ("b", "a"), "a"),
        ("MAX", ([],), None),
        ("MIN", (None, 4, None), 4),
        ("MAX", ("10", 9), "10"),
        ("MAX", (5,), 5),
        ("MIN", ([TODAY, date(2025, 1, 1)],), date(2025, 1, 1)),
        ("SUM", (1, 2, 3), 6),
        ("SUM", ([1.5, 2.5, None],), 4.0),
        ("SUM", ([],), 0),
        ("SUM", ("2", 3), 5),
        ("AVG", (1, 2), 1.5),
        ("AVERAGE", ([2, 4, 9],), 5.0),
        ("AVG", ([],), None),
        ("AVG", ([None, 4],), 4.0),
        ("EXP", (0,), 1.0),
        ("LOG", (1,), 0.0),
        ("LOG10", (1000,), 3.0),
        ("COS", (0,), 1.0),
        ("SIN", (0,), 0.0),
        ("TAN", (0,), 0.0),
        ("ATN", (0,), 0.0),
    ],
)
def test_math_functions(name: str, args: tuple[Any, ...], expected: Any) -> None:
    result = call(name, *args)
    assert result == expected
    assert type(result) is type(expected)


def test_math_dialog_lines() -> None:
    assert text("SQRT", 2) == "1.4142135623731"
    assert text("ROUND", call("PI"), 4) == "3.1416"
    assert text("ROUND", call("SIN", 0), 3) == "0"
    assert text("ROUND", values.mul(call("ATN", 1), 4), 5) == "3.14159"
    assert call("ATAN", 1) == call("ATN", 1)
    assert text("ROUND", 10, 2) == "10"
    assert call("TYPEOF", call("ROUND", 2.5)) == "integer"
    assert call("TYPEOF", call("INT", 2.9)) == "integer"


@pytest.mark.parametrize(
    ("name", "args", "error"),
    [
        ("SQR", (-1,), BasicValueError),
        ("LOG", (0,), BasicValueError),
        ("LOG", (-1,), BasicValueError),
        ("LOG10", (0,), BasicValueError),
        ("EXP", (1000,), BasicValueError),
        ("SIN", (float("inf"),), BasicValueError),
        ("INT", (float("nan"),), BasicValueError),
        ("ROUND", (float("inf"),), BasicValueError),
        ("ABS", ("abc",), BasicTypeError),
        ("ABS", (True,), BasicTypeError),
        ("SUM", ([1, "x"],), BasicTypeError),
        ("MIN", (1, True), BasicTypeError),
        ("MAX", ([[1], [2]],), BasicTypeError),
        ("MOD", (1, 0), Exception),
        ("PI", (1,), BasicTypeError),
        ("RANDOM", (1,), BasicTypeError),
        ("MIN", (), BasicTypeError),
    ],
)
def test_math_errors(name: str, args: tuple[Any, ...], error: type[Exception]) -> None:
    with pytest.raises(error):
        call(name, *args)


def test_random_stays_in_bounds_and_swaps() -> None:
    ctx = FakeContext()
    draws = [call("RANDOM", 1, 6, ctx=ctx) for _ in range(500)]
    assert set(draws) == {1, 2, 3, 4, 5, 6}
    assert all(type(r) is int for r in draws)
    assert call("RANDOM", 5, 5) == 5
    assert all(7 <= call("RANDOM", 9, 7, ctx=ctx) <= 9 for _ in range(50))


def test_rnd_is_in_unit_interval_and_uses_the_context_rng() -> None:
    floats = [call("RND", ctx=FakeContext(rng=random.Random(3))) for _ in range(3)]
    assert floats[0] == floats[1] == random.Random(3).random()
    ctx = FakeContext()
    assert all(0 <= call("RND", ctx=ctx) < 1 for _ in range(200))
