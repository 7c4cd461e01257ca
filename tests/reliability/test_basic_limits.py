"""BASIC value size limits (issue 10, defect 3): one statement cannot eat the memory or the
time of the process. Strings, arrays and maps and integers are bounded per operation
(``basic-max-string``, ``basic-max-items``, ``basic-max-digits``), LIKE never backtracks, and
a genuine MemoryError ends the run with ``LimitExceeded`` while the process lives on.

The runs that would have grown without bound before the fix run in a child process with an
address-space limit, so a regression fails the test instead of exhausting the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
import time
from datetime import datetime
from pathlib import Path

import pytest

from engine.basic.errors import LimitExceeded
from engine.basic.limits import Limits
from engine.basic.vm import VM
from tests.engine.basic.conftest import BasicKit, Run

REPO = Path(__file__).resolve().parents[2]
DOUBLING = 's = "x"\nFOR i = 1 TO 40\n  s = s + s\nNEXT\nTALK LEN(s)'
SQUARING = "x = 3\nFOR i = 1 TO 40\n  x = x * x\nNEXT\nTALK LEN(STR(x))"
PATHOLOGICAL_LIKE = ('s = "a"\nFOR i = 1 TO 16\n  s = s & s\nNEXT\n'
                     'IF s LIKE "' + "%a" * 24 + '%b" THEN TALK "match"\nTALK "done"')

# A child process: runs one script with the real VM under an address-space limit and prints
# one JSON line: the outcome, the seconds it took and the child's peak RSS (VmHWM).
_CHILD = textwrap.dedent("""
    import json, resource, sys, time

    def peak_rss_mb():
        # VmHWM belongs to this process's memory map; ru_maxrss would carry over the peak of
        # the parent (pytest, with models loaded) that forked it.
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    sys.path.insert(0, {repo!r})
    from tests.engine.basic.conftest import BasicKit
    resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
    source, config = json.loads(sys.stdin.read())
    started = time.monotonic()
    run = BasicKit().run(source, config=config)
    error = run.error
    print(json.dumps({{"error": None if error is None else str(error),
                       "kind": None if error is None else type(error).__name__,
                       "said": run.said[-3:], "seconds": time.monotonic() - started,
                       "alive": True,
                       "rss_mb": peak_rss_mb()}}))
