"""Diagnostics (BASIC.md §12.7): ``file:line:col: Kind: message``, the line and a caret."""

from __future__ import annotations

import pytest

from engine.basic.compiler import CompileOptions, compile_source
from engine.basic.diagnostics import Diagnostic
from engine.basic.errors import BasicNameError, LimitExceeded


def first_error(source: str, strict: bool = False) -> Diagnostic:
    program = compile_source(source, "orders", CompileOptions(strict))
    assert program.errors, "expected a SyntaxError"
    return program.errors[0]


def rendered(source: str, strict: bool = False) -> list[str]:
    return first_error(source, strict).render(source, "orders.bas").split("\n")


def test_unclosed_string_is_shown_where_it_starts() -> None:
    source = 'TALK "fine"\nname = "Ana\nTALK name\n'
    assert rendered(source) == [
        "orders.bas:2:8: SyntaxError: unterminated string literal",
        '    name = "Ana',
        "           ^",
    ]


def test_unclosed_string_is_the_only_error_of_its_line() -> None:
    program = compile_source('x = 1\ntotal = "oops\ny = 2', "orders")
    assert [d.transcript() for d in program.diagnostics] == [
        "SyntaxError: line 2, column 9: unterminated string literal"]


def test_unclosed_block_is_shown_at_its_opener() -> None:
    source = "x = 1\n  IF x > 0 THEN\n    TALK x\nTALK 2\n"
    assert rendered(source) == [
        "orders.bas:2:3: SyntaxError: 'IF' without 'END IF'",
        "      IF x > 0 THEN",
        "      ^^",
    ]


@pytest.mark.parametrize(
    ("source", "headline", "caret"),
    [("FOR i = 1 TO 3\n TALK i", "1:1: SyntaxError: 'FOR' without 'NEXT'", "^^^"),
     ("WHILE TRUE\n TALK 1", "1:1: SyntaxError: 'WHILE' without 'WEND'", "^^^^^"),
     ("SUB greet\n TALK 1", "1:1: SyntaxError: 'SUB' without 'END SUB'", "^^^"),
     ("BEGIN TALK\n Hello", "1:1: SyntaxError: BEGIN TALK without END TALK", "^^^^^")],
)
def test_every_unclosed_block_points_at_its_opener(source: str, headline: str,
                                                    caret: str) -> None:
    lines = rendered(source)
    assert lines[0] == f"orders.bas:{headline}"
    assert lines[2] == f"    {caret}"


def test_unknown_label_is_shown_at_the_goto() -> None:
    source = "retry:\nattempt += 1\nIF attempt < 3 THEN GOTO retyr\n"
    assert rendered(source) == [
        "orders.bas:3:26: SyntaxError: unknown label 'retyr'",
        "    IF attempt < 3 THEN GOTO retyr",
        "                             ^^^^^",
    ]


def test_bad_expression_is_shown_at_the_offending_token() -> None:
    source = "price = 10\ntotal = price * * 2\n"
    assert rendered(source) == [
        "orders.bas:2:17: SyntaxError: expected an expression, found '*'",
        "    total = price * * 2",
        "                    ^",
    ]


def test_unexpected_token_at_the_end_of_an_expression() -> None:
    assert rendered("total = (1 + 2) 3") == [
        "orders.bas:1:17: SyntaxError: unexpected '3'",
        "    total = (1 + 2) 3",
        "                    ^",
    ]


def test_missing_operand_in_a_block_header() -> None:
    error = first_error("IF a AND > 1 THEN\nEND IF")
    assert (error.line, error.col, error.width, error.message) == (
        1, 10, 1, "expected an expression, found '>'")


def test_missing_operand_at_the_end_of_the_line() -> None:
    error = first_error("x = (1 +)")
    assert (error.line, error.col, error.message) == (1, 9, "expected an expression, found ')'")


def test_caret_spans_the_offending_word() -> None:
    assert rendered("total = 1\nTALK totl", strict=True)[1:] == [
        "    TALK totl", "         ^^^^"]


def test_closer_without_opener_is_shown_at_its_own_line() -> None:
    assert rendered("TALK 1\n    END IF\n") == [
        "orders.bas:2:5: SyntaxError: 'END IF' without 'IF'",
        "        END IF",
        "        ^^^^^^",
    ]


def test_caret_keeps_the_tabs_of_the_line() -> None:
    source = "x = 1\n\tIF x THEN\n\t\ty = x +* 2\n\tEND IF"
    assert rendered(source) == [
        "orders.bas:3:10: SyntaxError: expected an expression, found '*'",
        "    \t\ty = x +* 2",
        "    \t\t       ^",
    ]


def test_positions_with_windows_line_ends() -> None:
    source = "x = 1\r\nGOTO nowhere\r\n"
    assert rendered(source)[:2] == [
        "orders.bas:2:6: SyntaxError: unknown label 'nowhere'", "    GOTO nowhere"]


def test_warnings_render_with_the_warning_label() -> None:
    source = "TALK 1\nFROBNICATE 2\n"
    program = compile_source(source, "orders")
    assert program.ok
    assert program.diagnostics[0].render(source, "orders.bas").split("\n") == [
        "orders.bas:2:1: Warning: unknown statement 'FROBNICATE'",
        "    FROBNICATE 2",
        "    ^^^^^^^^^^",
    ]


def test_default_file_name_and_line_outside_the_source() -> None:
    diagnostic = Diagnostic("error", "boom", 9, 3, 2)
    assert diagnostic.render("x = 1") == "<script>:9:3: SyntaxError: boom\n    \n      ^^"


def test_transcript_and_json_forms() -> None:
    error = first_error("x = 1\nGOTO nowhere")
    assert error.transcript() == "SyntaxError: line 2, column 6: unknown label 'nowhere'"
    assert error.to_json() == {"severity": "error", "kind": "SyntaxError",
                               "message": "unknown label 'nowhere'", "line": 2, "col": 6,
                               "width": 7}
    assert error.headline("f.bas") == "f.bas:2:6: SyntaxError: unknown label 'nowhere'"


def test_runtime_errors_render_kind_line_message() -> None:
    assert BasicNameError("unknown variable 'totl'", 4).render() == (
        "NameError: line 4: unknown variable 'totl'")
    assert str(BasicNameError("no line")) == "NameError: no line"
    assert str(LimitExceeded("step limit exceeded", 7)) == (
        "LimitExceeded: line 7: step limit exceeded")
