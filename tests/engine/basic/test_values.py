"""BASIC values and operators (BASIC.md §3), checked against the spec's examples."""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.basic import values as v
from engine.basic.errors import (
    BasicIndexError,
    BasicTypeError,
    BasicValueError,
    DivisionByZero,
    LimitExceeded,
)

TODAY = date(2026, 1, 15)
NOW = datetime(2026, 1, 15, 10, 30, 0)


# --- type names, text form, JSON text ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (None, "null"),
        (True, "boolean"),
        (1, "integer"),
        (1.5, "float"),
        ("s", "string"),
        ([], "array"),
        ({}, "map"),
        (TODAY, "date"),
        (NOW, "datetime"),
    ],
)
def test_type_name(value: Any, name: str) -> None:
    assert v.type_name(value) == name


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (42, "42"),
        (-7, "-7"),
        (123456789012345678901234567890, "123456789012345678901234567890"),
        (3.50, "3.5"),
        (0.5, "0.5"),
        (1e3, "1000"),
        (2.5e-3, "0.0025"),
        (1e16, "1e+16"),
        (0.00001, "1e-05"),
        (0.1 + 0.2, "0.3"),
        (1 / 3, "0.333333333333333"),
        (6 / 2, "3"),
        (-0.0, "0"),
        (999999999999999.9, "1e+15"),  # §14.13: round to 15 digits first
        (123456789012345.6, "123456789012346"),
        (math.sqrt(2), "1.4142135623731"),
        ("text", "text"),
        (TODAY, "2026-01-15"),
        (NOW, "2026-01-15 10:30:00"),
        ([1, "two", True, None, 2.5], '[1,"two",true,null,2.5]'),
        ({"a": 1, "b": [True, None]}, '{"a":1,"b":[true,null]}'),
    ],
)
def test_text_form(value: Any, expected: str) -> None:
    assert v.text(value) == expected


def test_text_of_an_integer_beyond_the_str_digit_limit() -> None:
    assert v.text(10**5000) == "1" + "0" * 5000


def test_json_text() -> None:
    value = {
        "quote": 'say "hi"',
        "unicode": "ação",
        "nl": "a\nb",
        "when": TODAY,
        "at": datetime(2026, 1, 15, 8, 0),
        "f": 3.0,
        "g": 0.1 + 0.2,
        "nan": math.nan,
        "inf": -math.inf,
    }
    assert v.json_text(value) == (
        '{"quote":"say \\"hi\\"","unicode":"ação","nl":"a\\nb","when":"2026-01-15",'
        '"at":"2026-01-15T08:00:00","f":3,"g":0.3,"nan":null,"inf":null}'
    )
    assert v.json_text("plain") == '"plain"'
    assert v.json_text(None) == "null"
    assert v.json_text(1 / 4) == "0.25"


def test_json_text_refuses_a_cycle_but_allows_sharing() -> None:
    shared = [1]
    assert v.json_text([shared, shared]) == "[[1],[1]]"
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(BasicValueError):
        v.json_text(loop)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        (True, True),
        (False, False),
        (0, False),
        (0.0, False),
        (-1, True),
        ("", False),
        ("0", True),
        ("false", True),
        ([], False),
        ([0], True),
        ({}, False),
        ({"a": 1}, True),
        (TODAY, True),
        (NOW, True),
    ],
)
def test_truthy(value: Any, expected: bool) -> None:
    assert v.truthy(value) is expected


# --- numeric strings --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("s", "expected"),
    [
        ("42", 42),
        (" -3.5 ", -3.5),
        ("1e3", 1000.0),
        ("+7", 7),
        ("1.", 1.0),
        (".5", 0.5),
        ("2.5E-3", 0.0025),
        ("1,5", None),
        ("", None),
        ("abc", None),
        ("1e", None),
        (".", None),
        ("0x10", None),
        ("١٢", None),  # Arabic-Indic digits are not digits here
    ],
)
def test_parse_numeric(s: str, expected: Any) -> None:
    result = v.parse_numeric(s)
    assert result == expected
    assert type(result) is type(expected)
    assert v.is_numeric_string(s) is (expected is not None)


def test_parse_numeric_very_long_integer() -> None:
    assert v.parse_numeric("9" * 5000) == 10**5000 - 1


def test_to_number() -> None:
    assert v.to_number(None) == 0
    assert v.to_number("12") == 12
    assert v.to_number(2.5) == 2.5
    bad: Any
    for bad in ("abc", True, [], {}, TODAY):
        with pytest.raises(BasicTypeError):
            v.to_number(bad)


