"""PgVectorIndex on the session's embedded PostgreSQL: HNSW answers agree with exact cosine
search, the index is the one the query can use, writes replace and delete."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import numpy as np
import pytest

from engine.storage.db.pgvector import PgVectorIndex
from engine.storage.db.postgres import PostgresDatabase
from engine.storage.errors import DatabaseError
from engine.storage.urls import StorageUrl, database_from_url
from tests.services.postgres import PostgresServer

pytestmark = pytest.mark.anyio

DIMENSIONS = 16


@pytest.fixture
async def pg(postgres_server: PostgresServer) -> AsyncIterator[PostgresDatabase]:
    async with (
        postgres_server.schema() as url,
        PostgresDatabase.from_url(StorageUrl.parse(url)) as database,
    ):
        yield database


@pytest.fixture
async def index(pg: PostgresDatabase) -> PgVectorIndex:
    vectors = PgVectorIndex(pg, "vectors", DIMENSIONS)
    await vectors.install()
    await vectors.install()  # idempotent
    return vectors


def exact_nearest(data: np.ndarray, query: np.ndarray, k: int) -> list[int]:
    unit = data / np.linalg.norm(data, axis=1, keepdims=True)
    distances = 1 - unit @ (query / np.linalg.norm(query))
    return [int(i) for i in np.argsort(distances)[:k]]


async def test_nearest_agrees_with_exact_cosine_search(index: PgVectorIndex) -> None:
    rng = np.random.default_rng(7)
    data = rng.normal(size=(400, DIMENSIONS)).astype(np.float32)
    assert await index.upsert((n, row.tolist()) for n, row in enumerate(data)) == 400
    found = total = 0
    for query in rng.normal(size=(20, DIMENSIONS)).astype(np.float32):
        hits = await index.nearest(query.tolist(), k=10)
        distances = [distance for _, distance in hits]
        assert distances == sorted(distances) and len(hits) == 10
        exact = exact_nearest(data, query, 10)
        found += len({key for key, _ in hits} & set(exact))
        total += 10
        best = data[exact[0]]
        expected = 1 - float(best @ query / np.linalg.norm(best) / np.linalg.norm(query))
        assert hits[0][0] == exact[0] and abs(hits[0][1] - expected) < 1e-4
    assert found / total >= 0.95  # HNSW is approximate; at this size it should barely miss


async def test_the_query_can_use_the_hnsw_index(index: PgVectorIndex, pg: PostgresDatabase) -> None:
    await index.upsert((n, [float(n + d) for d in range(DIMENSIONS)]) for n in range(50))
    async with pg.transaction() as tx:
        await tx.execute("SET LOCAL enable_seqscan = off")  # tiny table: force the choice
        plan = await tx.fetch_all(
            "EXPLAIN SELECT id FROM vectors ORDER BY embedding <=> :q LIMIT 5",
            {"q": "[" + ",".join(["1"] * DIMENSIONS) + "]"},
        )
    assert "vectors_hnsw" in " ".join(str(row["QUERY PLAN"]) for row in plan)


async def test_upsert_replaces_and_delete_removes(index: PgVectorIndex) -> None:
    east, north = [1.0] + [0.0] * (DIMENSIONS - 1), [0.0, 1.0] + [0.0] * (DIMENSIONS - 2)
    await index.upsert([(1, east), (2, north)])
    assert [key for key, _ in await index.nearest(east, k=2)] == [1, 2]
    await index.upsert([(1, north), (2, east)])
    assert (await index.nearest(east, k=1))[0][0] == 2
    assert await index.delete([2, 99]) == 1
    assert await index.count() == 1 and [k for k, _ in await index.nearest(east, k=5)] == [1]


async def test_bad_input_is_refused(index: PgVectorIndex, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="dimensions"):
        await index.upsert([(1, [1.0, 2.0])])
    with pytest.raises(ValueError, match="finite"):
        await index.nearest([float("nan")] * DIMENSIONS)
    with pytest.raises(ValueError, match="table name"):
        PgVectorIndex(index.db, "vectors; DROP TABLE x", DIMENSIONS)
    async with database_from_url("sqlite://" + (tmp_path / "x.db").as_uri()[7:]) as sqlite:
        with pytest.raises(DatabaseError, match="needs PostgreSQL"):
            await PgVectorIndex(sqlite, "vectors", DIMENSIONS).install()
