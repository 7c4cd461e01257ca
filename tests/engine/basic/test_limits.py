"""Run limits (BASIC.md §12.6): steps, time, output, depth, loop iterations — never trappable."""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING

import pytest

from engine.basic.errors import LimitExceeded
from engine.basic.limits import Limits

if TYPE_CHECKING:
    from tests.engine.basic.conftest import BasicKit, Run

# Everything but the limit under test is out of reach.
HIGH = {"basic-max-steps": "1000000000", "basic-max-loop": "1000000000",
        "basic-max-seconds": "600", "basic-max-depth": "1000", "basic-max-output": "100000000"}


def limited(basic: BasicKit, source: str, answers: tuple[str, ...] = (), **limits: str) -> Run:
    config = dict(HIGH)
    config.update({f"basic-max-{name}": value for name, value in limits.items()})
    return basic.run(source, answers, config=config)


def exceeded(run: Run, message: str) -> LimitExceeded:
    error = run.error
    assert isinstance(error, LimitExceeded), (error, run.lines)
    assert str(error.args[0]).startswith(message)
    assert error.kind == "LimitExceeded"
    assert not run.waiting
    return error


# --- time --------------------------------------------------------------------------------------


def test_endless_loop_ends_at_the_time_limit(basic: BasicKit) -> None:
    started = time.monotonic()
    run = limited(basic, "n = 0\nDO\n  n = n + 1\nLOOP", seconds="1")
    spent = time.monotonic() - started
    exceeded(run, "time limit exceeded")
    assert 0.9 < spent < 2.5


def test_empty_endless_loop_ends_at_the_time_limit(basic: BasicKit) -> None:
    started = time.monotonic()
    run = limited(basic, "DO\nLOOP", seconds="0.5")
    exceeded(run, "time limit exceeded")
    assert time.monotonic() - started < 2


def test_endless_recursion_through_goto_ends_at_the_time_limit(basic: BasicKit) -> None:
    run = limited(basic, "top:\nx = 1\nGOTO top", seconds="0.3")
    error = exceeded(run, "time limit exceeded")
    assert error.line in (1, 2, 3)


def test_time_spent_waiting_for_an_answer_does_not_count(basic: BasicKit) -> None:
    source = "HEAR x\nFOR i = 1 TO 5000\nNEXT\nTALK \"done \" & x"
    run = limited(basic, source, seconds="0.25")
    assert run.waiting
    time.sleep(0.4)
    run.answer("ok")
    assert run.error is None
    assert run.said == ["done ok"]


class SleepingClock:
    """A clock whose WAIT really sleeps."""

    def now(self) -> datetime:
        return datetime(2026, 1, 15, 10, 30)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def test_time_spent_in_wait_does_not_count(basic: BasicKit) -> None:
    config = dict(HIGH, **{"basic-max-seconds": "0.25"})
    source = 'WAIT 0.4\nFOR i = 1 TO 5000\nNEXT\nTALK "done"'
    run = basic.run(source, config=config, clock=SleepingClock())
    assert run.error is None
    assert run.said == ["done"]


# --- steps -------------------------------------------------------------------------------------


def test_step_limit(basic: BasicKit) -> None:
    run = limited(basic, "n = 0\nDO\n  n = n + 1\nLOOP", steps="1000")
    error = exceeded(run, "step limit exceeded")
    assert error.line in (2, 3, 4)
    assert run.vm.steps == 1000  # exactly the allowed steps ran


def test_step_limit_counts_statements_in_procedures_and_functions(basic: BasicKit) -> None:
    source = ("FUNCTION f(x)\n f = x + 1\nEND FUNCTION\nSUB s\n y = f(1)\nEND SUB\n"
              "FOR i = 1 TO 100\n s\nNEXT")
    exceeded(limited(basic, source, steps="200"), "step limit exceeded")
    assert limited(basic, source, steps="2000").error is None


def test_a_program_within_the_step_limit_runs(basic: BasicKit) -> None:
    run = limited(basic, "FOR i = 1 TO 10\n  x = i\nNEXT\nTALK x", steps="100")
    assert run.error is None
    assert run.said == ["10"]


