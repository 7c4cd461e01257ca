"""KnowledgeController on the real KnowledgeBase with the helpdesk template's .gbkb: document
states, ingestion progress, dropped files, and the playground's per-retriever scores.

The embedder is the engine's deterministic HashingEmbedder (the MiniLM model is a download);
the real model is exercised by the engine's own KB tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.api import Engine
from engine.kb.embedders import HashingEmbedder
from tests.ui.conftest import LoopRunner
from ui.controllers.knowledge import KnowledgeController


@pytest.fixture
def knowledge(aloop: LoopRunner, engine: Engine, hearth_home: Path) -> KnowledgeController:
    engine.new_bot("desk", "helpdesk")
    controller = KnowledgeController(engine, hearth_home / "work", HashingEmbedder)
    aloop.run(controller.open_bot("desk"))
    yield controller
    aloop.run(controller.aclose())


def test_collections_and_documents_before_indexing(knowledge: KnowledgeController) -> None:
    assert [r.name for r in knowledge.collections.rows] == ["troubleshooting"]
    assert knowledge.collections.cell(0, 1) == "0 of 5"
    statuses = {d.source: d.status for d in knowledge.documents.rows}
    assert statuses["vpn.md"] == "not indexed"
    assert len(statuses) == 5


def test_ingest_reports_progress_and_marks_documents(aloop: LoopRunner,
                                                     knowledge: KnowledgeController) -> None:
    progress: list[tuple[int, int, str]] = []
    knowledge.progress.connect(lambda done, total, text: progress.append((done, total, text)))
    aloop.run(knowledge.run_ingest())
    assert progress and progress[-1][0] == progress[-1][1] == 5
    assert "troubleshooting: 5 of 5 documents" in progress[-1][2]
    assert {d.status for d in knowledge.documents.rows} == {"indexed"}
    assert all(d.chunks > 0 for d in knowledge.documents.rows)
    assert knowledge.collections.cell(0, 1) == "5 of 5"


def test_search_shows_bm25_dense_and_fused_scores(aloop: LoopRunner,
                                                  knowledge: KnowledgeController) -> None:
    aloop.run(knowledge.run_ingest())
    hits = aloop.run(knowledge.search("VPN connection drops", "hybrid"))
    assert hits and hits[0].source == "vpn.md"
    assert knowledge.hits.cell(0, 0).startswith("vpn.md")
    assert knowledge.hits.cell(0, 1) != "—" and knowledge.hits.cell(0, 2) != "—"
    bm25_only = aloop.run(knowledge.search("VPN", "bm25"))
    assert bm25_only and bm25_only[0].bm25 is not None


def test_dropped_files_are_copied_and_indexed(aloop: LoopRunner, knowledge: KnowledgeController,
                                              tmp_path: Path) -> None:
    extra = tmp_path / "coffee-machine.md"
    extra.write_text("# Coffee machine\nDescale the coffee machine every month.",
                     encoding="utf-8")
    aloop.run(knowledge.import_files([extra]))
    folder = knowledge.folder("troubleshooting")
    assert folder is not None and (folder / "coffee-machine.md").is_file()
    states = {d.source: d.status for d in knowledge.documents.rows}
    assert states["coffee-machine.md"] == "indexed"
    hits = aloop.run(knowledge.search("descale coffee", "hybrid"))
    assert hits[0].source == "coffee-machine.md"


def test_a_changed_document_is_flagged(aloop: LoopRunner, knowledge: KnowledgeController) -> None:
    aloop.run(knowledge.run_ingest())
    folder = knowledge.folder("troubleshooting")
    assert folder is not None
    (folder / "vpn.md").write_text("# VPN\nNew content about tunnels.", encoding="utf-8")
    aloop.run(knowledge.refresh())
    states = {d.source: d.status for d in knowledge.documents.rows}
    assert states["vpn.md"] == "changed"


def test_missing_embeddings_model_is_a_sentence_with_a_fix(aloop: LoopRunner, engine: Engine,
                                                           hearth_home: Path) -> None:
    from ui.services.knowledge import minilm_factory

    controller = KnowledgeController(engine, hearth_home / "work",
                                     minilm_factory(hearth_home / "models"))
    errors: list[str] = []
    controller.error.connect(errors.append)
    aloop.run(controller.open_bot("starter"))
    assert errors and "Settings → Models" in errors[0]
    aloop.run(controller.aclose())
