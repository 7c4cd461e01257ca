"""The filter language (BASIC.md §7.3, §7.7), name normalisation (§7.1) and FILTER evaluation."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from engine.basic.errors import DataError
from engine.basic.filters import (
    apply_query,
    parse_assignments,
    parse_date_text,
    parse_filter,
    query_from_map,
    query_from_pair,
    row_matches,
    sort_key,
)
from engine.basic.names import column_name, table_name
from engine.basic.query import (
    ALL_ROWS,
    And,
    Between,
    Column,
    Compare,
    InList,
    IsNull,
    Like,
    Not,
    Or,
    Order,
    Query,
)


def where(text: str) -> Any:
    return parse_filter(text).condition


def col(name: str, fn: Any = None) -> Column:
    return Column(name, fn)


# --- names (§7.1) -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("tickets.csv", "tickets"),
        ("Tickets.CSV", "tickets"),
        ("Order Details.csv", "order_details"),
        ("Leads-2026", "leads_2026"),
        ("report.xlsx", "report"),
        ("report.xls", "report"),
        ("data.json", "data"),
        ("people.tsv", "people"),
        ("2026 sales", "t_2026_sales"),
        ("__Weird__Name!!", "weird__name"),
        ("csv", "csv"),
    ],
)
def test_table_names_are_normalised(given: str, expected: str) -> None:
    assert table_name(given) == expected


def test_column_names_keep_extensions_and_fold_case() -> None:
    assert column_name("File.CSV") == "file_csv"
    assert column_name("First Name") == "first_name"
    assert column_name("3d") == "t_3d"


@pytest.mark.parametrize("bad", ["", "!!!", ".csv", "  "])
def test_names_that_normalise_to_nothing_are_data_errors(bad: str) -> None:
    with pytest.raises(DataError):
        table_name(bad)
    with pytest.raises(DataError):
        column_name(bad.replace(".csv", "."))


# --- grammar ------------------------------------------------------------------------------------


def test_all_rows() -> None:
    assert parse_filter("*") is ALL_ROWS
    assert parse_filter("  *  ") is ALL_ROWS
    empty = parse_filter("")
    assert empty == Query() and empty is not ALL_ROWS  # DELETE tells them apart
    assert parse_filter("   ") == Query()


@pytest.mark.parametrize(
    ("text", "op", "value"),
    [
        ("total > 100", ">", 100),
        ("total >= 1.5", ">=", 1.5),
        ("total < -3", "<", -3),
        ("total <= 1e3", "<=", 1000.0),
        ("a = 'x'", "=", "x"),
        ("a == 'x'", "=", "x"),
        ("a != 'x'", "<>", "x"),
        ("a <> 'x'", "<>", "x"),
        ('a = "double"', "=", "double"),
        ("a = 'it''s'", "=", "it's"),
        ('a = "say ""hi"""', "=", 'say "hi"'),
        ("a = ''", "=", ""),
        ("a = TRUE", "=", True),
        ("a = false", "=", False),
        ("a = NULL", "=", None),
        ("a = '50'", "=", "50"),
        ("a = Closed Won", "=", "Closed Won"),
        ("a=closed", "=", "closed"),
        ("a = 2026-01-15", "=", "2026-01-15"),
        ("a = DATE('2026-01-15')", "=", date(2026, 1, 15)),
        ("a = date('2026-01-15 10:30')", "=", datetime(2026, 1, 15, 10, 30)),
        ("a = Anderson and b = 1", "=", "Anderson"),
        ("a = 'x AND y'", "=", "x AND y"),
    ],
)
def test_comparisons_and_values(text: str, op: str, value: Any) -> None:
    condition = where(text)
    if isinstance(condition, And):
        condition = condition.items[0]
    column = col("a") if text.startswith("a") else col("total")
    assert condition == Compare(column, op, value)
    assert type(condition.value) is type(value)


def test_bare_text_stops_at_clause_words_and_is_trimmed() -> None:
    query = parse_filter("stage = Closed Won   ORDER BY name DESC LIMIT 3")
    assert query == Query(Compare(col("stage"), "=", "Closed Won"), (Order("name", True),), 3)
    assert where("a = x y OR b = z") == Or(
        (Compare(col("a"), "=", "x y"), Compare(col("b"), "=", "z"))
    )
    assert where("a = Portland") == Compare(col("a"), "=", "Portland")


def test_precedence_not_and_or_and_parentheses() -> None:
    a, b, c = (Compare(col(n), "=", 1) for n in "abc")
    assert where("a = 1 OR b = 1 AND c = 1") == Or((a, And((b, c))))
    assert where("(a = 1 OR b = 1) AND c = 1") == And((Or((a, b)), c))
    assert where("NOT a = 1 AND b = 1") == And((Not(a), b))
    assert where("not (a = 1 or b = 1)") == Not(Or((a, b)))
    assert where("NOT NOT a = 1") == Not(Not(a))