# --- arithmetic -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("op", "a", "b", "expected"),
    [
        ("+", 2, 3, 5),
        ("*", 2, 3.5, 7.0),
        ("*", 2, 3, 6),
        ("-", 10, 2, 8),
        ("/", 7, 2, 3.5),
        ("/", 6, 3, 2.0),
        ("\\", 7, 2, 3),
        ("\\", -7, 2, -3),
        ("\\", 7, -2, -3),
        ("\\", -8, 2, -4),
        ("\\", 7.5, 2, 3),
        ("\\", 0.3, 0.1, 3),  # floats count as their shortest decimal form
        ("MOD", 7, 3, 1),
        ("MOD", -7, 3, -1),
        ("MOD", 7, -3, 1),
        ("MOD", 7.5, 2, 1.5),
        ("MOD", 0.3, 0.1, 0.0),
        ("mod", -7.5, 2, -1.5),
        ("^", 2, 10, 1024),
        ("^", 2, -1, 0.5),
        ("^", 9, 0.5, 3.0),
        ("^", -2, 3, -8),
        ("^", -2.0, 2.0, 4.0),
        ("^", 0, 0, 1),
        ("*", "10", 2, 20),
        ("+", None, 1, 1),
        ("*", None, 5, 0),
        ("-", "5", "2", 3),
        ("^", "2", "3", 8),
        ("&", 1, 2, "12"),
        ("&", None, True, "true"),
    ],
)
def test_arith(op: str, a: Any, b: Any, expected: Any) -> None:
    result = v.arith(op, a, b)
    assert result == expected
    assert type(result) is type(expected)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("Total: ", 5, "Total: 5"),
        ("1", 2, "12"),
        ("a", None, "a"),
        ("Flag: ", True, "Flag: true"),
        ("x", 1.50, "x1.5"),
        ("Day ", TODAY, "Day 2026-01-15"),
        (None, "b", "b"),
        ("list ", [1], "list [1]"),
        ([1], [2, 3], [1, 2, 3]),
    ],
)
def test_add_concatenates(a: Any, b: Any, expected: Any) -> None:
    assert v.add(a, b) == expected


def test_array_plus_array_is_a_new_array() -> None:
    a, b = [1], [2]
    result = v.add(a, b)
    assert result == [1, 2] and result is not a and a == [1]


@pytest.mark.parametrize(
    ("op", "a", "b"),
    [
        ("+", True, 1),
        ("+", [1], 1),
        ("+", {}, 1),
        ("-", "abc", 1),
        ("*", "abc", 2),
        ("-", 1, TODAY),
        ("+", TODAY, TODAY),
        ("/", [], 1),
        ("\\", True, 1),
        ("MOD", {}, 1),
        ("^", False, 1),
    ],
)
def test_arith_type_errors(op: str, a: Any, b: Any) -> None:
    with pytest.raises(BasicTypeError, match="cannot apply"):
        v.arith(op, a, b)


def test_type_error_message() -> None:
    with pytest.raises(BasicTypeError) as info:
        v.add(True, 1)
    assert info.value.message == "cannot apply '+' to types boolean and integer"


@pytest.mark.parametrize("op", ["/", "\\", "MOD"])
@pytest.mark.parametrize("zero", [0, 0.0, None, "0"])
def test_division_by_zero(op: str, zero: Any) -> None:
    with pytest.raises(DivisionByZero, match="division by zero"):
        v.arith(op, 5, zero)


def test_power_errors() -> None:
    with pytest.raises(BasicValueError):
        v.power(-8, 1 / 3)
    with pytest.raises(DivisionByZero):
        v.power(0, -1)
    with pytest.raises(BasicValueError):
        v.power(10.0, 400)
    with pytest.raises(LimitExceeded, match="integer size limit"):  # checked before computing
        v.power(2, 10**9)


def test_overflow_is_a_value_error() -> None:
    with pytest.raises(BasicValueError):
        v.add(10**400, 1.5)
    with pytest.raises(BasicValueError):
        v.div(10**400, 3)


def test_unary() -> None:
    assert v.negate(5) == -5
    assert v.negate("3") == -3
    assert v.negate(None) == 0
    assert v.negate(2.5) == -2.5
    assert v.positive("4.5") == 4.5
    bad: Any
    for bad in (True, "x", [], TODAY):
        with pytest.raises(BasicTypeError):
            v.negate(bad)
        with pytest.raises(BasicTypeError):
            v.positive(bad)


def test_power_is_right_associative_at_the_value_level() -> None:
    assert v.power(2, v.power(3, 2)) == 512
    assert v.negate(v.power(2, 2)) == -4


