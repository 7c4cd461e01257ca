"""The async facade over one bot's knowledge bases: ingest, search, think, stats.

Each collection is one SQLite file under ``root`` (``<root>/<name>.sqlite``; names are made
file-safe). Blocking work runs in dedicated executors so the event loop never waits on it:
one *writer* thread (exactly one writer per database file), two *reader* threads with a
connection each, one *extraction* thread (PyMuPDF and friends), and the embedder's own pool.

Typical use::

    async with KnowledgeBase(work_dir / bot / "kb", MiniLmOnnxEmbedder(model_dir)) as kb:
        report = await kb.ingest(bot_dir / "bot.gbkb" / "manuals", progress=print)
        hits = await kb.search(["manuals"], "how do I reset the router?")
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import re
import time
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

from engine.kb.crawler import WebsiteCrawler, normalise_url
from engine.kb.embedders import Embedder
from engine.kb.errors import CrawlError, KbError
from engine.kb.index import IndexWriter, connect, meta
from engine.kb.ingest import Ingestion
from engine.kb.progress import IngestEvent, IngestReport, ProgressCallback, iterate_events
from engine.kb.reader import IndexReader, IndexStats
from engine.kb.search import Hit, Reranker, search
from engine.kb.settings import KbOptions, SearchMode, WebsiteSettings
from engine.kb.sources import (
    SourceItem,
    collection_name,
    leaves_package,
    package_collections,
    scan_folder,
)
from engine.network.client import GuardedHttpClient

T = TypeVar("T")
INDEX_SUFFIX = ".sqlite"
THINK_CONFIDENCE_TOP = 3


@dataclass(frozen=True, slots=True)
class CollectionStats:
    name: str
    path: Path
    stats: IndexStats


@dataclass(frozen=True, slots=True)
class WebsiteReport:
    ingest: IngestReport
    blocked: tuple[str, ...]
    """Pages robots.txt does not allow."""
    failed: tuple[tuple[str, str], ...]
    """(URL, reason) of pages that could not be fetched."""
    requests: int


@dataclass(frozen=True, slots=True)
class ThinkResult:
    """``THINK KB``'s value (BASIC.md §6.2) before the LLM writes the ``summary``."""

    hits: tuple[Hit, ...]
    confidence: float

    def to_value(self, summary: str = "") -> dict[str, object]:
        return {
            "results": [{"content": h.text, "source": h.label, "relevance": round(h.score, 4)}
                        for h in self.hits],
            "summary": summary,
            "confidence": round(self.confidence, 4),
        }