def test_like_in_null_between() -> None:
    assert where("name LIKE 'b%'") == Like(col("name"), "b%")
    assert where("name not like '%x?'") == Like(col("name"), "%x?", negate=True)
    assert where("n LIKE 5") == Like(col("n"), "5")
    assert where("s IN ('open', 'closed')") == InList(col("s"), ("open", "closed"))
    assert where("s NOT IN (1, two words, NULL)") == InList(
        col("s"), (1, "two words", None), negate=True
    )
    assert where("note IS NULL") == IsNull(col("note"))
    assert where("note is not null") == IsNull(col("note"), negate=True)
    assert where("t BETWEEN 50 AND 120") == Between(col("t"), 50, 120)
    assert where("t NOT BETWEEN 'a' AND z") == Between(col("t"), "a", "z", negate=True)


def test_column_functions_and_name_normalisation() -> None:
    assert where("UPPER(customer) = 'BO'") == Compare(col("customer", "UPPER"), "=", "BO")
    assert where("lower( Name ) = 'bo'") == Compare(col("name", "LOWER"), "=", "bo")
    assert where("DATE(created_at) = '2026-01-15'") == Compare(
        col("created_at", "DATE"), "=", "2026-01-15"
    )
    assert where("First_Name = x") == Compare(col("first_name"), "=", "x")


def test_order_by_and_limit() -> None:
    query = parse_filter("ORDER BY total DESC, Name asc, id")
    assert query.condition is None
    assert query.order == (Order("total", True), Order("name"), Order("id"))
    assert parse_filter("LIMIT 5") == Query(limit=5)
    assert parse_filter("a = 1 limit 0").limit == 0


@pytest.mark.parametrize(
    ("text", "position", "problem"),
    [
        ("name = 'x'; DROP TABLE users", 11, "unexpected ';'"),
        ("status = 'x';", 13, "unexpected ';'"),
        ("name = x; DROP TABLE users", 9, "unexpected ';'"),
        ("LENGTH(name) > 2", 1, "unknown function 'LENGTH'"),
        ("name = 'unbalanced", 8, "unbalanced quote"),
        ('name = "unbalanced', 8, "unbalanced quote"),
        ("name = 'a' OR 1=1 --", 15, "unexpected '1', expected a column name"),
        ("name = 'a' -- comment", 12, "comments are not allowed"),
        ("name = a -- comment", 10, "comments are not allowed"),
        ("name = a /* c */", 10, "comments are not allowed"),
        ("(a = 1", 1, "unbalanced '('"),
        ("a = 1)", 6, "unexpected ')'"),
        ("a = 100 * 2", 5, "arithmetic is not allowed"),
        ("a = 1 + 1", 5, "arithmetic is not allowed"),
        ("a = (SELECT 1)", 5, "unexpected '('"),
        ("a = it's", 7, "unexpected quote inside an unquoted value"),
        ("a IS 5", 6, "unexpected '5', expected NULL"),
        ("a ~ 5", 3, "unexpected '~', expected an operator"),
        ("a =", 4, "unexpected end of filter, expected a value"),
        ("a = 1 LIMIT x", 13, "LIMIT needs a whole number"),
        ("a = 1 LIMIT 2.5", 13, "LIMIT needs a whole number"),
        ("a BETWEEN 1 OR 2", 13, "unexpected 'OR', expected AND"),
        ("a IN 1, 2", 6, "unexpected '1', expected '('"),
        ("a IN ()", 7, "unexpected ')', expected a value"),
        ("a = DATE('nope')", 10, "invalid date 'nope'"),
        ("a = 1 ORDER BY", 15, "unexpected end of filter, expected a column name"),
        ("a = 1 b = 2", 9, "unexpected '='"),  # the bare value "1 b" ends at '='
        ("a = 'x' 'y'", 9, "unexpected '''"),
        ("a LIKE NULL", 8, "LIKE needs a pattern, not NULL"),
        ("= 5", 1, "unexpected '=', expected a column name"),
    ],
)
def test_invalid_filters_name_problem_and_position(text: str, position: int, problem: str) -> None:
    with pytest.raises(DataError) as caught:
        parse_filter(text)
    assert caught.value.message == f"invalid filter at position {position}: {problem}"


def test_legacy_assignments() -> None:
    assert parse_assignments("year = 2019, title = Python Tricks 2") == [
        ("year", 2019),
        ("title", "Python Tricks 2"),
    ]
    assert parse_assignments("Note = 'a, b', done = TRUE, x = NULL") == [
        ("note", "a, b"),
        ("done", True),
        ("x", None),
    ]
    assert parse_assignments("a = this and that") == [("a", "this and that")]
    for bad in ["", "a", "a = 1,", "a = 1; DROP TABLE t", "a = 'x"]:
        with pytest.raises(DataError, match="invalid assignment list at position"):
            parse_assignments(bad)


