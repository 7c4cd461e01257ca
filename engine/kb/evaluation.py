"""Retrieval evaluation on BEIR-format data: nDCG@10, Recall@100, MRR@10 and latency.

A dataset folder holds ``corpus.jsonl`` (or ``.jsonl.gz``) with ``{_id, title, text}``,
queries (``queries.jsonl``, or ``queries_<split>.jsonl``) and relevance judgements
(``qrels/<split>.tsv``, or ``qrels_<split>.tsv``: ``query-id, corpus-id, score``). Each corpus
entry is ingested as a small Markdown document (title as its heading) through the ordinary
pipeline, so the evaluation measures exactly what users get; passages are mapped back to
their document and a document ranks where its best passage does.
"""

from __future__ import annotations

import gzip
import json
import math
import statistics
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from engine.kb.errors import KbError
from engine.kb.knowledge import KnowledgeBase
from engine.kb.settings import SearchMode
from engine.kb.sources import SourceItem, bytes_item

DOC_SUFFIX = ".md"


@dataclass(frozen=True, slots=True)
class BeirDataset:
    name: str
    corpus: dict[str, tuple[str, str]]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]

    @classmethod
    def load(cls, folder: Path, split: str = "test") -> BeirDataset:
        corpus = {row["_id"]: (row.get("title") or "", row.get("text") or "")
                  for row in _jsonl(_first(folder, ["corpus.jsonl", "corpus.jsonl.gz"]))}
        qrels = _qrels(_first(folder, [f"qrels/{split}.tsv", f"qrels_{split}.tsv"]))
        queries_file = _first(folder, [f"queries_{split}.jsonl", "queries.jsonl",
                                       f"queries_{split}.jsonl.gz", "queries.jsonl.gz"])
        queries = {row["_id"]: row["text"] for row in _jsonl(queries_file)
                   if row["_id"] in qrels}
        return cls(folder.resolve().name, corpus, queries, qrels)

    def items(self) -> list[SourceItem]:
        """The corpus as documents: ``# title`` then the text, keyed ``<id>.md``."""
        return [bytes_item(doc_id + DOC_SUFFIX, doc_id + DOC_SUFFIX,
                           _markdown(title, text).encode("utf-8"))
                for doc_id, (title, text) in self.corpus.items()]


@dataclass(frozen=True, slots=True)
class EvalResult:
    dataset: str
    split: str
    mode: str
    queries: int
    ndcg_at_10: float
    recall_at_100: float
    mrr_at_10: float
    latency_p50_ms: float
    latency_p99_ms: float

    def to_json(self) -> dict[str, object]:
        return {"dataset": self.dataset, "split": self.split, "mode": self.mode,
                "queries": self.queries, "ndcg@10": round(self.ndcg_at_10, 4),
                "recall@100": round(self.recall_at_100, 4), "mrr@10": round(self.mrr_at_10, 4),
                "latency_p50_ms": round(self.latency_p50_ms, 2),
                "latency_p99_ms": round(self.latency_p99_ms, 2)}


async def evaluate(kb: KnowledgeBase, collection: str, dataset: BeirDataset, split: str,
                   mode: SearchMode, *, depth: int = 100, passages: int = 400) -> EvalResult:
    """Search every query (``passages`` passages deep) and score the document rankings."""
    rankings: dict[str, list[str]] = {}
    latencies: list[float] = []
    for query_id, text in dataset.queries.items():
        began = time.perf_counter()
        hits = await kb.search([collection], text, passages, mode=mode)
        latencies.append((time.perf_counter() - began) * 1000)
        docs = dict.fromkeys(hit.source.removesuffix(DOC_SUFFIX) for hit in hits)
        rankings[query_id] = list(docs)[:depth]
    scores = score_rankings(rankings, dataset.qrels)
    return EvalResult(dataset.name, split, mode.value, len(rankings), scores["ndcg@10"],
                      scores["recall@100"], scores["mrr@10"], percentile(latencies, 50),
                      percentile(latencies, 99))


def score_rankings(rankings: dict[str, list[str]],
                   qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Mean nDCG@10, Recall@100 and MRR@10 over the judged queries that were ranked."""
    judged = [q for q in rankings if q in qrels]
    if not judged:
        return {"ndcg@10": 0.0, "recall@100": 0.0, "mrr@10": 0.0}
    return {
        "ndcg@10": statistics.fmean(ndcg(rankings[q], qrels[q], 10) for q in judged),
        "recall@100": statistics.fmean(recall(rankings[q], qrels[q], 100) for q in judged),
        "mrr@10": statistics.fmean(mrr(rankings[q], qrels[q], 10) for q in judged),
    }


def ndcg(ranked: Sequence[str], relevant: dict[str, int], k: int) -> float:
    gains = [relevant.get(doc, 0) for doc in ranked[:k]]
    dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sorted((g for g in relevant.values() if g > 0), reverse=True)[:k]
    idcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked: Sequence[str], relevant: dict[str, int], k: int) -> float:
    wanted = {doc for doc, grade in relevant.items() if grade > 0}
    return len(wanted & set(ranked[:k])) / len(wanted) if wanted else 0.0


def mrr(ranked: Sequence[str], relevant: dict[str, int], k: int) -> float:
    for index, doc in enumerate(ranked[:k]):
        if relevant.get(doc, 0) > 0:
            return 1.0 / (index + 1)
    return 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def _markdown(title: str, text: str) -> str:
    return f"# {' '.join(title.split())}\n\n{text}" if title.strip() else text


def _first(folder: Path, names: list[str]) -> Path:
    for name in names:
        if (folder / name).is_file():
            return folder / name
    raise KbError(f"{folder} has none of: {', '.join(names)}")


def _jsonl(path: Path) -> Iterator[dict[str, str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def _qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines):
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or (number == 0 and not parts[2].strip().lstrip("-").isdigit()):
                continue
            qrels.setdefault(parts[0], {})[parts[1]] = int(parts[2])
    return qrels
