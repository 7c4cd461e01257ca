"""The lexer (BASIC.md §2): logical lines, continuation, strings, raw blocks, comments."""

from __future__ import annotations

import pytest

from engine.basic.diagnostics import Diagnostic, DiagnosticSink
from engine.basic.lexer import (
    NAME,
    NUMBER,
    OP,
    STRING,
    Interp,
    LogicalLine,
    Token,
    tokenize,
    tokenize_expression,
)


def lex(source: str) -> tuple[list[LogicalLine], list[Diagnostic]]:
    sink = DiagnosticSink()
    lines = tokenize(source, sink)
    return lines, sink.items


def values(line: LogicalLine) -> list[object]:
    return [t.value for t in line.tokens]


def only_line(source: str) -> LogicalLine:
    lines, diagnostics = lex(source)
    assert not diagnostics, diagnostics
    assert len(lines) == 1, [values(x) for x in lines]
    return lines[0]


def string_parts(source: str) -> tuple[object, ...]:
    """The parts of the only string literal of ``x = <literal>``."""
    token = only_line(source).tokens[-1]
    assert token.kind == STRING
    assert isinstance(token.value, tuple)
    return token.value


# --- logical lines and continuation (§2.6) -------------------------------------------------


def test_one_statement_per_physical_line() -> None:
    lines, _ = lex("a = 1\nb = 2\n\n\nc = 3\n")
    assert [line.line for line in lines] == [1, 2, 5]
    assert [values(line) for line in lines] == [["a", "=", 1], ["b", "=", 2], ["c", "=", 3]]


def test_underscore_after_space_continues_and_is_dropped() -> None:
    line = only_line('TALK "a" & _\n  "b"')
    assert values(line)[-1] == ("b",)
    line = only_line('TALK _\n  "hi"')
    assert values(line) == ["TALK", ("hi",)]


def test_underscore_continuation_may_carry_a_comment() -> None:
    line = only_line("TALK _ ' the greeting\n  \"hi\"")
    assert values(line) == ["TALK", ("hi",)]


def test_underscore_glued_to_a_name_is_part_of_the_name() -> None:
    lines, _ = lex("x = a_\ny = 2")
    assert values(lines[0]) == ["x", "=", "a_"]
    assert len(lines) == 2


@pytest.mark.parametrize(
    ("source", "last"),
    [("x = f(1,\n 2\n)", ")"), ("x = [1\n, 2\n]", "]"), ('x = {"k"\n: 1\n}', "}")],
)
def test_open_bracket_continues(source: str, last: str) -> None:
    line = only_line(source)
    assert line.line == 1
    assert values(line)[-1] == last
    assert line.tokens[-1].line == 3


def test_multi_line_json_literal_is_one_logical_line() -> None:
    lines, diagnostics = lex('order = {\n  "id": 1,\n  "items": [\n    "a"\n  ]\n}\nTALK order')
    assert not diagnostics
    assert [line.line for line in lines] == [1, 7]
    assert values(lines[0])[-1] == "}"


def test_closing_brackets_end_the_continuation() -> None:
    lines, _ = lex("x = f(1,\n2)\ny = 3")
    assert len(lines) == 2
    assert values(lines[1]) == ["y", "=", 3]


def test_trailing_comma_continues() -> None:
    line = only_line('SAVE "t",\n  a,\n  b')
    assert values(line) == ["SAVE", ("t",), ",", "a", ",", "b"]


@pytest.mark.parametrize(
    "op", ["+", "-", "*", "/", "\\", "^", "&", "=", "<>", "<", ">", "<=", ">=", "==", "!="]
)
def test_trailing_binary_operator_continues(op: str) -> None:
    line = only_line(f"x = a {op}\n  b")
    assert values(line) == ["x", "=", "a", op, "b"]


@pytest.mark.parametrize("word", ["AND", "or", "Xor", "MOD"])
def test_trailing_word_operator_continues(word: str) -> None:
    line = only_line(f"IF a {word}\n  b THEN")
    assert values(line) == ["IF", "a", word, "b", "THEN"]


