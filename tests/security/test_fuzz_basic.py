"""Property-based fuzzing of the BASIC front door (issue 10): whatever text a designer or an
attacker writes, the parser and compiler answer with diagnostics, the FIND filter grammar with
``DataError`` or parameterised SQL that SQLite accepts, ``config.csv`` with rows and warnings
(or ``ConfigError`` for a file that cannot be read), and a run of a random program ends,
normally or with a BASIC error, within its time limit. Never another Python exception.

Examples are bounded so that each test takes seconds.
"""

from __future__ import annotations

import re
import sqlite3
import time
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.basic.compiler import CompileOptions, compile_source
from engine.basic.errors import BasicError, DataError
from engine.basic.filters import parse_filter
from engine.basic.limits import Limits
from engine.basic.program import Program
from engine.basic.vm import VM
from engine.bots.config import BotConfig, parse_config, read_config
from engine.bots.config_numbers import RULES
from engine.bots.errors import ConfigError
from engine.data.schema import ColumnSpec
from engine.data.sql_query import compile_order, compile_where
from tests.engine.basic.conftest import ScriptHost

FAST = settings(max_examples=150, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow])

# --- BASIC source -------------------------------------------------------------------------------

_WORDS = ["IF", "THEN", "ELSE", "ELSEIF", "END IF", "END", "FOR", "EACH", "IN", "TO", "STEP",
          "NEXT", "WHILE", "WEND", "DO", "LOOP", "UNTIL", "SELECT", "CASE", "END SELECT", "SUB",
          "END SUB", "FUNCTION", "END FUNCTION", "RETURN", "WITH", "END WITH", "GOTO", "ON",
          "ERROR", "RESUME", "TALK", "HEAR", "AS", "SET", "LET", "DIM", "CONST", "PARAM",
          "DESCRIPTION", "FIND", "SAVE", "TABLE", "END TABLE", "BEGIN TALK", "END TALK",
          "WEBHOOK", "CALL", "AND", "OR", "NOT", "MOD", "LIKE", "IS", "NULL", "TRUE", "FALSE",
          "x", "y", "i", "items", "f", "REM", "OPTION STRICT", "EXIT FOR", "PRINT", "WAIT"]
_SYMBOLS = ["=", "+", "-", "*", "/", "\\", "^", "&", "(", ")", "[", "]", "{", "}", ",", ":",
            ".", "<", ">", "<>", "<=", ">=", "==", "!=", "?", "??", "!", "'", "//", "#", "_",
            '"', '"${', "}", "`", "\n", "\r\n", "\t", "$"]
_LITERALS = st.one_of(st.integers(-10**30, 10**30).map(str),
                      st.floats(allow_nan=False).map(repr),
                      st.text(max_size=8).map(lambda s: '"' + s.replace('"', '""') + '"'),
                      st.sampled_from(["1e309", "9" * 5000, "0x1F", "1.2.3", "1e", ".5"]))
_TOKENS = st.one_of(st.sampled_from(_WORDS), st.sampled_from(_SYMBOLS), _LITERALS)
TOKEN_SOUPS = st.lists(_TOKENS, max_size=60).map(" ".join)
RANDOM_TEXT = st.text(max_size=400)  # any unicode: surrogates, controls, RTL marks…

_OPENERS = [("IF x THEN", "END IF"), ("FOR i = 1 TO 2", "NEXT"), ("WHILE x", "WEND"),
            ("DO", "LOOP"), ("SELECT CASE x", "END SELECT"), ("WITH x", "END WITH"),
            ("SUB s{n}", "END SUB"), ("FUNCTION f{n}()", "END FUNCTION")]
_WRAPPERS = [("(", ")"), ("[", "]"), ("-", ""), ("NOT ", ""), ("f(", ")"), ('"${', '}"'),
             ("{a: ", "}"), ("x[", "]")]


