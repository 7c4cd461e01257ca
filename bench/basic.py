"""BASIC runtime throughput: statements per second beside hand-written Python, and lines per
second through the whole front end (lex, parse, analyse, compile).

Each workload is a BASIC program and a Python function doing the same work. The program is
compiled once and run on a fresh VM per repetition, with a host that only discards output and
with limits out of reach; the best of the repetitions counts, for BASIC and Python alike.
"Statements" are VM steps: each simple statement and each evaluation of a block header or
loop test counts one (BASIC.md §12.6), so a FOR loop costs about two steps per iteration more
than its body.

    python bench/basic.py            # full size
    python bench/basic.py --quick    # a smoke run (a tenth of the work)
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import best_time, best_times, markdown_table, table, write_json
from engine.basic.compiler import compile_source
from engine.basic.host import Suggestion, UnavailableServices
from engine.basic.limits import Limits
from engine.basic.program import Program
from engine.basic.vm import VM

TARGET_STATEMENTS_PER_SECOND = 1_000_000
TARGET_RATIO = 10.0
TARGET_LINES_PER_SECOND = 20_000
UNLIMITED = Limits(max_steps=10**12, max_seconds=1e9, max_output=10**12, max_depth=10_000,
                   max_loop=10**12)


# --- a host that does nothing ------------------------------------------------------------------


class NullOutput:
    def talk(self, text: str) -> None: ...
    def suggest(self, suggestion: Suggestion) -> None: ...
    def clear_suggestions(self, switchers: bool = False) -> None: ...
    def log(self, text: str) -> None: ...
    def warn(self, text: str) -> None: ...


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 1, 15, 10, 30)

    def sleep(self, seconds: float) -> None: ...


class NoScripts:
    def load(self, name: str) -> Program | None:
        return None


class BenchHost(UnavailableServices):
    def __init__(self) -> None:
        self.output = NullOutput()
        self.clock = FixedClock()
        self.config: dict[str, str] = {}
        self.session = None
        self.scripts = NoScripts()


# --- workloads -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Workload:
    name: str
    basic: str  # {n} is the size
    python: Callable[[int], Any]
    size: int


def py_loops(n: int) -> int:
    s = 0
    for i in range(1, n + 1):
        s = s + i
    return s


def py_arithmetic(n: int) -> float:
    x = 0.0
    for i in range(1, n + 1):
        a = i * 3 + 7
        b = a % 11
        x = x + b * 0.5 - i / 4
    return x


def py_strings(n: int) -> int:
    parts = []
    for i in range(1, n + 1):
        parts.append("item-" + str(i))
    text = ",".join(parts)
    s = ""
    for i in range(1, n // 4 + 1):
        w = "w" + str(i)
        s = s + w[:2].upper()
    return len(text.upper()) + len(s)


def py_procedures(n: int) -> int:
    state = {"total": 0}

    def add(a: int, b: int) -> int:
        return a + b

    def bump(v: int) -> None:
        state["total"] = state["total"] + v

    for i in range(1, n + 1):
        x = add(i, 1)
        bump(x)
    return state["total"]


def py_recursion(n: int) -> int:
    def fib(k: int) -> int:
        if k < 2:
            return k
        return fib(k - 1) + fib(k - 2)

    return fib(n)


def py_arrays(n: int) -> int:
    a: list[int] = []
    for i in range(n):
        a.append(i * 2)
    s = 0
    for v in a:
        s = s + v
    for i in range(0, n, 7):
        a[i] = a[i] + 1
    return s + a[n - 1]


def py_maps(n: int) -> int:
    m: dict[str, int] = {}
    for i in range(1, n + 1):
        m["k" + str(i % 1000)] = i
    s = 0
    for k in m:
        s = s + m[k]
    rec: dict[str, int] = {}
    for _ in range(1, n + 1):
        rec["count"] = rec.get("count", 0) + 1
    return s + rec["count"]


WORKLOADS = [
    Workload("loops", "s = 0\nFOR i = 1 TO {n}\n  s = s + i\nNEXT\nRETURN s", py_loops, 300_000),
    Workload("arithmetic", """
