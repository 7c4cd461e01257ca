"""Hybrid retrieval: BM25 and dense KNN fused with weighted reciprocal rank fusion.

For each query the BM25 list and the dense list (``candidates`` hits each, merged across the
searched collections by their raw scores) are fused::

    fused = dense_weight / (rrf_k + dense_rank) + sparse_weight / (rrf_k + bm25_rank)

(a list a hit is absent from adds nothing). Fusion orders the hits; rank alone cannot tell a
good hit from the best of a bad lot, so each hit also gets an absolute **relevance** in 0..1,
the weighted mean of its cosine similarity (clipped at 0) and its BM25 score squashed as
``bm25 / (bm25 + BM25_HALF)``. ``rag-min-score`` applies to that relevance. Both raw scores are
given for every fused hit, even one that only one retriever returned (see
``BM25_LOOKUP_DEPTH``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Protocol

from engine.kb.embedders import Vectors
from engine.kb.reader import IndexReader
from engine.kb.settings import RetrievalSettings, SearchMode

BM25_HALF = 10.0
"""The BM25 score that counts as relevance 0.5 (a strong match on a rare term or two)."""
BM25_LOOKUP_DEPTH = 1000
"""BM25 scores are read this deep, so a hit only the dense list returned still gets its BM25
score (FTS5 scores every match anyway; a deeper LIMIT costs almost nothing). A hit below it
has ``bm25 = None``: too weak a text match to matter."""

Key = tuple[str, int]  # (collection, chunk id)


@dataclass(frozen=True, slots=True)
class Hit:
    """One retrieved passage, with where it comes from and how each retriever scored it."""

    collection: str
    source: str
    """The file's path inside its collection (``/`` separated), or the page URL."""
    page: int | None
    start: int
    end: int
    """Character span of :attr:`text` in the document's extracted text."""
    text: str
    context: str
    """Heading path above the passage ("Guide > Installation")."""
    bm25: float | None
    dense: float | None
    fused: float
    score: float
    """Relevance in 0..1 (see the module docstring); what ``rag-min-score`` filters."""
    chunk_id: int = 0

    @property
    def label(self) -> str:
        """``guide.pdf, page 3``: how a citation names this passage."""
        return f"{self.source}, page {self.page}" if self.page is not None else self.source

    def to_json(self) -> dict[str, object]:
        return {"collection": self.collection, "source": self.source, "page": self.page,
                "start": self.start, "end": self.end, "context": self.context,
                "text": self.text, "bm25": self.bm25, "dense": self.dense,
                "fused": self.fused, "score": self.score}


class Reranker(Protocol):
    """Reorders fused hits (a cross-encoder would go here; none ships, see docs/kb.md)."""

    def rerank(self, query: str, hits: Sequence[Hit]) -> list[Hit]: ...


def search(readers: Mapping[str, IndexReader], query: str, vector: Vectors | None,
           settings: RetrievalSettings, k: int, mode: SearchMode = SearchMode.HYBRID, *,
           executor: Executor | None = None) -> list[Hit]:
    """The best ``k`` hits over ``readers`` (blocking; run it in a worker thread). With an
    ``executor``, the dense scan runs there while this thread runs BM25 (both release the
    GIL: SQLite and the matrix product)."""
    depth = max(k, settings.candidates)
    use_dense = mode is not SearchMode.BM25 and vector is not None
    use_sparse = mode is not SearchMode.DENSE
    lookup = max(depth, BM25_LOOKUP_DEPTH)

    def dense_list() -> list[tuple[Key, float]]:
        if not use_dense or vector is None:
            return []
        return _merged([(name, r.dense(vector, depth)) for name, r in readers.items()], depth)

    pending = executor.submit(dense_list) if executor is not None and use_sparse else None
    # Pruning common terms only when the dense list is there to make up for them.
    prune = use_dense
    sparse_all = _merged([(name, r.bm25(query, lookup, prune=prune))
                          for name, r in readers.items()], lookup) if use_sparse else []
    sparse = sparse_all[:depth]
    dense = pending.result() if pending is not None else dense_list()
    w_dense = settings.dense_weight if use_dense else 0.0
    w_sparse = settings.sparse_weight if use_sparse else 0.0
    if w_dense + w_sparse <= 0:
        w_dense, w_sparse = float(use_dense), float(use_sparse)
    fused = _rrf([(dense, w_dense), (sparse, w_sparse)], settings.rrf_k)
    keys = sorted(fused, key=lambda key: -fused[key])
    bm25_scores = dict(sparse_all)
    dense_scores = _dense_scores(readers, keys, vector, dict(dense)) if use_dense else {}
    chosen: list[tuple[Key, float | None, float | None, float]] = []
    for key in keys:
        b, d = bm25_scores.get(key), dense_scores.get(key)
        score = relevance(b, d, w_sparse, w_dense)
        if score >= settings.min_score:
            chosen.append((key, b, d, score))
            if len(chosen) >= k:
                break
    rows = {name: readers[name].chunks([i for (c, i), *_ in chosen if c == name])
            for name in readers}
    return [Hit(c, row.source, row.page, row.start, row.end, row.text, row.context, b, d,
                fused[(c, i)], score, i)
            for (c, i), b, d, score in chosen
            if (row := rows[c].get(i)) is not None]  # None: removed since the first read


def relevance(bm25: float | None, dense: float | None, w_sparse: float, w_dense: float) -> float:
    sparse_part = (bm25 / (bm25 + BM25_HALF)) if bm25 and bm25 > 0 else 0.0
    dense_part = max(0.0, min(1.0, dense)) if dense is not None else 0.0
    total = w_sparse + w_dense
    return (w_sparse * sparse_part + w_dense * dense_part) / total if total else 0.0


def _merged(lists: list[tuple[str, list[tuple[int, float]]]],
            depth: int) -> list[tuple[Key, float]]:
    merged = [((name, chunk_id), score) for name, hits in lists for chunk_id, score in hits]
    merged.sort(key=lambda item: -item[1])
    return merged[:depth]


def _rrf(lists: list[tuple[list[tuple[Key, float]], float]], k: int) -> dict[Key, float]:
    fused: dict[Key, float] = {}
    for ranked, weight in lists:
        if weight <= 0:
            continue
        for rank, (key, _) in enumerate(ranked, start=1):
            fused[key] = fused.get(key, 0.0) + weight / (k + rank)
    return fused


def _dense_scores(readers: Mapping[str, IndexReader], keys: list[Key], vector: Vectors | None,
                  dense: dict[Key, float]) -> dict[Key, float]:
    """Cosine similarity of every fused hit, also those only BM25 returned."""
    if vector is None:
        return dense
    for name, reader in readers.items():
        missing = [i for c, i in keys if c == name and (c, i) not in dense]
        dense.update({(name, i): s for i, s in reader.dense_of(vector, missing).items()})
    return dense
