"""Property tests: whatever the text, the lexer, parser and compiler answer with diagnostics
and never raise; a program that compiles runs to an outcome without a Python exception."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine.basic import values
from engine.basic.compiler import CompileOptions, compile_source
from engine.basic.diagnostics import Diagnostic, DiagnosticSink
from engine.basic.errors import ScriptError
from engine.basic.keywords.catalog import STATEMENTS, STRUCTURE, VALUE_KEYWORDS
from engine.basic.lexer import tokenize
from engine.basic.limits import Limits
from engine.basic.parser import parse
from engine.basic.vm import VM, Outcome

if TYPE_CHECKING:
    from tests.engine.basic.conftest import BasicKit

FAST = settings(max_examples=250, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

WORDS = sorted(STATEMENTS) + sorted(VALUE_KEYWORDS) + sorted(STRUCTURE) + [
    "THEN", "TO", "STEP", "EACH", "IN", "AS", "UNTIL", "AND", "OR", "NOT", "XOR", "MOD", "LIKE",
    "IS", "TRUE", "FALSE", "NULL", "ERR", "END IF", "END SUB", "END FUNCTION", "END WITH",
    "END SELECT", "END TALK", "BEGIN TALK", "BEGIN SYSTEM PROMPT", "BEGIN MAIL", "ELSE IF",
    "CASE ELSE", "ON ERROR RESUME NEXT", "ON ERROR GOTO", "ON EVENT", "END ON", "NEXT",
    "SEND_MAIL", "GET_BOT_MEMORY", "NEW OBJECT", "FORMAT", "REM", "x", "total", "i", "lbl",
    "f", "s", "a_b", "préço", "LEN", "IIF", "TOJSON", "SPLIT",
]
SYMBOLS = ["(", ")", "[", "]", "{", "}", "#{", '"', "`", "'", "//", ",", ".", ":", ";", "=",
           "==", "<>", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "\\", "^", "&", "+=",
           "&=", "${", "\\$", "\\\"", "\"\"", "_", "#", "?", "@", "~", "$", "%", "|"]
LITERALS = ['"text"', '"a ${x} b"', '"${IIF(x, "}", "{")}"', "`tick`", "0", "42", "3.14",
            ".5", "1e3", "2.5E-3", "99999999999999999999", '"C:\\data"', '"line\nbreak"',
            "[1, 2]", '{"k": 1}', "-1", "NOW()"]
SEPARATORS = [" ", " ", " ", "", "\n", "\r\n", "\t", " _\n", "\n  "]

token = st.one_of(st.sampled_from(WORDS), st.sampled_from(SYMBOLS), st.sampled_from(LITERALS))
token_soup = st.lists(st.tuples(token, st.sampled_from(SEPARATORS)), max_size=60).map(
    lambda pairs: "".join(t + sep for t, sep in pairs))
any_text = st.text(max_size=300)

# Lines built from statement shapes, with block openers and closers in any order.
LINES = [
    "x = {e}", "total += {e}", "TALK {e}", "IF {e} THEN", "IF {e} THEN TALK {e} ELSE x = {e}",
    "ELSE", "ELSEIF {e} THEN", "END IF", "FOR i = {e} TO {e}", "FOR EACH v IN {e}", "NEXT",
    "NEXT i", "WHILE {e}", "WEND", "DO", "DO WHILE {e}", "LOOP", "LOOP UNTIL {e}",
    "SELECT CASE {e}", "CASE {e}", "CASE IS > {e}", "CASE {e} TO {e}", "CASE ELSE",
    "END SELECT", "WITH rec", "  .k = {e}", "END WITH", "SUB s(a, b = {e})", "END SUB",
    "FUNCTION f(n)", "  f = {e}", "  RETURN {e}", "END FUNCTION", "s {e}, {e}", "CALL s({e})",
    "y = f({e})", "lbl:", "GOTO lbl", "ON ERROR RESUME NEXT", "ON ERROR GOTO lbl",
    "ON ERROR GOTO 0", "EXIT FOR", "EXIT DO", "CONTINUE FOR", "EXIT SUB", "EXIT FUNCTION",
    "HEAR answer", "HEAR n AS INTEGER", "PUSH list, {e}", "THROW {e}", "ASSERT {e}", "END",
    "BEGIN TALK", "Hello ${{x}}", "END TALK", "PRINT {e}; {e}", "DIM arr(3)", "CLEAR ERROR",
    "' comment {e}", "REM {e}", "#pragma", "OPTION STRICT", "FROBNICATE {e}", "WAIT {e}",
]
EXPRESSIONS = ["1", "x", "i + 1", '"a" & x', "x = 1 AND NOT y", "[1, 2, 3]", '{"a": 1}',
               "f(2)", "LEN(x)", "rec.k", "list[0]", "1 / 0", "2 ^ 3 ^ 2", "-x MOD 3",
               '"s" LIKE "%s"', "x IN (1, 2)", "x IS NULL", "NULL", "TRUE", "ERR.number",
               "(1 + ", "* 2", "IIF(x, 1, 2)", "NEW OBJECT", '"${x}"']
line_program = st.lists(
    st.tuples(st.sampled_from(LINES), st.lists(st.sampled_from(EXPRESSIONS), min_size=3,
                                               max_size=3)),
    max_size=25,
).map(lambda lines: "\n".join(
    template.replace("{e}", exprs[0], 1).replace("{e}", exprs[1], 1).replace("{e}", exprs[2])
    for template, exprs in lines))

source_text = st.one_of(any_text, token_soup, line_program)

# Well-formed programs: blocks nested and closed properly, so most of them compile and run.
expression = st.sampled_from([e for e in EXPRESSIONS if e not in ("(1 + ", "* 2")])
SIMPLE = ["x = {e}", "total += {e}", "TALK {e}", "s {e}, {e}", "y = f({e})", "PUSH list, {e}",
          "HEAR answer", "HEAR n AS INTEGER", "ON ERROR RESUME NEXT", "ON ERROR GOTO 0",
          "THROW {e}", "ASSERT {e}", "list[{e}] = {e}", "rec.k = {e}", "PRINT {e}",
          "CLEAR ERROR", "DIM arr({e})", "FROBNICATE {e}", "IF {e} THEN x = {e} ELSE TALK {e}"]
simple_line = st.tuples(st.sampled_from(SIMPLE), st.lists(expression, min_size=3, max_size=3)
                        ).map(lambda t: [t[0].replace("{e}", t[1][0], 1).replace(
                            "{e}", t[1][1], 1).replace("{e}", t[1][2])])


def _blocks(inner: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    body = st.lists(inner, max_size=4).map(lambda parts: [f"  {ln}" for p in parts for ln in p])
    return st.one_of(
        st.tuples(expression, body, body).map(
            lambda t: [f"IF {t[0]} THEN", *t[1], "ELSE", *t[2], "END IF"]),
        st.tuples(expression, expression, body).map(
            lambda t: [f"FOR i = {t[0]} TO {t[1]}", *t[2], "NEXT"]),
        st.tuples(expression, body).map(lambda t: [f"FOR EACH v IN {t[0]}", *t[1], "NEXT v"]),
        st.tuples(expression, body).map(lambda t: [f"WHILE {t[0]}", *t[1], "WEND"]),
        st.tuples(body, expression).map(lambda t: ["DO", *t[0], f"LOOP UNTIL {t[1]}"]),
        st.tuples(expression, expression, body, body).map(
            lambda t: [f"SELECT CASE {t[0]}", f"CASE {t[1]}", *t[2], "CASE ELSE", *t[3],
                       "END SELECT"]),
        body.map(lambda b: ["WITH rec", *b, "END WITH"]),
    )


statement = st.recursive(simple_line, _blocks, max_leaves=12)
main_body = st.lists(statement, max_size=6).map(lambda parts: [ln for p in parts for ln in p])
well_formed = st.tuples(main_body, main_body, main_body).map(lambda t: "\n".join([
    "list = [1, 2]", "rec = NULL", *t[0], "END", "SUB s(a, b)", *t[1], "END SUB",
    "FUNCTION f(n)", "  f = n", *t[2], "END FUNCTION"]))


def check_diagnostics(diagnostics: list[Diagnostic], source: str) -> None:
    for diagnostic in diagnostics:
        assert isinstance(diagnostic, Diagnostic)
        assert diagnostic.line >= 1
        assert diagnostic.col >= 1
        assert diagnostic.severity in ("error", "warning")
        assert diagnostic.message
        rendered = diagnostic.render(source, "prop.bas")
        assert rendered.startswith(f"prop.bas:{diagnostic.line}:{diagnostic.col}: ")


@FAST
@given(source_text)
def test_lexer_never_raises(source: str) -> None:
    sink = DiagnosticSink()
    lines = tokenize(source, sink)
    assert isinstance(lines, list)
    check_diagnostics(sink.items, source)
    for line in lines:
        assert line.tokens
        assert all(t.line >= line.line for t in line.tokens)


@FAST
@given(source_text, st.booleans())
def test_parser_never_raises(source: str, strict: bool) -> None:
    module, diagnostics = parse(source, strict)
    assert isinstance(module.body, tuple)
    check_diagnostics(diagnostics, source)
    assert diagnostics == sorted(diagnostics, key=lambda d: (d.line, d.col))


@FAST
@given(source_text, st.booleans())
def test_compiler_never_raises(source: str, strict: bool) -> None:
    program = compile_source(source, "prop", CompileOptions(strict))
    check_diagnostics(program.diagnostics, source)
    assert program.ok == (not any(d.is_error for d in program.diagnostics))
    if program.ok:
        assert len(program.main.instrs) == len(program.main.lines) == len(program.main.resume)


@settings(FAST, max_examples=100)
@given(well_formed)
def test_well_formed_programs_compile(source: str) -> None:
    program = compile_source(source, "prop")
    assert program.ok, [d.transcript() for d in program.errors]


BOUNDED = Limits(max_steps=3000, max_seconds=2, max_output=10_000, max_depth=30, max_loop=200)


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.function_scoped_fixture])
@given(source=st.one_of(well_formed, line_program),
       answers=st.lists(st.sampled_from(["1", "yes", "x", ""]), max_size=3))
def test_a_compiled_program_runs_to_an_outcome(basic: BasicKit, source: str,
                                               answers: list[str]) -> None:
    program = compile_source(source, "prop")
    if not program.ok:
        return
    vm = VM(basic.host(), BOUNDED, seed=1)
    outcome = vm.start(program)
    for answer in answers:
        if not outcome.waiting:
            break
        outcome = vm.deliver(answer)
    assert isinstance(outcome, Outcome)
    if outcome.waiting:
        assert vm.snapshot()["frames"]


# --- the VM's inline fast paths give what the values functions give ------------------------

OPERATORS = {
    "+": values.add, "-": values.sub, "*": values.mul, "MOD": values.mod, "&": values.concat,
    "<": lambda a, b: values.compare("<", a, b), "<=": lambda a, b: values.compare("<=", a, b),
    ">": lambda a, b: values.compare(">", a, b), ">=": lambda a, b: values.compare(">=", a, b),
    "=": values.equals, "<>": lambda a, b: not values.equals(a, b),
}
operand = st.one_of(
    st.integers(min_value=-10**6, max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False), st.none(), st.booleans(), st.text(max_size=4),
    st.sampled_from([10**400, 2**63, "12", " 3.5 ", "abc", "", [1], {"k": 1}]))
literal = st.one_of(st.integers(min_value=0, max_value=10**6),
                    st.floats(min_value=0, allow_nan=False, allow_infinity=False))


def expected(op: str, a: object, b: object) -> tuple[str, object]:
    try:
        return "ok", OPERATORS[op](a, b)
    except ScriptError as error:
        return error.kind, None


def outcome_of(variables: dict[str, object], name: str) -> tuple[str, object]:
    kind = variables.get(f"{name}_err")
    return (str(kind), None) if kind is not None else ("ok", variables.get(name))


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(op=st.sampled_from(sorted(OPERATORS)), a=operand, b=operand, c=literal)
@example(op="+", a=10**400, b=0.5, c=0.5)  # int + float overflows: ValueError, not a crash
@example(op="*", a=10**400, b=2, c=1.5)
@example(op="-", a=2**63, b=1.0, c=1)
@example(op="<", a=1, b=1.5, c=0.5)
@example(op="MOD", a=-7, b=3, c=3)
@example(op="MOD", a=7, b=0, c=0)
@example(op="&", a=1, b="x", c=2)
@example(op="=", a=1, b="1", c=1.0)
@example(op="<>", a=True, b="TRUE", c=0)
@example(op="+", a=None, b=1, c=1)
def test_operator_fast_paths_agree_with_values(basic: BasicKit, op: str, a: object,
                                               b: object, c: int | float) -> None:
    source = "\n".join([
        "FUNCTION local_op(x, y)", f"  local_op = x {op} y", "END FUNCTION",
        "HEAR go", "ON ERROR RESUME NEXT",
        f"vv = a {op} b", "vv_err = ERR.kind", "CLEAR ERROR",
        f"vc = a {op} {c!r}", "vc_err = ERR.kind", "CLEAR ERROR",
        "lv = local_op(a, b)", "lv_err = ERR.kind", "CLEAR ERROR",
        "a = 0", "b = 0"])
    program = compile_source(source, "ops")
    assert program.ok, [d.transcript() for d in program.errors]
    vm = VM(basic.host(), seed=1)
    assert vm.start(program).waiting
    variables = vm.frames[0].globals
    variables.update(a=a, b=b)
    outcome = vm.deliver("go")
    assert outcome.error is None, outcome.error
    for name, right in (("vv", b), ("vc", c), ("lv", b)):
        got, want = outcome_of(variables, name), expected(op, a, right)
        assert got == want and type(got[1]) is type(want[1]), (name, a, op, right, got, want)
