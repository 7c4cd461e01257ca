"""BEIR loading and the retrieval metrics, checked against hand-computed values."""

from __future__ import annotations

import asyncio
import gzip
import json
import math
from pathlib import Path

import pytest

from engine.kb import HashingEmbedder, KbOptions, KnowledgeBase, RetrievalSettings, SearchMode
from engine.kb.evaluation import (
    BeirDataset,
    EvalResult,
    evaluate,
    mrr,
    ndcg,
    percentile,
    recall,
    score_rankings,
)

CORPUS = [
    {"_id": "d1", "title": "Volcanoes", "text": "Lava erupts from volcanoes in Iceland."},
    {"_id": "d2", "title": "Bread", "text": "Sourdough bread needs a starter culture."},
    {"_id": "d3", "title": "Cats", "text": "Cats sleep for most of the day."},
]
QUERIES = [{"_id": "q1", "text": "lava eruptions Iceland"},
           {"_id": "q2", "text": "sourdough starter"},
           {"_id": "q3", "text": "unjudged query"}]


def write_beir(folder: Path, flat: bool) -> Path:
    folder.mkdir(parents=True)
    corpus = "\n".join(json.dumps(row) for row in CORPUS) + "\n"
    qrels = "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n"
    queries = "\n".join(json.dumps(row) for row in QUERIES) + "\n"
    if flat:  # the layout of shared/datasets/scifact
        (folder / "corpus.jsonl.gz").write_bytes(gzip.compress(corpus.encode()))
        (folder / "queries_train.jsonl").write_text(queries)
        (folder / "qrels_train.tsv").write_text(qrels)
    else:  # BEIR's own layout
        (folder / "corpus.jsonl").write_text(corpus)
        (folder / "queries.jsonl").write_text(queries)
        (folder / "qrels").mkdir()
        (folder / "qrels" / "train.tsv").write_text(qrels)
    return folder


def test_metrics_by_hand() -> None:
    relevant = {"a": 1, "b": 1}
    assert ndcg(["a", "b", "c"], relevant, 10) == pytest.approx(1.0)
    expected = (1 / math.log2(3)) / (1 + 1 / math.log2(3))
    assert ndcg(["x", "a"], relevant, 10) == pytest.approx(expected)
    assert recall(["x", "a"], relevant, 100) == 0.5
    assert mrr(["x", "y", "b"], relevant, 10) == pytest.approx(1 / 3)
    assert mrr(["x"] * 10 + ["a"], relevant, 10) == 0.0
    scores = score_rankings({"q": ["a"], "unjudged": ["a"]}, {"q": {"a": 1}})
    assert scores == {"ndcg@10": 1.0, "recall@100": 1.0, "mrr@10": 1.0}
    assert percentile([5.0, 1.0, 3.0, 2.0, 4.0], 50) == 3.0
    assert percentile([1.0] * 99 + [50.0], 99) == 1.0
    assert percentile([], 50) == 0.0


@pytest.mark.parametrize("flat", [True, False])
def test_loads_both_layouts(tmp_path: Path, flat: bool) -> None:
    dataset = BeirDataset.load(write_beir(tmp_path / "ds", flat), "train")
    assert set(dataset.corpus) == {"d1", "d2", "d3"}
    assert dataset.queries == {"q1": "lava eruptions Iceland", "q2": "sourdough starter"}
    assert dataset.qrels == {"q1": {"d1": 1}, "q2": {"d2": 1}}
    [first, *_] = dataset.items()
    assert first.key == "d1.md" and first.read().startswith(b"# Volcanoes\n\n")


def test_evaluate_end_to_end(tmp_path: Path, hashing: HashingEmbedder) -> None:
    dataset = BeirDataset.load(write_beir(tmp_path / "ds", True), "train")
    options = KbOptions(retrieval=RetrievalSettings(min_score=0.0))

    async def run() -> list[EvalResult]:
        async with KnowledgeBase(tmp_path / "kb", hashing, options) as kb:
            await kb.ingest_items(dataset.name, dataset.items())
            return [await evaluate(kb, dataset.name, dataset, "train", mode)
                    for mode in SearchMode]

    for result in asyncio.run(run()):
        assert result.queries == 2
        assert result.ndcg_at_10 == pytest.approx(1.0)
        assert result.recall_at_100 == 1.0 and result.mrr_at_10 == 1.0
        assert result.latency_p99_ms >= result.latency_p50_ms > 0
