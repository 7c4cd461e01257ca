"""The filter language of FIND, COUNT, UPDATE, DELETE and FILTER (BASIC.md §7.3, §7.7, §7.9).

This is the language's own parser: a filter string becomes a :class:`~engine.basic.query.Query`
and never SQL. Data services compile that Query to parameterised SQL; :func:`apply_query`
evaluates it on maps with the comparison rules of §3.6. Problems raise ``DataError`` naming
the problem and its 1-based position (``invalid filter at position 12: unexpected ';'``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any, Final, Literal, assert_never, cast

from engine.basic.errors import DataError
from engine.basic.names import column_name
from engine.basic.query import (
    ALL_ROWS,
    And,
    Between,
    Column,
    Compare,
    CompareOp,
    Condition,
    InList,
    IsNull,
    Like,
    Not,
    Or,
    Order,
    Query,
    Value,
)
from engine.basic.values import compare, equals, like, parse_numeric, text

ColumnFunction = Literal["LOWER", "UPPER", "DATE"]
_IDENTIFIER: Final = re.compile(r"[^\W\d]\w*")
_OPERATOR: Final = re.compile(r"==|!=|<>|<=|>=|=|<|>")
_OPERATOR_ALIASES: Final = {"==": "=", "!=": "<>"}
_FUNCTIONS: Final = frozenset({"LOWER", "UPPER", "DATE"})
_INTEGER: Final = re.compile(r"\d+(?![\w.])")
# A bare value like "100 * 2" is arithmetic the filter language does not have (§7.3); the
# minus needs spaces around it so that bare ISO dates such as 2026-01-15 stay text.
_ARITHMETIC: Final = re.compile(r"[+-]?[\d.]+\s*(?:[*/%+]|\s-\s)\s*[\d.]")
_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME: Final = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2})?)(?:\.\d+)?")
_WORD_VALUES: Final[dict[str, Value]] = {"TRUE": True, "FALSE": False, "NULL": None}
_MAX_NESTING: Final = 16  # NOT and parentheses inside each other (SQLite parses ~40)


def parse_filter(text: str) -> Query:
    """A §7.3 filter string as a Query. ``"*"`` gives :data:`ALL_ROWS` itself.

    An empty filter also selects every row but is a distinct ``Query()``, so DELETE can tell
    "no filter" (refused) from ``"*"`` (every row).
    """
    stripped = text.strip()
    if stripped == "*":
        return ALL_ROWS
    if not stripped:
        return Query()
    return _FilterParser(text, "filter").query()


def parse_assignments(text: str) -> list[tuple[str, Value]]:
    """The legacy ``"col = value, col2 = value2"`` list of ``SET "table"`` (§7.7)."""
    return _FilterParser(text, "assignment list").assignments()


def parse_date_text(value: str) -> date | None:
    """An ISO date (``2026-01-15``) or date-time (``T`` or space, seconds optional), or None."""
    value = value.strip()
    try:
        if _DATE.fullmatch(value):
            return date.fromisoformat(value)
        match = _DATETIME.fullmatch(value)
        if match:
            return datetime.fromisoformat(f"{match[1]} {match[2]}")
    except ValueError:
        return None
    return None


def query_from_map(conditions: Mapping[str, Value]) -> Query:
    """``FIND "t", {a: 1, b: 2}``: equality on every key, joined with AND."""
    compares = tuple(Compare(Column(column_name(k)), "=", v) for k, v in conditions.items())
    if not compares:
        return Query()
    return Query(compares[0] if len(compares) == 1 else And(compares))


def query_from_pair(column: str, value: Value) -> Query:
    """``FIND "t", "column", value``: equality on one column."""
    return Query(Compare(Column(column_name(column)), "=", value))


class _FilterParser:
    """A recursive-descent parser over the raw text: bare values need the text, not tokens."""

    def __init__(self, source: str, what: str) -> None:
        self.text = source
        self.pos = 0
        self.what = what
        self.depth = 0  # NOT and '(' levels: the parser recurses once per level

    # --- clauses ------------------------------------------------------------------------------

    def query(self) -> Query:
        condition = None if self.at_clause_end() else self.condition()
        order = self.order_by() if self.take_words("ORDER", "BY") else ()
        limit = self.limit() if self.take_words("LIMIT") else None
        if self.peek():
            raise self.unexpected()
        return Query(condition, order, limit)

    def at_clause_end(self) -> bool:
        return not self.peek() or self.words_ahead("ORDER", "BY") or self.words_ahead("LIMIT")

    def order_by(self) -> tuple[Order, ...]:
        orders = [self.order()]
        while self.take_char(","):
            orders.append(self.order())
        return tuple(orders)

    def order(self) -> Order:
        name = column_name(self.identifier("a column name"))
        if self.take_words("DESC"):
            return Order(name, descending=True)
        self.take_words("ASC")
        return Order(name)

    def limit(self) -> int:
        self.skip_spaces()
        match = _INTEGER.match(self.text, self.pos)
        if not match:
            raise self.error("LIMIT needs a whole number")
        self.pos = match.end()
        return int(match.group())

    def assignments(self) -> list[tuple[str, Value]]:
        items: list[tuple[str, Value]] = []
        while True:
            name = column_name(self.identifier("a column name"))
            if not self.take_char("="):
                raise self.unexpected("'='")
            items.append((name, self.value(stop_chars=",", stop_words=False)))
            if not self.peek():
                return items
            if not self.take_char(","):
                raise self.unexpected("','")

    # --- conditions ---------------------------------------------------------------------------

    def condition(self) -> Condition:
        items = [self.term()]
        while self.take_words("OR"):
            items.append(self.term())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def term(self) -> Condition:
        items = [self.factor()]
        while self.take_words("AND"):
            items.append(self.factor())
        return items[0] if len(items) == 1 else And(tuple(items))

    def factor(self) -> Condition:
        if self.depth >= _MAX_NESTING:
            raise self.error(f"nested more than {_MAX_NESTING} levels deep")
        self.depth += 1
        try:
            return self.nested_factor()
        finally:
            self.depth -= 1

    def nested_factor(self) -> Condition:
        if self.take_words("NOT"):
            return Not(self.factor())
        if self.peek() != "(":
            return self.predicate()
        start = self.pos
        self.pos += 1
        inner = self.condition()
        if not self.take_char(")"):
            raise self.unexpected() if self.peek() else self.error("unbalanced '('", start)
        return inner

    def predicate(self) -> Condition:
        column = self.column()
        self.skip_spaces()
        operator = _OPERATOR.match(self.text, self.pos)
        if operator:
            self.pos = operator.end()
            op = _OPERATOR_ALIASES.get(operator.group(), operator.group())
            return Compare(column, cast(CompareOp, op), self.value())
        negate = self.take_words("NOT")
        if self.take_words("LIKE"):
            return Like(column, self.pattern(), negate)
        if self.take_words("IN"):
            return InList(column, self.value_list(), negate)
        if self.take_words("BETWEEN"):
            return self.between(column, negate)
        if not negate and self.take_words("IS"):
            return self.is_null(column)
        raise self.unexpected("an operator")

    def is_null(self, column: Column) -> IsNull:
        negate = self.take_words("NOT")
        if not self.take_words("NULL"):
            raise self.unexpected("NULL")
        return IsNull(column, negate)

    def pattern(self) -> str:
        self.skip_spaces()
        start = self.pos
        value = self.value()
        if value is None:
            raise self.error("LIKE needs a pattern, not NULL", start)
        return text(value)

    def between(self, column: Column, negate: bool) -> Between:
        low = self.value()
        if not self.take_words("AND"):
            raise self.unexpected("AND")
        return Between(column, low, self.value(), negate)

    def column(self) -> Column:
        start = self.pos
        name = self.identifier("a column name")
        if self.peek() != "(":
            return Column(column_name(name))
        if name.upper() not in _FUNCTIONS:
            raise self.error(f"unknown function '{name}'", start)
        self.pos += 1
        inner = self.identifier("a column name")
        if not self.take_char(")"):
            raise self.unexpected("')'")
        return Column(column_name(inner), cast(ColumnFunction, name.upper()))

    # --- values -------------------------------------------------------------------------------

    def value(self, stop_chars: str = ")", stop_words: bool = True) -> Value:
        first = self.peek()
        if first in ("'", '"'):
            return self.quoted()
        if self.words_ahead("DATE") and self.text[self.word_end(self.pos) :].lstrip()[:1] == "(":
            return self.date_literal()
        return self.bare(stop_chars, stop_words)

    def value_list(self) -> tuple[Value, ...]:
        if not self.take_char("("):
            raise self.unexpected("'('")
        values = [self.value(stop_chars="),")]
        while self.take_char(","):
            values.append(self.value(stop_chars="),"))
        if not self.take_char(")"):
            raise self.unexpected("')'")
        return tuple(values)

    def quoted(self) -> str:
        start, quote = self.pos, self.text[self.pos]
        self.pos += 1
        parts: list[str] = []
        while True:
            close = self.text.find(quote, self.pos)
            if close < 0:
                raise self.error("unbalanced quote", start)
            parts.append(self.text[self.pos : close])
            self.pos = close + 1
            if not self.text.startswith(quote, self.pos):
                return "".join(parts)
            parts.append(quote)  # a doubled quote stands for one
            self.pos += 1

    def date_literal(self) -> date:
        self.pos = self.word_end(self.pos)
        self.take_char("(")
        start = self.pos
        if self.peek() not in ("'", '"'):
            raise self.unexpected("a quoted date")
        raw = self.quoted()
        if not self.take_char(")"):
            raise self.unexpected("')'")
        parsed = parse_date_text(raw)
        if parsed is None:
            raise self.error(f"invalid date '{raw}'", start)
        return parsed

    def bare(self, stop_chars: str, stop_words: bool) -> Value:
        start = index = self.pos
        while index < len(self.text) and self.text[index] not in stop_chars:
            if stop_words and self.clause_word_at(index, start):
                break
            self.reject_in_bare(index)
            index += 1
        raw = self.text[start:index].strip()
        if not raw:
            raise self.unexpected("a value")
        self.pos = index
        return self.classify(raw, start)

    def clause_word_at(self, index: int, start: int) -> bool:
        if index > start and not self.text[index - 1].isspace():
            return False
        stops = (("AND",), ("OR",), ("LIMIT",), ("ORDER", "BY"))
        return any(self.words_at(index, *words) for words in stops)

    def reject_in_bare(self, index: int) -> None:
        char = self.text[index]
        if self.text.startswith(("--", "/*"), index):
            raise self.error("comments are not allowed", index)
        if char in "'\"":
            raise self.error("unexpected quote inside an unquoted value", index)
        if char in ";(=<>!":
            raise self.error(f"unexpected '{char}'", index)

    def classify(self, raw: str, start: int) -> Value:
        number = parse_numeric(raw)
        if number is not None:
            return number
        if raw.upper() in _WORD_VALUES:
            return _WORD_VALUES[raw.upper()]
        if _ARITHMETIC.match(raw):
            raise self.error("arithmetic is not allowed", start)
        return raw

    # --- scanning -----------------------------------------------------------------------------

    def skip_spaces(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def peek(self) -> str:
        self.skip_spaces()
        return self.text[self.pos : self.pos + 1]

    def take_char(self, char: str) -> bool:
        if self.peek() != char:
            return False
        self.pos += 1
        return True

    def identifier(self, expected: str) -> str:
        self.skip_spaces()
        match = _IDENTIFIER.match(self.text, self.pos)
        if not match:
            raise self.unexpected(expected)
        self.pos = match.end()
        return match.group()

    def word_end(self, index: int) -> int:
        match = _IDENTIFIER.match(self.text, index)
        return match.end() if match else index

    def words_at(self, index: int, *words: str) -> bool:
        """True when ``words`` (upper case, separated by spaces) start at ``index``."""
        for word in words:
            while index < len(self.text) and self.text[index].isspace():
                index += 1
            end = self.word_end(index)
            if self.text[index:end].upper() != word:
                return False
            index = end
        return True

    def words_ahead(self, *words: str) -> bool:
        self.skip_spaces()
        return self.words_at(self.pos, *words)

    def take_words(self, *words: str) -> bool:
        if not self.words_ahead(*words):
            return False
        for _ in words:
            self.skip_spaces()
            self.pos = self.word_end(self.pos)
        return True

    # --- errors -------------------------------------------------------------------------------

    def error(self, problem: str, at: int | None = None) -> DataError:
        where = self.pos if at is None else at
        return DataError(f"invalid {self.what} at position {where + 1}: {problem}")

    def unexpected(self, expected: str | None = None) -> DataError:
        rest = self.text[self.pos :] if self.peek() else ""
        wanted = f", expected {expected}" if expected else ""
        if not rest:
            return self.error(f"unexpected end of {self.what}{wanted}")
        if rest.startswith(("--", "/*")):
            return self.error("comments are not allowed")
        if rest[0] in "'\"" and rest.find(rest[0], 1) < 0:
            return self.error("unbalanced quote")
        token = rest[: self.word_end(self.pos) - self.pos] or rest[0]
        return self.error(f"unexpected '{token}'{wanted}")


# --- evaluation on maps (FILTER, §7.9) ------------------------------------------------------------


def row_matches(condition: Condition, row: Mapping[str, Value]) -> bool:
    """Whether ``row`` satisfies ``condition``; unknown keys read as null, §3.6 comparisons."""
    match condition:
        case And(items):
            return all(row_matches(item, row) for item in items)
        case Or(items):
            return any(row_matches(item, row) for item in items)
        case Not(item):
            return not row_matches(item, row)
        case Compare(column, op, value):
            return _compare(op, read_column(row, column), value)
        case Like(column, pattern, negate):
            return like(read_column(row, column), pattern) != negate
        case InList(column, values, negate):
            found = read_column(row, column)
            return any(equals(found, v) for v in values) != negate
        case IsNull(column, negate):
            return (read_column(row, column) is None) != negate
        case Between(column, low, high, negate):
            found = read_column(row, column)
            inside = compare(">=", found, low) and compare("<=", found, high)
            return inside != negate
    assert_never(condition)


def apply_query(rows: list[Value], query: Query) -> list[Value]:
    """The elements of ``rows`` matching ``query``, ordered and limited (a new list)."""
    condition = query.condition
    result = [r for r in rows if condition is None or row_matches(condition, _as_map(r))]
    for order in reversed(query.order):  # stable sorts, last key first
        _sort_by(result, order)
    return result if query.limit is None else result[: query.limit]


def sort_key(value: Value) -> tuple[int, Any, Any]:
    """The §7.9 SORT order: nulls, numbers (numeric strings too), strings, dates, booleans."""
    kind = type(value)
    if value is None:
        return (0, 0, "")
    if kind is int or kind is float:
        return (1, value, "")
    if kind is str:
        number = parse_numeric(value)
        return (1, number, "") if number is not None else (2, value.lower(), value)
    if kind is datetime or kind is date:
        return (3, value if kind is datetime else datetime.combine(value, time()), "")
    if kind is bool:
        return (4, int(value), "")
    return (5, text(value), "")


def field(row: Mapping[str, Value], name: str) -> Value:
    """``row``'s value for the normalised column ``name``: the key spelled any way."""
    if name in row:
        return row[name]
    folded = name.casefold()
    for key, value in row.items():
        if key.casefold() == folded or _normalised(key) == name:
            return value
    return None


def read_column(row: Mapping[str, Value], column: Column) -> Value:
    """The column's value with its LOWER/UPPER/DATE function applied."""
    value = field(row, column.name)
    if value is None or column.fn is None:
        return value
    if column.fn == "DATE":
        return _date_part(value)
    return text(value).lower() if column.fn == "LOWER" else text(value).upper()


def _sort_by(rows: list[Value], order: Order) -> None:
    def key(row: Value) -> tuple[int, Any, Any]:
        return sort_key(field(_as_map(row), order.column))

    rows.sort(key=key, reverse=order.descending)


def _compare(op: CompareOp, left: Value, right: Value) -> bool:
    if op == "=":
        return equals(left, right)
    if op == "<>":
        return not equals(left, right)
    return compare(op, left, right)


def _date_part(value: Value) -> Value:
    if type(value) is datetime:
        return value.date()
    if type(value) is date:
        return value
    return parse_date_text(text(value)[:10])


def _normalised(key: str) -> str | None:
    try:
        return column_name(key)
    except DataError:
        return None


def _as_map(row: Value) -> Mapping[str, Value]:
    return row if isinstance(row, dict) else {}
