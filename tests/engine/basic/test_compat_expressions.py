"""The expression forms of docs/basic-compatibility.md (E1–E7), unit by unit."""

from __future__ import annotations

from typing import Any

import pytest

from engine.basic import ast
from engine.basic.diagnostics import DiagnosticSink
from engine.basic.errors import ServiceError
from engine.basic.lexer import OP, tokenize
from engine.basic.methods import METHODS
from engine.basic.parser import parse
from engine.basic.phrases import PHRASES
from engine.basic.vm import VM
from tests.engine.basic.conftest import BasicKit


def said(basic: BasicKit, source: str) -> list[str]:
    run = basic.run(source)
    assert run.error is None, run.error
    return run.said


def value_of(basic: BasicKit, expression: str) -> Any:
    run = basic.run(f"RETURN {expression}")
    assert run.error is None, run.error
    return run.outcome.result


def warnings(basic: BasicKit, source: str) -> list[str]:
    return [d.message for d in basic.program(source).diagnostics if not d.is_error]


class PromptRecorder:
    """``host.llm``: answers each prompt with a fixed reply and keeps the prompts."""

    def __init__(self, reply: str) -> None:
        self.reply = reply
        self.prompts: list[str] = []

    def complete(self, prompt: str, model: str | None) -> str:
        self.prompts.append(prompt)
        return self.reply


def run_with_llm(basic: BasicKit, source: str, reply: str) -> tuple[Any, list[str]]:
    host = basic.host()
    llm = PromptRecorder(reply)
    host.llm = llm  # type: ignore[assignment]
    outcome = VM(host).start(basic.program(source), None)
    assert outcome.error is None, outcome.error
    return outcome.result, llm.prompts


# -- E3: JavaScript-flavoured operators ----------------------------------------------------
def test_js_operators_are_single_tokens() -> None:
    tokens = tokenize("x = a && b || c ?? d?.e", DiagnosticSink())[0].tokens
    assert [t.value for t in tokens if t.kind == OP] == ["=", "&&", "||", "??", "?."]


@pytest.mark.parametrize(("expression", "expected"), [
    ("TRUE && FALSE", False), ("FALSE || TRUE", True), ("!FALSE", True), ("!(1 = 2)", True),
    ("1 < 2 ? \"a\" : \"b\"", "a"), ("NULL ?? 3", 3), ("\"\" ?? 3", ""), ("0 ?? 3", 0),
    ("FALSE ? 1 : TRUE ? 2 : 3", 2), ("(2 > 1 ? 10 : 20) + 1", 11),
    ("[1, 2 > 1 ? \"y\" : \"n\"]", [1, "y"]), ("{k: NULL ?? \"d\"}", {"k": "d"}),
    ("NOT TRUE || TRUE", True), ("!TRUE || TRUE", True), ("1 === 1.0", True),
    ('"a" !== "b"', True), ("!TRUE = FALSE", True),
])
def test_js_operator_meanings(basic: BasicKit, expression: str, expected: Any) -> None:
    assert value_of(basic, expression) == expected


def test_ternary_only_evaluates_the_branch_taken(basic: BasicKit) -> None:
    assert said(basic, 'x = 0\nTALK x = 0 ? "zero" : 10 / x') == ["zero"]


def test_nullish_does_not_evaluate_the_right_side_when_left_is_set(basic: BasicKit) -> None:
    assert value_of(basic, "5 ?? (1 / 0)") == 5


def test_optional_chaining_on_null_gives_null(basic: BasicKit) -> None:
    assert value_of(basic, "NULL?.name") is None
    assert value_of(basic, "NULL?.trim()") is None
    assert value_of(basic, "NULL?.[0]") is None
    assert value_of(basic, '{"a": [5]}?.a?.[0]') == 5


def test_a_ternary_parses_to_iif() -> None:
    module, diagnostics = parse('x = a ? "y" : "n"')
    assert not diagnostics
    assign = module.body[0]
    assert isinstance(assign, ast.Assign)
    assert isinstance(assign.value, ast.Call) and assign.value.name == "IIF"


def test_a_ternary_without_colon_is_an_error() -> None:
    _, diagnostics = parse('x = a ? "y"')
    assert [d.message for d in diagnostics if d.is_error] == ["expected ':'"]


