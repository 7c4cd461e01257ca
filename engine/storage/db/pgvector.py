"""Nearest-neighbour search on PostgreSQL: pgvector with an HNSW index, cosine distance.

Scope: the building block the knowledge base will use on PostgreSQL (a later part of issue
13); today the KB still keeps its vectors in SQLite (sqlite-vec). One index is one table::

    index = PgVectorIndex(db, "kb_vectors", dimensions=384)
    await index.install()                        # extension, table, HNSW index (idempotent)
    await index.upsert([(chunk_id, vector), ...])
    hits = await index.nearest(query_vector, k=10)   # [(id, cosine distance)], nearest first

HNSW is approximate: ``ef_search`` (at least ``k``) trades speed for recall; ``m`` and
``ef_construction`` are fixed when the index is built. Vectors travel as pgvector's text form
(``[0.1,0.2,…]``), which asyncpg passes through for a type it has no codec for.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from engine.storage.db.protocol import Database
from engine.storage.errors import DatabaseError

_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]{0,50}")


class PgVectorIndex:
    """Vectors of one dimension, keyed by integer id, in the table ``table``."""

    def __init__(
        self,
        db: Database,
        table: str,
        dimensions: int,
        *,
        m: int = 16,
        ef_construction: int = 64,
        ef_search: int = 40,
    ) -> None:
        if not _IDENTIFIER.fullmatch(table):
            raise ValueError(f"not a plain table name: {table!r}")
        if not 0 < dimensions <= 16000 or m < 2 or ef_construction < 4 or ef_search < 1:
            raise ValueError("dimensions, m, ef_construction or ef_search out of range")
        self.db = db
        self.table = table
        self.dimensions = dimensions
        self._m, self._ef_construction, self._ef_search = m, ef_construction, ef_search

    async def install(self) -> None:
        """Create the extension (if the role may), the table and its HNSW index."""
        if self.db.dialect != "postgresql":
            raise DatabaseError(f"PgVectorIndex needs PostgreSQL, not {self.db.dialect}")
        await self.db.batch([
            ("CREATE EXTENSION IF NOT EXISTS vector", ()),
            (f"CREATE TABLE IF NOT EXISTS {self.table} (id BIGINT PRIMARY KEY, "
             f"embedding vector({self.dimensions}) NOT NULL)", ()),
            (f"CREATE INDEX IF NOT EXISTS {self.table}_hnsw ON {self.table} "
             f"USING hnsw (embedding vector_cosine_ops) "
             f"WITH (m = {self._m}, ef_construction = {self._ef_construction})", ()),
        ])

    async def upsert(self, items: Iterable[tuple[int, Sequence[float]]]) -> int:
        """Add or replace vectors, atomically; return how many were written."""
        rows = [(int(key), self._text(vector)) for key, vector in items]
        if not rows:
            return 0
        return await self.db.executemany(
            f"INSERT INTO {self.table} (id, embedding) VALUES (?, ?) "
            "ON CONFLICT (id) DO UPDATE SET embedding = excluded.embedding",
            rows,
        )

    async def delete(self, ids: Iterable[int]) -> int:
        return await self.db.executemany(
            f"DELETE FROM {self.table} WHERE id = ?", [(int(key),) for key in ids]
        )

    async def count(self) -> int:
        row = await self.db.fetch_one(f"SELECT count(*) AS n FROM {self.table}")
        return int(row["n"]) if row else 0

    async def nearest(self, vector: Sequence[float], k: int = 10) -> list[tuple[int, float]]:
        """The ``k`` nearest ids by cosine distance (0 = same direction), nearest first."""
        if k < 1:
            raise ValueError("k must be at least 1")
        query = self._text(vector)
        async with self.db.transaction() as tx:
            # per transaction: the index walk keeps at least k candidates
            await tx.execute(
                "SELECT set_config('hnsw.ef_search', ?, true)", (str(max(self._ef_search, k)),)
            )
            rows = await tx.fetch_all(
                f"SELECT id, embedding <=> :q AS distance FROM {self.table} "
                "ORDER BY embedding <=> :q LIMIT :k",
                {"q": query, "k": k},
            )
        return [(int(row["id"]), float(row["distance"])) for row in rows]

    def _text(self, vector: Sequence[float]) -> str:
        if len(vector) != self.dimensions:
            raise ValueError(f"expected {self.dimensions} dimensions, got {len(vector)}")
        values = [float(x) for x in vector]
        if not all(math.isfinite(x) for x in values):
            raise ValueError("a vector must hold finite numbers")
        return "[" + ",".join(repr(x) for x in values) + "]"