@st.composite
def deep_blocks(draw: st.DrawFn) -> str:
    chosen = draw(st.lists(st.sampled_from(_OPENERS), min_size=1, max_size=400))
    closed = draw(st.booleans())
    head = [opener.format(n=n) for n, (opener, _) in enumerate(chosen)]
    tail = [closer for _, closer in reversed(chosen)] if closed else []
    return "\n".join([*head, 'TALK "in"', *tail])


@st.composite
def deep_expressions(draw: st.DrawFn) -> str:
    chosen = draw(st.lists(st.sampled_from(_WRAPPERS), min_size=1, max_size=400))
    inner = draw(st.sampled_from(["1", "x", '"s"', "NULL"]))
    return "x = " + "".join(a for a, _ in chosen) + inner + "".join(b for _, b in reversed(chosen))


def compiled(source: str, strict: bool = False) -> Program:
    program = compile_source(source, "fuzz", CompileOptions(strict=strict))
    assert isinstance(program, Program)
    for diagnostic in program.diagnostics:
        assert diagnostic.line >= 0 and diagnostic.col >= 0 and diagnostic.message
        diagnostic.render(source, "fuzz.bas")
    return program


@FAST
@given(RANDOM_TEXT, st.booleans())
def test_random_text_compiles_to_diagnostics(source: str, strict: bool) -> None:
    compiled(source, strict)


@FAST
@given(TOKEN_SOUPS, st.booleans())
def test_token_soups_compile_to_diagnostics(source: str, strict: bool) -> None:
    compiled(source, strict)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(deep_blocks(), deep_expressions()))
def test_deep_nesting_compiles_to_diagnostics(source: str) -> None:
    program = compiled(source)
    if not program.ok and "nested more than" in program.errors[0].message:
        assert program.errors[0].kind == "SyntaxError"


@FAST
@given(st.binary(max_size=300))
def test_bytes_decoded_as_the_registry_does_compile(data: bytes) -> None:
    compiled(data.decode("utf-8", errors="replace"))


# --- running random programs under tight limits --------------------------------------------

_STATEMENTS = st.sampled_from([
    "x = x + 1", "x = x * x", "s = s & s", "s = s + \"ab\"", "a = a + a", "PUSH a, s",
    "IF x > 3 THEN x = 0", "TALK x", "y = LEN(s)", "s = REPLACE(s, \"a\", \"aa\")",
    "z = s LIKE \"%a%a%a%b\"", "DIM d(x)", "m = {k: a}", "t = TOJSON(m)", "x = x ^ 3",
    "GOTO top", "x = 1 / 0", "ON ERROR RESUME NEXT", "b = SPLIT(s, \"\")", "q = CINT(s)",
    "a = [a, a]", "w = JOIN(a, s)", "x = -x", "s = UCASE(s)", "n = n MOD 7",
])


@st.composite
def programs(draw: st.DrawFn) -> str:
    body = draw(st.lists(_STATEMENTS, min_size=1, max_size=12))
    loop = draw(st.sampled_from(["DO\n{body}\nLOOP", "FOR i = 1 TO 50\n{body}\nNEXT", "{body}",
                                 "WHILE TRUE\n{body}\nWEND"]))
    return ('x = 2\ns = "a"\na = [1]\nn = 5\ntop:\n'
            + loop.format(body="\n".join(body)))


TIGHT = Limits(max_steps=20_000, max_seconds=0.5, max_output=10_000, max_loop=5_000,
               max_string=70_000, max_items=70_000, max_digits=2_000)


