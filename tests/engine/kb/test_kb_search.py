"""Hybrid search: fusion arithmetic, scores on every hit, filters, modes and collections."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from engine.kb import (
    HashingEmbedder,
    Hit,
    KbOptions,
    KnowledgeBase,
    RetrievalSettings,
    SearchMode,
)
from engine.kb.search import BM25_HALF, relevance

FAQ = {
    "router.md": "# Router\n\n## Reset\n\nHold the reset button for ten seconds to restore "
                 "the factory settings.\n\n## Wifi\n\nThe wifi password is on the label.",
    "hours.txt": "The shop opens at nine and closes at five on weekdays.",
    "billing.md": "# Billing\n\nInvoices are sent by email on the first day of each month.",
}


def _folder(root: Path, name: str, files: dict[str, str]) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    for file, text in files.items():
        (folder / file).write_text(text)
    return folder


def _search(tmp_path: Path, embedder: HashingEmbedder, query: str, *,
            collections: tuple[str, ...] = ("faq",), settings: RetrievalSettings | None = None,
            mode: SearchMode | None = None, k: int | None = None) -> list[Hit]:
    async def run() -> list[Hit]:
        options = KbOptions(retrieval=settings or RetrievalSettings(min_score=0.0))
        async with KnowledgeBase(tmp_path / "kb", embedder, options) as kb:
            if not (tmp_path / "kb").exists():
                await kb.ingest(_folder(tmp_path, "faq", FAQ))
                await kb.ingest(_folder(tmp_path, "other", {"x.txt": "Reset your password "
                                                            "in the account settings page."}))
            return await kb.search(list(collections), query, k, mode=mode)

    return asyncio.run(run())


def test_every_hit_carries_its_source_and_scores(tmp_path: Path,
                                                 hashing: HashingEmbedder) -> None:
    hits = _search(tmp_path, hashing, "reset button factory settings")
    best = hits[0]
    assert (best.collection, best.source, best.context) == ("faq", "router.md", "Router > Reset")
    assert best.text.startswith("Hold the reset button")
    assert best.bm25 is not None and best.bm25 > 0
    assert best.dense is not None and 0 < best.dense <= 1
    assert best.fused == pytest.approx(0.7 / 61 + 0.3 / 61)  # first in both lists
    assert 0 < best.score <= 1
    assert [h.fused for h in hits] == sorted((h.fused for h in hits), reverse=True)


def test_modes(tmp_path: Path, hashing: HashingEmbedder) -> None:
    sparse = _search(tmp_path, hashing, "invoices email", mode=SearchMode.BM25)
    assert sparse[0].source == "billing.md"
    assert all(h.dense is None for h in sparse)
    assert sparse[0].fused == pytest.approx(0.3 / 61)
    dense = _search(tmp_path, hashing, "invoices email", mode=SearchMode.DENSE)
    assert dense[0].source == "billing.md" and dense[0].fused == pytest.approx(0.7 / 61)


def test_min_score_and_max_results(tmp_path: Path, hashing: HashingEmbedder) -> None:
    everything = _search(tmp_path, hashing, "reset", k=50)
    assert len(everything) >= 3
    assert len(_search(tmp_path, hashing, "reset", k=2)) == 2
    strict = RetrievalSettings(min_score=0.99)
    assert _search(tmp_path, hashing, "reset", settings=strict) == []
    capped = RetrievalSettings(min_score=0.0, max_results=1)
    assert len(_search(tmp_path, hashing, "reset", settings=capped)) == 1


def test_several_collections_and_unknown_names(tmp_path: Path, hashing: HashingEmbedder) -> None:
    hits = _search(tmp_path, hashing, "reset password",
                   collections=("faq", "other", "not-there"), k=10)
    assert {h.collection for h in hits} == {"faq", "other"}
    assert _search(tmp_path, hashing, "reset", collections=("not-there",)) == []
    assert _search(tmp_path, hashing, "   ") == []


def test_relevance_mixes_both_scores() -> None:
    assert relevance(BM25_HALF, 0.5, 0.3, 0.7) == pytest.approx(0.5)
    assert relevance(None, 0.8, 0.3, 0.7) == pytest.approx(0.56)
    assert relevance(None, -0.3, 0.3, 0.7) == 0.0
    assert relevance(5.0, None, 1.0, 0.0) == pytest.approx(5 / 15)


def test_settings_from_config() -> None:
    settings = RetrievalSettings.from_config({
        "rag-max-results": "5", "rag-min-score": "0.35", "rag-dense-weight": "0.6",
        "rag-sparse-weight": "0.4", "rag-rrf-k": "30", "rag-hybrid-enabled": "false"})
    assert (settings.max_results, settings.min_score, settings.dense_weight,
            settings.sparse_weight, settings.rrf_k) == (5, 0.35, 0.6, 0.4, 30)
    assert settings.mode is SearchMode.BM25
    assert RetrievalSettings.from_config({"rag-max-results": "lots"}).max_results == 10