x = 0.0
FOR i = 1 TO {n}
  a = i * 3 + 7
  b = a MOD 11
  x = x + b * 0.5 - i / 4
NEXT
RETURN x""", py_arithmetic, 100_000),
    Workload("string building", """
parts = []
FOR i = 1 TO {n}
  PUSH parts, "item-" & i
NEXT
text = JOIN(parts, ",")
s = ""
FOR i = 1 TO {n} \\ 4
  w = "w" & i
  s = s & UCASE(LEFT(w, 2))
NEXT
RETURN LEN(UCASE(text)) + LEN(s)""", py_strings, 60_000),
    Workload("procedure calls", """
FUNCTION add(a, b)
  add = a + b
END FUNCTION
SUB bump(v)
  total = total + v
END SUB
total = 0
FOR i = 1 TO {n}
  x = add(i, 1)
  bump x
NEXT
RETURN total""", py_procedures, 50_000),
    Workload("recursion", """
FUNCTION fib(k)
  IF k < 2 THEN RETURN k
  RETURN fib(k - 1) + fib(k - 2)
END FUNCTION
RETURN fib({n})""", py_recursion, 20),
    Workload("arrays", """
a = []
FOR i = 0 TO {n} - 1
  PUSH a, i * 2
NEXT
s = 0
FOR EACH v IN a
  s = s + v
NEXT
FOR i = 0 TO {n} - 1 STEP 7
  a[i] = a[i] + 1
NEXT
RETURN s + a[{n} - 1]""", py_arrays, 100_000),
    Workload("maps", """
m = {{}}
FOR i = 1 TO {n}
  m["k" & (i MOD 1000)] = i
NEXT
s = 0
FOR EACH k IN m
  s = s + m[k]
NEXT
rec = {{}}
FOR i = 1 TO {n}
  rec.count = rec.count + 1
NEXT
RETURN s + rec.count""", py_maps, 60_000),
]


@dataclass
class Result:
    name: str
    steps: int
    seconds: float
    python_seconds: float

    @property
    def rate(self) -> float:
        return self.steps / self.seconds

    @property
    def ratio(self) -> float:
        return self.seconds / self.python_seconds


def run_once(program: Program) -> tuple[Any, int]:
    vm = VM(BenchHost(), UNLIMITED, seed=1)
    outcome = vm.start(program)
    if outcome.error is not None or outcome.waiting:
        raise RuntimeError(f"{program.name}: {outcome}")
    return outcome.result, vm.steps


def measure(workload: Workload, scale: float, repeat: int) -> Result:
    n = workload.size if workload.name == "recursion" else max(10, int(workload.size * scale))
    if workload.name == "recursion" and scale < 1:
        n -= 5
    program = compile_source(workload.basic.format(n=n), workload.name)
    if not program.ok:
        raise RuntimeError("\n".join(d.render(program.source) for d in program.errors))
    result, steps = run_once(program)
    expected = workload.python(n)
    if not math.isclose(float(result), float(expected), rel_tol=1e-9):
        raise RuntimeError(f"{workload.name}: BASIC gave {result}, Python {expected}")
    seconds, python_seconds = best_times([lambda: run_once(program),
                                          lambda: workload.python(n)], repeat)
    return Result(workload.name, steps, seconds, python_seconds)


# --- the front end ---------------------------------------------------------------------------

CHUNK = """\
' section {k}: a bit of everything
total_{k} = {k} * 2 + 1
name_{k} = "item " & total_{k}
IF total_{k} > 10 AND name_{k} <> "" THEN
  TALK "Big ${{name_{k}}} (${{total_{k}}})"
ELSEIF total_{k} = 3 THEN
  total_{k} += 1
ELSE
  TALK "small"
END IF
FOR i_{k} = 1 TO 3
  PUSH list_{k}, i_{k} * {k}
