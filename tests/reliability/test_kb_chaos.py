"""Chaos: an ingestion SIGKILLed at random points, again and again, then let finish.

The worker (``kb_ingest_worker.py``) is a real process ingesting a generated corpus of a few
hundred small documents. It is killed at least :data:`KILLS` times, each time after a random
number of its commits plus a random delay (so kills land before, between and inside
transactions, during start-up and schema creation too), restarted, and finally allowed to
finish. Then ``PRAGMA integrity_check`` must be ok, and every document must be indexed
exactly once: no duplicated chunk, no partial document, and the counts equal those of a clean
ingestion of the same folder.

The embedder is the hashing one, slowed down to 20 ms per batch of 8 chunks so that the
ingestion lasts long enough to be killed 20+ times before it completes. Not MiniLM:
loading it takes about 4 s per start on the 2-core CI machine, so 20+ restarts would blow the
time budget, and the code being killed (scan,
extraction, batching, SQLite transactions) is the same whatever computes the vectors.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from engine.kb.index import connect
from tests.reliability.test_kb_bad_input import counts

WORKER = Path(__file__).with_name("kb_ingest_worker.py")
REPO = Path(__file__).resolve().parents[2]
DOCUMENTS = 300
KILLS = 24
TIME_BUDGET = 60.0


def _corpus(folder: Path, rng: random.Random) -> None:
    folder.mkdir(parents=True)
    topics = ["router", "modem", "cable", "firmware", "light", "port", "password", "battery",
              "screen"]
    for i in range(DOCUMENTS):
        paragraphs = [f"Document {i}, section {j}: " + " ".join(
            f"The {rng.choice(topics)} number {rng.randint(0, 999)} needs care."
            for _ in range(rng.randint(4, 30))) for j in range(rng.randint(1, 5))]
        (folder / f"doc{i:03}.md").write_text(f"# Note {i}\n\n" + "\n\n".join(paragraphs))


def _start(folder: Path, root: Path, embedder: str = "slow-hashing") -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, str(WORKER), str(folder), str(root), embedder],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env=env, cwd=REPO)


def _finish(folder: Path, root: Path) -> int:
    worker = _start(folder, root, "hashing")
    out, _ = worker.communicate(timeout=120)
    assert worker.returncode == 0, out
    return int(out.strip().splitlines()[-1].split()[1])


def _passages(index: Path) -> list[tuple[str, int, str]]:
    conn = connect(index, readonly=True)
    try:
        return sorted(conn.execute("SELECT d.source, c.ordinal, c.text FROM chunks c "
                                   "JOIN documents d ON d.id = c.document_id"))
    finally:
        conn.close()


def test_sigkill_loop_during_ingest_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    seed = int(os.environ.get("HEARTH_CHAOS_SEED") or time.time())
    rng = random.Random(seed)
    folder, root = tmp_path / "docs", tmp_path / "kb"
    _corpus(folder, rng)
    began = time.monotonic()
    kills = commits_seen = 0
    while kills < KILLS and time.monotonic() - began < TIME_BUDGET:
        worker = _start(folder, root)
        assert worker.stdout is not None
        wanted = rng.randint(0, 12)
        if wanted:  # after that many commits (and a few milliseconds more)
            for line in worker.stdout:
                commits_seen += line.startswith("indexed")
                wanted -= 1
                if not wanted:
                    break
            time.sleep(rng.uniform(0.0, 0.03))
        else:  # during start-up, the folder scan, schema creation or the first batch
            time.sleep(rng.uniform(0.1, 1.2))
        if worker.poll() is not None:  # it finished before the kill: start over
            worker.wait()
            continue
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)
        assert worker.returncode == -signal.SIGKILL
        kills += 1
    assert kills >= 20, f"only {kills} kills in {TIME_BUDGET} s (seed {seed})"

    last_run_chunks = _finish(folder, root)
    fresh_chunks = _finish(folder, tmp_path / "fresh")
    survived, clean = counts(root / "docs.sqlite"), counts(tmp_path / "fresh" / "docs.sqlite")
    print(f"kb chaos: {kills} kills survived (seed {seed}), {commits_seen} commits seen "
          f"before kills, last run embedded {last_run_chunks} of {fresh_chunks} chunks; "
          f"final {survived}")
    assert survived["integrity"], f"seed {seed}"
    assert survived == clean, f"seed {seed}"
    assert survived["documents"] == DOCUMENTS and survived["partial"] == 0
    assert _passages(root / "docs.sqlite") == _passages(tmp_path / "fresh" / "docs.sqlite")
    assert survived["chunks"] == survived["distinct"] == survived["chunks_vec"] \
        == survived["chunks_fts"] == survived["declared"] == fresh_chunks