def test_steps_accumulate_across_a_suspension(basic: BasicKit) -> None:
    source = "FOR i = 1 TO 30\n x = i\nNEXT\nHEAR a\nFOR i = 1 TO 30\n x = i\nNEXT"
    run = limited(basic, source, ("go",), steps="100")
    exceeded(run, "step limit exceeded")
    assert limited(basic, source, ("go",), steps="400").error is None


# --- loop iterations ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    ["DO\n x = 1\nLOOP", "DO WHILE TRUE\nLOOP", "DO\nLOOP UNTIL FALSE", "WHILE TRUE\nWEND",
     "FOR i = 1 TO 100\nNEXT", 'FOR EACH c IN "abcdefghijklmnopqrstuvwxyz"\nNEXT'],
)
def test_loop_iteration_limit(basic: BasicKit, source: str) -> None:
    error = exceeded(limited(basic, source, loop="10"), "loop iteration limit exceeded")
    assert error.line == 1


def test_loop_limit_is_per_execution_of_the_loop(basic: BasicKit) -> None:
    source = "FOR j = 1 TO 20\n FOR i = 1 TO 8\n NEXT\nNEXT\nTALK j"
    run = limited(basic, source, loop="10")
    exceeded(run, "loop iteration limit exceeded")  # the outer loop's 20 iterations
    run = limited(basic, "FOR j = 1 TO 5\n FOR i = 1 TO 8\n NEXT\nNEXT\nTALK j", loop="10")
    assert run.error is None
    assert run.said == ["6"]


# --- call depth --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    ["SUB r(n)\n r n + 1\nEND SUB\nr 1",
     "FUNCTION r(n)\n r = r(n + 1)\nEND FUNCTION\nx = r(1)",
     "FUNCTION r(n)\n r = 1 + CALL_again(n)\nEND FUNCTION\n"
     "FUNCTION CALL_again(n)\n CALL_again = r(n)\nEND FUNCTION\nTALK r(1)"],
)
def test_call_depth_limit(basic: BasicKit, source: str) -> None:
    exceeded(limited(basic, source, depth="20"), "call depth limit exceeded")


def test_depth_limit_counts_script_calls(basic: BasicKit) -> None:
    scripts = {"again": "PARAM n AS INTEGER\nCALL again(n + 1)"}
    config = dict(HIGH, **{"basic-max-depth": "15"})
    run = basic.run("CALL again(1)", config=config, scripts=scripts)
    exceeded(run, "call depth limit exceeded")


def test_recursion_within_the_depth_limit_runs(basic: BasicKit) -> None:
    source = "FUNCTION down(n)\n IF n = 0 THEN RETURN 0\n RETURN down(n - 1)\nEND FUNCTION\n" \
             "TALK down(15)"
    assert limited(basic, source, depth="20").said == ["0"]


def test_default_depth_limit_stops_deep_expression_recursion(basic: BasicKit) -> None:
    run = basic.run("FUNCTION r(n)\n r = r(n + 1)\nEND FUNCTION\nx = r(1)")
    exceeded(run, "call depth limit exceeded")


# --- output ------------------------------------------------------------------------------------


def test_output_limit_does_not_send_the_talk_that_passes_it(basic: BasicKit) -> None:
    run = limited(basic, 'TALK "12345"\nTALK "67890"\nTALK "x"', output="10")
    exceeded(run, "output limit exceeded")
    assert run.said == ["12345", "67890"]
    assert run.error.line == 3


def test_output_limit_counts_every_talk_of_the_run(basic: BasicKit) -> None:
    source = 'FOR i = 1 TO 100\n TALK "line " & i\nNEXT'
    run = limited(basic, source, output="50")
    exceeded(run, "output limit exceeded")
    assert len(run.said) == 8  # "line 1".."line 8" are 48 characters; "line 9" passes 50


def test_output_limit_survives_a_suspension(basic: BasicKit) -> None:
    run = limited(basic, 'TALK "12345"\nHEAR x\nTALK "67890"\nTALK x', ("y",), output="10")
    exceeded(run, "output limit exceeded")
    assert run.said == ["12345", "67890"]