class KnowledgeBase:
    """One bot's collections. Close it (``async with`` or :meth:`aclose`)."""

    def __init__(self, root: Path, embedder: Embedder, options: KbOptions | None = None, *,
                 reranker: Reranker | None = None) -> None:
        self.root = Path(root)
        self.embedder = embedder
        self.options = options or KbOptions()
        self.reranker = reranker
        self._write_pool = ThreadPoolExecutor(1, thread_name_prefix="kb-write")
        self._read_pool = ThreadPoolExecutor(2, thread_name_prefix="kb-read")
        self._extract_pool = ThreadPoolExecutor(1, thread_name_prefix="kb-extract")
        self._dense_pool = ThreadPoolExecutor(1, thread_name_prefix="kb-dense")
        self._writers: dict[str, IndexWriter] = {}
        self._readers: dict[str, IndexReader] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def __aenter__(self) -> KnowledgeBase:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the indexes and stop the executors (the embedder belongs to the caller)."""
        await self._write(self._close_writers)
        for pool in (self._read_pool, self._dense_pool, self._extract_pool, self._write_pool):
            await asyncio.get_running_loop().run_in_executor(None, pool.shutdown)
        self._readers.clear()

    # -- paths and names ---------------------------------------------------------------

    def index_path(self, collection: str) -> Path:
        return self.root / f"{file_safe(collection)}{INDEX_SUFFIX}"

    def collections(self) -> list[str]:
        """Names of the collections that have an index (reads one small row per index file:
        fast enough to call from the event loop)."""
        return [name for name, _ in list_collections(self.root)]

    # -- ingestion -----------------------------------------------------------------------

    async def ingest(self, collection_path: Path, progress: ProgressCallback | None = None, *,
                     name: str | None = None) -> IngestReport:
        """Bring the collection's index in line with the folder (see :mod:`engine.kb.ingest`)."""
        folder = Path(collection_path)
        if not folder.is_dir():
            raise KbError(f"not a folder: {folder}")
        items, unsupported = await asyncio.get_running_loop().run_in_executor(
            self._extract_pool, scan_folder, folder)
        return await self.ingest_items(name or collection_name(folder), items, progress,
                                       unsupported=unsupported, origin=str(folder.resolve()))

    async def ingest_package(self, gbkb: Path,
                             progress: ProgressCallback | None = None) -> list[IngestReport]:
        """Every collection of a ``.gbkb`` folder: its root files (when it has any, or had),
        then each sub-folder."""
        if leaves_package(gbkb):
            raise KbError(f"{gbkb.name} is a link to a place outside the bot package: "
                          "not indexed")
        folders = package_collections(gbkb)
        items, unsupported = await asyncio.get_running_loop().run_in_executor(
            self._extract_pool, scan_folder, gbkb)
        if not items and not unsupported and not self.index_path(collection_name(gbkb)).exists():
            folders = folders[1:]  # no root files (nor links out of the package to report)
        return [await self.ingest(folder, progress) for folder in folders]

    def ingest_events(self, collection_path: Path, *,
                      name: str | None = None) -> AsyncIterator[IngestEvent]:
        """:meth:`ingest` as an async iterator of its progress events."""
        return iterate_events(lambda progress: self.ingest(collection_path, progress, name=name))

    async def ingest_items(self, collection: str, items: Sequence[SourceItem],
                           progress: ProgressCallback | None = None, *,
                           remove_missing: bool = True, unsupported: Sequence[str] = (),
                           origin: str = "") -> IngestReport:
        """Ingest documents given as :class:`SourceItem` (crawled pages, benchmark data)."""
        async with self._lock(collection):
            writer = await self._write(lambda: self._writer(collection, origin))
            ingestion = Ingestion(collection, writer, self.embedder, write=self._write,
                                  extract_executor=self._extract_pool,
                                  chunking=self.options.chunking,
                                  max_file_bytes=self.options.max_file_bytes, progress=progress)
            report = await ingestion.run(items, remove_missing=remove_missing,
                                         unsupported=unsupported)
            if writer.rebuilt:
                report = replace(report, rebuilt=True)
                writer.rebuilt = False
            return report

    async def remove_collection(self, collection: str) -> bool:
        """Delete a collection's index; False if it had none."""
        async with self._lock(collection):
            def drop() -> bool:
                writer = self._writers.pop(collection, None)
                if writer is not None:
                    writer.close()
                reader = self._readers.pop(collection, None)
                if reader is not None:
                    reader.close()
                paths = list(self.root.glob(self.index_path(collection).name + "*"))
                for path in paths:
                    path.unlink(missing_ok=True)
                return bool(paths)

            return await self._write(drop)

    async def crawl_website(self, url: str, client: GuardedHttpClient,
                            settings: WebsiteSettings | None = None, *, force: bool = False,
                            progress: ProgressCallback | None = None) -> WebsiteReport | None:
        """``USE WEBSITE``: crawl the site into the collection named by its normalised URL,
        unless it was crawled less than ``settings.expires`` ago (None then) or ``force``."""
        settings = settings or WebsiteSettings()
        name = normalise_url(url)
        if not force and not await self._crawl_due(name, settings.expires.total_seconds()):
            return None
        crawler = WebsiteCrawler(client, settings)
        result = await asyncio.get_running_loop().run_in_executor(None, crawler.crawl, name)
        if not result.pages and result.failed:
            raise CrawlError(f"cannot crawl {url}: {result.failed[0][1]}")
        report = await self.ingest_items(name, result.pages, progress, origin=name)
        writer = self._writers[name]
        await self._write(lambda: writer.set_meta("crawled_at", f"{time.time():.3f}"))
        return WebsiteReport(report, tuple(result.blocked), tuple(result.failed),
                             result.requests)

    async def _crawl_due(self, collection: str, expires: float) -> bool:
        if not self.index_path(collection).exists():
            return True

        def crawled_at() -> float:
            conn = connect(self.index_path(collection), readonly=True)
            try:
                return float(meta(conn, "crawled_at") or 0)
            finally:
                conn.close()

        last = await asyncio.get_running_loop().run_in_executor(self._read_pool, crawled_at)
        return time.time() - last >= expires

    # -- retrieval -----------------------------------------------------------------------

    async def search(self, collections: Sequence[str], query: str, k: int | None = None, *,
                     mode: SearchMode | None = None) -> list[Hit]:
        """The best passages of the named collections; unknown names are skipped."""
        settings = self.options.retrieval
        mode = mode or settings.mode
        limit = k or settings.max_results
        readers = {name: self._reader(name) for name in dict.fromkeys(collections)
                   if self.index_path(name).exists()}
        if not readers or not query.strip():
            return []
        vector = None
        if mode is not SearchMode.BM25:
            vector = (await self.embedder.aembed([query]))[0]
        job = functools.partial(search, readers, query, vector, settings, limit, mode,
                                executor=self._dense_pool)
        hits = await asyncio.get_running_loop().run_in_executor(self._read_pool, job)
        if self.reranker is not None:
            hits = self.reranker.rerank(query, hits)
        return hits

    async def think(self, question: str, collections: Sequence[str]) -> ThinkResult:
        """``THINK KB``: the hits and a confidence (mean relevance of the best three)."""
        hits = await self.search(collections, question)
        top = [hit.score for hit in hits[:THINK_CONFIDENCE_TOP]]
        confidence = sum(top) / len(top) if top else 0.0
        return ThinkResult(tuple(hits), max(0.0, min(1.0, confidence)))

    async def stats(self) -> list[CollectionStats]:
        return await asyncio.get_running_loop().run_in_executor(self._read_pool, read_stats,
                                                                self.root)

    # -- internals -----------------------------------------------------------------------

    def _lock(self, collection: str) -> asyncio.Lock:
        return self._locks.setdefault(collection, asyncio.Lock())

    async def _write(self, job: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._write_pool, job)

    def _writer(self, collection: str, origin: str) -> IndexWriter:
        writer = self._writers.get(collection)
        if writer is None:
            chunking = self.options.chunking
            writer = IndexWriter(self.index_path(collection), self.embedder.name,
                                 self.embedder.dimensions, f"{chunking.size}/{chunking.overlap}")
            self._writers[collection] = writer
        writer.set_meta("collection", collection)
        if origin:
            writer.set_meta("origin", origin)
        return writer

    def _reader(self, collection: str) -> IndexReader:
        reader = self._readers.get(collection)
        if reader is None:
            reader = IndexReader(self.index_path(collection))
            self._readers[collection] = reader
        return reader

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()


def list_collections(root: Path) -> list[tuple[str, Path]]:
    """(name, index file) of every collection under ``root``."""
    found = []
    for path in sorted(root.glob(f"*{INDEX_SUFFIX}")):
        conn = connect(path, readonly=True)
        try:
            found.append((meta(conn, "collection") or path.stem, path))
        finally:
            conn.close()
    return found


def read_stats(root: Path) -> list[CollectionStats]:
    """Statistics of every collection under ``root`` (blocking; no model needed)."""
    stats = []
    for name, path in list_collections(root):
        reader = IndexReader(path)
        try:
            stats.append(CollectionStats(name, path, reader.stats()))
        finally:
            reader.close()
    return stats


def file_safe(name: str) -> str:
    """A file name for a collection: readable, and unique even after unsafe characters go."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._")[:80] or "collection"
    if safe != name:
        safe += "-" + hashlib.sha1(name.encode()).hexdigest()[:8]
    return safe
