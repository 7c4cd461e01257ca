"""TOJSON, FROMJSON and TOYAML (BASIC.md §10.6) and the json/*.dialog expectations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from engine.basic import values
from engine.basic.errors import BasicValueError
from tests.engine.basic.builtin_helpers import NOW, TODAY, call


def test_tojson() -> None:
    assert call("TOJSON", {"a": [1]}) == '{"a":[1]}'
    assert call("TOJSON", "plain") == '"plain"'
    assert call("TOJSON", None) == "null"
    assert call("TOJSON", values.div(1, 4)) == "0.25"
    row = {"when": TODAY, "at": datetime(2026, 1, 15, 8, 0), "f": 3.0, "g": 0.1 + 0.2}
    assert call("TOJSON", row) == ('{"when":"2026-01-15","at":"2026-01-15T08:00:00","f":3,"g":0.3}')


def test_fromjson() -> None:
    v = call("FROMJSON", '{"a": 1, "b": [1.0, 2.5, "x"], "c": null, "d": {"e": true}}')
    kinds = [call("TYPEOF", x) for x in (v["a"], v["b"][0], v["c"], v["d"])]
    assert kinds == ["integer", "float", "null", "map"]
    assert call("TOJSON", v) == '{"a":1,"b":[1,2.5,"x"],"c":null,"d":{"e":true}}'
    assert values.text(values.add(v["b"][0], v["b"][1])) == "3.5"
    assert call("FROMJSON", "[1,2]")[1] == 2
    original = {"x": 1}
    assert call("FROMJSON", original) is original
    assert call("FROMJSON", None) is None
    assert call("FROMJSON", '"2026-01-15"') == "2026-01-15"


@pytest.mark.parametrize("bad", ["{not json}", "", "[1,]", "{'a': 1}", "NaN"])
def test_fromjson_invalid(bad: str) -> None:
    with pytest.raises(BasicValueError):
        call("FROMJSON", bad)


def test_toyaml_dialog() -> None:
    doc = {
        "name": "Ana",
        "age": 30,
        "active": True,
        "tags": ["vip", "new"],
        "address": {"city": "Lisbon", "zip": "1000-001"},
        "note": None,
    }
    assert call("TOYAML", doc) == (
        "name: Ana\nage: 30\nactive: true\ntags:\n- vip\n- new\n"
        "address:\n  city: Lisbon\n  zip: 1000-001\nnote: null"
    )
    assert call("TOYAML", ["a", 1]) == "- a\n- 1"
    assert call("TOYAML", {"answer": "yes", "code": "12"}) == "answer: 'yes'\ncode: '12'"
    assert call("TOYAML", {"a": 1, "b": ["x"]}) == "a: 1\nb:\n- x"


def test_toyaml_nesting() -> None:
    value = {"rows": [{"id": 1, "tags": ["a"]}, {"id": 2, "meta": {"k": "v"}}], "m": [[1, 2]]}
    assert call("TOYAML", value) == (
        "rows:\n- id: 1\n  tags:\n  - a\n- id: 2\n  meta:\n    k: v\nm:\n- - 1\n  - 2"
    )
    assert yaml.safe_load(call("TOYAML", value)) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "null"),
        (5, "5"),
        (2.5, "2.5"),
        ("yes", "'yes'"),
        ("", "''"),
        ("it's: here", "'it''s: here'"),
        ("#tag", "'#tag'"),
        ("a # b", "'a # b'"),
        ("2026-01-15", "'2026-01-15'"),
        ("1e3", "'1e3'"),
        ("NULL", "'NULL'"),
        ("~", "'~'"),
        (" pad", "' pad'"),
        ("- item", "'- item'"),
        ("line\nbreak", '"line\\nbreak"'),
        ("plain text", "plain text"),
        ("ação", "ação"),
        ([], "[]"),
        ({}, "{}"),
        ({"e": []}, "e: []"),
        (TODAY, "2026-01-15"),
        (NOW, "2026-01-15 10:30:00"),
        (float("inf"), ".inf"),
    ],
)
def test_toyaml_scalars(value: Any, expected: str) -> None:
    assert call("TOYAML", value) == expected


def test_toyaml_refuses_cycles() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(BasicValueError):
        call("TOYAML", loop)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(min_size=1), children, max_size=3)
    ),
    max_leaves=12,
)


@given(yaml_values)
def test_toyaml_reads_back_with_a_yaml_parser(value: Any) -> None:
    assert yaml.safe_load(call("TOYAML", value)) == value