def test_open_string_continues_and_keeps_the_line_break() -> None:
    lines, diagnostics = lex('x = "first\nsecond"\ny = 1')
    assert not diagnostics
    assert values(lines[0]) == ["x", "=", ("first\nsecond",)]
    assert lines[1].line == 3


def test_a_complete_line_does_not_continue() -> None:
    lines, _ = lex("x = a\n+ b")
    assert values(lines[0]) == ["x", "=", "a"]
    assert values(lines[1]) == ["+", "b"]


def test_continuation_does_not_apply_inside_begin_blocks() -> None:
    lines, _ = lex("BEGIN TALK\n  total: _\n  a,\n  b +\nEND TALK\nx = 1")
    block = lines[0].block
    assert block is not None
    assert [raw.text for raw in block] == ["  total: _", "  a,", "  b +"]
    assert values(lines[1]) == ["x", "=", 1]


# --- line ends, BOM, positions (§2.1) -------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_every_line_end_style(newline: str) -> None:
    lines, _ = lex(newline.join(["a = 1", "b = 2", "c = 3"]))
    assert [(line.line, values(line)) for line in lines] == [
        (1, ["a", "=", 1]), (2, ["b", "=", 2]), (3, ["c", "=", 3])]


def test_byte_order_mark_is_ignored() -> None:
    line = only_line("\ufeffx = 1")
    assert line.tokens[0] == Token(NAME, "x", 1, 1, 2, True)


def test_token_positions_are_one_based_and_a_tab_is_one_column() -> None:
    lines, _ = lex("x = 1\n\tIF  total >= 10 THEN")
    tokens = lines[1].tokens
    assert [(t.value, t.line, t.col, t.end_col) for t in tokens] == [
        ("IF", 2, 2, 4), ("total", 2, 6, 11), (">=", 2, 12, 14), (10, 2, 15, 17),
        ("THEN", 2, 18, 22)]


def test_space_before_is_recorded() -> None:
    tokens = only_line("a[0] = b [1]").tokens
    assert [(t.value, t.space_before) for t in tokens] == [
        ("a", True), ("[", False), (0, False), ("]", False), ("=", True), ("b", True),
        ("[", True), (1, False), ("]", False)]


def test_positions_after_a_multi_line_string() -> None:
    lines, _ = lex('x = "a\nbc" + y')
    plus = lines[0].tokens[3]
    assert (plus.value, plus.line, plus.col) == ("+", 2, 5)


# --- tokens --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [("42", 42), ("3.14", 3.14), (".5", 0.5), ("1e3", 1000.0), ("2.5E-3", 0.0025),
     ("7.", 7.0), ("0", 0), ("12345678901234567890", 12345678901234567890)],
)
def test_numbers(text: str, value: object) -> None:
    token = only_line(f"x = {text}").tokens[-1]
    assert token.kind == NUMBER
    assert token.value == value
    assert type(token.value) is type(value)
    assert token.end_col - token.col == len(text)


def test_minus_is_an_operator_not_part_of_the_number() -> None:
    assert values(only_line("x = -5")) == ["x", "=", "-", 5]


