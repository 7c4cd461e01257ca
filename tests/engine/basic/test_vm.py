"""Running programs (BASIC.md §4, §12): scope, errors, jumps, blocks, calls, suspension."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import pytest

from engine.basic.errors import BasicError, LimitExceeded, ScriptError
from engine.basic.vm import VM

if TYPE_CHECKING:
    from tests.engine.basic.conftest import BasicKit, Run


def said(basic: BasicKit, source: str, answers: tuple[str, ...] = (), **kw: Any) -> list[str]:
    """What the bot said; the run must end without an error."""
    run = basic.run(source, answers, **kw)
    assert run.error is None, run.error
    assert not run.waiting
    return run.said


def failure(basic: BasicKit, source: str, **kw: Any) -> tuple[str, int | None, str]:
    """How a run that must fail failed: kind, line and message."""
    run = basic.run(source, **kw)
    error = run.error
    assert isinstance(error, ScriptError | LimitExceeded), (error, run.lines)
    return error.kind, error.line, str(error.args[0])


# --- scope and names (§12.3) -------------------------------------------------------------------


def test_module_variables_are_global_to_procedures(basic: BasicKit) -> None:
    source = "total = 10\nSUB add(n)\n total = total + n\nEND SUB\nadd 5\nadd 2\nTALK total"
    assert said(basic, source) == ["17"]


def test_a_name_assigned_only_in_a_procedure_is_local(basic: BasicKit) -> None:
    source = ("SUB s\n temp = 42\n TALK temp\nEND SUB\ns\n"
              'TALK "[" & temp & "]"')  # declared in the file, so reading it gives null
    assert said(basic, source) == ["42", "[]"]


def test_dim_in_a_procedure_shadows_a_module_variable(basic: BasicKit) -> None:
    source = "g = 1\nSUB s\n DIM g\n g = 99\n TALK g\nEND SUB\ns\nTALK g"
    assert said(basic, source) == ["99", "1"]


def test_parameters_shadow_globals_and_are_passed_by_value(basic: BasicKit) -> None:
    source = "p = 10\nSUB s(p)\n p = p + 1\n TALK p\nEND SUB\ns p\nTALK p"
    assert said(basic, source) == ["11", "10"]


def test_arrays_and_maps_are_shared_by_reference(basic: BasicKit) -> None:
    source = ("items = [1]\nSUB grow(list)\n PUSH list, 2\nEND SUB\ngrow items\n"
              "b = items\nPUSH b, 3\nTALK items")
    assert said(basic, source) == ["[1,2,3]"]


def test_missing_arguments_take_defaults_or_null(basic: BasicKit) -> None:
    source = ('SUB greet(name, greeting = "Hello " & suffix)\n'
              ' TALK greeting & ", " & name & "!"\nEND SUB\n'
              'suffix = "there"\ngreet "Ana"\ngreet "Bo", "Hi"\ngreet')
    assert said(basic, source) == ["Hello there, Ana!", "Hi, Bo!", "Hello there, !"]


def test_extra_arguments_are_a_type_error(basic: BasicKit) -> None:
    assert failure(basic, "SUB s(a)\nEND SUB\ns 1, 2") == (
        "TypeError", 3, "s takes 1 argument(s), got 2")


def test_reading_an_undeclared_name_is_a_name_error(basic: BasicKit) -> None:
    assert failure(basic, "total = 1\nTALK totl") == ("NameError", 2, "unknown variable 'totl'")


def test_reading_a_declared_name_before_assignment_gives_null(basic: BasicKit) -> None:
    assert said(basic, 'TALK TYPEOF(later)\nlater = 1') == ["null"]


def test_calling_an_unknown_function_is_a_name_error(basic: BasicKit) -> None:
    assert failure(basic, "x = Frobnicate(1)") == ("NameError", 1, "unknown function 'Frobnicate'")


def test_names_are_case_insensitive(basic: BasicKit) -> None:
    assert said(basic, "Total = 1\nTOTAL = total + 1\nTALK ToTaL") == ["2"]


def test_bare_function_and_zero_argument_builtins_are_called(basic: BasicKit) -> None:
    source = ("FUNCTION answer\n answer = 42\nEND FUNCTION\nTALK answer + 1\n"
              "TALK TYPEOF(NOW)\nTALK TODAY")
    assert said(basic, source) == ["43", "datetime", "2026-01-15"]


def test_recursive_calls_have_their_own_locals(basic: BasicKit) -> None:
    source = ("FUNCTION depth(n)\n here = n\n IF n > 0 THEN inner = depth(n - 1)\n"
              " depth = here\nEND FUNCTION\nTALK depth(3)")
    assert said(basic, source) == ["3"]


def test_config_parameters_are_typed_globals(basic: BasicKit) -> None:
    config = {"param-api-host": "example.com", "param-retries": "3", "param-debug": "true",
              "param-empty": "none"}
    source = "TALK api_host & retries + 1\nTALK TYPEOF(debug) & TYPEOF(empty)"
    assert said(basic, source, config=config) == ["example.com4", "booleannull"]


def test_tool_arguments_bind_params(basic: BasicKit) -> None:
    source = 'PARAM qty AS INTEGER\nPARAM who AS STRING DEFAULT "you"\nTALK who & qty * 2'
    assert said(basic, source, arguments={"QTY": "21"}) == ["you42"]


def test_event_handlers_see_globals_and_get_event(basic: BasicKit) -> None:
    source = ('counter = 1\nON EVENT "bump"\n counter = counter + event.data\nEND ON\n'
              'PUBLISH EVENT "bump", 41\nTALK counter')
    run = basic.run(source)
    assert run.said == ["42"]
    assert run.host.events.published == [("bump", 41)]


# --- ON ERROR (§4.11, §12.7) ----------------------------------------------------------------


def test_resume_next_continues_with_the_next_statement(basic: BasicKit) -> None:
    source = ('ON ERROR RESUME NEXT\nx = 1 / 0\nTALK "after " & ERR.kind & " " & ERR.number\n'
              "TALK ERR.line & \": \" & ERR.description")
    assert said(basic, source) == ["after DivisionByZero 11", "2: division by zero"]


def test_resume_next_skips_a_compound_statement_whose_header_fails(basic: BasicKit) -> None:
    source = ('ON ERROR RESUME NEXT\nIF 1 / 0 THEN\n TALK "then"\nELSE\n TALK "else"\nEND IF\n'
              'FOR i = 1 TO "x"\n TALK "loop"\nNEXT\n'
              'SELECT CASE 1 \\ 0\n CASE ELSE\n  TALK "case"\nEND SELECT\n'
              'w = 5\nWITH w\n a = 1\nEND WITH\nTALK "done " & ERR.kind')
    assert said(basic, source) == ["done TypeError"]


def test_resume_next_inside_a_body_aborts_only_the_inner_statement(basic: BasicKit) -> None:
    source = ('ON ERROR RESUME NEXT\nFOR i = 1 TO 3\n x = 10 / (i - 2)\n TALK i & ":" & x\nNEXT')
    assert said(basic, source) == ["1:-10", "2:-10", "3:10"]


def test_on_error_goto_jumps_and_turns_trapping_off(basic: BasicKit) -> None:
    source = ('ON ERROR GOTO handler\nTALK "start"\nx = 1 / 0\nTALK "not reached"\nEND\n'
              'handler:\nTALK "handled " & ERR.description\ny = [1][5] + "a" * 2\n'
              'TALK "not reached either"')
    run = basic.run(source)
    assert run.said == ["start", "handled division by zero"]
    assert (run.error.kind, run.error.line) == ("TypeError", 8)


def test_on_error_goto_zero_switches_trapping_off(basic: BasicKit) -> None:
    source = 'ON ERROR RESUME NEXT\nx = 1 / 0\nON ERROR GOTO 0\nTALK "[" & ERR & "]"\nx = 1 / 0'
    run = basic.run(source)
    assert run.said == ["[]"]  # every ON ERROR statement clears ERR
    assert run.error.kind == "DivisionByZero"


def test_err_is_null_until_an_error_is_trapped_and_cleared_by_clear_error(
        basic: BasicKit) -> None:
    source = ('TALK TYPEOF(ERR)\nON ERROR RESUME NEXT\nTHROW "boom"\n'
              'TALK TYPEOF(ERR) & " " & ERR.kind & " " & ERR_NUMBER & " " & ERR_DESCRIPTION\n'
              'TALK ERR.MESSAGE\nCLEAR ERROR\nIF ERR THEN TALK "set" ELSE TALK "clear"')
    assert said(basic, source) == ["null", "map UserError 1000 boom", "boom", "clear"]


def test_assert_raises_user_error(basic: BasicKit) -> None:
    source = ('ON ERROR RESUME NEXT\nASSERT 1 = 1\nTALK TYPEOF(ERR)\nASSERT 1 = 2\n'
              'TALK ERR.description\nASSERT "", "needs text"\nTALK ERR.description')
    assert said(basic, source) == ["null", "assertion failed", "needs text"]


def test_untrapped_error_ends_the_run_with_kind_and_line(basic: BasicKit) -> None:
    run = basic.run('TALK "a"\nTHROW "stop " & 1\nTALK "b"')
    assert run.said == ["a"]
    assert str(run.error) == "UserError: line 2: stop 1"


def test_error_in_a_procedure_propagates_to_the_calling_statement(basic: BasicKit) -> None:
    source = ('SUB risky\n TALK "in risky"\n x = 1 / 0\n TALK "not reached"\nEND SUB\n'
              'ON ERROR RESUME NEXT\nrisky\nTALK "caller continues, raised at line " & ERR.line')
    assert said(basic, source) == ["in risky", "caller continues, raised at line 3"]


def test_error_in_a_function_inside_an_expression_propagates(basic: BasicKit) -> None:
    source = ("FUNCTION inv(x)\n inv = 1 / x\nEND FUNCTION\nON ERROR RESUME NEXT\n"
              'y = 5\ny = inv(0) + 1\nTALK y & " " & ERR.kind')
    assert said(basic, source) == ["5 DivisionByZero"]


def test_each_procedure_call_starts_with_trapping_off(basic: BasicKit) -> None:
    source = ('SUB inner\n x = 1 / 0\n TALK "inner continued"\nEND SUB\n'
              'SUB outer\n ON ERROR RESUME NEXT\n inner\n TALK "outer continued"\nEND SUB\n'
              'outer\nx = 1 / 0\nTALK "not reached"')
    run = basic.run(source)
    assert run.said == ["outer continued"]
    assert (run.error.kind, run.error.line) == ("DivisionByZero", 11)


def test_on_error_goto_inside_a_procedure(basic: BasicKit) -> None:
    source = ('SUB p\n ON ERROR GOTO failed\n x = [1, 2] * 2\n EXIT SUB\nfailed:\n'
              ' TALK "handled in p: " & ERR.kind\nEND SUB\np\nTALK "back"')
    assert said(basic, source) == ["handled in p: TypeError", "back"]


def test_error_inside_a_called_script_propagates(basic: BasicKit) -> None:
    source = 'ON ERROR RESUME NEXT\nCALL child\nTALK ERR.kind & " " & ERR.description'
    scripts = {"child": 'TALK "child"\nTHROW "child failed"'}
    assert said(basic, source, scripts=scripts) == ["child", "UserError child failed"]


# --- GOTO and labels (§4.10) ---------------------------------------------------------------------


def test_goto_out_of_nested_loops(basic: BasicKit) -> None:
    source = ('FOR i = 1 TO 5\n FOR j = 1 TO 5\n  IF i * j = 6 THEN GOTO found\n NEXT\nNEXT\n'
              'TALK "not found"\nEND\nfound:\nTALK i & "x" & j')
    assert said(basic, source) == ["2x3"]


def test_goto_out_of_while_select_and_with(basic: BasicKit) -> None:
    source = ('n = 0\nagain:\nn += 1\nWHILE TRUE\n SELECT CASE n\n  CASE 1\n'
              '   WITH rec\n    .n = n\n    GOTO again\n   END WITH\n  CASE ELSE\n'
              '   GOTO out\n END SELECT\nWEND\nout:\nTALK n & " " & rec.n')
    assert said(basic, source) == ["2 1"]


def test_backward_goto_loop(basic: BasicKit) -> None:
    source = 'attempt = 0\nretry:\nattempt += 1\nIF attempt < 3 THEN GOTO retry\nTALK attempt'
    assert said(basic, source) == ["3"]


def test_goto_back_into_a_for_loop_restarts_it(basic: BasicKit) -> None:
    source = ('pass = 0\ntop:\npass += 1\nFOR i = 1 TO 3\n IF pass = 1 AND i = 2 THEN GOTO top\n'
              ' TALK pass & ":" & i\nNEXT')
    assert said(basic, source) == ["1:1", "2:1", "2:2", "2:3"]


def test_goto_inside_a_procedure_body(basic: BasicKit) -> None:
    source = ("SUB count_to(n)\n i = 0\nnext_one:\n i += 1\n TALK i\n"
              " IF i < n THEN GOTO next_one\nEND SUB\ncount_to 3")
    assert said(basic, source) == ["1", "2", "3"]


# --- WITH (§4.12) -------------------------------------------------------------------------


def test_with_builds_a_map_from_null(basic: BasicKit) -> None:
    source = ('title = "Printer down"\nWITH ticket\n id = "T-1"\n title = title\n'
              ' .priority = "high"\n owner = .title + " owner"\n IF TRUE THEN\n  flagged = TRUE\n'
              ' END IF\n LET plain = 5\nEND WITH\nTALK ticket\nTALK plain')
    assert said(basic, source) == [
        '{"id":"T-1","title":"Printer down","priority":"high","owner":"Printer down owner",'
        '"flagged":true}', "5"]


def test_with_changes_an_existing_map_in_place(basic: BasicKit) -> None:
    source = 'order = {"id": 1}\ncopy = order\nWITH copy\n paid = TRUE\nEND WITH\nTALK order'
    assert said(basic, source) == ['{"id":1,"paid":true}']


def test_with_a_property_path_target(basic: BasicKit) -> None:
    source = 'order = {}\nWITH order.customer\n name = "Ana"\nEND WITH\nTALK order'
    assert said(basic, source) == ['{"customer":{"name":"Ana"}}']


def test_nested_with_has_its_own_object(basic: BasicKit) -> None:
    source = ('WITH a\n x = 1\n WITH b\n  y = 2\n  .z = .y + 1\n END WITH\n w = 3\n'
              " WITH .inner\n  deep = TRUE\n END WITH\nEND WITH\nTALK a\nTALK b")
    assert said(basic, source) == ['{"x":1,"w":3,"inner":{"deep":true}}', '{"y":2,"z":3}']


def test_with_on_a_non_map_is_a_type_error(basic: BasicKit) -> None:
    assert failure(basic, "n = 5\nWITH n\n a = 1\nEND WITH") == (
        "TypeError", 2, "WITH needs a map, got integer")


def test_hear_inside_with_sets_a_property(basic: BasicKit) -> None:
    source = "WITH lead\n HEAR email AS EMAIL\nEND WITH\nTALK lead.email"
    assert said(basic, source, ("Ana@Example.COM",)) == ["ana@example.com"]


# --- SELECT CASE (§4.3) ----------------------------------------------------------------------


SELECT_SOURCE = """
FOR EACH v IN [1, "5", 50, 150, "x", NULL, 9]
  SELECT CASE v
    CASE 1, 2
      TALK "one-two"
    CASE 5
      TALK "five"
    CASE 9, 10 TO 100
      TALK "range"
    CASE IS >= 100
      TALK "big"
    CASE ELSE
      TALK "else:" & v
  END SELECT