""")


@pytest.fixture
def basic() -> BasicKit:
    return BasicKit()


def in_child(source: str, config: dict[str, str] | None = None,
             address_space_mb: int = 2048, timeout: float = 60) -> dict[str, object]:
    code = _CHILD.format(repo=str(REPO), limit=address_space_mb * 1024 * 1024)
    done = subprocess.run([sys.executable, "-c", code], input=json.dumps([source, config or {}]),
                          capture_output=True, text=True, timeout=timeout, cwd=REPO)
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == 0, done.stderr[-2000:]
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def limit_error(run: Run, message: str) -> LimitExceeded:
    assert isinstance(run.error, LimitExceeded), (run.error, run.said)
    assert message in str(run.error)
    return run.error


# --- the three reproductions of the issue --------------------------------------------------


def test_doubling_a_string_stops_at_the_string_limit_in_bounded_memory() -> None:
    result = in_child(DOUBLING)
    assert result["kind"] == "LimitExceeded"
    assert "string length limit (10,000,000 characters) exceeded" in str(result["error"])
    assert "basic-max-string" in str(result["error"])
    assert float(str(result["seconds"])) < 5
    assert float(str(result["rss_mb"])) < 600  # was 4 GB, then a MemoryError traceback


def test_squaring_an_integer_stops_at_the_digit_limit_at_once() -> None:
    result = in_child(SQUARING, timeout=30)  # was 99 s before the check
    assert result["kind"] == "LimitExceeded"
    assert "integer size limit (100,000 digits) exceeded" in str(result["error"])
    assert "basic-max-digits" in str(result["error"])
    assert float(str(result["seconds"])) < 3


def test_a_pathological_like_pattern_is_answered_at_once() -> None:
    result = in_child(PATHOLOGICAL_LIKE, timeout=30)  # the regex took > 150 s
    assert result["error"] is None
    assert result["said"] == ["done"]
    assert float(str(result["seconds"])) < 3


def test_like_with_many_single_wildcards_is_refused_not_run_for_minutes(basic: BasicKit) -> None:
    source = ('s = "a"\nFOR i = 1 TO 20\n  s = s & s\nNEXT\n'
              'IF s LIKE "%' + "a?" * 400 + 'b%" THEN TALK "match"')
    started = time.monotonic()
    run = basic.run(source)
    limit_error(run, "LIKE pattern too complex")
    assert time.monotonic() - started < 5


def test_like_keeps_its_meaning() -> None:
    cases = [("Maria Silva", "silva", True), ("Maria Silva", "SIL%", False),
             ("Maria Silva", "mar%", True), ("abc", "a?c", True), ("abc", "a?", False),
             ("aXbYc", "a*b*c", True), ("acb", "a%b%c", False), ("aa", "a%aa", False),
             ("a.c", "a.c", True), ("abc", "a.c", False), ("line\nbreak", "line?break", True)]
    from engine.basic.values import like

    for text, pattern, expected in cases:
        assert like(text, pattern) is expected, (text, pattern)


# --- a genuine MemoryError ---------------------------------------------------------------------


def test_a_memory_error_ends_the_run_and_the_process_lives_on() -> None:
    # every string is within the limits, but together they pass the child's address space
    source = ('s = "x"\nFOR i = 1 TO 20\n  s = s & s\nNEXT\n'
              "a = []\nFOR i = 1 TO 100000\n  PUSH a, s & i\nNEXT\nTALK COUNT(a)")
    result = in_child(source, {"basic-max-seconds": "60"}, address_space_mb=900)
    assert result["kind"] == "LimitExceeded"
    assert str(result["error"]).startswith("LimitExceeded: line 7: memory limit exceeded")
    assert result["alive"] is True


# --- every growing operation has a bound ----------------------------------------------------


@pytest.mark.parametrize(("source", "message"), [
    ('s = "x"\nFOR i = 1 TO 40\n  s = s & s\nNEXT', "string length limit"),
    ('s = "x"\nFOR i = 1 TO 40\n  s &= s\nNEXT', "string length limit"),
    ('s = "x"\nFOR i = 1 TO 40\n  s = "${s}${s}"\nNEXT', "string length limit"),
    ('s = "x"\nFOR i = 1 TO 40\n  s = REPLACE(s, "x", "xx")\nNEXT', "string length limit"),
    ('s = "x"\nFOR i = 1 TO 22\n  s = s & s\nNEXT\nt = REPLACE("ab", "a", s)', None),
    ('s = "x"\nFOR i = 1 TO 22\n  s = s & s\nNEXT\nt = JOIN([s, s, s], "")',
     "string length limit"),
    ("a = [1]\nFOR i = 1 TO 30\n  a = a + a\nNEXT", "collection size limit"),
    ('s = "ab"\nFOR i = 1 TO 21\n  s = s & s\nNEXT\na = SPLIT(s, "")', "collection size limit"),
    ("DIM a(1000000000)", "collection size limit"),
    ("a = []\nFOR i = 1 TO 1000\n  PUSH a, i\nNEXT\nb = []\nFOR i = 1 TO 20000\n"
     "  PUSH b, a\nNEXT\nt = TOJSON(b)", "string length limit"),
    ("x = 3\nFOR i = 1 TO 40\n  x *= x\nNEXT", "integer size limit"),
    ("x = 7 ^ 1000000", "integer size limit"),
    ('s = "1"\nFOR i = 1 TO 18\n  s = s & s\nNEXT\nx = CINT(s) + 1', "integer size limit"),
])
def test_each_growing_operation_is_bounded(basic: BasicKit, source: str,
                                           message: str | None) -> None:
    started = time.monotonic()
    run = basic.run(source)
    if message is None:
        assert run.error is None  # 4 M characters: under the limit
    else:
        limit_error(run, message)
    assert time.monotonic() - started < 10


def test_the_limits_are_configured_per_bot(basic: BasicKit) -> None:
    config = {"basic-max-string": "100000", "basic-max-items": "70000",
              "basic-max-digits": "2000"}
    run = basic.run('s = "x"\nFOR i = 1 TO 40\n  s = s & s\nNEXT', config=config)
    error = limit_error(run, "string length limit (100,000 characters) exceeded; "
                             "set basic-max-string to raise it")
    assert error.line == 3
    run = basic.run("a = []\nFOR i = 1 TO 80000\n  PUSH a, i\nNEXT", config=config)
    limit_error(run, "collection size limit (70,000 elements)")
    run = basic.run("x = 10\nFOR i = 1 TO 20\n  x = x * x\nNEXT", config=config)
    limit_error(run, "integer size limit (2,000 digits)")
    within = basic.run('s = "x"\nFOR i = 1 TO 16\n  s = s & s\nNEXT\nTALK LEN(s)',
                       config=config)
    assert within.error is None and within.said == ["65536"]


def test_limits_below_their_minimum_keep_the_default(basic: BasicKit) -> None:
    # a limit under 65,536 characters would not hold for small values (they are not checked)
    run = basic.run('s = "x"\nFOR i = 1 TO 12\n  s = s & s\nNEXT\nTALK LEN(s)',
                    config={"basic-max-string": "1000"})
    assert run.error is None and run.said == ["4096"]


def test_on_error_cannot_trap_a_size_limit(basic: BasicKit) -> None:
    source = ('ON ERROR RESUME NEXT\ns = "x"\nFOR i = 1 TO 40\n  s = s & s\nNEXT\n'
              'TALK "trapped"')
    run = basic.run(source, config={"basic-max-string": "100000"})
    limit_error(run, "string length limit")
    assert "trapped" not in run.said


# --- the time limit inside one statement ----------------------------------------------------

# b and c hold the same 90,000-element array 1,000 times: one `b = c` compares 90 million
# elements in Python (about 7 s on a quick machine), far longer than the limit; the clock
# between statements never runs.
SLOW_STATEMENT = ("a = []\nFOR i = 1 TO 90000\n  PUSH a, i\nNEXT\nb = []\nc = []\n"
                  "FOR i = 1 TO 1000\n  PUSH b, a\n  PUSH c, a\nNEXT\nPUSH b, 1\nPUSH c, 0\n"
                  'IF b = c THEN TALK "same"\nTALK "end"')


def test_one_slow_statement_stops_soon_after_the_time_limit(basic: BasicKit) -> None:
    config = {"basic-max-seconds": "1", "basic-max-loop": "1000000"}
    started = time.monotonic()
    run = basic.run(SLOW_STATEMENT, config=config)
    limit_error(run, "time limit exceeded inside one statement")
    assert time.monotonic() - started < 3.5
    assert run.said == []
    again = basic.run('TALK "next run"', config=config)  # the thread carries nothing over
    assert again.error is None and again.said == ["next run"]


class SleepingClock:
    def now(self) -> datetime:
        return datetime(2026, 1, 15, 10, 30)

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


def test_a_wait_longer_than_the_time_limit_is_not_cut_short(basic: BasicKit) -> None:
    run = basic.run('WAIT 1.2\nTALK "woke"', config={"basic-max-seconds": "0.3"},
                    clock=SleepingClock())
    assert run.error is None and run.said == ["woke"]


def test_the_watchdog_ends_only_the_overdue_runs(basic: BasicKit) -> None:
    # three threads run slow statements past a 0.3 s limit while three others run short
    # scripts over and over: only the slow runs end, and nothing reaches the short ones
    slow = basic.program(SLOW_STATEMENT)
    quick = basic.program("x = 0\nFOR i = 1 TO 2000\n  x = x + i\nNEXT\nTALK x")
    problems: list[str] = []
    done = {"slow": 0, "quick": 0}

    def run_slow() -> None:
        for _ in range(2):
            outcome = VM(basic.host(), Limits(max_seconds=0.3, max_loop=10**6)).start(slow)
            if "time limit exceeded" not in str(outcome.error):
                problems.append(f"slow run: {outcome.error}")
            done["slow"] += 1

    def run_quick() -> None:
        until = time.monotonic() + 3
        while time.monotonic() < until:
            try:
                outcome = VM(basic.host(), Limits(max_seconds=5)).start(quick)
            except BaseException as error:  # an Overtime that escaped the VM
                problems.append(f"quick run raised {error!r}")
                continue
            if outcome.error is not None or outcome.result is not None:
                problems.append(f"quick run: {outcome.error}")
            done["quick"] += 1

    threads = [threading.Thread(target=run_slow) for _ in range(3)]
    threads += [threading.Thread(target=run_quick) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert problems == []
    assert done["slow"] == 6 and done["quick"] > 100