# -- E3: methods -----------------------------------------------------------------------------
@pytest.mark.parametrize(("expression", "expected"), [
    ('"  hi  ".trim()', "hi"), ('"  hi  ".trimStart()', "hi  "), ('"  hi  ".trimEnd()', "  hi"),
    ('"Hi".toUpperCase()', "HI"), ('"Hi".toLowerCase()', "hi"), ("(12).toString()", "12"),
    ('"Hello".includes("ell")', True), ('"Hello".includes("ELL")', False),
    ('[1, 2].includes(2)', True), ('[1, 2].includes("3")', False),
    ('"banana".indexOf("an")', 1), ('"banana".lastIndexOf("an")', 3), ('[3, 4].indexOf(5)', -1),
    ('"Hello".startsWith("He")', True), ('"Hello".startsWith("he")', False),
    ('"Hello".endsWith("lo")', True), ('"a,b".split(",")', ["a", "b"]), ('"ab".split("")',
                                                                         ["a", "b"]),
    ('"ab".split()', ["ab"]), ('[1, 2].join()', "1,2"), ('[1, 2].join(" + ")', "1 + 2"),
    ('"aXa".replace("a", "b")', "bXa"), ('"aXa".replaceAll("a", "b")', "bXb"),
    ('"abcdef".slice(1, 3)', "bc"), ('"abcdef".slice(-2)', "ef"), ("[1, 2, 3].slice(1)", [2, 3]),
    ('"abcdef".substring(3, 1)', "bc"), ('"abcdef".substring(-5, 2)', "ab"),
    ('"abcdef".substr(-3, 2)', "de"), ('"abc".charAt(1)', "b"), ('"abc".charAt(9)', ""),
    ('"7".padStart(3, "0")', "007"), ('"ab".padEnd(4, "-")', "ab--"), ('"ab".repeat(2)', "abab"),
    ("(2.345).toFixed(2)", "2.35"), ("(2).toFixed(1)", "2.0"), ('"a".concat("b", 1)', "ab1"),
    ("[1].concat([2], 3)", [1, 2, 3]), ("[3, 1, 2].sort()", [1, 2, 3]),
    ("[1, 2].reverse()", [2, 1]), ('"abc".length', 3), ("[1, 2].length", 2),
    ('JSON.parse("[1]")', [1]), ("JSON.stringify({a: 1})", '{"a":1}'),
    ("Math.max(1, 5, 3)", 5), ("Math.floor(2.7)", 2), ("Math.round(2.5)", 3),
])
def test_method_meanings(basic: BasicKit, expression: str, expected: Any) -> None:
    assert value_of(basic, expression) == expected


def test_methods_chain_and_read_variables(basic: BasicKit) -> None:
    source = 'name = "  ana  "\nTALK name.trim().toUpperCase().padStart(5, "*")'
    assert said(basic, source) == ["**ANA"]


def test_push_appends_in_place(basic: BasicKit) -> None:
    assert said(basic, "a = [1]\nn = a.push(2, 3)\nTALK n & \" \" & a") == ["3 [1,2,3]"]


def test_a_variable_named_json_keeps_its_own_members(basic: BasicKit) -> None:
    run = basic.run('json = {parse: 1}\nTALK json.parse()')
    assert run.error is not None and run.error.kind == "NameError"


def test_unknown_method_is_a_compile_warning_and_a_name_error(basic: BasicKit) -> None:
    source = 'TALK "x".frobnicate()'
    assert warnings(basic, source) == [
        "unknown method '.frobnicate()'; it raises NameError when run"]
    run = basic.run(source)
    assert run.error.kind == "NameError"


def test_method_arity_is_checked(basic: BasicKit) -> None:
    run = basic.run('TALK "x".trim(1)')
    assert run.error.kind == "TypeError"
    assert ".trim() takes 0 argument(s), got 1" in run.error.message


def test_every_method_name_is_lower_case() -> None:
    assert all(name == name.lower() for name in METHODS)


def test_a_method_needs_the_parenthesis_right_after_its_name(basic: BasicKit) -> None:
    # `m.key (1)` keeps BASIC's reading: a property, then an unexpected "("
    assert basic.compile('m = {}\nTALK m.key (1)').diagnostics


# -- E5: infix tests ---------------------------------------------------------------------------
@pytest.mark.parametrize(("expression", "expected"), [
    ('"Hello" CONTAINS "ELL"', True), ('"Hello" CONTAINS "x"', False),
    ('"Hello" STARTS WITH "he"', True), ('"Hello" ENDS WITH "LO"', True),
    ('"Hello" STARTSWITH "x"', False), ('"Hello" ENDSWITH "o"', True),
    ('["a", "b"] CONTAINS "b"', True), ('NOT "abc" CONTAINS "b"', False),
    ('"ab" & "cd" CONTAINS "bc"', True), ('"a" CONTAINS "a" AND "b" CONTAINS "c"', False),
    ('"Hello" NOT CONTAINS "x"', True), ('"Hello" NOT STARTS WITH "he"', False),
    ('"a.pdf" NOT ENDSWITH ".PDF"', False),
])
def test_infix_tests(basic: BasicKit, expression: str, expected: Any) -> None:
    assert value_of(basic, expression) == expected


