"""Reading one collection's index: BM25 through FTS5, dense KNN, chunk rows, statistics.

Dense search scans an in-memory float32 matrix of the collection's vectors (one
matrix-vector product, then a partial sort), loaded from the ``vec0`` table on first use and
reloaded when the index's ``generation`` changes. On two cores this is several times faster
than ``vec0``'s own brute-force KNN (see ``docs/benchmarks.md``); above ``matrix_limit``
vectors the reader falls back to ``vec0`` KNN so memory stays bounded.

BM25 is FTS5's ``bm25()`` (k1 = 1.2, b = 0.75, fixed by SQLite) with the heading context
column weighted ``context_weight`` (1.0: like the passage text) against the passage text.
Queries are turned into an OR of their terms (stop words dropped), so a passage does not need
every word to match; with ``prune``, terms found in more than ``max_df`` of the passages are
left out (:mod:`engine.kb.terms`).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from engine.kb.embedders import Vectors
from engine.kb.index import PARTIAL_SIZE, PROBLEMS_KEY, ChunkRow, connect, generation, meta
from engine.kb.terms import Stemmer, or_query, prune_common, query_terms

MATRIX_LIMIT = 250_000
CONTEXT_WEIGHT = 1.0
MAX_DF = 0.05
MIN_TERMS = 3
DF_CACHE_SIZE = 50_000


def fts_query(text: str) -> str:
    """An FTS5 query matching any of the text's terms: ``"a" OR "b"``; '' when none."""
    return or_query(query_terms(text))


@dataclass(frozen=True, slots=True)
class IndexStats:
    documents: int
    chunks: int
    pages: int
    bytes: int
    embedder: str
    dimensions: int
    problems: tuple[tuple[str, str], ...] = ()
    """(source, reason) of each document the last ingestion could not index."""
    partial: int = 0
    """Long documents whose indexing has not finished (resumed by the next ingestion)."""


class _Matrix:
    """The collection's vectors in memory, with their chunk ids sorted for lookups."""

    def __init__(self, ids: npt.NDArray[np.int64], vectors: Vectors, generation: int) -> None:
        self.ids = ids
        self.vectors = vectors
        self.generation = generation

    def rows(self, chunk_ids: list[int]) -> tuple[list[int], npt.NDArray[np.intp]]:
        wanted = np.asarray(chunk_ids, dtype=np.int64)
        positions = np.searchsorted(self.ids, wanted)
        positions = np.minimum(positions, max(len(self.ids) - 1, 0))
        found = (self.ids[positions] == wanted) if len(self.ids) else np.zeros(0, bool)
        return [int(i) for i in wanted[found]], positions[found]