# --- dates in arithmetic ----------------------------------------------------------------------


def test_date_arithmetic() -> None:
    assert v.add(TODAY, 1) == date(2026, 1, 16)
    assert type(v.add(TODAY, 1.0)) is date
    assert v.add(1, TODAY) == date(2026, 1, 16)
    assert v.add(NOW, 0.5) == datetime(2026, 1, 15, 22, 30)
    assert v.add(TODAY, 0.5) == datetime(2026, 1, 15, 12, 0)
    assert v.sub(TODAY, 15) == date(2025, 12, 31)
    assert v.sub(NOW, "1") == datetime(2026, 1, 14, 10, 30)
    assert v.add(TODAY, None) == TODAY
    assert v.text(v.add(TODAY, 30)) == "2026-02-14"


def test_date_difference() -> None:
    days = v.sub(date(2026, 3, 1), TODAY)
    assert days == 45 and type(days) is int
    assert v.sub(NOW, TODAY) == 0.4375
    assert v.sub(TODAY, NOW) == -0.4375
    assert v.sub(datetime(2026, 1, 16), TODAY) == 1


def test_date_out_of_range() -> None:
    with pytest.raises(BasicValueError):
        v.add(date(9999, 12, 31), 1)


# --- equality and ordering --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (None, None, True),
        (None, "", True),
        ("", None, True),
        (None, 0, False),
        (None, [], False),
        (None, False, False),
        (1, 1.0, True),
        ("10", 10, True),
        (10, "10.0", True),
        (10, " 10 ", True),
        (5, "five", False),
        (1.5, "1.5", True),
        ("abc", "ABC", False),
        ("abc", "abc", True),
        (True, True, True),
        (False, False, True),
        (True, False, False),
        (True, "true", True),
        ("TRUE", True, True),
        (False, "false", True),
        (True, "yes", False),
        (True, 1, False),
        (0, False, False),
        (TODAY, "2026-01-15", True),
        ("2026-01-15 10:30:00", NOW, True),
        (TODAY, date(2026, 1, 15), True),
        (TODAY, datetime(2026, 1, 15), True),
        (NOW, TODAY, False),
        (TODAY, 20260115, False),
        ([1, 2], [1, 2], True),
        ([1, 2], [1, "2"], True),
        ([1, 2], [2, 1], False),
        ([1], [1, 2], False),
        ({"a": 1}, {"A": 1}, True),
        ({"a": 1, "b": 2}, {"b": 2, "a": 1}, True),
        ({"a": 1}, {"a": 2}, False),
        ({"a": 1}, {"b": 1}, False),
        ({"a": 1, "A": 2}, {"a": 1, "b": 2}, False),
        ({"a": None}, {}, False),
        ([], {}, False),
        ("[]", [], False),
    ],
)
def test_equals(a: Any, b: Any, expected: bool) -> None:
    assert v.equals(a, b) is expected
    assert v.equals(b, a) is expected


@pytest.mark.parametrize(
    ("op", "a", "b", "expected"),
    [
        ("<", "9", 10, True),
        ("<", "B", "a", True),
        ("<", "9", "10", False),  # two strings compare as text
        ("<", 1, 2.5, True),
        (">=", 2, 2, True),
        ("<=", 3, 2, False),
        (">", "abc", 5, False),
        ("<", "abc", 5, False),
        (">=", "abc", 5, False),
        ("<", None, 5, False),
        (">", 5, None, False),
        ("<", None, None, False),
        (">", TODAY, "2026-01-01", True),
        ("<", "2026-01-01", TODAY, True),
        (">", NOW, TODAY, True),
        ("<=", TODAY, date(2026, 1, 15), True),
        ("<", TODAY, datetime(2026, 1, 15, 0, 0, 1), True),
    ],
)
def test_compare(op: str, a: Any, b: Any, expected: bool) -> None:
    assert v.compare(op, a, b) is expected


@pytest.mark.parametrize(
    ("a", "b"),
    [(True, 1), (1, False), ([1], [2]), ({}, {}), ("a", [1]), (TODAY, 5), (True, None)],
)
def test_compare_type_errors(a: Any, b: Any) -> None:
    if a is None or b is None:
        assert v.compare("<", a, b) is False
        return
    with pytest.raises(BasicTypeError):
        v.compare("<", a, b)


