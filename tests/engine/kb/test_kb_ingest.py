"""Ingestion is incremental, reports broken files without stopping, and tells its progress."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import kb_documents as documents

from engine.kb import HashingEmbedder, IngestEvent, IngestEventKind, KnowledgeBase
from engine.kb.progress import IngestReport


def _write(folder: Path, name: str, data: bytes | str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _ingest(kb_root: Path, folder: Path, embedder: HashingEmbedder,
            events: list[IngestEvent] | None = None) -> IngestReport:
    async def run() -> IngestReport:
        async with KnowledgeBase(kb_root, embedder) as kb:
            return await kb.ingest(folder, events.append if events is not None else None)

    return asyncio.run(run())


def test_incremental_ingestion(tmp_path: Path, hashing: HashingEmbedder) -> None:
    folder = tmp_path / "manuals"
    _write(folder, "a.md", "# A\n\nAlpha text.")
    _write(folder, "sub/b.txt", "Beta text.")
    _write(folder, "c.txt", "Gamma text.")
    first = _ingest(tmp_path / "kb", folder, hashing)
    assert sorted(first.indexed) == ["a.md", "c.txt", "sub/b.txt"]
    assert first.documents == 3 and first.chunks == 3

    second = _ingest(tmp_path / "kb", folder, hashing)
    assert second.indexed == () and second.unchanged == 3 and second.chunks == 0

    _write(folder, "a.md", "# A\n\nAlpha text, revised.")
    (folder / "c.txt").unlink()
    touched = folder / "sub/b.txt"
    os.utime(touched, ns=(touched.stat().st_atime_ns, touched.stat().st_mtime_ns + 10**9))
    third = _ingest(tmp_path / "kb", folder, hashing)
    assert third.indexed == ("a.md",)
    assert third.removed == ("c.txt",)
    assert third.unchanged == 1  # b.txt: new mtime, same content hash
    assert third.documents == 2


def test_broken_files_are_reported_and_the_rest_indexed(tmp_path: Path,
                                                        hashing: HashingEmbedder) -> None:
    folder = tmp_path / "docs"
    _write(folder, "good.pdf", documents.pdf([[("Good content here.", 11)]]))
    _write(folder, "corrupt.pdf", b"%PDF-1.4\n" + b"\x00not really a pdf" * 20)
    _write(folder, "locked.pdf", documents.pdf([[("Secret", 11)]], password="pw"))
    _write(folder, "notes.txt", "Plain notes.")
    _write(folder, "movie.mp4", b"\x00\x01")
    events: list[IngestEvent] = []
    report = _ingest(tmp_path / "kb", folder, hashing, events)
    assert sorted(report.indexed) == ["good.pdf", "notes.txt"]
    reasons = {f.source: f.reason for f in report.failed}
    assert set(reasons) == {"corrupt.pdf", "locked.pdf"}
    assert "password-protected" in reasons["locked.pdf"]
    assert "not a valid PDF" in reasons["corrupt.pdf"]
    assert report.unsupported == ("movie.mp4",)
    failed = [e for e in events if e.kind is IngestEventKind.DOCUMENT_FAILED]
    assert {e.source for e in failed} == {"corrupt.pdf", "locked.pdf"}
    assert all(e.error for e in failed)
    # A broken file is retried on the next run (it may have been fixed meanwhile).
    _write(folder, "locked.pdf", documents.pdf([[("Unlocked now", 11)]]))
    again = _ingest(tmp_path / "kb", folder, hashing)
    assert "locked.pdf" in again.indexed


def test_progress_events_count_documents_and_chunks(tmp_path: Path,
                                                    hashing: HashingEmbedder) -> None:
    folder = tmp_path / "docs"
    for i in range(5):
        _write(folder, f"d{i}.txt", "\n\n".join(f"Paragraph {j} of doc {i}." * 30
                                                for j in range(4)))
    events: list[IngestEvent] = []
    report = _ingest(tmp_path / "kb", folder, hashing, events)
    kinds = [e.kind for e in events]
    assert kinds[0] is IngestEventKind.STARTED and kinds[-1] is IngestEventKind.FINISHED
    assert events[0].documents_total == 5 and events[0].documents_pending == 5
    indexed = [e for e in events if e.kind is IngestEventKind.DOCUMENT_INDEXED]
    assert [e.documents_done for e in indexed] == [1, 2, 3, 4, 5]
    assert sum(e.chunks for e in indexed) == report.chunks == events[-1].chunks_done
    assert any(e.kind is IngestEventKind.CHUNKS_EMBEDDED for e in events)


def test_events_as_an_async_iterator(tmp_path: Path, hashing: HashingEmbedder) -> None:
    folder = tmp_path / "docs"
    _write(folder, "a.txt", "Some text.")

    async def run() -> list[IngestEventKind]:
        async with KnowledgeBase(tmp_path / "kb", hashing) as kb:
            return [event.kind async for event in kb.ingest_events(folder)]

    kinds = asyncio.run(run())
    assert kinds[0] is IngestEventKind.STARTED and kinds[-1] is IngestEventKind.FINISHED
    assert IngestEventKind.DOCUMENT_INDEXED in kinds


def test_gbkb_package_collections(tmp_path: Path, hashing: HashingEmbedder) -> None:
    gbkb = tmp_path / "bot.gbai" / "bot.gbkb"
    _write(gbkb, "faq.md", "# FAQ\n\nRoot collection file.")
    _write(gbkb, "manuals/router.md", "# Router\n\nReset with the pin.")
    _write(gbkb, ".hidden/x.md", "ignored")

    async def run() -> tuple[list[IngestReport], list[str]]:
        async with KnowledgeBase(tmp_path / "kb", hashing) as kb:
            return await kb.ingest_package(gbkb), kb.collections()

    reports, collections = asyncio.run(run())
    assert [(r.collection, r.indexed) for r in reports] == [
        ("bot.gbkb", ("faq.md",)), ("manuals", ("router.md",))]
    assert sorted(collections) == ["bot.gbkb", "manuals"]


def test_changed_chunking_rebuilds(tmp_path: Path, hashing: HashingEmbedder) -> None:
    from engine.kb import ChunkingOptions, KbOptions

    folder = tmp_path / "docs"
    _write(folder, "a.txt", "Some text. " * 200)

    async def run(options: KbOptions) -> IngestReport:
        async with KnowledgeBase(tmp_path / "kb", hashing, options) as kb:
            return await kb.ingest(folder)

    first = asyncio.run(run(KbOptions()))
    second = asyncio.run(run(KbOptions(chunking=ChunkingOptions(size=300, overlap=50))))
    assert not first.rebuilt and second.rebuilt
    assert second.indexed == ("a.txt",) and second.chunks > first.chunks


def test_package_without_root_files_has_no_root_collection(tmp_path: Path,
                                                           hashing: HashingEmbedder) -> None:
    gbkb = tmp_path / "bot.gbkb"
    _write(gbkb, "only/one.md", "Text.")

    async def run() -> list[str]:
        async with KnowledgeBase(tmp_path / "kb", hashing) as kb:
            return [r.collection for r in await kb.ingest_package(gbkb)]

    assert asyncio.run(run()) == ["only"]