class IndexReader:
    """Queries over one index file; safe to share between threads (one connection each)."""

    def __init__(self, path: Path, *, matrix_limit: int = MATRIX_LIMIT,
                 context_weight: float = CONTEXT_WEIGHT, max_df: float = MAX_DF,
                 min_terms: int = MIN_TERMS) -> None:
        self.path = path
        self.matrix_limit = matrix_limit
        self.context_weight = context_weight
        self.max_df = max_df
        self.min_terms = min_terms
        self._stemmer = Stemmer()
        self._count: tuple[int, int] | None = None
        self._df_cache: dict[str, int] = {}
        self._local = threading.local()
        self._matrix: _Matrix | None = None
        self._lock = threading.Lock()

    @property
    def conn(self) -> Any:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, readonly=True)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
        self._matrix = None

    def ready(self) -> bool:
        return meta(self.conn, "schema_version") is not None

    def bm25(self, query: str, limit: int, *, prune: bool = True) -> list[tuple[int, float]]:
        """(chunk id, BM25 score) best first; scores are positive, higher is better.
        ``prune`` leaves the collection's very common terms out (see :mod:`engine.kb.terms`)."""
        if not self.ready():
            return []
        match = self.match_expression(query) if prune else fts_query(query)
        if not match:
            return []
        weights = f"{self.context_weight:g}, 1.0"
        rows = self.conn.execute(
            f"SELECT rowid, -bm25(chunks_fts, {weights}) FROM chunks_fts "
            f"WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts, {weights}) LIMIT ?",
            (match, limit))
        return [(int(r[0]), float(r[1])) for r in rows]

    def match_expression(self, query: str) -> str:
        """The FTS5 query for ``query``: its terms, without the very common ones."""
        terms = query_terms(query)
        if not terms or self.max_df >= 1.0 or not self._has_vocabulary():
            return or_query(terms)
        tokens = self._stemmer.tokens(terms)
        total = self._passages()  # first: it resets the frequency cache on a new generation
        frequencies = self._frequencies(sorted({t for group in tokens for t in group}))
        kept = prune_common(terms, tokens, frequencies, total, self.max_df, self.min_terms)
        return or_query(kept)

    def _frequencies(self, stems: list[str]) -> dict[str, int]:
        """How many passages hold each stem (cached until the index changes)."""
        cache = self._df_cache
        missing = [stem for stem in stems if stem not in cache]
        if missing:
            marks = ",".join("?" * len(missing))
            found = {str(term): int(doc) for term, doc in self.conn.execute(
                f"SELECT term, doc FROM chunks_vocab WHERE term IN ({marks})", missing)}
            if len(cache) > DF_CACHE_SIZE:
                cache.clear()
            cache.update({stem: found.get(stem, 0) for stem in missing})
        return {stem: cache[stem] for stem in stems}

    def _has_vocabulary(self) -> bool:
        row = self.conn.execute(
            "SELECT 1 FROM sqlite_master WHERE name = 'chunks_vocab'").fetchone()
        return row is not None

    def _passages(self) -> int:
        current = generation(self.conn)
        if self._count is None or self._count[0] != current:
            total = int(self.conn.execute("SELECT count(*) FROM chunks").fetchone()[0])
            self._count = (current, total)
            self._df_cache = {}
        return self._count[1]

    def dense(self, vector: Vectors, limit: int) -> list[tuple[int, float]]:
        """(chunk id, cosine similarity) best first."""
        matrix = self._current_matrix()
        if matrix is None:
            return self._vec0_knn(vector, limit)
        if not len(matrix.ids):
            return []
        scores = _similarities(matrix.vectors, vector)
        limit = min(limit, len(scores))
        top = np.argpartition(-scores, limit - 1)[:limit]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(int(matrix.ids[i]), float(scores[i])) for i in top]

    def dense_of(self, vector: Vectors, chunk_ids: list[int]) -> dict[int, float]:
        """Cosine similarity of the query with each given chunk."""
        if not chunk_ids:
            return {}
        matrix = self._current_matrix()
        if matrix is not None:
            found, positions = matrix.rows(chunk_ids)
            scores = _similarities(matrix.vectors[positions], vector)
            return dict(zip(found, (float(s) for s in scores), strict=True))
        marks = ",".join("?" * len(chunk_ids))
        rows = self.conn.execute(
            f"SELECT rowid, vec_distance_cosine(embedding, ?) FROM chunks_vec "
            f"WHERE rowid IN ({marks})", (_blob(vector), *chunk_ids))
        return {int(r[0]): 1.0 - float(r[1]) for r in rows}

    def vec0_knn(self, vector: Vectors, limit: int) -> list[tuple[int, float]]:
        """KNN by sqlite-vec itself (the fallback, and the benchmark's reference)."""
        return self._vec0_knn(vector, limit)

    def _vec0_knn(self, vector: Vectors, limit: int) -> list[tuple[int, float]]:
        if not self.ready():
            return []
        rows = self.conn.execute(
            "SELECT rowid, distance FROM chunks_vec WHERE embedding MATCH ? AND k = ?",
            (_blob(vector), limit))
        return [(int(r[0]), 1.0 - float(r[1])) for r in rows]

    def _current_matrix(self) -> _Matrix | None:
        if not self.ready():
            return None
        current = generation(self.conn)
        matrix = self._matrix
        if matrix is not None and matrix.generation == current:
            return matrix
        with self._lock:
            if self._matrix is None or self._matrix.generation != current:
                self._matrix = self._load_matrix()
            return self._matrix

    def _load_matrix(self) -> _Matrix | None:
        # Read in one transaction so the vectors and the generation agree.
        self.conn.execute("BEGIN")
        try:
            current = generation(self.conn)
            count = int(self.conn.execute("SELECT count(*) FROM chunks").fetchone()[0])
            if count > self.matrix_limit:
                return None
            dims = int(meta(self.conn, "dimensions") or 0)
            rows = self.conn.execute(
                "SELECT rowid, embedding FROM chunks_vec ORDER BY rowid").fetchall()
            ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
            vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
            return _Matrix(ids, vectors.reshape(len(rows), dims), current)
        finally:
            self.conn.execute("COMMIT")

    def chunks(self, chunk_ids: list[int]) -> dict[int, ChunkRow]:
        if not chunk_ids:
            return {}
        marks = ",".join("?" * len(chunk_ids))
        rows = self.conn.execute(
            f'SELECT c.id, d.source, c.page, c.start, c."end", c.context, c.text '
            f"FROM chunks c JOIN documents d ON d.id = c.document_id WHERE c.id IN ({marks})",
            chunk_ids)
        return {int(r[0]): ChunkRow(*r) for r in rows}

    def stats(self) -> IndexStats:
        if not self.ready():
            return IndexStats(0, 0, 0, 0, "", 0)
        documents, chunks, pages = self.conn.execute(
            "SELECT count(*), coalesce(sum(chunks), 0), coalesce(sum(pages), 0) "
            "FROM documents").fetchone()
        size = sum(p.stat().st_size for p in self.path.parent.glob(self.path.name + "*"))
        partial = self.conn.execute(
            "SELECT count(*) FROM documents WHERE size = ?", (PARTIAL_SIZE,)).fetchone()[0]
        return IndexStats(int(documents), int(chunks), int(pages), size,
                          meta(self.conn, "embedder") or "",
                          int(meta(self.conn, "dimensions") or 0),
                          _problems(meta(self.conn, PROBLEMS_KEY)), int(partial))


def _similarities(matrix: Vectors, vector: Vectors) -> Vectors:
    """``matrix @ vector`` without BLAS: einsum's own loop is single-threaded, and a threaded
    BLAS call stalls whenever its helper threads wait for a busy core (measured on two busy
    cores: 20 ms instead of 0.6 ms at 10k × 384)."""
    result: Vectors = np.einsum("ij,j->i", matrix, vector.astype(np.float32, copy=False))
    return result


def _problems(stored: str | None) -> tuple[tuple[str, str], ...]:
    try:
        rows = json.loads(stored or "[]")
        return tuple((str(source), str(reason)) for source, reason in rows)
    except (ValueError, TypeError):  # written by hand or by a broken run: show nothing
        return ()


def _blob(vector: Vectors) -> bytes:
    return np.ascontiguousarray(vector, dtype=np.float32).tobytes()