NEXT
"""


def test_select_case_item_forms(basic: BasicKit) -> None:
    assert said(basic, SELECT_SOURCE) == [
        "one-two", "five", "range", "big", "else:x", "else:", "range"]


def test_select_subject_is_evaluated_once_and_first_match_wins(basic: BasicKit) -> None:
    source = ("calls = 0\nFUNCTION subject()\n calls = calls + 1\n subject = 3\nEND FUNCTION\n"
              'SELECT subject()\n CASE 1\n  TALK "one"\n CASE 3\n  TALK "first three"\n'
              ' CASE 3\n  TALK "second three"\n CASE 2\n  TALK "two"\nEND SELECT\nTALK calls')
    assert said(basic, source) == ["first three", "1"]


def test_select_without_a_match_does_nothing(basic: BasicKit) -> None:
    assert said(basic, 'SWITCH "b"\n CASE "a"\n  TALK "a"\nEND SWITCH\nTALK "end"') == ["end"]


def test_select_case_true_idiom_and_case_sensitive_strings(basic: BasicKit) -> None:
    source = ('score = 72\nSELECT CASE TRUE\n CASE score >= 80\n  TALK "A"\n'
              ' CASE score >= 60\n  TALK "B"\nEND SELECT\n'
              'SELECT "Yes"\n CASE "yes"\n  TALK "lower"\n DEFAULT\n  TALK "exact only"\n'
              "END SELECT")
    assert said(basic, source) == ["B", "exact only"]


# --- FOR / NEXT and FOR EACH (§4.4, §4.5) --------------------------------------------------


@pytest.mark.parametrize(
    ("header", "expected"),
    [("FOR i = 1 TO 10 STEP 3", ["1", "4", "7", "10", "after 13"]),
     ("FOR i = 10 TO 1 STEP -4", ["10", "6", "2", "after -2"]),
     ("FOR i = 1 TO 2 STEP 0.5", ["1", "1.5", "2", "after 2.5"]),
     ("FOR i = 3 TO 1", ["after 3"]),
     ('FOR i = "1" TO "2"', ["1", "2", "after 3"]),
     ("FOR i = NULL TO 1", ["0", "1", "after 2"])],
)
def test_for_next_ranges(basic: BasicKit, header: str, expected: list[str]) -> None:
    assert said(basic, f'{header}\n TALK i\nNEXT\nTALK "after " & i') == expected


def test_for_bounds_and_step_are_evaluated_once(basic: BasicKit) -> None:
    source = "n = 3\ns = 1\nFOR i = 1 TO n STEP s\n n = 10\n s = 5\n TALK i\nNEXT"
    assert said(basic, source) == ["1", "2", "3"]


def test_assigning_the_loop_variable_affects_the_next_test(basic: BasicKit) -> None:
    source = "FOR i = 1 TO 5\n TALK i\n i = i + 1\nNEXT\nTALK i"
    assert said(basic, source) == ["1", "3", "5", "7"]


def test_exit_for_keeps_the_current_value(basic: BasicKit) -> None:
    source = "FOR i = 1 TO 10\n IF i = 3 THEN EXIT FOR\nNEXT\nTALK i"
    assert said(basic, source) == ["3"]


def test_exit_for_leaves_only_the_innermost_loop(basic: BasicKit) -> None:
    source = "FOR i = 1 TO 2\n FOR j = 1 TO 3\n  IF j = 2 THEN EXIT FOR\n NEXT\n TALK i & j\nNEXT"
    assert said(basic, source) == ["12", "22"]


def test_continue_for_still_steps_the_variable(basic: BasicKit) -> None:
    source = "FOR i = 1 TO 5\n IF i MOD 2 = 0 THEN CONTINUE FOR\n TALK i\nNEXT\nTALK i"
    assert said(basic, source) == ["1", "3", "5", "6"]


def test_step_zero_is_a_value_error(basic: BasicKit) -> None:
    assert failure(basic, "FOR i = 1 TO 3 STEP 0\nNEXT") == (
        "ValueError", 1, "STEP must not be zero")


def test_non_numeric_bound_is_a_type_error(basic: BasicKit) -> None:
    kind, line, _ = failure(basic, 'FOR i = 1 TO "many"\nNEXT')
    assert (kind, line) == ("TypeError", 1)


def test_for_over_a_property_target(basic: BasicKit) -> None:
    assert said(basic, "c = {}\nFOR c.n = 1 TO 2\nNEXT\nTALK c") == ['{"n":3}']


def test_for_each_over_arrays_maps_strings_and_null(basic: BasicKit) -> None:
    source = ('FOR EACH v IN [1, "a"]\n TALK v\nNEXT\nFOR EACH k IN {"x": 1, "y": 2}\n TALK k\n'
              'NEXT\nFOR EACH ch IN "hé"\n TALK ch\nNEXT\nFOR EACH n IN NULL\n TALK "never"\n'
              'NEXT\nTALK "last " & v & k & ch')
    assert said(basic, source) == ["1", "a", "x", "y", "h", "é", "last ayé"]


def test_for_each_iterates_over_a_snapshot(basic: BasicKit) -> None:
    source = "a = [1, 2]\nFOR EACH v IN a\n PUSH a, v * 10\nNEXT\nTALK a"
    assert said(basic, source) == ["[1,2,10,20]"]


def test_for_each_over_a_number_is_a_type_error(basic: BasicKit) -> None:
    assert failure(basic, "FOR EACH n IN 5\nNEXT") == (
        "TypeError", 1, "FOR EACH cannot iterate over integer")


def test_while_and_do_loop_forms(basic: BasicKit) -> None:
    source = ("n = 0\nWHILE n < 2\n n += 1\nWEND\nTALK n\n"
              "DO WHILE n < 4\n n += 1\nLOOP\nTALK n\n"
              "DO UNTIL n >= 6\n n += 1\nLOOP\nTALK n\n"
              "DO\n n += 1\nLOOP WHILE n < 0\nTALK n\n"
              "DO\n n += 1\nLOOP UNTIL n >= 9\nTALK n\n"
              "DO\n n += 1\n IF n = 12 THEN EXIT DO\nLOOP\nTALK n")
    assert said(basic, source) == ["2", "4", "6", "7", "9", "12"]


def test_continue_while_and_do(basic: BasicKit) -> None:
    source = ("n = 0\nWHILE n < 4\n n += 1\n IF n = 2 THEN CONTINUE WHILE\n TALK \"w\" & n\nWEND\n"
              "DO\n n -= 1\n IF n = 2 THEN CONTINUE DO\n TALK \"d\" & n\nLOOP UNTIL n = 1")
    assert said(basic, source) == ["w1", "w3", "w4", "d3", "d1"]


# --- procedures, FUNCTION results, recursion (§4.9, §14.12) --------------------------------


def test_function_own_name_is_its_result(basic: BasicKit) -> None:
    source = ("FUNCTION double(x)\n double = x * 2\nEND FUNCTION\n"
              "FUNCTION nothing_set()\nEND FUNCTION\n"
              "FUNCTION running(n)\n running = 0\n FOR i = 1 TO n\n  running = running + i\n"
              " NEXT\nEND FUNCTION\n"
              "TALK double(21)\nTALK TYPEOF(nothing_set())\nTALK running(4)")
    assert said(basic, source) == ["42", "null", "10"]


def test_exit_function_returns_the_last_assigned_value(basic: BasicKit) -> None:
    source = ('FUNCTION early(x)\n early = "first"\n IF x THEN EXIT FUNCTION\n early = "second"\n'
              "END FUNCTION\nTALK early(TRUE) & \"/\" & early(FALSE)")
    assert said(basic, source) == ["first/second"]


def test_return_value_wins_over_the_own_name(basic: BasicKit) -> None:
    source = "FUNCTION f()\n f = 1\n RETURN 2\n f = 3\nEND FUNCTION\nTALK f()"
    assert said(basic, source) == ["2"]


def test_return_in_a_sub_leaves_it(basic: BasicKit) -> None:
    source = ('SUB s\n TALK "in"\n RETURN\n TALK "not reached"\nEND SUB\n'
              "x = CALL s()\nTALK TYPEOF(x)")
    assert said(basic, source) == ["in", "null"]


def test_value_call_forms(basic: BasicKit) -> None:
    source = ("FUNCTION vat(amount, rate = 0.21)\n RETURN ROUND(amount * rate, 2)\nEND FUNCTION\n"
              "r = CALL vat(100)\nTALK r\nTALK 100 + vat(100, 0.1)")
    assert said(basic, source) == ["21", "110"]


@pytest.mark.parametrize(
    ("call", "result"), [("fact(20)", "2432902008176640000"), ("fib(15)", "610")])
def test_recursion(basic: BasicKit, call: str, result: str) -> None:
    source = ("FUNCTION fact(n)\n IF n <= 1 THEN\n  fact = 1\n ELSE\n  fact = n * fact(n - 1)\n"
              " END IF\nEND FUNCTION\n"
              "FUNCTION fib(n)\n IF n < 2 THEN RETURN n\n RETURN fib(n - 1) + fib(n - 2)\n"
              f"END FUNCTION\nTALK {call}")
    assert said(basic, source) == [result]


def test_mutual_recursion_and_recursive_subs(basic: BasicKit) -> None:
    source = ("FUNCTION is_even(n)\n IF n = 0 THEN RETURN TRUE\n RETURN is_odd(n - 1)\n"
              "END FUNCTION\nFUNCTION is_odd(n)\n IF n = 0 THEN RETURN FALSE\n"
              " RETURN is_even(n - 1)\nEND FUNCTION\n"
              "moves = 0\nSUB hanoi(n, a, b, c)\n IF n = 0 THEN EXIT SUB\n hanoi n - 1, a, c, b\n"
              " moves += 1\n hanoi n - 1, c, b, a\nEND SUB\n"
              'hanoi 5, "A", "B", "C"\nTALK is_even(10) & " " & is_odd(7) & " " & moves')
    assert said(basic, source) == ["true true 31"]


def test_end_stops_the_script_from_anywhere(basic: BasicKit) -> None:
    source = ('SUB stop_here\n TALK "stopping"\n END\nEND SUB\nFUNCTION f(x)\n'
              " IF x > 2 THEN END\n f = x\nEND FUNCTION\nTALK f(1)\nstop_here\nTALK \"no\"")
    run = basic.run(source)
    assert (run.said, run.error, run.outcome.result) == (["1", "stopping"], None, None)
    run = basic.run('TALK "a"\nx = f(3)\nTALK "no"\n'
                    "FUNCTION f(x)\n IF x > 2 THEN END\n f = x\nEND FUNCTION")
    assert (run.said, run.error) == (["a"], None)


def test_top_level_return_gives_the_script_result(basic: BasicKit) -> None:
    run = basic.run('TALK "a"\nRETURN WITH ok AS TRUE, n AS 1 + 1\nTALK "b"')
    assert run.said == ["a"]
    assert run.outcome.result == {"ok": True, "n": 2}


def test_hear_inside_a_function_called_from_an_expression_is_refused(basic: BasicKit) -> None:
    run = basic.run("FUNCTION ask_it()\n HEAR x\n ask_it = x\nEND FUNCTION\nTALK ask_it()")
    assert isinstance(run.error, BasicError)
    assert "HEAR cannot wait inside a FUNCTION" in str(run.error)


# --- CALL of another script (§4.9) --------------------------------------------------------------


CHILD = 'PARAM who AS STRING\nPARAM times AS INTEGER\nTALK "child: " & who & " x" & times\n' \
        'RETURN who & times * 2'


def test_call_another_script_binds_params_by_position(basic: BasicKit) -> None:
    source = ('r = CALL greet-user("Ana", "2")\nTALK r\nCALL greet-user "Bo", 1\n'
              'CALL "Greet-User.bas"("Cy", 3)\nTALK "back"')
    assert said(basic, source, scripts={"greet-user": CHILD}) == [
        "child: Ana x2", "Ana4", "child: Bo x1", "child: Cy x3", "back"]


def test_call_by_plain_name_when_no_procedure_has_it(basic: BasicKit) -> None:
    assert said(basic, 'x = CALL helper("a", 1)\nTALK x', scripts={"helper": CHILD}) == [
        "child: a x1", "a2"]


def test_called_script_has_its_own_globals(basic: BasicKit) -> None:
    scripts = {"peek": 'shared = "child value"\nTALK TYPEOF(mine)\nmine = 1'}
    source = 'shared = "main value"\nCALL peek\nTALK shared'
    assert said(basic, source, scripts=scripts) == ["null", "main value"]


def test_called_script_shares_the_dialog(basic: BasicKit) -> None:
    scripts = {"ask-name": 'TALK "Name?"\nHEAR n AS NAME\nRETURN n'}
    run = basic.run('name = CALL ask-name\nTALK "Hi " & name', ("joão da silva",),
                    scripts=scripts)
    assert run.lines == ["< Name?", "> joão da silva", "< Hi João Da Silva"]


def test_a_procedure_of_the_file_wins_over_a_script(basic: BasicKit) -> None:
    source = 'SUB helper(a, b)\n TALK "local " & a\nEND SUB\nCALL helper("x", 1)'
    assert said(basic, source, scripts={"helper": CHILD}) == ["local x"]


def test_missing_script_is_a_name_error(basic: BasicKit) -> None:
    assert failure(basic, "CALL nowhere-to-be-found") == (
        "NameError", 1, "unknown script 'nowhere-to-be-found'")


def test_nested_script_calls(basic: BasicKit) -> None:
    scripts = {"a": "PARAM n AS INTEGER\nr = CALL b(n + 1)\nRETURN r * 10",
               "b": "PARAM n AS INTEGER\nRETURN n + 1"}
    assert said(basic, "x = CALL a(1)\nTALK x", scripts=scripts) == ["30"]


# --- misc statements --------------------------------------------------------------------------


def test_unknown_statements_are_skipped_with_a_warning(basic: BasicKit) -> None:
    run = basic.run('TALK "a"\nFROBNICATE 1, 2\nTALK "b"')
    assert run.said == ["a", "b"]
    assert run.host.output.warnings == ["line 2: skipped unknown statement 'FROBNICATE'"]


def test_push_and_append_statements(basic: BasicKit) -> None:
    source = ("PUSH(list, 1)\nPUSH list, 2\nAPPEND list, 3\nrec = {}\n"
              'PUSH rec.tags, "t"\nTALK list\nTALK rec')
    assert said(basic, source) == ["[1,2,3]", '{"tags":["t"]}']


def test_text_block_talk(basic: BasicKit) -> None:
    source = 'name = "Ana"\nBEGIN TALK\n    **Welcome, ${name}!**\n\n    Bye \\${x}\nEND TALK'
    assert basic.run(source).lines == ["< **Welcome, Ana!**", "<", "< Bye ${x}"]


def test_ask_statement_talks_waits_and_discards(basic: BasicKit) -> None:
    run = basic.run('ASK "Ready?"\nTALK "go"', ("yes",))
    assert run.lines == ["< Ready?", "> yes", "< go"]


def test_hear_menu_and_retries(basic: BasicKit) -> None:
    run = basic.run('HEAR c AS "Red", "Blue"\nTALK c\nHEAR n AS INTEGER\nTALK TYPEOF(n)',
                    ("green", "2", "x", "y", "z"))
    assert run.lines == [
        "+ Red -> Red", "+ Blue -> Blue", "> green", "< Please choose one of the options.",
        "+ Red -> Red", "+ Blue -> Blue", "> 2", "< Blue",
        "> x", "< Please enter a valid whole number.",
        "> y", "< Please enter a valid whole number.", "> z", "< null"]


# --- snapshots (§12.4) ------------------------------------------------------------------------


def resumed_at_every_hear(basic: BasicKit, source: str, answers: list[str],
                          scripts: dict[str, str] | None = None) -> Run:
    """Run ``source``, rebuilding host and VM from a JSON snapshot before every answer."""
    run = basic.run(source, scripts=scripts)
    lines = list(run.lines)
    for answer in answers:
        assert run.waiting, lines
        snapshot = json.loads(json.dumps(run.vm.snapshot()))
        host = basic.host(scripts=scripts)
        vm = VM(host)
        assert vm.restore(snapshot, basic.program(source))
        run.vm, run.host = vm, host
        run.answer(answer)
        lines.extend(host.output.lines)
    run.host.output.lines[:] = lines
    return run


RESUMABLE = """
SUB collect(n)
  WITH rec
    .n = n
    HEAR .answer
    IF .answer = "boom" THEN x = 1 / 0
  END WITH
  PUSH all, rec
  rec = NULL
