"""The compiler (BASIC.md §12.2, §12.3, §4.10): programs, names, labels, strict mode."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from engine.basic.analyzer import ModuleNames
from engine.basic.compiler import CompileOptions, compile_source
from engine.basic.parser import parse

if TYPE_CHECKING:
    from tests.engine.basic.conftest import BasicKit


def problems(source: str, strict: bool = False,
             injected: frozenset[str] = frozenset()) -> list[tuple[str, int, int, int, str]]:
    program = compile_source(source, "main", CompileOptions(strict, injected))
    return [(d.severity, d.line, d.col, d.width, d.message) for d in program.diagnostics]


# --- the pipeline ------------------------------------------------------------------------------


def test_a_good_program_is_ok_and_has_code(basic: BasicKit) -> None:
    program = basic.program("x = 1\nTALK x")
    assert program.ok
    assert program.errors == []
    assert program.name == "main"
    assert program.main.lines[:2] == [1, 2]


def test_a_program_with_syntax_errors_is_not_compiled() -> None:
    program = compile_source("x = (1 +\nIF", "broken")
    assert not program.ok
    assert program.errors
    assert program.main.instrs == []
    assert program.procs == {}


def test_compile_source_defaults() -> None:
    program = compile_source("TALK 1")
    assert program.name == "script"
    assert program.ok


def test_warnings_do_not_stop_compilation() -> None:
    program = compile_source("FROBNICATE\nTALK 1", "main")
    assert program.ok
    assert [d.severity for d in program.diagnostics] == ["warning"]
    assert len(program.main.instrs) == 3  # the skip, the TALK, the end of the body


def test_diagnostics_are_sorted_by_position() -> None:
    source = "GOTO b\nGOTO a\nFROB"
    assert [(d.line, d.severity) for d in compile_source(source).diagnostics] == [
        (1, "error"), (2, "error"), (3, "warning")]


def test_hash_identifies_the_source(basic: BasicKit) -> None:
    a = basic.program("TALK 1")
    assert a.hash == basic.program("TALK 1", name="other").hash
    assert a.hash != basic.program("TALK 2").hash
    assert len(a.hash) == 16
    int(a.hash, 16)


def test_procedures_and_handlers_are_compiled(basic: BasicKit) -> None:
    program = basic.program('SUB Greet(name, greeting = "Hi")\n TALK greeting\nEND SUB\n'
                            "FUNCTION Twice(x)\n Twice = x * 2\nEND FUNCTION\n"
                            'ON EVENT "Order.Paid"\n TALK event\nEND ON\n'
                            'ON EVENT "order.paid"\n TALK 2\nEND ON')
    greet = program.procs["greet"]
    assert (greet.name, greet.key, greet.is_function, greet.line) == ("Greet", "greet", False, 1)
    assert [name for name, _ in greet.params] == ["name", "greeting"]
    assert greet.params[0][1] is None
    assert greet.params[1][1] is not None
    assert program.procs["twice"].is_function
    assert list(program.handlers) == ["order.paid"]
    assert [h.key for h in program.handlers["order.paid"]] == ["@event0", "@event1"]


@pytest.mark.parametrize(
    ("name", "source", "is_tool"),
    [("lookup", 'PARAM id AS INTEGER\nRETURN id', True),
     ("about", 'DESCRIPTION "tells about us"\nTALK 1', True),
     ("plain", "TALK 1", False),
     ("start", 'PARAM id AS INTEGER\nTALK 1', False),
     ("Tables", 'DESCRIPTION "x"', False)],
)
def test_what_makes_a_tool(name: str, source: str, is_tool: bool) -> None:
    assert compile_source(source, name).is_tool is is_tool


def test_resume_points_skip_a_whole_compound_statement(basic: BasicKit) -> None:
    program = basic.program("x = 1\nIF x THEN\n TALK 1\nEND IF\nTALK 2")
    code = program.main
    header = code.lines.index(2)
    after_if = code.lines.index(5)
    assert code.resume[header] == after_if
    body = code.lines.index(3)
    assert code.resume[body] == body + 1


# --- labels (§4.10) ------------------------------------------------------------------------


def test_unknown_label_is_reported_at_the_goto() -> None:
    assert problems("x = 1\nIF x THEN GOTO nowhere") == [
        ("error", 2, 16, 7, "unknown label 'nowhere'")]


def test_unknown_label_after_on_error_goto() -> None:
    assert problems("ON ERROR GOTO handler") == [("error", 1, 15, 7, "unknown label 'handler'")]


def test_duplicate_label() -> None:
    assert problems("again:\nx = 1\nAGAIN:") == [("error", 3, 1, 5, "duplicate label 'again'")]


def test_labels_are_per_body() -> None:
    assert problems("SUB s\n GOTO top\nEND SUB\ntop:\ns") == [
        ("error", 2, 7, 3, "unknown label 'top'")]
    assert problems("SUB s\nok:\n GOTO ok\nEND SUB\nok:\nGOTO ok") == []


def test_labels_are_recorded_in_the_code(basic: BasicKit) -> None:
    program = basic.program("x = 1\nhere:\nx = 2\nGOTO here")
    assert program.main.labels == {"here": 1}


# --- names (§12.3) ---------------------------------------------------------------------------


def names(source: str) -> ModuleNames:
    module, diagnostics = parse(source)
    assert not [d for d in diagnostics if d.is_error]
    return ModuleNames(module)


def test_module_variables_and_procedure_locals() -> None:
    result = names("g = 1\nSUB s(a)\n g = 2\n l = 3\n DIM g\n FOR i = 1 TO 2\n NEXT\n"
                   "END SUB\nFUNCTION f\n f = 1\nEND FUNCTION")
    assert result.module_vars == {"g"}
    assert result.locals["s"] == {"a", "l", "i", "g"}
    assert result.locals["f"] == {"f"}


def test_a_module_variable_assigned_in_a_procedure_stays_global() -> None:
    result = names("total = 0\nSUB add(n)\n total = total + n\nEND SUB")
    assert result.locals["add"] == {"n"}


def test_declared_names_cover_every_kind_of_assignment() -> None:
    result = names('HEAR answer\nFOR i = 1 TO 2\nNEXT\nFOR EACH r IN []\nNEXT\n'
                   'WITH rec\n inside = 1\nEND WITH\nPUSH list, 1\nDIM d\n'
                   'r2 = CALL other()\nPARAM p AS STRING\nlead.email = "x"')
    assert result.declared >= {"answer", "i", "r", "rec", "list", "d", "r2", "p", "lead"}
    assert "inside" not in result.declared  # a property of the WITH object


def test_parameters_are_declared_only_in_their_procedure() -> None:
    result = names("SUB s(only_here)\n TALK only_here\nEND SUB")
    assert "only_here" in result.locals["s"]
    assert "only_here" not in result.declared


def test_handler_locals() -> None:
    result = names('ON EVENT "e"\n h = event.data\nEND ON')
    assert result.locals["@event0"] == {"event", "h"}


# --- strict mode (§12.8) ---------------------------------------------------------------------


def test_undeclared_name_is_fine_in_tolerant_mode() -> None:
    assert problems("TALK totl") == []


def test_undeclared_name_is_an_error_in_strict_mode() -> None:
    assert problems("total = 1\nTALK totl + total", strict=True) == [
        ("error", 2, 6, 4, "unknown variable 'totl'")]


def test_option_strict_turns_strict_mode_on_for_the_file() -> None:
    assert problems("OPTION STRICT\nTALK totl") == [("error", 2, 6, 4, "unknown variable 'totl'")]


def test_strict_accepts_every_declared_kind_of_name() -> None:
    source = ("IF FALSE THEN later = 1\nTALK later\nTALK ERR\nTALK ERR_NUMBER\nTALK NOW\n"
              "TALK twice\nFUNCTION twice\n twice = 2\nEND FUNCTION\nSUB s(p)\n TALK p\nEND SUB\n"
              "TALK api_host")
    assert problems(source, strict=True, injected=frozenset({"api_host"})) == []


def test_strict_rejects_another_procedures_parameter() -> None:
    source = "SUB a(x)\n TALK x\nEND SUB\nSUB b\n TALK x\nEND SUB"
    assert problems(source, strict=True) == [("error", 5, 7, 1, "unknown variable 'x'")]


def test_strict_reports_undeclared_names_inside_interpolations() -> None:
    assert problems('TALK "Hi ${nmae}"', strict=True) == [
        ("error", 1, 12, 4, "unknown variable 'nmae'")]


def test_strict_reports_names_in_text_blocks_at_their_file_column() -> None:
    source = "BEGIN TALK\n    Hello ${nmae}\nEND TALK"
    assert problems(source, strict=True) == [("error", 2, 13, 4, "unknown variable 'nmae'")]