# --- IN and LIKE ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "pattern", "expected"),
    [
        ("Maria Silva", "silva", True),
        ("Maria Silva", "m%a", True),
        ("Maria Silva", "m%x", False),
        ("report.pdf", "*.PDF", True),
        ("abc", "a?c", True),
        ("abcd", "a?c", False),
        ("user_1", "user_?", True),
        ("user1", "user_?", False),
        ("abc", "x", False),
        ("a.b", "a.b", True),
        ("axb", "a.b", False),
        ("multi\nline", "multi%", True),
        ("ÁGUA", "água", True),
        (None, "%", False),
        ("x", None, False),
        (42, "4%", True),
        ("????????", "????????", True),
    ],
)
def test_like(value: Any, pattern: Any, expected: bool) -> None:
    assert v.like(value, pattern) is expected


@pytest.mark.parametrize(
    ("item", "container", "expected"),
    [
        ("open", ["open", "pending"], True),
        ("closed", ["open"], False),
        (2, [1, 2, 3], True),
        ("2", [1, 2, 3], True),
        ("name", {"NAME": "x"}, True),
        ("other", {"NAME": "x"}, False),
        ("ell", "Hello", True),
        ("ELL", "Hello", False),
        (1, None, False),
        (None, [None], True),
    ],
)
def test_contains_in(item: Any, container: Any, expected: bool) -> None:
    assert v.contains_in(item, container) is expected


def test_in_a_number_is_a_type_error() -> None:
    with pytest.raises(BasicTypeError):
        v.contains_in(1, 5)


# --- properties, indexing, maps ---------------------------------------------------------------


def order() -> dict[str, Any]:
    return {"id": 7, "Customer": {"name": "Ana"}, "items": ["pen", "ink", "pad"]}


def test_get_member_on_maps() -> None:
    o = order()
    assert v.get_member(o, "id") == 7
    assert v.get_member(v.get_member(o, "customer"), "NAME") == "Ana"
    assert v.get_member(o, "missing") is None
    assert v.get_member(None, "anything") is None
    assert v.get_member({"name": 1, "NAME": 2}, "NAME") == 2  # exact spelling first


def test_get_member_on_dates_arrays_strings() -> None:
    expected = {"year": 2026, "month": 1, "day": 15, "hour": 10, "minute": 30, "second": 0}
    for name, value in expected.items():
        assert v.get_member(NOW, name) == value
        assert v.get_member(NOW, name.upper()) == value
    assert v.get_member(NOW, "weekday") == 5  # a Thursday
    assert v.get_member(date(2026, 1, 18), "weekday") == 1  # Sunday
    assert v.get_member(date(2026, 1, 17), "weekday") == 7  # Saturday
    assert v.get_member(NOW, "date") == TODAY and type(v.get_member(NOW, "date")) is date
    assert v.get_member(TODAY, "hour") == 0
    assert v.get_member(TODAY, "date") == TODAY
    assert v.get_member(["a", "b"], "length") == 2
    assert v.get_member("héllo", "Length") == 5


@pytest.mark.parametrize("obj", [1, 2.5, True])
def test_get_member_on_scalars_is_a_type_error(obj: Any) -> None:
    with pytest.raises(BasicTypeError):
        v.get_member(obj, "x")


def test_get_item() -> None:
    items = ["pen", "ink", "pad"]
    assert v.get_item(items, 0) == "pen"
    assert v.get_item(items, -1) == "pad"
    assert v.get_item(items, 1.0) == "ink"
    assert v.get_item(items, 10) is None
    assert v.get_item(items, -4) is None
    assert v.get_item("hello", 1) == "e"
    assert v.get_item(order(), "items") == items
    assert v.get_item(order(), "ID") == 7
    assert v.get_item({"1": "one"}, 1) == "one"
    assert v.get_item(None, 0) is None
    for bad_index in ("0", None, True, [0]):
        with pytest.raises(BasicTypeError):
            v.get_item(items, bad_index)
    with pytest.raises(BasicTypeError):
        v.get_item(5, 0)


def test_set_member_keeps_the_existing_spelling() -> None:
    cfg: dict[str, Any] = {"Server": {"Port": 80}}
    v.set_member(cfg, "server", {"port": 1})
    assert cfg == {"Server": {"port": 1}}
    v.set_member(cfg, "debug", True)
    assert list(cfg) == ["Server", "debug"]
    with pytest.raises(BasicTypeError):
        v.set_member("text", "x", 1)
    with pytest.raises(BasicTypeError):
        v.set_member(None, "x", 1)


