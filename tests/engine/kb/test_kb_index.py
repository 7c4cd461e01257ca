"""The index keeps chunks, FTS5 rows and vectors in step, one transaction per document."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from engine.kb.document import Chunk
from engine.kb.embedders import HashingEmbedder
from engine.kb.index import DocumentRow, IndexWriter, connect, generation
from engine.kb.reader import IndexReader, fts_query
from engine.kb.terms import prune_common


def _chunks(*texts: str) -> list[Chunk]:
    return [Chunk(i, text, 0, len(text), 1, "Doc") for i, text in enumerate(texts)]


def _row(source: str, sha: str = "h1", chunks: int = 0) -> DocumentRow:
    return DocumentRow(source, sha, 10, 1, chunks)


def _counts(path: Path) -> tuple[int, int, int, int]:
    conn = connect(path)
    try:
        return tuple(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[return-value]
                     for table in ("documents", "chunks", "chunks_vec", "chunks_fts"))
    finally:
        conn.close()


@pytest.fixture
def writer(tmp_path: Path, hashing: HashingEmbedder) -> IndexWriter:
    w = IndexWriter(tmp_path / "c.sqlite", hashing.name, hashing.dimensions, "1000/200")
    yield w
    w.close()


def test_replace_keeps_the_three_stores_in_step(writer: IndexWriter,
                                                 hashing: HashingEmbedder) -> None:
    chunks = _chunks("the cat sat on the mat", "dogs bark at night")
    writer.replace_document(_row("a.txt"), chunks, hashing.embed([c.text for c in chunks]))
    assert _counts(writer.path) == (1, 2, 2, 2)
    again = _chunks("only one chunk now")
    writer.replace_document(_row("a.txt", "h2"), again, hashing.embed([again[0].text]))
    assert _counts(writer.path) == (1, 1, 1, 1)
    assert writer.documents()["a.txt"].sha256 == "h2"
    writer.remove_documents(["a.txt"])
    assert _counts(writer.path) == (0, 0, 0, 0)


def test_failed_write_leaves_the_previous_state(writer: IndexWriter,
                                                hashing: HashingEmbedder) -> None:
    chunks = _chunks("first version")
    writer.replace_document(_row("a.txt"), chunks, hashing.embed(["first version"]))
    wrong = np.zeros((1, 7), dtype=np.float32)  # wrong dimensions: vec0 refuses the row
    with pytest.raises(Exception):  # noqa: B017 - whatever the store raises, nothing changes
        writer.replace_document(_row("a.txt", "h2"), _chunks("second version"), wrong)
    assert _counts(writer.path) == (1, 1, 1, 1)
    assert writer.documents()["a.txt"].sha256 == "h1"


def test_generation_moves_with_each_write(writer: IndexWriter, hashing: HashingEmbedder) -> None:
    before = generation(writer.conn)
    writer.replace_document(_row("a.txt"), _chunks("x"), hashing.embed(["x"]))
    assert generation(writer.conn) == before + 1


def test_changing_embedder_or_chunking_starts_over(tmp_path: Path,
                                                   hashing: HashingEmbedder) -> None:
    path = tmp_path / "c.sqlite"
    first = IndexWriter(path, "hashing", 384, "1000/200")
    first.replace_document(_row("a.txt"), _chunks("x"), hashing.embed(["x"]))
    first.close()
    same = IndexWriter(path, "hashing", 384, "1000/200")
    assert not same.rebuilt and same.documents()
    same.close()
    other = IndexWriter(path, "hashing", 384, "500/100")
    assert other.rebuilt and not other.documents()
    other.close()


def test_reader_bm25_dense_and_matrix_refresh(writer: IndexWriter,
                                              hashing: HashingEmbedder) -> None:
    texts = ["the router reset button", "wifi password on the label", "opening hours"]
    writer.replace_document(_row("a.txt"), _chunks(*texts), hashing.embed(texts))
    reader = IndexReader(writer.path)
    bm25 = reader.bm25("how do I reset the router", 10)
    assert bm25[0][1] > 0 and len(bm25) == 1
    query = hashing.embed(["wifi password"])[0]
    dense = reader.dense(query, 2)
    assert len(dense) == 2 and dense[0][1] >= dense[1][1]
    vec0 = reader.vec0_knn(query, 3)
    assert vec0[0][0] == dense[0][0]
    assert [s for _, s in vec0] == pytest.approx(
        [s for _, s in reader.dense(query, 3)], abs=1e-5)
    assert reader.dense_of(query, [dense[0][0]])[dense[0][0]] == pytest.approx(dense[0][1],
                                                                                abs=1e-5)
    more = ["a brand new passage about wifi password"]
    writer.replace_document(_row("b.txt"), _chunks(*more), hashing.embed(more))
    assert len(reader.dense(query, 10)) == 4  # the matrix was reloaded
    small = IndexReader(writer.path, matrix_limit=1)  # falls back to vec0 KNN
    assert [s for _, s in small.dense(query, 4)] == pytest.approx(
        [s for _, s in reader.dense(query, 4)], abs=1e-5)
    reader.close()
    small.close()


def test_fts_query_terms() -> None:
    assert fts_query("What is the RESET button?") == '"reset" OR "button"'
    assert fts_query("the") == '"the"'
    assert fts_query("  ") == ""
    assert fts_query('quote" OR x') == '"quote" OR "x"'


def test_common_terms_leave_the_bm25_query(writer: IndexWriter,
                                           hashing: HashingEmbedder) -> None:
    texts = [f"protein folding report number {i}" for i in range(30)]
    texts += ["kinase inhibitors in mice", "mice and kinase", "zebrafish kinase"]
    writer.replace_document(_row("a.txt"), _chunks(*texts), hashing.embed(texts))
    reader = IndexReader(writer.path)
    # "protein" and "report" are in 30 of 33 passages: left out while three rarer terms remain
    assert reader.match_expression("protein kinase report mice zebrafish") == \
        '"kinase" OR "mice" OR "zebrafish"'
    # with too few rare terms, the rarest common ones make up the number
    assert reader.match_expression("protein kinases reports") == \
        '"protein" OR "kinases" OR "reports"'
    assert reader.match_expression("unknownword kinase") == '"kinase"'
    assert IndexReader(writer.path, max_df=1.0).match_expression("protein kinase") == \
        '"protein" OR "kinase"'
    assert reader.bm25("protein kinase report mice zebrafish", 10)[0][0] in (31, 32, 33)
    reader.close()


def test_prune_common_keeps_the_rarest() -> None:
    terms = ["a", "b", "c", "d"]
    tokens = [["a"], ["b"], ["c"], ["d1", "d2"]]
    frequencies = {"a": 90, "b": 5, "c": 50, "d1": 80, "d2": 3}
    assert prune_common(terms, tokens, frequencies, 100, 0.1, 3) == ["b", "c", "d"]
    assert prune_common(terms, tokens, frequencies, 100, 0.1, 1) == ["b", "d"]
    assert prune_common(["x"], [["x"]], {}, 100, 0.1, 3) == []
