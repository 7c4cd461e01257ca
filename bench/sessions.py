"""Sessions benchmark: dialog turns per second through the engine with persistence on,
beside the raw SQLite insert rate in the same run; FIND with an indexed filter over
100,000 rows through the BASIC runtime, beside the same query on the raw connection.

Run: ``.venv/bin/python bench/sessions.py [--turns N] [--rows N]``
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

import sqlean

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import table, write_json
from engine.api import Engine, EngineConfig
from engine.basic.compiler import compile_source
from engine.basic.host import UnavailableServices
from engine.basic.query import IndexDecl
from engine.basic.vm import VM
from engine.bots.host import BotClock
from engine.data.sqlite_store import SqliteTableStore
from engine.events import TurnFinished
from engine.sessions.state import SessionState

ECHO = 'DO\n  HEAR message\n  TALK message\nLOOP\n'


def raw_inserts(folder: Path, count: int) -> float:
    """Single-row INSERTs, each its own transaction (what one persisted turn at least pays)."""
    conn = sqlean.connect(str(folder / "raw.db"), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, session TEXT, body TEXT)")
    started = time.perf_counter()
    for i in range(count):
        conn.execute("INSERT INTO t (session, body) VALUES (?, ?)", ("s", f"message {i}"))
    elapsed = time.perf_counter() - started
    conn.close()
    return count / elapsed


async def engine_turns(folder: Path, count: int) -> tuple[float, list[float]]:
    bot = folder / "bots" / "echo.gbai" / "echo.gbdialog"
    bot.mkdir(parents=True)
    (bot / "start.bas").write_text(ECHO)
    config = EngineConfig.under(folder, run_scheduler=False, watch_bots=False)
    async with Engine(config) as engine:
        state = await engine.open_session("echo", session_id="bench")
        latencies: list[float] = []
        async with engine.subscribe(state.id) as events:
            started = time.perf_counter()
            for i in range(count):
                begin = time.perf_counter()
                await engine.send(state.id, f"message {i}")
                async for event in events:
                    if isinstance(event, TurnFinished):
                        break
                latencies.append(time.perf_counter() - begin)
            elapsed = time.perf_counter() - started
        history = await engine.history(state.id)
        assert history[-1].content == f"message {count - 1}", "the turns were not persisted"
    return count / elapsed, latencies


class NullOutput:
    def talk(self, text: str) -> None: ...
    def suggest(self, suggestion: object) -> None: ...
    def clear_suggestions(self, switchers: bool = False) -> None: ...
    def log(self, text: str) -> None: ...
    def warn(self, text: str) -> None: ...


class BenchHost(UnavailableServices):
    """Only the data service: what FIND needs."""

    def __init__(self, store: object) -> None:
        self.config: dict[str, str] = {}
        self.data = store  # type: ignore[assignment]
        self.session = SessionState("bench", "bench")
        self.clock = BotClock()
        self.output = NullOutput()


FIND = ('PARAM who AS STRING\n'
        'rows = FIND "orders", "customer = \'" + who + "\'"\n'
        'RETURN COUNT(rows)\n')


def find_latency(folder: Path, rows: int, queries: int) -> tuple[list[float], list[float]]:
    store = SqliteTableStore(folder / "tables.db")
    for i in range(rows):
        store.save("orders", {"customer": f"c{i % 5000}", "total": i % 997, "status": "open"})
    store.declare_index(IndexDecl("orders_customer", "orders", ("customer",)))
    program = compile_source(FIND, "find")
    host = BenchHost(store)
    engine_times = []
    for i in range(queries):
        begin = time.perf_counter()
        outcome = VM(host).start(program, {"who": f"c{(i * 37) % 5000}"})  # type: ignore[arg-type]
        engine_times.append(time.perf_counter() - begin)
        assert outcome.error is None and outcome.result == rows // 5000, outcome
    store.close()
    raw = sqlean.connect(str(folder / "tables.db"))
    raw_times = []
    for i in range(queries):
        begin = time.perf_counter()
        found = raw.execute("SELECT * FROM orders WHERE customer = ?",
                            (f"c{(i * 37) % 5000}",)).fetchall()
        raw_times.append(time.perf_counter() - begin)
        assert len(found) == rows // 5000
    raw.close()
    return engine_times, raw_times


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as tmp:
        folder = Path(tmp)
        raw_rate = raw_inserts(folder, args.turns * 3)
        turns_rate, latencies = asyncio.run(engine_turns(folder, args.turns))
        engine_find, raw_find = find_latency(folder, args.rows, args.queries)
    rows = [
        ["echo dialog turns/s (engine, persisted)", f"{turns_rate:,.0f}",
         f"p50 {statistics.median(latencies) * 1000:.2f} ms, "
         f"p99 {percentile(latencies, 0.99) * 1000:.2f} ms", "≥ 2,000"],
        ["raw SQLite single-row inserts/s", f"{raw_rate:,.0f}", "autocommit, WAL", ""],
        [f"FIND indexed filter, {args.rows:,} rows (BASIC)",
         f"p50 {statistics.median(engine_find) * 1000:.2f} ms",
         f"p99 {percentile(engine_find, 0.99) * 1000:.2f} ms", "p50 ≤ 5 ms"],
        ["same query, raw sqlean", f"p50 {statistics.median(raw_find) * 1000:.2f} ms",
         f"p99 {percentile(raw_find, 0.99) * 1000:.2f} ms", ""],
    ]
    print(table(["measure", "value", "detail", "target"], rows))
    write_json("sessions", {
        "turns_per_second": turns_rate, "turn_p50_ms": statistics.median(latencies) * 1000,
        "turn_p99_ms": percentile(latencies, 0.99) * 1000, "raw_inserts_per_second": raw_rate,
        "find_p50_ms": statistics.median(engine_find) * 1000,
        "find_p99_ms": percentile(engine_find, 0.99) * 1000,
        "raw_find_p50_ms": statistics.median(raw_find) * 1000, "rows": args.rows,
        "turns": args.turns,
    })


if __name__ == "__main__":
    main()