def test_set_item() -> None:
    a = [1, 2]
    v.set_item(a, 2, 3)
    assert a == [1, 2, 3]
    v.set_item(a, 0, "x")
    v.set_item(a, -1, "z")
    assert a == ["x", 2, "z"]
    with pytest.raises(BasicIndexError):
        v.set_item(a, 5, 9)
    with pytest.raises(BasicIndexError):
        v.set_item(a, -4, 9)
    m: dict[str, Any] = {"Key": 1}
    v.set_item(m, "KEY", 2)
    v.set_item(m, 3, "three")
    assert m == {"Key": 2, "3": "three"}
    for target in ("abc", TODAY, 5, None):
        with pytest.raises(BasicTypeError):
            v.set_item(target, 0, 1)


def test_map_helpers() -> None:
    m: dict[str, Any] = {"Name": "Ana"}
    assert v.map_get(m, "name") == "Ana"
    assert v.map_has(m, "NAME")
    assert not v.map_has(m, "age")
    v.map_set(m, "NAME", "Bia")
    assert m == {"Name": "Bia"}
    v.map_set(m, "age", 3)
    assert m == {"Name": "Bia", "age": 3}


# --- JSON text in, persistence encoding -------------------------------------------------------


def test_from_json_text() -> None:
    value = v.from_json_text('{"a": 1, "b": [1.0, 2.5, "x"], "c": null, "d": {"e": true}}')
    assert value == {"a": 1, "b": [1.0, 2.5, "x"], "c": None, "d": {"e": True}}
    assert type(value["a"]) is int
    assert type(value["b"][0]) is float
    assert v.from_json_text('{"a":1,"a":2}') == {"a": 2}
    for bad in ("{not json}", "", "NaN", "[1,", "[Infinity]"):
        with pytest.raises(BasicValueError):
            v.from_json_text(bad)


def test_from_json_text_too_deep_is_a_value_error() -> None:
    with pytest.raises(BasicValueError):
        v.from_json_text("[" * 100_000 + "]" * 100_000)


def strict_equal(a: Any, b: Any) -> bool:
    """Same types all the way down (``==`` would accept 1 == 1.0 and True == 1)."""
    if type(a) is not type(b):
        return False
    if type(a) is list:
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b))
    if type(a) is dict:
        return list(a) == list(b) and all(strict_equal(a[k], b[k]) for k in a)
    if type(a) is float and math.isnan(a):
        return math.isnan(b)
    if type(a) is float:
        return bool(a == b and math.copysign(1, a) == math.copysign(1, b))
    return bool(a == b)


scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**5000, max_value=10**5000 + 10)
    | st.floats()
    | st.text()
    | st.dates()
    | st.datetimes().map(lambda d: d.replace(microsecond=0))
)
map_keys = st.text() | st.sampled_from(["$date", "$ref", "$map", "$list", "$id", "$x"])
values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(map_keys, children, max_size=4)
    ),
    max_leaves=20,
)


@given(values)
def test_encode_decode_round_trip(value: Any) -> None:
    import json

    stored = json.loads(json.dumps(v.encode(value)))
    assert strict_equal(v.decode(stored), value)


def test_encode_keeps_shared_references_and_cycles() -> None:
    import json

    shared: list[Any] = [1]
    loop: dict[str, Any] = {"name": "loop"}
    loop["self"] = loop
    frame = {"a": shared, "b": shared, "loop": loop}
    restored = v.decode(json.loads(json.dumps(v.encode(frame))))
    assert restored["a"] is restored["b"]
    assert restored["a"] == [1]
    assert restored["loop"]["self"] is restored["loop"]


def test_encode_tags() -> None:
    assert v.encode(TODAY) == {"$date": "2026-01-15"}
    assert v.encode(NOW) == {"$datetime": "2026-01-15T10:30:00"}
    assert v.encode({"$date": "x"}) == {"$map": {"$date": "x"}}
    assert v.encode([1, 1.0, "2026-01-15"]) == [1, 1.0, "2026-01-15"]


def test_decode_corrupt_data() -> None:
    with pytest.raises(BasicValueError):
        v.decode({"$unknown": 1})


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_text_is_15_significant_digits(x: float) -> None:
    s = v.text(x)
    assert s != "-0"
    assert float(s) == float(f"{x:.15g}")
    mantissa = s.split("e")[0].lstrip("-").replace(".", "").lstrip("0")
    assert len(mantissa) <= 15
    if "e" in s:
        exponent = int(s.split("e")[1])
        assert exponent < -4 or exponent >= 15
    else:
        assert not s.endswith(".") and ("." not in s or not s.endswith("0"))


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_float_text_is_valid_json_number(x: float) -> None:
    import json

    assert json.loads(v.json_text([x])) == [float(v.text(x))]
