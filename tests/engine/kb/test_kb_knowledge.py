"""The KnowledgeBase facade end to end with the real embedder: PDFs cite their pages,
paraphrases are found, THINK KB has its BASIC shape."""

from __future__ import annotations

import asyncio
from pathlib import Path

import kb_documents as documents
import pytest

from engine.kb import KnowledgeBase, MiniLmOnnxEmbedder, ThinkResult, cite, context_block
from engine.kb.knowledge import CollectionStats
from engine.kb.search import Hit


@pytest.fixture
def manuals(tmp_path: Path) -> Path:
    folder = tmp_path / "bot.gbkb" / "manuals"
    folder.mkdir(parents=True)
    (folder / "router.pdf").write_bytes(documents.pdf([
        [("Getting started", 20), ("Plug the router into a power socket and wait for the "
                                   "green light.", 11)],
        [("Troubleshooting", 20), ("If the router stops working, restore its factory "
                                   "settings: press and hold the reset button on the back "
                                   "for ten seconds.", 11)],
    ]))
    (folder / "policy.docx").write_bytes(documents.docx([
        ("Refunds", "Heading1"),
        ("Customers may return a product within thirty days for a full refund.", None)]))
    return folder


def _run(root: Path, embedder: MiniLmOnnxEmbedder, folder: Path,
         question: str) -> tuple[list[Hit], ThinkResult, ThinkResult, list[CollectionStats]]:
    async def run() -> tuple[list[Hit], ThinkResult, ThinkResult, list[CollectionStats]]:
        async with KnowledgeBase(root, embedder) as kb:
            report = await kb.ingest(folder)
            assert not report.failed
            hits = await kb.search(["manuals"], question)
            think = await kb.think(question, ["manuals"])
            nothing = await kb.think(question, ["unknown"])
            return hits, think, nothing, await kb.stats()

    return asyncio.run(run())


def test_paraphrase_finds_the_right_page(tmp_path: Path, minilm: MiniLmOnnxEmbedder,
                                         manuals: Path) -> None:
    hits, think, nothing, stats = _run(tmp_path / "kb", minilm, manuals,
                                       "my router is broken, how do I get it back to defaults?")
    best = hits[0]
    assert (best.source, best.page, best.context) == ("router.pdf", 2, "Troubleshooting")
    assert best.dense is not None and best.dense > 0.3
    assert best.label == "router.pdf, page 2"

    value = think.to_value()
    assert set(value) == {"results", "summary", "confidence"}
    first = value["results"][0]  # type: ignore[index]
    assert first["source"] == "router.pdf, page 2"
    assert "reset" in first["content"]
    assert 0 < first["relevance"] <= 1 and 0 < value["confidence"] <= 1  # type: ignore[operator]
    assert nothing.to_value() == {"results": [], "summary": "", "confidence": 0}

    [collection] = stats
    assert (collection.name, collection.stats.documents) == ("manuals", 2)
    assert collection.stats.embedder == "all-minilm-l6-v2" and collection.stats.pages == 2

    answer = cite("Hold the reset button for ten seconds [1]. Returns take 30 days [9].",
                  hits)
    assert answer.text == "Hold the reset button for ten seconds [1]. Returns take 30 days."
    assert [(c.n, c.source, c.page) for c in answer.citations] == [(1, "router.pdf", 2)]
    assert "[1] (router.pdf, page 2 — Troubleshooting)" in context_block(hits)