NEXT
SELECT CASE total_{k} MOD 3
  CASE 0
    kind_{k} = "zero"
  CASE 1, 2
    kind_{k} = "other"
END SELECT
WITH rec_{k}
  id = {k}
  .label = LCASE(name_{k})
END WITH
rows_{k} = FIND "orders", "total > {k} ORDER BY total DESC LIMIT 5"
SUB helper_{k}(a, b)
  RETURN
END SUB
FUNCTION calc_{k}(x)
  calc_{k} = x * {k} + LEN(STR(x))
END FUNCTION
helper_{k} total_{k}, calc_{k}(2)
"""


def generated_script(lines: int) -> str:
    per_chunk = CHUNK.count("\n")
    return "".join(CHUNK.format(k=k) for k in range(lines // per_chunk + 1))


def front_end(lines: int, repeat: int) -> dict[str, Any]:
    source = generated_script(lines)
    count = source.count("\n")
    program = compile_source(source, "large")
    if not program.ok:
        raise RuntimeError(program.errors[0].render(source))
    seconds = best_time(lambda: compile_source(source, "large"), repeat)
    return {"lines": count, "seconds": seconds, "lines_per_second": count / seconds}


# --- main --------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the work")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--markdown", action="store_true", help="also print Markdown tables")
    args = parser.parse_args()
    scale = 0.1 if args.quick else 1.0

    started = time.perf_counter()
    results = [measure(w, scale, args.repeat) for w in WORKLOADS]
    compiled = front_end(int(20_000 * scale), args.repeat)

    headers = ["workload", "statements", "seconds", "statements/s", "Python s", "BASIC/Python"]
    rows = [[r.name, r.steps, r.seconds, r.rate, r.python_seconds, r.ratio] for r in results]
    total_steps = sum(r.steps for r in results)
    total_seconds = sum(r.seconds for r in results)
    geo_ratio = math.exp(sum(math.log(r.ratio) for r in results) / len(results))
    rows.append(["all (sum; geometric mean ratio)", total_steps, total_seconds,
                 total_steps / total_seconds, sum(r.python_seconds for r in results), geo_ratio])
    print(table(headers, rows))
    print(f"\nparse + compile: {compiled['lines']:,} lines in {compiled['seconds']:.3f} s = "
          f"{compiled['lines_per_second']:,.0f} lines/s")
    simple_rate = results[0].rate
    worst = max(results, key=lambda r: r.ratio)
    checks = {
        "statements_per_second": (simple_rate >= TARGET_STATEMENTS_PER_SECOND,
                                  f"{simple_rate:,.0f} simple statements/s (loops) "
                                  f"vs ≥ {TARGET_STATEMENTS_PER_SECOND:,}"),
        "within_10x_of_python": (worst.ratio <= TARGET_RATIO,
                                 f"worst ratio {worst.ratio:.1f}× ({worst.name}), geometric "
                                 f"mean {geo_ratio:.1f}× vs ≤ {TARGET_RATIO:.0f}×"),
        "lines_per_second": (compiled["lines_per_second"] >= TARGET_LINES_PER_SECOND,
                             f"{compiled['lines_per_second']:,.0f} lines/s vs "
                             f"≥ {TARGET_LINES_PER_SECOND:,}"),
    }
    print()
    for name, (met, detail) in checks.items():
        print(f"{'met   ' if met else 'MISSED'} {name}: {detail}")
    if args.markdown:
        print("\n" + markdown_table(headers, rows))
    path = write_json("basic", {
        "quick": args.quick, "repeat": args.repeat,
        "workloads": [{"name": r.name, "statements": r.steps, "seconds": r.seconds,
                       "statements_per_second": r.rate, "python_seconds": r.python_seconds,
                       "ratio": r.ratio} for r in results],
        "geometric_mean_ratio": geo_ratio,
        "front_end": compiled,
        "targets": {name: {"met": met, "detail": detail}
                    for name, (met, detail) in checks.items()},
        "wall_seconds": time.perf_counter() - started,
    })
    print(f"\nwrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
