"""Defect 7 (knowledge base): ``kb ingest`` on a full disk said "cannot rollback", hiding
SQLITE_FULL. On a real, small tmpfs holding the index: the error is :class:`DiskFull` (the
CLI says "disk full"), no document is half-committed, and a re-run after space is freed
completes without duplicates."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cli import main
from engine.kb import HashingEmbedder, KnowledgeBase
from engine.kb.index import connect
from engine.kb.longdoc import LONG_DOCUMENT_BYTES
from engine.storage.errors import DiskFull
from tests.conftest import require_service
from tests.engine.kb.conftest import model_dir
from tests.reliability.test_kb_bad_input import write_text

DOCUMENTS = 150
TMPFS_MB = 24
FILLER_MB = 21


def _mount(mount_point: Path, size_mb: int, filler_mb: int) -> Iterator[Path]:
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m", "tmpfs",
                              str(mount_point)], capture_output=True, text=True, check=False)
    if mounted.returncode != 0:
        require_service("tmpfs", f"cannot mount a tmpfs: {mounted.stderr.strip()}")
    try:
        (mount_point / "filler").write_bytes(bytes(filler_mb * 1024 * 1024))
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 24 MB tmpfs, 21 MB of it taken by a filler file (delete it to free space)."""
    yield from _mount(tmp_path / "small-disk", TMPFS_MB, FILLER_MB)


@pytest.fixture
def roomier_disk(tmp_path: Path) -> Iterator[Path]:
    """A 64 MB tmpfs, 56 MB of it taken by a filler file."""
    yield from _mount(tmp_path / "roomier-disk", 64, 56)


def _corpus(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for i in range(DOCUMENTS):
        (folder / f"doc{i:03}.txt").write_text("\n\n".join(
            f"Document {i} part {j}: the router {i * 7 + j} needs firmware {j}. " * 6
            for j in range(8)))
    return folder


def _state(index: Path) -> dict[str, object]:
    conn = connect(index, readonly=True)
    try:
        mismatched = conn.execute(
            "SELECT count(*) FROM documents d WHERE d.chunks != "
            "(SELECT count(*) FROM chunks c WHERE c.document_id = d.id)").fetchone()[0]
        return {
            "integrity": conn.execute("PRAGMA integrity_check").fetchone()[0],
            "documents": conn.execute("SELECT count(*) FROM documents").fetchone()[0],
            "chunks": conn.execute("SELECT count(*) FROM chunks").fetchone()[0],
            "vectors": conn.execute("SELECT count(*) FROM chunks_vec").fetchone()[0],
            "fts": conn.execute("SELECT count(*) FROM chunks_fts").fetchone()[0],
            "half_committed": mismatched + conn.execute(
                "SELECT count(*) FROM partial").fetchone()[0],
            "duplicates": conn.execute(
                "SELECT count(*) - count(DISTINCT document_id || ':' || ordinal) FROM chunks"
            ).fetchone()[0],
        }
    finally:
        conn.close()


def _ingest(folder: Path, root: Path) -> tuple[int, int]:
    embedder = HashingEmbedder()

    async def run() -> tuple[int, int]:
        async with KnowledgeBase(root, embedder) as kb:
            report = await kb.ingest(folder)
            return len(report.indexed), report.unchanged

    try:
        return asyncio.run(asyncio.wait_for(run(), 120))
    finally:
        embedder.close()


def test_disk_full_is_said_plainly_and_the_index_stays_consistent(small_disk: Path,
                                                                  tmp_path: Path) -> None:
    folder = _corpus(tmp_path / "docs")
    root = small_disk / "kb"

    with pytest.raises(DiskFull, match="disk full"):
        _ingest(folder, root)

    index = root / "docs.sqlite"
    stopped = _state(index)
    assert stopped["integrity"] == "ok"
    assert stopped["half_committed"] == 0 and stopped["duplicates"] == 0
    assert 0 < int(str(stopped["documents"])) < DOCUMENTS

    (small_disk / "filler").unlink()  # free space, then run again
    indexed, unchanged = _ingest(folder, root)
    assert unchanged == stopped["documents"] and indexed + unchanged == DOCUMENTS

    _ingest(folder, tmp_path / "fresh")
    final, fresh = _state(index), _state(tmp_path / "fresh" / "docs.sqlite")
    assert final == fresh
    assert final["chunks"] == final["vectors"] == final["fts"]


def test_a_long_document_stopped_by_a_full_disk_resumes(roomier_disk: Path,
                                                        tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    write_text(folder / "long.txt", LONG_DOCUMENT_BYTES + 500_000)
    root = roomier_disk / "kb"

    with pytest.raises(DiskFull):
        _ingest(folder, root)

    stopped = _state(root / "docs.sqlite")
    assert stopped["integrity"] == "ok" and stopped["duplicates"] == 0
    assert stopped["documents"] == 1 and int(str(stopped["chunks"])) > 0
    assert stopped["half_committed"] == 1  # marked partial: the next run resumes it

    (roomier_disk / "filler").unlink()
    assert _ingest(folder, root) == (1, 0)
    _ingest(folder, tmp_path / "fresh")
    assert _state(root / "docs.sqlite") == _state(tmp_path / "fresh" / "docs.sqlite")


def test_cli_says_disk_full(small_disk: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                            capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    for name in ("a", "b", "c"):  # few chunks: MiniLM embeds about 5 a second on 2 busy cores
        (folder / f"{name}.txt").write_text(f"Note {name}: the router needs new firmware.")
    (small_disk / "more").write_bytes(bytes(2_600_000))  # room for the schema, not the chunks
    monkeypatch.setenv("HEARTH_HOME", str(small_disk / "home"))

    assert main(["kb", "ingest", str(folder), "--model-dir", str(model_dir())]) == 1

    err = capsys.readouterr().err
    assert "hearth: disk full: free some space and try again" in err
    assert "rollback" not in err and "Traceback" not in err
    assert os.path.isdir(small_disk / "home")