@pytest.mark.parametrize("op", ["<>", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=", "&="])
def test_two_character_operators(op: str) -> None:
    token = only_line(f"a {op} b").tokens[1]
    assert (token.kind, token.value, token.end_col - token.col) == (OP, op, 2)


def test_identifiers_take_unicode_letters_digits_and_underscores() -> None:
    assert values(only_line("préço_2 = nome")) == ["préço_2", "=", "nome"]


def test_hyphen_is_never_part_of_an_identifier() -> None:
    assert values(only_line("x = a-b")) == ["x", "=", "a", "-", "b"]


def test_token_helpers() -> None:
    token = Token(NAME, "Total", 1, 1, 6)
    assert token.upper == "TOTAL"
    assert token.is_word("TOTAL")
    assert not token.is_op("TOTAL")
    assert Token(OP, "<>", 1, 1, 3).is_op("<>", "=")
    assert Token(NUMBER, 5, 1, 1, 2).upper == ""


def test_unexpected_character_is_an_error_at_its_column() -> None:
    lines, diagnostics = lex("x = 1 ~ 2")
    assert [(d.severity, d.message, d.line, d.col) for d in diagnostics] == [
        ("error", "unexpected character '~'", 1, 7)]
    assert values(lines[0]) == ["x", "=", 1, 2]


# --- strings (§2.3) -------------------------------------------------------------------------


def test_doubled_quote_is_one_quote() -> None:
    assert string_parts('x = "say ""hi"""') == ('say "hi"',)


@pytest.mark.parametrize(
    ("escape", "result"),
    [("\\n", "\n"), ("\\t", "\t"), ("\\r", "\r"), ("\\\\", "\\"), ('\\"', '"'), ("\\$", "$")],
)
def test_backslash_escapes(escape: str, result: str) -> None:
    assert string_parts(f'x = "a{escape}b"') == (f"a{result}b",)


def test_unknown_escape_keeps_the_backslash() -> None:
    assert string_parts('x = "C:\\data\\q"') == ("C:\\data\\q",)


def test_escaped_dollar_brace_is_literal_text() -> None:
    assert string_parts('x = "cost: \\${price}"') == ("cost: ${price}",)


def test_empty_string() -> None:
    assert string_parts('x = ""') == ("",)


def test_backtick_strings_are_strings() -> None:
    assert string_parts("x = `it's \"quoted\"`") == ('it\'s "quoted"',)


def test_comment_characters_inside_a_string_are_text() -> None:
    assert string_parts("x = \"it's http://example.com\"") == ("it's http://example.com",)


def test_interpolation_parts() -> None:
    source = 'x = "Hi ${name}, you have ${COUNT(items)} items"'
    parts = string_parts(source)
    assert parts == ("Hi ", Interp("name", 1, source.index("name}") + 1), ", you have ",
                     Interp("COUNT(items)", 1, source.index("COUNT") + 1), " items")


def test_interpolation_at_the_edges_has_no_empty_text_parts() -> None:
    assert string_parts('x = "${a}${b}"') == (Interp("a", 1, 8), Interp("b", 1, 12))


def test_interpolation_matches_braces_across_nested_strings_and_maps() -> None:
    source = 'x = "${IIF(ok, "}", {"k": "{"}.k)}!"'
    parts = string_parts(source)
    assert parts == (Interp('IIF(ok, "}", {"k": "{"}.k)', 1, 8), "!")


def test_unclosed_interpolation_is_kept_as_text() -> None:
    assert string_parts('x = "price ${total"') == ("price ${total",)


def test_interpolation_position_on_a_later_line() -> None:
    source = 'x = 1\ny = "a\n  ${b}"'
    lines, _ = lex(source)
    parts = lines[1].tokens[-1].value
    assert parts == ("a\n  ", Interp("b", 3, 5))


def test_unclosed_string_reported_at_its_opening_quote() -> None:
    _, diagnostics = lex('a = 1\nname = "Ana\nb = 2\n')
    assert [(d.message, d.line, d.col) for d in diagnostics] == [
        ("unterminated string literal", 2, 8)]


def test_string_ending_in_a_single_backslash_is_unclosed() -> None:
    _, diagnostics = lex('x = "abc\\"')
    assert [d.message for d in diagnostics] == ["unterminated string literal"]


# --- comments, REM and pragmas (§2.2, §2.6) -------------------------------------------------


def test_apostrophe_comment_to_end_of_line() -> None:
    assert values(only_line("total = 0   ' reset")) == ["total", "=", 0]


def test_double_slash_comment_to_end_of_line() -> None:
    lines, _ = lex("// helper section\nx = 1 // set x")
    assert [values(line) for line in lines] == [["x", "=", 1]]


def test_comment_only_lines_produce_nothing() -> None:
    lines, diagnostics = lex("' one\n   ' two\n// three\n")
    assert lines == []
    assert diagnostics == []


def test_rem_is_a_comment_only_as_the_first_word() -> None:
    lines, _ = lex("REM created 2026\n  rem indented\nREMARK = 1\nTALK REM")
    assert [values(line) for line in lines] == [["REMARK", "=", 1], ["TALK", "REM"]]


def test_rem_comment_text_is_not_lexed() -> None:
    lines, diagnostics = lex('REM an "unclosed string and ~ odd characters\nx = 1')
    assert not diagnostics
    assert [values(line) for line in lines] == [["x", "=", 1]]


def test_pragma_is_skipped_with_a_warning() -> None:
    lines, diagnostics = lex("#workflow\n  #strict mode\nx = 1")
    assert [values(line) for line in lines] == [["x", "=", 1]]
    assert [(d.severity, d.line, d.message) for d in diagnostics] == [
        ("warning", 1, "unknown pragma '#workflow' ignored"),
        ("warning", 2, "unknown pragma '#strict' ignored")]


def test_hash_brace_map_literal_is_not_a_pragma() -> None:
    assert values(only_line('#{"a": 1}'))[:2] == ["#", "{"]


# --- raw BEGIN blocks (§4.13) ------------------------------------------------------------------


def test_begin_talk_block_lines_are_raw_text() -> None:
    source = "BEGIN TALK\n  **Hi ${name}** ' not a comment\n  \"quote\n\nEND TALK\nx = 1"
    lines, diagnostics = lex(source)
    assert not diagnostics
    head, after = lines
    assert values(head) == ["BEGIN", "TALK"]
    assert head.block is not None
    assert [(raw.text, raw.line) for raw in head.block] == [
        ("  **Hi ${name}** ' not a comment", 2), ('  "quote', 3), ("", 4)]
    assert head.block_end_line == 5
    assert (after.line, values(after)) == (6, ["x", "=", 1])


@pytest.mark.parametrize(
    ("opener", "closer"),
    [("BEGIN SYSTEM PROMPT", "END SYSTEM PROMPT"), ("begin system prompt", "end system prompt"),
     ("BEGIN_SYSTEM_PROMPT", "END_SYSTEM_PROMPT"), ("BEGIN_TALK", "END_TALK"),
     ("  BEGIN   TALK", "    END TALK  "), ('BEGIN MAIL "a@b.c"', "END MAIL")],
)
def test_begin_block_spellings(opener: str, closer: str) -> None:
    lines, diagnostics = lex(f"{opener}\nbody text\n{closer}\nTALK 1")
    assert not diagnostics
    assert lines[0].block is not None
    assert [raw.text for raw in lines[0].block] == ["body text"]
    assert lines[0].block_end_line == 3
    assert values(lines[1]) == ["TALK", 1]


def test_a_closer_of_another_kind_does_not_end_the_block() -> None:
    lines, _ = lex("BEGIN TALK\nEND MAIL\nEND TALK")
    assert lines[0].block is not None
    assert [raw.text for raw in lines[0].block] == ["END MAIL"]


def test_unclosed_begin_block_is_marked_for_the_parser() -> None:
    lines, diagnostics = lex("BEGIN TALK\nhello\nTALK 1")
    assert len(lines) == 1
    assert lines[0].block_end_line == -1
    assert lines[0].block is not None
    assert [raw.text for raw in lines[0].block] == ["hello", "TALK 1"]
    assert diagnostics == []  # the parser reports it, once


def test_begin_not_followed_by_a_block_kind_is_an_ordinary_line() -> None:
    line = only_line("BEGIN_WORK = 1")
    assert line.block is None


# --- interpolation expressions ---------------------------------------------------------------


def test_tokenize_expression_positions_in_the_enclosing_file() -> None:
    sink = DiagnosticSink()
    tokens = tokenize_expression("a + b", 4, 10, sink)
    assert [(t.value, t.line, t.col, t.end_col) for t in tokens] == [
        ("a", 4, 10, 11), ("+", 4, 12, 13), ("b", 4, 14, 15)]
    assert not sink.items
