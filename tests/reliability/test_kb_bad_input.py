"""Defect 10: the knowledge base's cost on bad input.

A binary file named ``.md`` was indexed as 1,349 garbage chunks (408 s, 2.1 GB); a 50 MB
``.txt`` ran for more than 600 s at 2 GB with no progress and nothing committed. Now binary
content under a text extension is refused by sniffing, documents over ``kb-max-document-mb``
are reported, and a long text is read, embedded and committed in parts (bounded memory,
progress events, a killed run resumes without duplicates). ``bench/kb_bad_input.py`` has the
50 MB figures.
"""

from __future__ import annotations

import asyncio
import io
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from app.commands.kb import IngestProgress
from engine.kb import HashingEmbedder, IngestEvent, KbOptions, KnowledgeBase
from engine.kb.extract.sniff import BINARY_CONTENT
from engine.kb.index import connect
from engine.kb.knowledge import file_safe
from engine.kb.longdoc import LONG_DOCUMENT_BYTES, PART_CHUNKS

WORKER = Path(__file__).with_name("kb_ingest_worker.py")
REPO = Path(__file__).resolve().parents[2]
WORDS = ["router", "reset", "cable", "light", "modem", "update", "guide", "port", "power",
         "screen", "battery"]


def write_text(path: Path, size: int, seed: int = 3) -> None:
    """Paragraphs of random sentences, about ``size`` bytes."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as file:
        written = 0
        while written < size:
            sentences = (" ".join(rng.choices(WORDS, k=rng.randint(5, 14))).capitalize() + "."
                         for _ in range(rng.randint(2, 6)))
            written += file.write(" ".join(sentences) + "\n\n")


def ingest(folder: Path, root: Path, options: KbOptions | None = None,
           events: list[IngestEvent] | None = None) -> tuple[list[tuple[str, str]], int, float]:
    """(failures, chunks, seconds) of one ingestion with the hashing embedder."""
    embedder = HashingEmbedder()

    async def run() -> tuple[list[tuple[str, str]], int, float]:
        async with KnowledgeBase(root, embedder, options) as kb:
            report = await kb.ingest(folder, events.append if events is not None else None)
        return [(f.source, f.reason) for f in report.failed], report.chunks, report.seconds

    try:
        return asyncio.run(asyncio.wait_for(run(), 120))
    finally:
        embedder.close()


def counts(index: Path) -> dict[str, int]:
    conn = connect(index, readonly=True)
    try:
        found = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                 for table in ("documents", "chunks", "chunks_vec", "chunks_fts")}
        found["declared"] = conn.execute(
            "SELECT coalesce(sum(chunks), 0) FROM documents").fetchone()[0]
        found["distinct"] = conn.execute(
            "SELECT count(*) FROM (SELECT DISTINCT document_id, ordinal FROM chunks)"
        ).fetchone()[0]
        found["partial"] = conn.execute("SELECT count(*) FROM partial").fetchone()[0]
        found["integrity"] = conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return found
    finally:
        conn.close()


def test_binary_files_named_as_text_are_refused_quickly(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    rng = random.Random(5)
    (folder / "photo.md").write_bytes(rng.randbytes(1_500_000))
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + rng.randbytes(200_000))
    (folder / "dump.json").write_bytes(b"\x7fELF\x02\x01\x01" + bytes(4000) + rng.randbytes(9000))
    (folder / "notes.txt").write_bytes("Café crème: the menu. Ça coûte 3 €.\n".encode("cp1252"))
    (folder / "wide.txt").write_bytes("Hello from UTF-16 text.".encode("utf-16"))
    (folder / "guide.md").write_text("# Guide\n\nPress the \x1b[1mbold\x1b[0m button.")

    failures, chunks, seconds = ingest(folder, tmp_path / "kb")

    assert sorted(failures) == [("dump.json", BINARY_CONTENT), ("image.txt", BINARY_CONTENT),
                                ("photo.md", BINARY_CONTENT)]
    assert chunks == 3  # one per real text file
    assert seconds < 10


def test_documents_over_the_size_cap_are_reported(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    write_text(folder / "big.txt", 600_000)
    write_text(folder / "small.txt", 2_000)
    options = KbOptions.from_config({"kb-max-document-mb": "0.5"})

    failures, _, _ = ingest(folder, tmp_path / "kb", options)

    assert failures == [("big.txt", "0.6 MB, over the 0.5 MB limit per document "
                                    "(kb-max-document-mb), not indexed")]
    assert counts(tmp_path / "kb" / "docs.sqlite")["documents"] == 1


def test_a_long_text_commits_in_parts_and_resumes_after_sigkill(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    write_text(folder / "long.txt", LONG_DOCUMENT_BYTES + 1_500_000)
    root = tmp_path / "kb"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    worker = subprocess.Popen([sys.executable, str(WORKER), str(folder), str(root), "hashing"],
                              stdout=subprocess.PIPE, text=True, env=env, cwd=REPO)
    assert worker.stdout is not None
    committed = 0
    began = time.monotonic()
    for line in worker.stdout:  # before the fix: no line until the whole file is done
        if line.startswith("progress"):
            committed = int(line.split()[2])
            if committed >= 3 * PART_CHUNKS:
                break
        assert time.monotonic() - began < 120, "no progress from a long document"
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    index = root / f"{file_safe('docs')}.sqlite"
    killed = counts(index)
    assert killed["integrity"] and killed["partial"] == 1
    assert killed["chunks"] >= committed and killed["chunks"] % PART_CHUNKS == 0

    events: list[IngestEvent] = []
    failures, resumed_chunks, _ = ingest(folder, root, events=events)
    final = counts(index)

    fresh_failures, fresh_chunks, _ = ingest(folder, tmp_path / "fresh")
    assert failures == fresh_failures == []
    assert resumed_chunks == fresh_chunks - killed["chunks"]  # nothing embedded twice
    assert final["partial"] == 0 and final["documents"] == 1 and final["integrity"]
    assert final["chunks"] == final["chunks_vec"] == final["chunks_fts"] == final["declared"] \
        == final["distinct"] == fresh_chunks
    assert sum(e.kind.value == "document-progress" for e in events) >= 2


def test_cli_progress_shows_a_long_document_moving(tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    write_text(folder / "long.txt", LONG_DOCUMENT_BYTES + 200_000)
    stream = io.StringIO()
    bar = IngestProgress(stream)
    events: list[IngestEvent] = []
    ingest(folder, tmp_path / "kb", events=events)
    for event in events:
        bar(event)

    parts = [e for e in events if e.kind.value == "document-progress"]
    assert len(parts) >= 2 and parts[-1].chunks > parts[0].chunks
    assert f"docs/long.txt: {parts[0].chunks} chunks indexed" in stream.getvalue()
