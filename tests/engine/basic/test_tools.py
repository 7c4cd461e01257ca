"""Tools (BASIC.md §11): names, descriptors and argument coercion."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from engine.basic.errors import BasicTypeError
from engine.basic.tools import (
    ParamSpec,
    coerce_argument,
    mcp_descriptor,
    openai_descriptor,
    tool_name,
)

P = ParamSpec
TODAY = dt.date(2026, 1, 15)
CONFORMANCE = Path(__file__).resolve().parents[3].parent / "shared" / "conformance" / "tools"

# --- tool names ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stem", "name"),
    [
        ("check-order", "check-order"),
        ("basic_tool", "basic_tool"),
        ("Send Mail", "Send_Mail"),
        ("preço.v2", "pre_o_v2"),
        ("a/b\\c:d", "a_b_c_d"),
        ("x" * 70, "x" * 64),
        ("ação" + "y" * 70, "a__o" + "y" * 60),
    ],
)
def test_tool_name(stem: str, name: str) -> None:
    assert tool_name(stem) == name


# --- descriptors: the conformance files ----------------------------------------------------

# What the parser builds from each tools/*.bas (clauses in the order written there).
CASES: dict[str, tuple[str | None, list[ParamSpec]]] = {
    "bad_argument": ("Reserve items", [P("qty", "INTEGER", description="Quantity", line=1)]),
    "basic_tool": (
        "Look up the status of an order",
        [P("order_id", "STRING", example="A-1001", has_example=True, description="Order number")],
    ),
    "enum_invalid": (
        "Order a coffee",
        [P("size", "STRING", enum=("Small", "Large"), description="Cup size")],
    ),
    "enum_normalise": (
        "Order a coffee",
        [P("size", "STRING", enum=("Small", "Large"), description="Cup size")],
    ),
    "formats_and_defaults": (
        "Format examples",
        [
            P("email", "EMAIL", description="Customer e-mail"),
            P("site", "URL", optional=True),
            P("when", "DATETIME", optional=True),
            P("copies", "INTEGER", default=1, has_default=True, description="Copies"),
            P("ids", "ARRAY", item_type="INTEGER", optional=True),
            P("code", example=5, has_example=True),
        ],
    ),
    "missing_required_hear": (
        "Send a receipt",
        [P("email", "EMAIL", description="Where to send the receipt")],
    ),
    "no_params": ("Server status", []),
    "optional_enum": (
        "Create a support ticket",
        [
            P("priority", "STRING", enum=("low", "medium", "high"), description="Ticket priority"),
            P("title", "STRING", description="Short title"),
            P("channel", enum=("web", "phone"), optional=True),
            P("due", "DATE", optional=True, description="Due date"),
        ],
    ),
    "param_config_fallback": (
        "Shows where",
        [P("city", description="City"), P("country", description="Country code")],
    ),
    "param_types": (
        "Shows how arguments are typed",
        [
            P("qty", "INTEGER", description="Quantity"),
            P("count", "NUMBER", description="How many boxes"),
            P("price", "FLOAT", description="Unit price"),
            P("total", "MONEY", description="Total amount"),
            P("gift", "BOOLEAN", description="Gift wrap"),
            P("ship_on", "DATE", description="Shipping day"),
            P("tags", "ARRAY", description="Labels"),
            P("meta", "OBJECT", description="Extra data"),
            P("note", description="Free text"),
        ],
    ),
}


def test_every_conformance_descriptor_is_covered() -> None:
    if not CONFORMANCE.is_dir():
        pytest.skip("the shared conformance suite is not checked out")
    assert {p.name.removesuffix(".tool.json") for p in CONFORMANCE.glob("*.tool.json")} == set(
        CASES
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_openai_descriptor_matches_the_conformance_file(case: str) -> None:
    path = CONFORMANCE / f"{case}.tool.json"
    if not path.is_file():
        pytest.skip("the shared conformance suite is not checked out")
    description, params = CASES[case]
    got = openai_descriptor(tool_name(case), description, params)
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert got == expected
    assert json.dumps(got) == json.dumps(expected)  # key order too


CHECK_ORDER = [
    P("order_id", "STRING", example="A-1001", has_example=True, description="Order number"),
    P(
        "channel",
        "STRING",
        enum=("web", "phone"),
        optional=True,
        description="Where the order was placed",
    ),
]
CHECK_ORDER_SCHEMA = {
    "type": "object",
    "properties": {
        "order_id": {"type": "string", "description": "Order number", "example": "A-1001"},
        "channel": {
            "type": "string",
            "description": "Where the order was placed",
            "enum": ["web", "phone"],
        },
    },
    "required": ["order_id"],
}


def test_the_spec_example_in_both_shapes() -> None:
    description = "Look up the status of an order"
    assert openai_descriptor("check-order", description, CHECK_ORDER) == {
        "type": "function",
        "function": {
            "name": "check-order",
            "description": description,
            "parameters": CHECK_ORDER_SCHEMA,
        },
    }
    mcp = mcp_descriptor("check-order", description, CHECK_ORDER)
    assert mcp == {
        "name": "check-order",
        "description": description,
        "inputSchema": CHECK_ORDER_SCHEMA,
    }
    assert list(mcp) == ["name", "description", "inputSchema"]


def test_no_description_gives_empty_strings() -> None:
    descriptor = openai_descriptor("t", None, [P("x")])
    assert descriptor["function"]["description"] == ""
    assert descriptor["function"]["parameters"]["properties"]["x"] == {
        "type": "string",
        "description": "",
    }
    assert mcp_descriptor("t", None, [])["description"] == ""


def _prop(param: ParamSpec) -> dict[str, Any]:
    schema = mcp_descriptor("t", "", [param])["inputSchema"]
    prop: dict[str, Any] = schema["properties"][param.name]
    return prop


@pytest.mark.parametrize(
    ("type_name", "schema"),
    [
        ("STRING", {"type": "string"}),
        ("TEXT", {"type": "string"}),
        ("WHATEVER", {"type": "string"}),
        ("LOGIN", {"type": "string"}),
        ("INTEGER", {"type": "integer"}),
        ("INT", {"type": "integer"}),
        ("NUMBER", {"type": "integer"}),
        ("FLOAT", {"type": "number"}),
        ("DOUBLE", {"type": "number"}),
        ("DECIMAL", {"type": "number"}),
        ("MONEY", {"type": "number"}),
        ("CURRENCY", {"type": "number"}),
        ("AMOUNT", {"type": "number"}),
        ("BOOLEAN", {"type": "boolean"}),
        ("BOOL", {"type": "boolean"}),
        ("DATE", {"type": "string", "format": "date"}),
        ("DATETIME", {"type": "string", "format": "date-time"}),
        ("EMAIL", {"type": "string", "format": "email"}),
        ("URL", {"type": "string", "format": "uri"}),
        ("LINK", {"type": "string", "format": "uri"}),
        ("UUID", {"type": "string", "format": "uuid"}),
        ("GUID", {"type": "string", "format": "uuid"}),
        ("NAME", {"type": "string"}),
        ("PHONE", {"type": "string"}),
        ("MOBILE", {"type": "string"}),
        ("HOUR", {"type": "string"}),
        ("TIME", {"type": "string"}),
        ("ZIPCODE", {"type": "string"}),
        ("CPF", {"type": "string"}),
        ("CNPJ", {"type": "string"}),
        ("COLOR", {"type": "string"}),
        ("LANGUAGE", {"type": "string"}),
        ("FILE", {"type": "string"}),
        ("ARRAY", {"type": "array", "items": {"type": "string"}}),
        ("LIST", {"type": "array", "items": {"type": "string"}}),
        ("OBJECT", {"type": "object"}),
        ("MAP", {"type": "object"}),
    ],
)
def test_type_table(type_name: str, schema: dict[str, Any]) -> None:
    assert _prop(P("x", type_name)) == {"description": "", **schema}


@pytest.mark.parametrize(
    ("item_type", "items"),
    [
        ("INTEGER", {"type": "integer"}),
        ("MONEY", {"type": "number"}),
        ("DATE", {"type": "string", "format": "date"}),
        ("EMAIL", {"type": "string", "format": "email"}),
        ("OBJECT", {"type": "object"}),
        ("ARRAY", {"type": "array", "items": {"type": "string"}}),
    ],
)
def test_array_of(item_type: str, items: dict[str, Any]) -> None:
    assert _prop(P("x", "ARRAY", item_type=item_type))["items"] == items
    assert _prop(P("x", "LIST", item_type=item_type))["items"] == items


def test_property_key_order_follows_the_spec_list() -> None:
    param = P(
        "when",
        "DATE",
        description="Day",
        enum=("2026-01-15",),
        example="2026-01-15",
        has_example=True,
        default="2026-01-16",
        has_default=True,
    )
    assert list(_prop(param)) == ["type", "description", "format", "enum", "example", "default"]
    tags = P("tags", "ARRAY", example=["a"], has_example=True, default=[], has_default=True)
    assert list(_prop(tags)) == ["type", "description", "example", "default", "items"]


def test_example_and_default_are_kept_as_written_including_null() -> None:
    assert _prop(P("a", "INTEGER", example=5, has_example=True))["example"] == 5
    assert _prop(P("a", example="5", has_example=True))["example"] == "5"
    assert _prop(P("a", example=None, has_example=True))["example"] is None
    assert _prop(P("a", default=None, has_default=True))["default"] is None
    assert "example" not in _prop(P("a"))
    assert "default" not in _prop(P("a"))
    assert "enum" not in _prop(P("a"))


def test_descriptor_does_not_share_mutable_examples() -> None:
    example = {"k": [1]}
    prop = _prop(P("a", "OBJECT", example=example, has_example=True))
    prop["example"]["k"].append(2)
    assert example == {"k": [1]}


def test_required_lists_the_non_optional_params_in_order() -> None:
    params = [
        P("a"),
        P("b", optional=True),
        P("c", default=0, has_default=True),
        P("d", default=None, has_default=True),
        P("e"),
    ]
    schema = mcp_descriptor("t", "", params)["inputSchema"]
    assert schema["required"] == ["a", "e"]
    assert list(schema["properties"]) == ["a", "b", "c", "d", "e"]
    assert [p.required for p in params] == [True, False, False, False, True]


def test_param_spec_defaults_and_immutability() -> None:
    spec = P("x")
    assert (spec.type, spec.item_type, spec.enum, spec.optional, spec.line) == (
        "STRING",
        None,
        None,
        False,
        0,
    )
    with pytest.raises(AttributeError):
        spec.name = "y"  # type: ignore[misc]


# --- coercion ------------------------------------------------------------------------------


def coerce(type_name: str, value: object, **kwargs: Any) -> Any:
    return coerce_argument(P("arg", type_name, **kwargs), value, TODAY)


def test_conformance_param_types() -> None:
    """tools/param_types.dialog: each @ argument and the TYPEOF the script sees."""
    _, params = CASES["param_types"]
    arguments = ["12", 3.0, "2.5", 10.456, "yes", "15/01/2026", '["a","b"]', {"source": "web"}, 42]
    expected = [
        12,
        3,
        2.5,
        10.46,
        True,
        dt.date(2026, 1, 15),
        ["a", "b"],
        {"source": "web"},
        "42",
    ]
    for param, argument, value in zip(params, arguments, expected, strict=True):
        got = coerce_argument(param, argument, TODAY)
        assert got == value and type(got) is type(value), param.name


def test_conformance_bad_argument() -> None:
    with pytest.raises(BasicTypeError) as info:
        coerce_argument(P("qty", "INTEGER"), "a dozen", TODAY)
    assert info.value.kind == "TypeError"
    assert info.value.message == "argument 'qty': expected integer, got \"a dozen\""


def test_conformance_enum_invalid_and_normalise() -> None:
    size = P("size", "STRING", enum=("Small", "Large"))
    with pytest.raises(BasicTypeError, match="argument 'size': expected one of") as info:
        coerce_argument(size, "huge", TODAY)
    assert '"Small", "Large"' in info.value.message and '"huge"' in info.value.message
    assert coerce_argument(size, "large", TODAY) == "Large"
    assert coerce_argument(size, "SMALL", TODAY) == "Small"


def test_conformance_formats_and_defaults_email() -> None:
    assert coerce("EMAIL", "Ana@Example.com") == "ana@example.com"


def test_null_stays_null() -> None:
    for type_name in ("STRING", "INTEGER", "DATE", "EMAIL", "ARRAY"):
        assert coerce(type_name, None) is None
    assert coerce("STRING", None, enum=("a",)) is None


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("abc", "abc"),
        (42, "42"),
        (3.0, "3"),
        (2.5, "2.5"),
        (True, "true"),
        ([1, "a", None], '[1,"a",null]'),
        ({"a": 1, "b": [True]}, '{"a":1,"b":[true]}'),
        ("", ""),
    ],
)
def test_string_takes_any_value_as_text(value: object, text: str) -> None:
    assert coerce("STRING", value) == text
    assert coerce("TEXT", value) == text
    assert coerce("UNKNOWN_TYPE", value) == text


@pytest.mark.parametrize(
    ("value", "number"),
    [(5, 5), (-5, -5), (3.0, 3), (-0.0, 0), ("12", 12), (" +7 ", 7), ("-3", -3), (10**30, 10**30)],
)
def test_integer_coercion(value: object, number: int) -> None:
    for type_name in ("INTEGER", "INT", "NUMBER"):
        got = coerce(type_name, value)
        assert got == number and type(got) is int


@pytest.mark.parametrize(
    "value", ["abc", "3.5", "3.0", "1e3", "", 3.5, True, False, [1], {"a": 1}, float("nan")]
)
def test_integer_rejects(value: object) -> None:
    with pytest.raises(BasicTypeError, match="argument 'arg': expected integer, got "):
        coerce("INTEGER", value)


@pytest.mark.parametrize(
    ("value", "number"),
    [(2.5, 2.5), (3, 3.0), ("2.5", 2.5), (" -1e3 ", -1000.0), (".5", 0.5), ("7", 7.0)],
)
def test_number_coercion(value: object, number: float) -> None:
    for type_name in ("FLOAT", "DOUBLE", "DECIMAL"):
        got = coerce(type_name, value)
        assert got == number and type(got) is float


@pytest.mark.parametrize("value", ["1,5", "abc", "", True, [1.5], 10**400, float("inf")])
def test_number_rejects(value: object) -> None:
    with pytest.raises(BasicTypeError, match="expected number"):
        coerce("FLOAT", value)


@pytest.mark.parametrize(
    ("value", "amount"),
    [(10.456, 10.46), (2.675, 2.68), ("10.455", 10.46), (5, 5.0), ("-1.005", -1.01)],
)
def test_money_is_rounded_to_2_decimals(value: object, amount: float) -> None:
    for type_name in ("MONEY", "CURRENCY", "AMOUNT"):
        got = coerce(type_name, value)
        assert got == amount and type(got) is float


def test_money_rejects_with_number_in_the_message() -> None:
    with pytest.raises(BasicTypeError, match='expected number, got "R\\$ 5"'):
        coerce("MONEY", "R$ 5")


@pytest.mark.parametrize(
    ("value", "flag"),
    [
        (True, True),
        (False, False),
        ("yes", True),
        ("Sim", True),
        ("no", False),
        ("não", False),
        ("true", True),
        ("FALSE", False),
        (1, True),
        (0, False),
        (1.0, True),
        ("1", True),
        ("0", False),
    ],
)
def test_boolean_coercion(value: object, flag: bool) -> None:
    assert coerce("BOOLEAN", value) is flag
    assert coerce("BOOL", value) is flag


@pytest.mark.parametrize("value", [2, -1, 0.5, "maybe", "", [True], {"a": True}])
def test_boolean_rejects(value: object) -> None:
    with pytest.raises(BasicTypeError, match="expected boolean"):
        coerce("BOOLEAN", value)


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("15/01/2026", dt.date(2026, 1, 15)),
        ("2026-01-15", dt.date(2026, 1, 15)),
        ("Jan 20, 2026", dt.date(2026, 1, 20)),
        ("tomorrow", dt.date(2026, 1, 16)),
        ("2026-01-15T10:30:00", dt.date(2026, 1, 15)),
        (dt.date(2026, 2, 1), dt.date(2026, 2, 1)),
        (dt.datetime(2026, 2, 1, 10, 0), dt.date(2026, 2, 1)),
    ],
)
def test_date_coercion(value: object, day: dt.date) -> None:
    got = coerce("DATE", value)
    assert got == day and type(got) is dt.date


@pytest.mark.parametrize("value", ["2026-02-30", "soon", "", 20260115, True, ["2026-01-15"]])
def test_date_rejects(value: object) -> None:
    with pytest.raises(BasicTypeError, match="expected date"):
        coerce("DATE", value)


@pytest.mark.parametrize(
    ("value", "moment"),
    [
        ("2026-01-15T10:30:00", dt.datetime(2026, 1, 15, 10, 30)),
        ("2026-01-15 10:30", dt.datetime(2026, 1, 15, 10, 30)),
        ("2026-01-15", dt.datetime(2026, 1, 15)),
        ("today", dt.datetime(2026, 1, 15)),
        (dt.date(2026, 2, 1), dt.datetime(2026, 2, 1)),
        (dt.datetime(2026, 2, 1, 8, 5), dt.datetime(2026, 2, 1, 8, 5)),
    ],
)
def test_datetime_coercion(value: object, moment: dt.datetime) -> None:
    got = coerce("DATETIME", value)
    assert got == moment and type(got) is dt.datetime


@pytest.mark.parametrize("value", ["2026-01-15T10:30:00Z", "10:30", 0, "later"])
def test_datetime_rejects(value: object) -> None:
    with pytest.raises(BasicTypeError, match="expected datetime"):
        coerce("DATETIME", value)


@pytest.mark.parametrize(
    ("value", "items"),
    [
        (["a", "b"], ["a", "b"]),
        ('["a","b"]', ["a", "b"]),
        (" [1, 2] ", [1, 2]),
        ([], []),
        ([1, {"x": None}], [1, {"x": None}]),
    ],
)
def test_array_coercion(value: object, items: list[object]) -> None:
    assert coerce("ARRAY", value) == items
    assert coerce("LIST", value) == items


@pytest.mark.parametrize("value", ["a,b", '{"a":1}', "", 5, {"a": 1}, "[1,"])
def test_array_rejects(value: object) -> None:
    with pytest.raises(BasicTypeError, match="expected array"):
        coerce("ARRAY", value)


def test_array_of_coerces_each_item() -> None:
    assert coerce("ARRAY", [1, "2", 3.0, None], item_type="INTEGER") == [1, 2, 3, None]
    assert coerce("ARRAY", '["2026-01-15"]', item_type="DATE") == [dt.date(2026, 1, 15)]
    assert coerce("ARRAY", ["A@B.io"], item_type="EMAIL") == ["a@b.io"]
    with pytest.raises(BasicTypeError) as info:
        coerce("ARRAY", [1, "x"], item_type="INTEGER")
    assert info.value.message == "argument 'arg': expected array of integer, got [1,\"x\"]"


@pytest.mark.parametrize(
    ("value", "mapping"),
    [({"source": "web"}, {"source": "web"}), ('{"a": [1]}', {"a": [1]}), ({}, {})],
)
def test_object_coercion(value: object, mapping: dict[str, object]) -> None:
    assert coerce("OBJECT", value) == mapping
    assert coerce("MAP", value) == mapping


@pytest.mark.parametrize("value", ["[1]", "web", 1, [{"a": 1}]])
def test_object_rejects(value: object) -> None:
    with pytest.raises(BasicTypeError, match="expected object"):
        coerce("OBJECT", value)


@pytest.mark.parametrize(
    ("type_name", "value", "normalised"),
    [
        ("EMAIL", " Ana@Example.com ", "ana@example.com"),
        ("URL", "www.example.com", "https://www.example.com"),
        ("LINK", "https://x.io", "https://x.io"),
        ("UUID", "123E4567-E89B-42D3-A456-426614174000", "123e4567-e89b-42d3-a456-426614174000"),
        ("NAME", "joão  da silva", "João Da Silva"),
        ("PHONE", "+55 (21) 99999-8888", "+5521999998888"),
        ("MOBILE", 5521999998888, "5521999998888"),
        ("HOUR", "2pm", "14:00"),
        ("TIME", "9:05", "09:05"),
        ("ZIPCODE", "01310-100", "01310-100"),
        ("CPF", "529.982.247-25", "52998224725"),
        ("CNPJ", "11.222.333/0001-81", "11222333000181"),
        ("COLOR", "Green", "#008000"),
        ("LANGUAGE", "Português", "pt"),
        ("CREDITCARD", "4111-1111-1111-1111", "4111111111111111"),
        ("PASSWORD", "longenough", "longenough"),
    ],
)
def test_validated_types_use_the_hear_validator(
    type_name: str, value: object, normalised: str
) -> None:
    assert coerce(type_name, value) == normalised


@pytest.mark.parametrize(
    ("type_name", "value", "expected"),
    [
        ("EMAIL", "not an email", "email"),
        ("PHONE", "12345", "phone"),
        ("CPF", "111.111.111-11", "cpf"),
        ("URL", ["https://x.io"], "url"),
        ("COLOR", True, "color"),
        ("HOUR", "25:00", "hour"),
    ],
)
def test_validated_types_reject(type_name: str, value: object, expected: str) -> None:
    with pytest.raises(BasicTypeError, match=f"argument 'arg': expected {expected}, got "):
        coerce(type_name, value)


def test_file_types_are_passed_as_text() -> None:
    assert coerce("FILE", "uploads/a.pdf") == "uploads/a.pdf"
    assert coerce("IMAGE", "uploads/a.png") == "uploads/a.png"


def test_enum_matches_ignoring_case_after_type_coercion() -> None:
    assert coerce("STRING", "MEDIUM", enum=("low", "medium", "high")) == "medium"
    assert coerce("INTEGER", "2", enum=("1", "2")) == 2
    assert coerce("STRING", 2, enum=("1", "2")) == "2"
    with pytest.raises(BasicTypeError, match='expected one of "1", "2", got 3'):
        coerce("INTEGER", 3, enum=("1", "2"))
    with pytest.raises(BasicTypeError, match="expected integer"):
        coerce("INTEGER", "two", enum=("1", "2"))


def test_error_message_names_the_parameter_as_declared() -> None:
    with pytest.raises(BasicTypeError, match=r"argument 'Qty': expected integer, got 3\.5"):
        coerce_argument(P("Qty", "INT"), 3.5, TODAY)
