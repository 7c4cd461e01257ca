"""Knowledge-base ingestion on bad input: a 50 MB ``.txt`` and a binary file named ``.md``.

Each case is ingested by a fresh worker process (``hearth``'s ordinary ``KnowledgeBase``
pipeline) whose wall time and peak RSS (``wait4``'s ``ru_maxrss``) are measured; a run that
reaches ``--limit`` seconds is killed, and what it had committed by then is counted from the
index. ``--tree DIR`` runs the workers on another checkout of the code (for example
``git archive <commit> | tar -x -C DIR``), which is how the before/after figures in
``docs/benchmarks.md`` were taken. Beside them, the embedder's raw rate on the same chunk
texts (no extraction, no SQLite) says how close ingestion gets to the model's own speed.

    .venv/bin/python bench/kb_bad_input.py [--embedder minilm|hashing] [--mb 50] [--limit 600]
                                           [--tree DIR] [--name kb_bad_input]

The corpus is generated (seeded) in a temporary folder and deleted afterwards. The MiniLM
model is taken from (or pulled into) ``$HEARTH_MODELS_CACHE``, else ``.cache/models``.
Writes ``bench/results/<name>.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
MODEL = "all-minilm-l6-v2"
WORDS = ["router", "reset", "password", "network", "cable", "light", "signal", "modem",
         "firmware", "update", "guide", "settings", "account", "wireless", "channel", "security",
         "port", "power", "restart", "factory", "support", "device", "manual", "warranty",
         "install", "screen", "battery", "charge", "button", "service"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--embedder", choices=["minilm", "hashing"], default="minilm")
    parser.add_argument("--mb", type=float, default=50.0, help="size of the large .txt")
    parser.add_argument("--binary-mb", type=float, default=1.5, help="size of the binary .md")
    parser.add_argument("--limit", type=float, default=600.0, help="seconds per run")
    parser.add_argument("--tree", type=Path, default=REPO, help="code to run the workers on")
    parser.add_argument("--name", default="kb_bad_input", help="results file name")
    parser.add_argument("--worker", nargs=3, metavar=("FOLDER", "ROOT", "EMBEDDER"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    sys.path.insert(0, str(REPO))
    from bench.common import machine, print_table, write_results

    with tempfile.TemporaryDirectory(prefix="hearth-bench-kb-") as scratch:
        base = Path(scratch)
        cases = {"50 MB .txt": make_text(base / "text", args.mb),
                 "binary .md": make_binary(base / "binary", args.binary_mb)}
        rows: list[dict[str, Any]] = []
        for name, folder in cases.items():
            result = run_case(folder, base / f"kb-{len(rows)}", args)
            rows.append({"case": name, "bytes": sum(p.stat().st_size for p in
                                                    folder.iterdir()), **result})
            print(f"{name}: {result}", file=sys.stderr, flush=True)
        raw = raw_rate(cases["50 MB .txt"], args.embedder)
    headers = ["case", "seconds", "peak RSS MB", "finished", "chunks committed", "chunks/s",
               "failed"]
    print_table(headers, [[r["case"], r["seconds"], r["peak_rss_mb"], r["finished"],
                           r["chunks"], r["chunks_per_second"], "; ".join(r["failed"])]
                          for r in rows])
    print(f"raw embedder ({args.embedder}): {raw:.1f} chunks/s")
    path = write_results(args.name, {"machine": machine(), "embedder": args.embedder,
                                     "tree": str(args.tree), "limit_seconds": args.limit,
                                     "cases": rows, "raw_embedder_chunks_per_second": raw})
    print(f"wrote {path}")


def make_text(folder: Path, megabytes: float) -> Path:
    """Paragraphs of random sentences, written in 1 MB pieces (never whole in memory)."""
    folder.mkdir(parents=True)
    rng = random.Random(7)
    target = int(megabytes * 1024 * 1024)
    with (folder / "big.txt").open("w", encoding="utf-8") as file:
        written = 0
        while written < target:
            piece = "\n\n".join(
                " ".join(" ".join(rng.choices(WORDS, k=rng.randint(6, 18))).capitalize() + "."
                         for _ in range(rng.randint(2, 6)))
                for _ in range(400))
            written += file.write(piece + "\n\n")
    return folder


def make_binary(folder: Path, megabytes: float) -> Path:
    folder.mkdir(parents=True)
    (folder / "photo.md").write_bytes(random.Random(11).randbytes(int(megabytes * 1024 * 1024)))
    return folder


def run_case(folder: Path, root: Path, args: argparse.Namespace) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(args.tree)}
    began = time.perf_counter()
    process = subprocess.Popen([sys.executable, __file__, "--worker", str(folder), str(root),
                                args.embedder], stdout=subprocess.PIPE, env=env,
                               cwd=args.tree)
    deadline = began + args.limit
    finished = True
    peak = 0.0
    done = os.wait4(process.pid, os.WNOHANG)
    while done[0] == 0 and time.perf_counter() < deadline:
        peak = max(peak, _peak_rss_mb(process.pid))
        time.sleep(0.2)
        done = os.wait4(process.pid, os.WNOHANG)
    if done[0] == 0:
        finished = False
        peak = max(peak, _peak_rss_mb(process.pid))
        process.send_signal(signal.SIGKILL)
        done = os.wait4(process.pid, 0)
    _, status, usage = done
    process.returncode = status
    seconds = time.perf_counter() - began
    peak = max(peak, usage.ru_maxrss / 1024)
    finished = finished and status == 0
    assert process.stdout is not None
    output = process.stdout.read().decode(errors="replace").strip()
    report = json.loads(output.splitlines()[-1]) if finished and output else {}
    chunks = _committed_chunks(root)
    return {"seconds": round(seconds, 1), "peak_rss_mb": round(peak), "finished": finished,
            "exit_status": status, "chunks": chunks,
            "chunks_per_second": round(chunks / seconds, 1) if seconds else 0.0,
            "failed": [f["reason"] for f in report.get("failed", [])]}


def _peak_rss_mb(pid: int) -> float:
    """VmHWM of a live process (ru_maxrss is only known once it is reaped)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _committed_chunks(root: Path) -> int:
    import sqlite3

    total = 0
    for index in root.glob("*.sqlite"):
        conn = sqlite3.connect(index)
        try:
            total += conn.execute("SELECT count(*) FROM chunks").fetchone()[0]
        except sqlite3.Error:  # no schema yet
            pass
        finally:
            conn.close()
    return total


