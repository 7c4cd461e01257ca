"""Diagnostics of docs/basic-compatibility.md (D1–D4): where errors are reported, which
problems are errors, unknown functions at compile time, "did you mean" for keywords."""

from __future__ import annotations

import pytest

from engine.basic.compiler import CompileOptions, compile_source
from engine.basic.spelling import closest, distance, keyword_hint


def diagnostics(source: str, strict: bool = False) -> list[tuple[str, int, int, str]]:
    program = compile_source(source, "main", CompileOptions(strict=strict))
    return [(d.severity, d.line, d.col, d.message) for d in program.diagnostics]


# -- D1: positions ------------------------------------------------------------------------------
def test_an_unterminated_string_is_reported_on_its_own_line() -> None:
    # the quote of line 3 closed line 2's string: line 2 is the one to fix
    assert diagnostics('TALK "a"\nTALK "Hello\nTALK "world"\nx = 1\n') == [
        ("error", 2, 6, "unterminated string literal")]


def test_the_lines_after_an_unterminated_string_are_parsed_again() -> None:
    found = diagnostics('TALK "a\nFROB 1\nx = 1 +* 2\n')
    assert found == [("error", 1, 6, "unterminated string literal"),
                     ("warning", 2, 1, "unknown statement 'FROB'"),
                     ("error", 3, 8, "expected an expression, found '*'")]


def test_a_multi_line_string_that_closes_is_fine() -> None:
    program = compile_source('TALK "one\ntwo"\nTALK "three"')
    assert program.ok and not program.diagnostics


def test_an_unclosed_bracket_is_reported_at_the_bracket() -> None:
    found = diagnostics('TALK "a"\nx = foo(1, 2\nTALK "b"\ny = [1,\n')
    assert [(line, col, message) for _, line, col, message in found] == [
        (2, 8, "'(' is not closed"), (2, 13, "expected ')'"),
        (4, 5, "'[' is not closed"), (4, 8, "expected an expression")]


def test_lines_after_an_unclosed_bracket_are_parsed_again() -> None:
    found = diagnostics('x = (1\nTOLK "b"\n')
    assert ("warning", 2, 1, "unknown statement 'TOLK'; did you mean TALK?") in found


def test_multi_line_literals_still_join() -> None:
    program = compile_source('x = {\n  "a": 1,\n  "b": [1,\n 2]\n}\nTALK x')
    assert program.ok and not program.diagnostics


def test_a_trailing_operator_does_not_swallow_the_next_statement() -> None:
    assert diagnostics('TALK "Total: " +\nTALK "next"\n') == [
        ("error", 1, 17, "expected an expression")]


@pytest.mark.parametrize("source", [
    'x = "a" +\n  "b"\nTALK x',
    "list = [1]\nx = 1 +\n  list[0]\nTALK x",        # a keyword used as a variable
    "print = 2\nx = 1 +\n  print * 2\nTALK x",
    'x = 1 AND\n  NOT 0\nTALK x',
    'TALK "a",\n  "b"',
])
def test_continuation_lines_that_are_not_statements_still_join(source: str) -> None:
    program = compile_source(source)
    assert program.ok and not program.diagnostics, program.diagnostics


# -- D2: broken expressions -------------------------------------------------------------------
@pytest.mark.parametrize(("source", "position"), [
    ("TALK 1 + * 2", (1, 10)),
    ('TALK "a" + ', (1, 11)),
    ("ADD SUGGESTION (1 +", (1, 16)),
    ("SEND MAIL to, [1, 2", (1, 15)),
])
def test_a_broken_expression_in_a_keyword_statement_is_an_error(
        source: str, position: tuple[int, int]) -> None:
    errors = [(line, col) for severity, line, col, _ in diagnostics(source)
              if severity == "error"]
    assert errors and errors[0] == position


@pytest.mark.parametrize("source", [
    'WEBHOOK POST "/x" WITH {a: 1}',   # arguments in a shape the keyword does not take
    "TALK 1 2",
    "ADD SUGGESTION",
])
def test_arguments_in_another_shape_stay_a_skipped_statement(source: str) -> None:
    found = diagnostics(source)
    assert found and all(severity == "warning" for severity, *_ in found)
    assert found[0][3].startswith("skipped statement")


# -- D3: unknown functions --------------------------------------------------------------------
def test_an_unknown_function_is_reported_at_compile_time() -> None:
    assert diagnostics("x = FOOBAR(1)") == [
        ("warning", 1, 5, "unknown function 'FOOBAR'; it raises NameError when run")]


def test_an_unknown_function_is_an_error_in_strict_mode() -> None:
    assert diagnostics("x = FOOBAR(1)", strict=True) == [
        ("error", 1, 5, "unknown function 'FOOBAR'")]


def test_a_near_miss_of_a_builtin_gets_a_hint() -> None:
    assert diagnostics("x = UCAES(1)")[0][3] == (
        "unknown function 'UCAES'; did you mean UCASE?; it raises NameError when run")


@pytest.mark.parametrize("source", [
    "FUNCTION double(x)\n RETURN x * 2\nEND FUNCTION\nTALK double(2)",
    "SUB greet(n)\n TALK n\nEND SUB\ngreet(1)",
    "items = [1, 2]\nTALK items(0)",          # indexing with parentheses (§3.8)
    'TALK GET_BOT_MEMORY("k")',                # a value keyword as a function
    "CALL helper(1)",                          # another script: a run-time question
    "x = LEN(\"a\")",
])
def test_known_callables_are_not_reported(source: str) -> None:
    assert diagnostics(source) == []


def test_a_function_of_another_script_of_the_bot_is_a_plain_warning() -> None:
    options = CompileOptions(bot_procedures=frozenset({"shared_total"}))
    program = compile_source("x = shared_total(1)", "main", options)
    assert [(d.severity, d.kind, d.message) for d in program.diagnostics] == [
        ("warning", "Warning", "'shared_total' is a SUB/FUNCTION of another script of this bot; "
         "visible only in that script (NameError when run)")]


def test_an_unknown_function_warning_is_marked_as_a_name_error() -> None:
    program = compile_source("x = FOOBAR(1)")
    assert [d.kind for d in program.diagnostics] == ["NameError"]


# -- D4: misspelt keywords ----------------------------------------------------------------------
@pytest.mark.parametrize(("word", "hint"), [
    ("TOLK", "TALK"), ("TAKL", "TALK"), ("HAER", "HEAR"), ("PRNT", "PRINT"),
    ("SEND_MIAL", None), ("FROBNICATE", None), ("Tlak", "TALK"), ("END", None),
])
def test_keyword_hints(word: str, hint: str | None) -> None:
    assert keyword_hint(word) == (f"; did you mean {hint}?" if hint else "")


def test_unknown_statement_message_carries_the_hint() -> None:
    assert diagnostics('TOLK "x"') == [
        ("warning", 1, 1, "unknown statement 'TOLK'; did you mean TALK?")]
    assert diagnostics('TOLK "x"', strict=True) == [
        ("error", 1, 1, "unknown statement 'TOLK'; did you mean TALK?")]


def test_edit_distance() -> None:
    assert distance("TALK", "TALK") == 0
    assert distance("TALK", "TLAK") == 1  # a swap counts one
    assert distance("TALK", "TAL") == 1
    assert distance("KITTEN", "SITTING") == 3
    assert closest("SETT", ["SET", "SEE"]) == "SET"
    assert closest("ZZZZ", ["TALK"]) is None
