"""Knowledge-base benchmark: retrieval quality, query latency and ingest throughput.

1. **Quality** on BEIR SciFact (``--dataset``, default ``shared/datasets/scifact`` beside the
   repository): nDCG@10, Recall@100 and MRR@10 for BM25 alone, dense alone and hybrid (RRF),
   on the train queries, and on the test queries when the dataset folder has them. No
   reranker ships (see docs/kb.md), so there is no "+ rerank" row. The index is built with
   the ordinary ingestion pipeline and kept in ``--index-dir`` so a re-run only searches.
2. **Query latency** at 10k and 100k chunks: hybrid search (k = 10, query vector given, so
   the model's time is reported on its own line) beside raw sqlite-vec ``vec0`` KNN on the
   same vectors, in the same run. The 10k index holds real SciFact chunks and vectors; the
   100k one repeats SciFact texts with random unit vectors (dense cost does not depend on the
   values).
3. **Ingest throughput**: chunks/s of a full ingestion (extraction, chunking, embedding,
   SQLite writes) beside the embedder's raw rate on the same chunk texts, interleaved run by
   run; the fastest of each is compared (on a shared machine other processes only add time).

    .venv/bin/python bench/kb.py [--dataset DIR] [--index-dir DIR] [--queries 200] [--repeat 3]

The model is taken from (or pulled into) ``$HEARTH_MODELS_CACHE``, else ``.cache/models``.
Writes ``bench/results/kb.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench.common import markdown_table, print_table, write_results  # noqa: E402
from engine.kb import (  # noqa: E402
    ChunkingOptions,
    KbOptions,
    KnowledgeBase,
    MiniLmOnnxEmbedder,
    RetrievalSettings,
    SearchMode,
)
from engine.kb.document import Chunk  # noqa: E402
from engine.kb.evaluation import BeirDataset, evaluate, percentile  # noqa: E402
from engine.kb.index import DocumentRow, IndexWriter, connect  # noqa: E402
from engine.kb.reader import IndexReader  # noqa: E402
from engine.kb.search import search  # noqa: E402
from engine.llm.models import ModelManager  # noqa: E402

MODEL = "all-minilm-l6-v2"
DIMS = 384


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", type=Path, default=REPO.parent / "shared" / "datasets"
                        / "scifact")
    parser.add_argument("--index-dir", type=Path,
                        default=Path(os.environ.get("HEARTH_KB_BENCH_DIR")
                                     or REPO / ".cache" / "kb-bench"))
    parser.add_argument("--queries", type=int, default=200, help="latency queries per scale")
    parser.add_argument("--repeat", type=int, default=3, help="throughput repetitions")
    parser.add_argument("--throughput-docs", type=int, default=64)
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    cache = Path(os.environ.get("HEARTH_MODELS_CACHE") or REPO / ".cache" / "models")
    embedder = MiniLmOnnxEmbedder(ModelManager(cache).ensure(MODEL).parent)
    results: dict[str, Any] = {"model": MODEL, "chunking": "1000/200", "load_average":
                               list(os.getloadavg())}
    try:
        quality_root = args.index_dir / "scifact-1000-200"
        if not args.skip_quality:
            results["quality"] = asyncio.run(quality(embedder, args.dataset, quality_root))
        results["latency"] = latency(embedder, args.dataset, quality_root,
                                     args.index_dir, args.queries)
        results["throughput"] = asyncio.run(throughput(embedder, args.dataset,
                                                       args.throughput_docs, args.repeat))
    finally:
        embedder.close()
    results["load_average_after"] = list(os.getloadavg())
    print(f"\nresults: {write_results('kb', results)}")


async def quality(embedder: MiniLmOnnxEmbedder, folder: Path, root: Path) -> list[dict[str, Any]]:
    options = KbOptions(retrieval=RetrievalSettings(min_score=0.0, candidates=400),
                        chunking=ChunkingOptions(1000, 200))
    rows: list[dict[str, Any]] = []
    splits = [s for s in ("train", "test") if _has_split(folder, s)]
    async with KnowledgeBase(root, embedder, options) as kb:
        for split in splits:
            dataset = BeirDataset.load(folder, split)
            report = await kb.ingest_items(dataset.name, dataset.items())
            print(f"{dataset.name}: {report.documents} documents indexed "
                  f"({report.chunks} new chunks)")
            for mode in (SearchMode.BM25, SearchMode.DENSE, SearchMode.HYBRID):
                rows.append((await evaluate(kb, dataset.name, dataset, split, mode)).to_json())
    headers = ["split", "mode", "queries", "nDCG@10", "Recall@100", "MRR@10"]
    table = [[r["split"], r["mode"], r["queries"], r["ndcg@10"], r["recall@100"], r["mrr@10"]]
             for r in rows]
    print("\nRetrieval quality (SciFact)")
    print_table(headers, table)
    print(markdown_table(headers, table))
    return rows


def _has_split(folder: Path, split: str) -> bool:
    return any((folder / name).is_file() for name in (f"qrels_{split}.tsv", f"qrels/{split}.tsv"))


def latency(embedder: MiniLmOnnxEmbedder, folder: Path, quality_root: Path, index_dir: Path,
            queries: int) -> list[dict[str, Any]]:
    dataset = BeirDataset.load(folder, "train")
    texts = list(dataset.queries.values())[:queries]
    began = time.perf_counter()
    embed_times = []
    vectors = []
    for text in texts:
        started = time.perf_counter()
        vectors.append(embedder.embed([text])[0])
        embed_times.append((time.perf_counter() - started) * 1000)
    print(f"\nquery embedding: p50 {percentile(embed_times, 50):.1f} ms "
          f"({len(texts)} queries, {time.perf_counter() - began:.1f} s)")
    real = quality_root / "scifact.sqlite"
    rows = []
    for scale in (10_000, 100_000):
        path = index_dir / f"latency-{scale}.sqlite"
        if not path.exists():
            build_scale_index(path, real, scale)
        rows.append(measure(path, scale, texts, vectors))
    rows.append({"scale": "query embedding", "p50_ms": percentile(embed_times, 50),
                 "p99_ms": percentile(embed_times, 99)})
    headers = ["chunks", "hybrid p50", "hybrid p99", "vec0 KNN p50", "vec0 KNN p99",
               "dense p50", "bm25 p50"]
    table = [[r["scale"], r["hybrid_p50_ms"], r["hybrid_p99_ms"], r["vec0_p50_ms"],
              r["vec0_p99_ms"], r["dense_p50_ms"], r["bm25_p50_ms"]] for r in rows[:-1]]
    print("\nQuery latency, ms (k = 10; the query vector is given)")
    print_table(headers, table)
    print(markdown_table(headers, table))
    return rows


def build_scale_index(path: Path, real: Path, scale: int) -> None:
    """``scale`` chunks: SciFact's real chunks and vectors first, then repeated texts with
    random unit vectors."""
    started = time.perf_counter()
    source = connect(real, readonly=True)
    rows = source.execute("SELECT c.context, c.text, v.embedding FROM chunks c "
                          "JOIN chunks_vec v ON v.rowid = c.id ORDER BY c.id").fetchall()
    source.close()
    if not rows:
        raise SystemExit(f"{real} is empty: run the quality part first")
    rng = np.random.default_rng(scale)
    tmp = path.with_suffix(".building")
    for leftover in tmp.parent.glob(tmp.name + "*"):
        leftover.unlink()
    writer = IndexWriter(tmp, MODEL, DIMS, "bench")
    per_doc = 50
    for start in range(0, scale, per_doc):
        chunks, vectors = [], []
        for i in range(start, min(start + per_doc, scale)):
            context, text, blob = rows[i % len(rows)]
            chunks.append(Chunk(i - start, text, 0, len(text), None, context))
            if i < len(rows):
                vectors.append(np.frombuffer(blob, dtype=np.float32))
            else:
                v = rng.standard_normal(DIMS).astype(np.float32)
                vectors.append(v / np.linalg.norm(v))
        writer.replace_document(DocumentRow(f"doc{start}", "-", 0, 0, len(chunks)), chunks,
                                np.stack(vectors))
    writer.close()
    for file in tmp.parent.glob(tmp.name + "*"):
        file.rename(path.parent / file.name.replace(tmp.name, path.name))
    print(f"built {path.name} ({scale} chunks) in {time.perf_counter() - started:.0f} s")


def measure(path: Path, scale: int, texts: list[str], vectors: list[Any]) -> dict[str, Any]:
    reader = IndexReader(path)
    readers = {"bench": reader}
    settings = RetrievalSettings()
    dense_thread = ThreadPoolExecutor(1)  # as KnowledgeBase runs it: dense beside BM25
    search(readers, texts[0], vectors[0], settings, 10)  # loads the matrix

    def timed(run: Any) -> list[float]:
        out = []
        for text, vector in zip(texts, vectors):
            started = time.perf_counter()
            run(text, vector)
            out.append((time.perf_counter() - started) * 1000)
        return out

    hybrid = timed(lambda t, v: search(readers, t, v, settings, 10, executor=dense_thread))
    vec0 = timed(lambda t, v: reader.vec0_knn(v, 10))
    dense = timed(lambda t, v: reader.dense(v, 100))
    bm25 = timed(lambda t, v: reader.bm25(t, 100))
    reader.close()
    dense_thread.shutdown()
    return {"scale": scale, "queries": len(texts),
            "hybrid_p50_ms": percentile(hybrid, 50), "hybrid_p99_ms": percentile(hybrid, 99),
            "vec0_p50_ms": percentile(vec0, 50), "vec0_p99_ms": percentile(vec0, 99),
            "dense_p50_ms": percentile(dense, 50), "dense_p99_ms": percentile(dense, 99),
            "bm25_p50_ms": percentile(bm25, 50), "bm25_p99_ms": percentile(bm25, 99)}


async def throughput(embedder: MiniLmOnnxEmbedder, folder: Path, docs: int,
                     repeat: int) -> dict[str, Any]:
    dataset = BeirDataset.load(folder, "train")
    items = dataset.items()[:docs]
    options = KbOptions(chunking=ChunkingOptions(1000, 200))
    texts: list[str] = []
    raw_rates, ingest_rates = [], []
    for run in range(repeat):
        with tempfile.TemporaryDirectory(prefix="kb-bench-") as tmp:
            async with KnowledgeBase(Path(tmp), embedder, options) as kb:
                report = await kb.ingest_items("bench", items)
                if not texts:
                    texts = _chunk_texts(Path(tmp) / "bench.sqlite")
            ingest_rates.append(report.chunks / report.seconds)
        started = time.perf_counter()
        embedder.embed(texts)
        raw_rates.append(len(texts) / (time.perf_counter() - started))
        print(f"run {run + 1}: ingest {ingest_rates[-1]:.1f} chunks/s, "
              f"raw embedder {raw_rates[-1]:.1f} chunks/s ({len(texts)} chunks)")
    best_raw, best_ingest = max(raw_rates), max(ingest_rates)
    result = {"documents": len(items), "chunks": len(texts),
              "ingest_chunks_per_s": best_ingest, "raw_chunks_per_s": best_raw,
              "ingest_median": statistics.median(ingest_rates),
              "raw_median": statistics.median(raw_rates),
              "share_of_raw": best_ingest / best_raw}
    headers = ["documents", "chunks", "ingest chunks/s", "raw embedder chunks/s", "share"]
    table = [[len(items), len(texts), best_ingest, best_raw, f"{result['share_of_raw']:.0%}"]]
    print("\nIngest throughput (fastest of each, interleaved)")
    print_table(headers, table)
    print(markdown_table(headers, table))
    return result


def _chunk_texts(path: Path) -> list[str]:
    conn = connect(path, readonly=True)
    rows = conn.execute("SELECT context, text FROM chunks ORDER BY id").fetchall()
    conn.close()
    return [f"{c}\n{t}" if c else t for c, t in rows]


if __name__ == "__main__":
    main()