def raw_rate(folder: Path, embedder_name: str, sample: int = 1024) -> float:
    """Chunks/s of the embedder alone on the first ``sample`` chunks of the large text."""
    from engine.kb.chunking import chunk_document
    from engine.kb.extract import extract

    with (folder / "big.txt").open("rb") as file:
        head = file.read(1024 * 1024)
    chunks = chunk_document(extract("big.txt", head[:head.rfind(b"\n\n")]))[:sample]
    texts = [chunk.indexed_text for chunk in chunks]
    embedder = _embedder(embedder_name)
    try:
        embedder.embed(texts[:64])  # warm-up
        began = time.perf_counter()
        embedder.embed(texts)
        return len(texts) / (time.perf_counter() - began)
    finally:
        embedder.close()


def _embedder(name: str) -> Any:
    from engine.kb import HashingEmbedder, MiniLmOnnxEmbedder
    from engine.llm.models import ModelManager

    if name == "hashing":
        return HashingEmbedder()
    cache = Path(os.environ.get("HEARTH_MODELS_CACHE") or REPO / ".cache" / "models")
    return MiniLmOnnxEmbedder(ModelManager(cache).ensure(MODEL).parent)


def worker(folder: str, root: str, embedder_name: str) -> None:
    """Ingest ``folder`` into ``root`` and print the report as JSON (the last line)."""
    from engine.kb import KnowledgeBase

    async def run() -> dict[str, Any]:
        embedder = _embedder(embedder_name)
        try:
            async with KnowledgeBase(Path(root), embedder) as kb:
                report = await kb.ingest(Path(folder))
                return report.to_json()
        finally:
            embedder.close()

    print(json.dumps(asyncio.run(run())), flush=True)


if __name__ == "__main__":
    main()