def test_map_and_pair_queries() -> None:
    assert query_from_map({"City": "Lisbon", "active": True}) == Query(
        And((Compare(col("city"), "=", "Lisbon"), Compare(col("active"), "=", True)))
    )
    assert query_from_map({"a": 1}) == Query(Compare(col("a"), "=", 1))
    assert query_from_map({}) == Query()
    assert query_from_pair("E-mail", "x@y") == Query(Compare(col("e_mail"), "=", "x@y"))


def test_parse_date_text() -> None:
    assert parse_date_text("2026-01-15") == date(2026, 1, 15)
    assert parse_date_text(" 2026-01-15T10:30:05 ") == datetime(2026, 1, 15, 10, 30, 5)
    assert parse_date_text("2026-01-15 10:30") == datetime(2026, 1, 15, 10, 30)
    for bad in ["2026-02-30", "15/01/2026", "2026-01-15x", "today"]:
        assert parse_date_text(bad) is None


# --- evaluation on maps (FILTER) ----------------------------------------------------------------

SALES = [
    {"region": "north", "rep": "Ana", "amount": 100, "month": "jan"},
    {"region": "south", "rep": "Bo", "amount": 250, "month": "jan"},
    {"region": "north", "rep": "Cy", "amount": "50", "month": "feb"},
    {"region": "south", "rep": "Ana", "amount": 75, "month": "feb", "note": None},
]


def reps(text: str, rows: list[Any] = SALES) -> list[str]:
    return [row["rep"] for row in apply_query(list(rows), parse_filter(text))]


def test_filter_uses_basic_comparisons() -> None:
    assert reps("amount >= 100") == ["Ana", "Bo"]
    assert reps("amount < 60") == ["Cy"]  # "50" counts as 50 (§3.6)
    assert reps("amount = '50'") == ["Cy"]
    assert reps("region = North") == []  # case-sensitive
    assert reps("region = north AND rep LIKE 'c'") == ["Cy"]
    assert reps("rep LIKE 'A%'") == ["Ana", "Ana"]
    assert reps("rep NOT LIKE 'a'") == ["Bo", "Cy"]
    assert reps("rep IN ('Bo', 'Cy')") == ["Bo", "Cy"]
    assert reps("amount BETWEEN 60 AND 100") == ["Ana", "Ana"]
    assert reps("UPPER(region) = 'SOUTH'") == ["Bo", "Ana"]


def test_filter_unknown_keys_read_as_null() -> None:
    assert reps("missing IS NULL") == ["Ana", "Bo", "Cy", "Ana"]
    assert reps("note IS NULL") == ["Ana", "Bo", "Cy", "Ana"]
    assert reps("missing = ''") == ["Ana", "Bo", "Cy", "Ana"]  # null equals ""
    assert reps("missing > 1") == []  # any ordering with null is false
    assert reps("NOT missing > 1") == ["Ana", "Bo", "Cy", "Ana"]
    assert reps("missing <> 'x'") == ["Ana", "Bo", "Cy", "Ana"]


def test_filter_keys_match_any_spelling() -> None:
    rows = [{"First Name": "Ana", "rep": 1}, {"FIRST NAME": "Bo", "rep": 2}]
    assert [r["rep"] for r in apply_query(rows, parse_filter("first_name = Bo"))] == [2]
    assert row_matches(where("REP = 1"), {"Rep": 1})


def test_filter_dates() -> None:
    rows = [{"d": datetime(2026, 1, 15, 10, 0), "rep": 1}, {"d": date(2026, 1, 16), "rep": 2}]
    assert [r["rep"] for r in apply_query(rows, parse_filter("DATE(d) = '2026-01-15'"))] == [1]
    query = parse_filter("d > DATE('2026-01-15')")
    assert [r["rep"] for r in apply_query(rows, query)] == [1, 2]


def test_filter_order_and_limit() -> None:
    assert reps("ORDER BY amount DESC") == ["Bo", "Ana", "Ana", "Cy"]
    assert reps("ORDER BY rep, amount DESC LIMIT 3") == ["Ana", "Ana", "Bo"]
    assert reps("region = south ORDER BY amount") == ["Ana", "Bo"]
    assert reps("LIMIT 0") == []


def test_non_map_elements_have_only_null_fields() -> None:
    assert apply_query([1, None, {"a": 1}], parse_filter("a = 1")) == [{"a": 1}]
    assert apply_query([1, {"a": 1}], parse_filter("a IS NULL")) == [1]


def test_sort_key_order() -> None:
    values = [True, date(2026, 1, 1), "b", "B", "a", "10", 2, None, 1.5]
    ordered = sorted(values, key=sort_key)
    assert ordered == [None, 1.5, 2, "10", "a", "B", "b", date(2026, 1, 1), True]
