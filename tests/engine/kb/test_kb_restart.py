"""A SIGKILL in the middle of an ingestion loses nothing and duplicates nothing."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from engine.kb import HashingEmbedder, KnowledgeBase
from engine.kb.index import connect
from engine.kb.knowledge import file_safe

WORKER = Path(__file__).with_name("kb_ingest_worker.py")
REPO = Path(__file__).resolve().parents[3]
DOCUMENTS = 24


def _make_folder(folder: Path) -> None:
    folder.mkdir(parents=True)
    for i in range(DOCUMENTS):
        paragraphs = [f"Document {i} paragraph {j}. " + "Filler sentence here. " * 12
                      for j in range(6)]
        (folder / f"doc{i:02}.txt").write_text("\n\n".join(paragraphs))


def _table_counts(index: Path) -> dict[str, int]:
    conn = connect(index)
    try:
        counts = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                  for table in ("documents", "chunks", "chunks_vec", "chunks_fts")}
        counts["declared"] = conn.execute("SELECT sum(chunks) FROM documents").fetchone()[0]
        counts["distinct"] = conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT document_id, ordinal FROM chunks)"
        ).fetchone()[0]
        return counts
    finally:
        conn.close()


def test_sigkill_mid_ingest_then_resume(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    _make_folder(folder)
    root = tmp_path / "kb"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    worker = subprocess.Popen([sys.executable, str(WORKER), str(folder), str(root)],
                              stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
    assert worker.stdout is not None
    committed = []
    for line in worker.stdout:
        committed.append(line.split()[1])
        if len(committed) == DOCUMENTS // 3:
            break
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    assert len(committed) < DOCUMENTS

    index = root / f"{file_safe('docs')}.sqlite"
    partial = _table_counts(index)
    assert partial["documents"] >= len(committed)
    assert partial["documents"] < DOCUMENTS

    embedder = HashingEmbedder(batch_size=4)

    async def resume() -> tuple[tuple[str, ...], int]:
        async with KnowledgeBase(root, embedder) as kb:
            report = await kb.ingest(folder)
            return report.indexed, report.unchanged

    indexed, unchanged = asyncio.run(resume())
    assert unchanged == partial["documents"]
    assert not set(indexed) & set(committed)
    assert len(indexed) + unchanged == DOCUMENTS

    final = _table_counts(index)
    assert final["documents"] == DOCUMENTS
    assert final["chunks"] == final["chunks_vec"] == final["chunks_fts"] == final["declared"] \
        == final["distinct"]

    fresh_root = tmp_path / "fresh"

    async def fresh() -> int:
        async with KnowledgeBase(fresh_root, embedder) as kb:
            return (await kb.ingest(folder)).chunks

    assert final["chunks"] == asyncio.run(fresh())
    embedder.close()