def test_words_of_infix_tests_stay_usable_as_names(basic: BasicKit) -> None:
    assert said(basic, "starts = 1\ncontains = 2\nTALK starts + contains") == ["3"]


# -- E6: comment lines ----------------------------------------------------------------------
def test_hash_space_lines_are_comments_and_hash_word_lines_pragmas() -> None:
    module, diagnostics = parse("# note\n  #2 steps\n#region x\n#\nTALK 1")
    assert len(module.body) == 1
    assert [d.message for d in diagnostics] == ["unknown pragma '#region' ignored"]


# -- E2: FORMAT -------------------------------------------------------------------------------
@pytest.mark.parametrize(("source", "expected"), [
    ('TALK FORMAT 1234.5, "#,##0.00"', ["1,234.50"]),
    ('x = FORMAT 0.256, "0.0%"\nTALK x', ["25.6%"]),
    ("TALK FORMAT 7", ["7"]),
    ('TALK FORMAT 5 AS "000"', ["005"]),
    ('TALK [FORMAT 5, 6]', ["[\"5\",6]"]),  # in a list the comma separates items
    ('TALK (FORMAT 1.5, "0.00") + "!"', ["1.50!"]),  # a group is not a list
    ('TALK "= " + FORMAT 2, "0.0" + " kg"', ["= 2.0 kg"]),  # the pattern is one operand
])
def test_format_without_parentheses(basic: BasicKit, source: str, expected: list[str]) -> None:
    assert said(basic, source) == expected


@pytest.mark.parametrize("use", [
    "TALK format", "TALK format + \"!\"", "IF format THEN TALK format",
    "TALK UCASE(format)", "x = format\nTALK x", "TALK [format]", "TALK format & format",
    "FOR EACH c IN SPLIT(format, \"\") \n TALK c\nNEXT",
])
def test_a_variable_named_format_works(basic: BasicKit, use: str) -> None:
    run = basic.run('format = "ab"\n' + use)
    assert run.error is None, run.error
    assert run.said and all(s for s in run.said)


# -- E4: session values -----------------------------------------------------------------------
def test_session_values_inside_expressions(basic: BasicKit) -> None:
    source = ('SET SESSION "k", "v"\n'
              'TALK (GET SESSION "k") + "|" + UCASE(GET "session.k") + "|" + '
              '{a: GET SESSION "k"}.a\n'
              'IF GET "session.k" = "v" AND GET SESSION "missing" = "" THEN TALK "yes"')
    assert said(basic, source) == ["v|V|v", "yes"]


def test_a_variable_named_get_still_works(basic: BasicKit) -> None:
    assert said(basic, "get = 2\nTALK get * 3") == ["6"]


# -- E7: built-ins without parentheses ----------------------------------------------------------
@pytest.mark.parametrize(("source", "expected"), [
    ("m = MAX 3, 9\nTALK m", ["9"]),
    ('d = DATEADD DATEVALUE("2026-01-31"), 1, "day"\nTALK d', ["2026-02-01"]),
    ('s = UCASE "abc"\nTALK s', ["ABC"]),
    ('n = INSTR "a,b", ","\nTALK n', ["2"]),
    ("x = ABS -3\nTALK x", ["-3"]),  # `ABS - 3`: a binary minus on the name, not a call
])
def test_builtins_without_parentheses(basic: BasicKit, source: str, expected: list[str]) -> None:
    run = basic.run(source.replace("x = ABS -3\nTALK x", "abs = 0\nx = ABS -3\nTALK x"))
    assert run.error is None, run.error
    assert run.said == expected


def test_a_builtin_name_assigned_in_the_file_is_a_variable(basic: BasicKit) -> None:
    program = basic.compile("max = 1\nm = MAX 3, 9")
    assert [d.message for d in program.errors] == ["unexpected '3'"]


# -- E1: keyword phrases ------------------------------------------------------------------------
def test_json_parse_is_fromjson(basic: BasicKit) -> None:
    assert said(basic, 'o = JSON PARSE "{""a"": [1, 2]}"\nTALK o.a[1]') == ["2"]