END SUB
all = []
when = DATEVALUE("2026-02-01")
big = 2 ^ 70
ratio = 3.0
shared = {"k": [1]}
alias = shared
ON ERROR RESUME NEXT
FOR i = 1 TO 2
  FOR EACH tag IN ["a", "b"]
    SELECT CASE tag
      CASE "a"
        collect i
      CASE ELSE
        HEAR number AS INTEGER
        TALK tag & i & "=" & number
    END SELECT
  NEXT
NEXT
PUSH alias.k, 2
TALK all
TALK shared
TALK TYPEOF(when) & " " & TYPEOF(big) & " " & big & " " & TYPEOF(ratio) & " " & ERR.kind
"""
ANSWERS = ["first", "x", "7", "boom", "8"]


def test_snapshot_round_trip_gives_the_same_transcript(basic: BasicKit) -> None:
    straight = basic.run(RESUMABLE, ANSWERS)
    assert straight.error is None
    resumed = resumed_at_every_hear(basic, RESUMABLE, ANSWERS)
    assert resumed.error is None
    assert resumed.lines == straight.lines
    assert straight.said[-3:] == [
        '[{"n":1,"answer":"first"}]', '{"k":[1,2]}',
        "date integer 1180591620717411303424 float DivisionByZero"]


def test_snapshot_is_plain_json_with_typed_values(basic: BasicKit) -> None:
    run = basic.run('d = DATEVALUE("2026-02-01")\nt = NOW()\nf = 2.0\nm = {"a": [1]}\n'
                    "alias = m\nHEAR x")
    snapshot = run.vm.snapshot()
    assert json.loads(json.dumps(snapshot)) == snapshot
    vm = VM(basic.host())
    assert vm.restore(json.loads(json.dumps(snapshot)), basic.program(run.program.source))
    globals_ = vm.frames[0].globals
    assert globals_["d"] == date(2026, 2, 1)
    assert globals_["t"] == datetime(2026, 1, 15, 10, 30)
    assert type(globals_["f"]) is float
    assert globals_["alias"] is globals_["m"]


def test_snapshot_inside_a_called_script(basic: BasicKit) -> None:
    scripts = {"child": 'PARAM who AS STRING\nHEAR color AS "red", "blue"\n'
                        'RETURN who & " likes " & color'}
    source = 'r = CALL child("Ana")\nTALK r\nHEAR n AS INTEGER\nTALK n * 2'
    straight = basic.run(source, ["green", "BLUE", "nope", "4"], scripts=scripts)
    resumed = resumed_at_every_hear(basic, source, ["green", "BLUE", "nope", "4"], scripts)
    assert resumed.lines == straight.lines
    assert resumed.said[-2:] == ["Please enter a valid whole number.", "8"]


def test_restore_refuses_a_changed_script(basic: BasicKit) -> None:
    run = basic.run("HEAR x\nTALK x")
    snapshot = run.vm.snapshot()
    assert not VM(basic.host()).restore(snapshot, basic.program("HEAR x\nTALK x & x"))
    assert VM(basic.host()).restore(snapshot, basic.program("HEAR x\nTALK x"))


def test_restore_refuses_a_changed_called_script(basic: BasicKit) -> None:
    scripts = {"child": "HEAR x\nRETURN x"}
    run = basic.run("r = CALL child\nTALK r", scripts=scripts)
    snapshot = run.vm.snapshot()
    changed = basic.host(scripts={"child": "HEAR x\nRETURN x & x"})
    assert not VM(changed).restore(snapshot, run.program)


def test_restore_refuses_another_snapshot_version(basic: BasicKit) -> None:
    run = basic.run("HEAR x")
    snapshot = dict(run.vm.snapshot(), version=999)
    assert not VM(basic.host()).restore(snapshot, run.program)


def test_retry_count_survives_a_restore(basic: BasicKit) -> None:
    source = "HEAR n AS INTEGER\nTALK TYPEOF(n)"
    resumed = resumed_at_every_hear(basic, source, ["a", "b", "c"])
    assert resumed.said == ["Please enter a valid whole number.",
                            "Please enter a valid whole number.", "null"]


def test_deliver_without_a_waiting_run_is_an_error(basic: BasicKit) -> None:
    run = basic.run('TALK "done"')
    assert not run.vm.suspended
    with pytest.raises(BasicError, match="no run is waiting"):
        run.vm.deliver("hello")


def test_push_onto_something_else_than_an_array_is_a_type_error(basic: BasicKit) -> None:
    assert failure(basic, "n = 5\nPUSH n, 1") == (
        "TypeError", 2, "PUSH needs an array, got integer")
    assert failure(basic, 'n = "text"\nPUSH n, 1') == (
        "TypeError", 2, "PUSH needs an array, got string")
