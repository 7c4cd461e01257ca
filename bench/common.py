"""Small helpers shared by the benchmarks: timing, a text table, JSON results.

Each benchmark prints a table and writes its figures to ``bench/results/<name>.json`` with a
description of the machine, so a later run can be compared with an earlier one.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def cpu_time(run: Callable[[], object]) -> float:
    """The CPU seconds one call of ``run`` takes (this process only, after a full collection).

    CPU time rather than wall time: the figure stays meaningful when other work shares the
    machine, which on a 2-core box is the common case.
    """
    gc.collect()
    started = time.process_time()
    run()
    return time.process_time() - started


def best_time(run: Callable[[], object], repeat: int = 5) -> float:
    """The fastest of ``repeat`` runs of ``run``, in CPU seconds (see :func:`cpu_time`)."""
    return min(cpu_time(run) for _ in range(repeat))


def best_times(runs: Sequence[Callable[[], object]], repeat: int = 5) -> list[float]:
    """The fastest of ``repeat`` rounds for each of ``runs``, interleaved round by round so
    that a change in the machine's load affects them alike."""
    best = [float("inf")] * len(runs)
    for _ in range(repeat):
        for index, run in enumerate(runs):
            best[index] = min(best[index], cpu_time(run))
    return best


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
    }


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table: text columns left-aligned, numbers right-aligned."""
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    numeric = [all(_is_number(row[i]) for row in rows) for i in range(len(headers))]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w)
                         for v, w, num in zip(values, widths, numeric)).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(list(headers)), rule, *(line(r) for r in cells)])


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    print(table(headers, rows))


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """The same table in Markdown (for docs/benchmarks.md)."""
    numeric = [all(_is_number(row[i]) for row in rows) for i in range(len(headers))]
    align = ["---:" if num else "---" for num in numeric]
    out = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    out += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return "\n".join(out)


def write_json(name: str, data: dict[str, Any]) -> Path:
    """Write ``data`` (plus the machine and the time) to ``bench/results/<name>.json``."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "measured_at": datetime.now(UTC).isoformat(
        timespec="seconds"), "machine": machine(), "argv": sys.argv[1:], **data}
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return path


def write_results(name: str, data: dict[str, Any]) -> Path:
    """Another name for :func:`write_json` (used by the earlier benchmarks)."""
    return write_json(name, data)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _cell(value: object) -> str:
    if isinstance(value, float):
        if value >= 100_000:
            return f"{value:,.0f}"
        if value >= 100:
            return f"{value:.0f}"
        if value >= 1:
            return f"{value:.2f}"
        return f"{value:.4f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)
