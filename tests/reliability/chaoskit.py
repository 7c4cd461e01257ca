"""Shared pieces of the SIGKILL chaos tests: killing at a random moment, checking files,
and reporting the figures quoted in ``docs/reliability.md``.

Set ``HEARTH_RELIABILITY_FIGURES=/path/file.jsonl`` to collect each test's figures as one
JSON line; they are printed in any case (``pytest -s`` shows them).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
from pathlib import Path
from typing import Any

import sqlean

REPO = Path(__file__).resolve().parents[2]
FIGURES_ENV = "HEARTH_RELIABILITY_FIGURES"


def integrity(path: Path) -> str:
    """``PRAGMA integrity_check`` of a database file ("ok" when sound)."""
    conn = sqlean.connect(str(path))
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def item_counts(home: Path) -> dict[str, int]:
    """Rows per ``name`` in the ``items`` table of the bot ``shop`` under ``home``: a turn
    that saves three rows and half-happened shows as 1 or 2."""
    conn = sqlean.connect(str(home / "work" / "shop" / "tables.db"))
    try:
        rows = conn.execute("SELECT name, COUNT(*) FROM items GROUP BY name").fetchall()
        return {str(name): int(count) for name, count in rows}
    finally:
        conn.close()


def check_files(*paths: Path) -> None:
    for path in paths:
        if path.exists():
            assert integrity(path) == "ok", path


def kill_later(process: subprocess.Popen[Any], low: float, high: float,
               rng: random.Random) -> threading.Timer:
    """SIGKILL ``process`` after a random delay in ``[low, high]`` seconds."""
    def kill() -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)

    timer = threading.Timer(rng.uniform(low, high), kill)
    timer.daemon = True
    timer.start()
    return timer


def report(name: str, **figures: Any) -> None:
    """Print the figures and, when asked, append them to the figures file."""
    line = json.dumps({"test": name, **figures}, sort_keys=True)
    print(f"\nFIGURES {line}")
    target = os.environ.get(FIGURES_ENV)
    if target:
        with open(target, "a", encoding="utf-8") as out:
            out.write(line + "\n")


def child_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), **extra}