@settings(max_examples=80, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(programs())
def test_random_programs_end_within_the_time_limit(source: str) -> None:
    program = compile_source(source, "fuzz")
    assert program.ok, [d.headline() for d in program.errors]
    started = time.monotonic()
    outcome = VM(ScriptHost(), TIGHT).start(program)
    assert time.monotonic() - started < 3
    assert not outcome.waiting
    assert outcome.error is None or isinstance(outcome.error, BasicError)


# --- the FIND filter grammar ----------------------------------------------------------------

_FILTER_TOKENS = st.one_of(
    st.sampled_from(["name", "age", "city", "Name", "LOWER(name)", "UPPER(city)", "DATE(born)",
                     "=", "==", "!=", "<>", "<", ">", "<=", ">=", "AND", "OR", "NOT", "LIKE",
                     "IN", "BETWEEN", "IS", "NULL", "TRUE", "FALSE", "(", ")", ",", "ORDER BY",
                     "DESC", "ASC", "LIMIT", "DATE('2026-01-15')", "*", "%", "?", ";", "--",
                     "/*", "'", '"', "1; DROP TABLE t", "' OR '1'='1", "2026-01-15"]),
    st.integers(-10**20, 10**20).map(str),
    st.text(max_size=10).map(lambda s: "'" + s.replace("'", "''") + "'"),
)
FILTERS = st.one_of(st.lists(_FILTER_TOKENS, max_size=25).map(" ".join), st.text(max_size=80),
                    st.integers(1, 400).map(lambda n: "(" * n + "age = 1" + ")" * n),
                    st.integers(1, 400).map(lambda n: "NOT " * n + "age = 1"))
_SQL_LITERALS = re.compile(r"'true'|'false'|ESCAPE '\\'|1 = [01]|SUBSTR\((\"[^\"]*\")+, 1, 10\)")
_IDENTIFIERS = re.compile(r'"(?:[^"]|"")*"')


def _column(name: str) -> ColumnSpec:
    kinds = {"age": "integer", "born": "date", "active": "boolean"}
    return ColumnSpec(name, kinds.get(name, "text"))  # type: ignore[arg-type]


@FAST
@given(FILTERS)
def test_filters_give_a_data_error_or_parameterised_sql(text: str) -> None:
    try:
        query = parse_filter(text)
    except DataError:
        return
    try:
        where = compile_where(query.condition, _column)
        order = compile_order(query.order, _column, '"id"')
    except DataError:
        return
    sql = where.sql + " " + order
    stripped = _IDENTIFIERS.sub("", _SQL_LITERALS.sub("", sql))
    assert "'" not in stripped and not re.search(r"\d", stripped), sql  # values only as '?'
    assert sql.count("?") == len(where.params)
    with sqlite3.connect(":memory:") as db:
        columns = sorted({m[1:-1].replace('""', '"') for m in _IDENTIFIERS.findall(sql)} |
                         {"id"})
        db.execute("CREATE TABLE t (" + ", ".join('"' + c.replace('"', '""') + '"'
                                                  for c in columns) + ")")
        db.execute(f"SELECT * FROM t WHERE {where.sql} ORDER BY {order}", where.params)


# --- config.csv ---------------------------------------------------------------------------------

_CONFIG_KEYS = st.one_of(st.sampled_from([*sorted(RULES), "bot-name", "param-x", "conn-db-port",
                                          "Bot Name", "", " "]),
                         st.text(max_size=12))
_CONFIG_VALUES = st.one_of(st.sampled_from(["nan", "NaN", "inf", "-inf", "1e309", "-1", "0",
                                            "5e3", "1_000", "0x10", "", "none", "n/a", "10.5",
                                            '"quoted, value"', "9" * 400]),
                           st.text(max_size=20))
CONFIG_LINES = st.lists(st.tuples(_CONFIG_KEYS, _CONFIG_VALUES), max_size=20).map(
    lambda rows: "\n".join(f"{k},{v}" for k, v in rows))


@FAST
@given(st.one_of(CONFIG_LINES, st.text(max_size=300)))
def test_config_text_gives_rows_and_warnings(text: str) -> None:
    rows, warnings = parse_config(text)
    config = BotConfig(rows, {"http-timeout": "30"})
    for key in list(rows) + sorted(RULES):
        value = config.get(key)
        if key in RULES and value is not None:  # what a reader gets is a usable number
            number = float(value)
            assert RULES[key].least <= number <= RULES[key].most
            if RULES[key].integer:
                int(value)
    assert all(w.line >= 1 for w in warnings)
    Limits.from_config(config)


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=300))
def test_config_files_of_any_bytes_are_read(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "config.csv"
    path.write_bytes(data)
    try:
        rows, _ = read_config(path)
    except ConfigError:
        return
    Limits.from_config(BotConfig(rows))