def test_analyze_sentiment_is_the_sentiment_keyword(basic: BasicKit) -> None:
    result, prompts = run_with_llm(basic, 'RETURN ANALYZE SENTIMENT "great"',
                                   '{"label": "positive", "score": 0.5}')
    assert result == {"label": "positive", "score": 0.5}
    assert "great" in prompts[0] and "sentiment" in prompts[0]


def test_translate_text_keeps_its_arguments(basic: BasicKit) -> None:
    result, prompts = run_with_llm(basic, 'RETURN TRANSLATE TEXT "hello", "pt"', "olá")
    assert result == "olá"
    assert "to pt" in prompts[0] and "hello" in prompts[0]


def test_rewrite_asks_the_llm_with_the_phrase_as_instruction(basic: BasicKit) -> None:
    result, prompts = run_with_llm(basic, 'x = REWRITE "gimme tea", "politely"\nRETURN x',
                                   "May I have tea?")
    assert result == "May I have tea?"
    assert prompts == ["Rewrite the following text. Reply with the result only.\n\n"
                       "gimme tea\npolitely"]


def test_an_unknown_generate_phrase_is_an_llm_call(basic: BasicKit) -> None:
    result, prompts = run_with_llm(basic, 'RETURN GENERATE SLOGAN "a tea shop"', "Tea time!")
    assert result == "Tea time!"
    assert prompts[0].startswith("Generate slogan as the following request asks.")


def test_an_unavailable_phrase_warns_and_raises_a_catchable_service_error(
        basic: BasicKit) -> None:
    source = ('ON ERROR RESUME NEXT\nr = SEARCH PRODUCTS "tea", 3\n'
              'TALK ERR.description\nx = ORCHESTRATE FLOW ALPHA "x" + * 2\nTALK "end"')
    assert warnings(basic, source) == [
        "keyword SEARCH PRODUCTS is not available in Hearth (use FIND on a products table); "
        "the line raises ServiceError when run",
        "keyword ORCHESTRATE FLOW ALPHA is not available in Hearth; the line raises "
        "ServiceError when run",
    ]
    run = basic.run(source.replace("ON ERROR RESUME NEXT\n", ""))
    assert isinstance(run.error, ServiceError)
    assert run.error.message == "keyword SEARCH PRODUCTS is not available in Hearth"
    assert said(basic, source) == ["keyword SEARCH PRODUCTS is not available in Hearth", "end"]


def test_sql_select_is_a_phrase_not_a_syntax_error(basic: BasicKit) -> None:
    program = basic.program("rows = SELECT name, email FROM users WHERE id = 3 ORDER BY name")
    assert [d.message for d in program.diagnostics] == [
        "keyword SELECT is not available in Hearth (use FIND with a WHERE filter); the line "
        "raises ServiceError when run"]


@pytest.mark.parametrize("source", [
    "x = foo bar",            # not written in capitals: a typo, not a keyword
    "TOTAL = 1\nx = TOTAL 5",  # a variable of the file
    "x = 1 + * 2",
])
def test_what_is_not_a_keyword_phrase_stays_an_error(basic: BasicKit, source: str) -> None:
    assert basic.compile(source).errors


def test_a_known_phrase_needs_its_words_in_capitals(basic: BasicKit) -> None:
    # `TRANSLATE text, "pt"` is the TRANSLATE keyword on the variable text
    _, prompts = run_with_llm(basic, 'text = "hi"\nRETURN TRANSLATE text, "pt"', "oi")
    assert "hi" in prompts[0]


def test_phrase_table_entries_are_well_formed() -> None:
    for phrase, alias in PHRASES.items():
        assert phrase == phrase.upper() and "  " not in phrase
        assert alias.kind == "unavailable" or alias.target


def test_a_value_keyword_followed_by_a_word_in_capitals_is_a_longer_phrase(
        basic: BasicKit) -> None:
    assert warnings(basic, 'x = SEARCH WEB "tea", 3') == [
        "keyword SEARCH WEB is not available in Hearth; the line raises ServiceError when run"]
    assert warnings(basic, 'x = COUNT [1, 2]\nTALK x') == []  # the keyword as before


def test_a_method_call_is_a_statement(basic: BasicKit) -> None:
    source = ('list = [1]\nlist.push(2)\ncart = {lines: []}\ncart.lines.push("tea")\n'
              "TALK list & cart")
    assert said(basic, source) == ['[1,2]{"lines":["tea"]}']