# --- ON ERROR never traps a limit ------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "limits", "message"),
    [("ON ERROR RESUME NEXT\nDO\nLOOP\nTALK \"trapped\"", {"loop": "50"},
      "loop iteration limit exceeded"),
     ("ON ERROR GOTO handler\nDO\n x = 1\nLOOP\nhandler:\nTALK \"trapped\"", {"steps": "100"},
      "step limit exceeded"),
     ("ON ERROR RESUME NEXT\nFOR i = 1 TO 10\n TALK \"xxxxx\"\nNEXT\nTALK ERR", {"output": "12"},
      "output limit exceeded"),
     ("SUB r\n ON ERROR RESUME NEXT\n r\nEND SUB\nON ERROR RESUME NEXT\nr\nTALK \"trapped\"",
      {"depth": "10"}, "call depth limit exceeded"),
     ("ON ERROR RESUME NEXT\nDO\nLOOP\nTALK \"trapped\"", {"seconds": "0.2"},
      "time limit exceeded")],
)
def test_on_error_cannot_trap_a_limit(basic: BasicKit, source: str, limits: dict[str, str],
                                      message: str) -> None:
    run = limited(basic, source, **limits)
    exceeded(run, message)
    assert "trapped" not in run.said
    assert run.vm.err is None  # ERR was never set by the limit


def test_function_in_an_expression_cannot_trap_a_limit_for_its_caller(basic: BasicKit) -> None:
    source = ("FUNCTION spin()\n ON ERROR RESUME NEXT\n DO\n LOOP\nEND FUNCTION\n"
              'ON ERROR RESUME NEXT\nx = spin()\nTALK "trapped"')
    exceeded(limited(basic, source, loop="100"), "loop iteration limit exceeded")


# --- configuration -----------------------------------------------------------------------------


def test_limits_from_config_and_defaults() -> None:
    assert Limits.from_config({}) == Limits()
    assert Limits() == Limits(1_000_000, 60.0, 1_000_000, 100, 100_000, 60.0, 3)
    limits = Limits.from_config({"basic-max-steps": "5e3", "basic-max-seconds": "1.5",
                                 "basic-max-output": " 10 ", "basic-max-depth": "7",
                                 "basic-max-loop": "not a number", "hear-max-attempts": "0"})
    assert (limits.max_steps, limits.max_seconds, limits.max_output, limits.max_depth,
            limits.max_loop, limits.hear_attempts) == (5000, 1.5, 10, 7, 100_000, 1)


def test_explicit_limits_override_the_config(basic: BasicKit) -> None:
    run = basic.run("DO\nLOOP", config={"basic-max-loop": "5"},
                    limits=Limits(max_loop=1_000_000, max_steps=200))
    exceeded(run, "step limit exceeded")


def test_a_loop_of_slow_statements_stops_soon_after_the_time_limit(basic: BasicKit) -> None:
    # the clock is read every few statements, not only every thousand: each SORT here takes
    # milliseconds, so a thousand of them would overshoot a 1 s limit many times over
    source = ("big = []\nFOR i = 1 TO 20000\n  PUSH big, (i * 7919) MOD 10007\nNEXT\n"
              "DO\n  s = SORT(big)\nLOOP")
    started = time.monotonic()
    run = limited(basic, source, seconds="1")
    exceeded(run, "time limit exceeded")
    assert run.vm.steps < 40_000 + 1000  # the FOR loop, then fewer than 1000 SORTs
    assert time.monotonic() - started < 6


@pytest.mark.parametrize(
    "loop",
    ["FOR i = 1 TO {n}\n x = i\nNEXT", 'FOR EACH c IN "{text}"\nNEXT',
     "FOR i = 1 TO 99\n IF i = {n} THEN EXIT FOR\nNEXT",
     "n = 0\nWHILE n < {n}\n n += 1\nWEND", "n = 0\nDO WHILE n < {n}\n n += 1\nLOOP",
     "n = 0\nDO\n n += 1\nLOOP UNTIL n = {n}",
     "n = 0\nDO\n n += 1\n IF n = {n} THEN EXIT DO\nLOOP"],
)
def test_the_loop_limit_allows_exactly_that_many_iterations(basic: BasicKit, loop: str) -> None:
    assert limited(basic, loop.format(n=10, text="x" * 10), loop="10").error is None
    run = limited(basic, loop.format(n=11, text="x" * 11), loop="10")
    exceeded(run, "loop iteration limit exceeded")
