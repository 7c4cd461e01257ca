"""Defect 5: knowledge-base ingestion followed links out of the package, making files such as
``/etc/passwd`` searchable. A link whose target leaves the collection folder is refused and
reported; the rest of the package is still indexed; a link cycle cannot hang the walk."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from app.cli import main
from engine.kb import (
    CollectionStats,
    HashingEmbedder,
    Hit,
    IngestReport,
    KbError,
    KnowledgeBase,
    SearchMode,
)
from engine.kb.sources import LINK_OUTSIDE
from tests.engine.kb.conftest import model_dir

SECRET = "hunter2-topsecret-credential"


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A bot package whose knowledge base links to a secret file and to folders outside."""
    outside = tmp_path / "outside"
    (outside / "nested").mkdir(parents=True)
    (outside / "secret.txt").write_text(f"the admin password is {SECRET}")
    (outside / "nested" / "more.md").write_text(f"# Vault\n\nbackup code {SECRET}")
    gbkb = tmp_path / "probe.gbai" / "probe.gbkb"
    (gbkb / "manuals" / "sub").mkdir(parents=True)
    (gbkb / "hours.md").write_text("# Hours\n\nWe open at nine and close at six.")
    os.symlink(outside / "secret.txt", gbkb / "secret.txt")
    os.symlink(outside, gbkb / "vault")  # a sub-folder "collection" that is a link out
    (gbkb / "manuals" / "router.txt").write_text("Hold the reset button for ten seconds.")
    os.symlink("../../../outside/secret.txt", gbkb / "manuals" / "leak.txt")  # relative
    os.symlink("/etc", gbkb / "manuals" / "etc")
    os.symlink("/etc/passwd", gbkb / "manuals" / "passwd.txt")
    os.symlink("..", gbkb / "manuals" / "sub" / "loop")  # a cycle inside the collection
    return tmp_path / "probe.gbai"


def test_engine_refuses_links_out_and_reports_them(package: Path, tmp_path: Path) -> None:
    embedder = HashingEmbedder()

    async def run() -> tuple[list[IngestReport], list[str], list[Hit], list[CollectionStats]]:
        async with KnowledgeBase(tmp_path / "kb", embedder) as kb:
            reports = await kb.ingest_package(package / "probe.gbkb")
            names = kb.collections()
            leaks = [await kb.search(names, query, 10, mode=SearchMode.BM25)
                     for query in (SECRET, "root", "password")]
            return reports, names, [hit for found in leaks for hit in found], await kb.stats()

    reports, names, hits, stats = asyncio.run(asyncio.wait_for(run(), 60))
    embedder.close()

    failed = {(r.collection, f.source): f.reason for r in reports for f in r.failed}
    assert failed == {("probe.gbkb", "secret.txt"): LINK_OUTSIDE,
                      ("probe.gbkb", "vault"): LINK_OUTSIDE,
                      ("manuals", "leak.txt"): LINK_OUTSIDE,
                      ("manuals", "etc"): LINK_OUTSIDE,
                      ("manuals", "passwd.txt"): LINK_OUTSIDE}
    assert sorted(names) == ["manuals", "probe.gbkb"]  # "vault" is no collection
    indexed = {(r.collection, s) for r in reports for s in r.indexed}
    assert indexed >= {("probe.gbkb", "hours.md"), ("manuals", "router.txt")}
    assert all(SECRET not in hit.text and "root:" not in hit.text for hit in hits)
    problems = {(c.name, source) for c in stats for source, _ in c.stats.problems}
    assert problems == set(failed)


def test_cli_ingest_and_stats_show_the_refusals(package: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    model = ["--model-dir", str(model_dir())]
    assert main(["kb", "ingest", str(package), *model]) == 1  # problems: a non-zero exit
    out = capsys.readouterr().out
    assert f"! passwd.txt: {LINK_OUTSIDE}" in out and f"! vault: {LINK_OUTSIDE}" in out
    assert "manuals: 1 indexed" in out

    assert main(["kb", "search", SECRET, "--mode", "bm25", "--json", *model]) == 0
    assert json.loads(capsys.readouterr().out)["hits"] == []

    assert main(["kb", "stats"]) == 0
    table = capsys.readouterr().out
    assert f"! etc: {LINK_OUTSIDE}" in table and f"! secret.txt: {LINK_OUTSIDE}" in table


def test_a_gbkb_folder_linking_out_of_its_package_is_refused(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bot = tmp_path / "evil.gbai"
    bot.mkdir()
    os.symlink("/etc", bot / "evil.gbkb")
    embedder = HashingEmbedder()

    async def run() -> list[IngestReport]:
        async with KnowledgeBase(tmp_path / "kb", embedder) as kb:
            return await kb.ingest_package(bot / "evil.gbkb")

    with pytest.raises(KbError, match="outside the bot package"):
        asyncio.run(run())
    embedder.close()
    assert not (tmp_path / "kb").exists() or not list((tmp_path / "kb").glob("*.sqlite"))

    assert main(["kb", "ingest", str(bot), "--model-dir", str(model_dir())]) == 1
    assert "evil.gbkb is a link to a place outside the bot package" in capsys.readouterr().err
