"""Incremental, restart-safe ingestion of one collection.

1. List the sources; drop from the index every document whose source is gone.
2. Skip a source whose size and mtime match its index row; otherwise read it and hash it (a
   same-hash file is only re-stamped).
3. Extract and chunk (in the extraction thread) one document ahead of the embedder; embed
   chunks of several documents together in batches of 64 (small files would otherwise waste
   the batch); write each document in its own transaction (in the writer thread) while the
   next batch is embedded.

A failure to read one document is reported (event and report) and the rest carry on: a link
out of the collection, a file over the size cap (``kb-max-document-mb``), binary content
under a text extension, an unreadable or corrupt file. Because a document's rows and its hash
are committed together, an ingestion killed at any point resumes where it stopped on the next
run: committed documents are skipped, the rest redone.

A long document (:mod:`engine.kb.longdoc`) is indexed on its own, in bounded memory: it is
hashed in pieces, its chunks are embedded and committed in parts of 256 (one transaction
each, with ``document-progress`` events), and a killed run resumes after the last committed
part. Until its last part is in, such a document is searchable but marked partial.
"""

from __future__ import annotations

import asyncio
import functools
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

import numpy as np

from engine.kb.chunking import chunk_document
from engine.kb.document import Chunk, ChunkingOptions
from engine.kb.embedders import BATCH_SIZE, Embedder, Vectors
from engine.kb.errors import ExtractionError, KbError
from engine.kb.extract import extract, suffix_of
from engine.kb.extract.sniff import BINARY_CONTENT, TEXT_SUFFIXES, looks_binary
from engine.kb.index import PROBLEMS_KEY, DocumentRow, IndexWriter
from engine.kb.longdoc import LongDocument, file_digest, is_long, read_head
from engine.kb.progress import (
    FailedDocument,
    IngestEvent,
    IngestEventKind,
    IngestReport,
    ProgressCallback,
)
from engine.kb.settings import over_size_limit
from engine.kb.sources import SourceItem, content_hash

T = TypeVar("T")


class WriterThread(Protocol):
    """Runs a job in the index's writer thread (the one thread allowed to write)."""

    def __call__(self, job: Callable[[], T], /) -> Awaitable[T]: ...


@dataclass
class _Prepared:
    item: SourceItem
    row: DocumentRow | None = None
    chunks: list[Chunk] = field(default_factory=list)
    unchanged: bool = False
    error: str = ""
    long: LongDocument | None = None


@dataclass
class _Counts:
    total: int = 0
    pending: int = 0
    done: int = 0
    chunks: int = 0


class Ingestion:
    """One run over one collection; use :meth:`run` once."""

    def __init__(self, collection: str, writer: IndexWriter, embedder: Embedder, *,
                 write: WriterThread,
                 extract_executor: Executor, chunking: ChunkingOptions,
                 max_file_bytes: int, progress: ProgressCallback | None = None) -> None:
        self.collection = collection
        self.writer = writer
        self.embedder = embedder
        self._write = write
        self._extract_executor = extract_executor
        self.chunking = chunking
        self.max_file_bytes = max_file_bytes
        self._progress = progress
        self._counts = _Counts()
        self._failed: list[FailedDocument] = []
        self._indexed: list[str] = []
        self._unchanged = 0

    async def run(self, items: Sequence[SourceItem], *, remove_missing: bool = True,
                  unsupported: Sequence[str] = ()) -> IngestReport:
        began = time.perf_counter()
        known = await self._write(self.writer.documents)
        keys = {item.key for item in items}
        gone = sorted(set(known) - keys) if remove_missing else []
        todo = [item for item in items if not _same_stamp(known.get(item.key), item)]
        self._unchanged = len(items) - len(todo)
        self._counts = _Counts(len(items), len(todo), len(items) - len(todo))
        self._emit(IngestEventKind.STARTED)
        if gone:
            await self._write(lambda: self.writer.remove_documents(gone))
            for source in gone:
                self._emit(IngestEventKind.DOCUMENT_REMOVED, source)
        await self._index(todo, known)
        problems = json.dumps([[f.source, f.reason] for f in self._failed])
        await self._write(lambda: self.writer.set_meta(PROBLEMS_KEY, problems))
        documents = len(await self._write(self.writer.documents))
        self._emit(IngestEventKind.FINISHED)
        return IngestReport(self.collection, documents, tuple(self._indexed), self._unchanged,
                            tuple(gone), tuple(self._failed), self._counts.chunks,
                            time.perf_counter() - began, unsupported=tuple(unsupported))

    async def _index(self, todo: Sequence[SourceItem], known: dict[str, DocumentRow]) -> None:
        loop = asyncio.get_running_loop()

        def prepare(index: int) -> asyncio.Future[_Prepared]:
            return loop.run_in_executor(self._extract_executor, self._prepare, todo[index], known)

        batch: list[_Prepared] = []
        writing: asyncio.Future[None] | None = None
        ahead = prepare(0) if todo else None
        try:
            for index in range(len(todo)):
                assert ahead is not None
                prepared = await ahead
                ahead = prepare(index + 1) if index + 1 < len(todo) else None
                if await self._settle_without_embedding(prepared):
                    continue
                if prepared.long is not None:  # alone, after what is pending
                    writing = await self._flush(batch, writing)
                    batch = []
                    if writing is not None:
                        await writing
                        writing = None
                    await self._index_long(prepared.long)
                    continue
                batch.append(prepared)
                if sum(len(p.chunks) for p in batch) >= self._batch_size:
                    writing = await self._flush(batch, writing)
                    batch = []
            writing = await self._flush(batch, writing)
            if writing is not None:
                await writing
        finally:  # cancelled: documents already committed stay, the rest is redone next time
            if writing is not None and not writing.done():
                writing.cancel()

    @property
    def _batch_size(self) -> int:
        return int(getattr(self.embedder, "batch_size", BATCH_SIZE))

    async def _settle_without_embedding(self, prepared: _Prepared) -> bool:
        """Failed, unchanged and empty documents need no embedding: settle them now."""
        if prepared.error:
            await self._fail(prepared.item.key, prepared.error)
            return True
        if prepared.unchanged:
            item = prepared.item
            await self._write(lambda: self.writer.touch(item.key, item.size, item.mtime_ns))
            self._unchanged += 1
            self._counts.done += 1
            self._emit(IngestEventKind.DOCUMENT_UNCHANGED, item.key)
            return True
        return False

    async def _fail(self, key: str, reason: str) -> None:
        self._failed.append(FailedDocument(key, reason))
        await self._write(lambda: self.writer.remove_documents([key]))
        self._counts.done += 1
        self._emit(IngestEventKind.DOCUMENT_FAILED, key, error=reason)

    async def _index_long(self, document: LongDocument) -> None:
        """Embed and commit the document part by part, resuming a partial one."""
        key = document.item.key
        left = await self._write(lambda: self.writer.partial(key))
        start = left[1] if left is not None and left[0] == document.sha256 else 0
        if start == 0:
            await self._write(lambda: self.writer.begin_document(key, document.sha256))
        loop = asyncio.get_running_loop()
        parts = document.parts()
        writing: asyncio.Future[None] | None = None
        end: list[Chunk] = []
        try:
            while part := await loop.run_in_executor(self._extract_executor, next, parts, end):
                part = [chunk for chunk in part if chunk.ordinal >= start]
                if not part:
                    continue
                vectors = await self._embed([chunk.indexed_text for chunk in part])
                if writing is not None:
                    await writing
                writing = asyncio.ensure_future(self._write_part(key, part, vectors))
            if writing is not None:
                await writing
        except (ExtractionError, OSError) as exc:  # the file, not the index or the model
            reason = (exc.message if isinstance(exc, ExtractionError)
                      else f"cannot read the file: {exc.strerror or exc}")
            await self._fail(key, reason)
            return
        finally:
            if writing is not None and not writing.done():
                writing.cancel()
        item = document.item
        row = DocumentRow(key, document.sha256, item.size, item.mtime_ns, document.chunks,
                          document.pages, document.title)
        await self._write(functools.partial(self.writer.finish_document, row))
        self._indexed.append(key)
        self._counts.done += 1
        self._emit(IngestEventKind.DOCUMENT_INDEXED, key, chunks=document.chunks)

    async def _write_part(self, key: str, part: list[Chunk], vectors: Vectors) -> None:
        await self._write(functools.partial(self.writer.add_chunks, key, part, vectors))
        self._emit(IngestEventKind.DOCUMENT_PROGRESS, key, chunks=part[-1].ordinal + 1)

    async def _flush(self, batch: list[_Prepared],
                     writing: asyncio.Future[None] | None) -> asyncio.Future[None] | None:
        """Embed the batch's chunks; then hand its documents to the writer thread."""
        if not batch:
            return writing
        texts = [chunk.indexed_text for p in batch for chunk in p.chunks]
        vectors = await self._embed(texts) if texts else np.zeros((0, 0), np.float32)
        if writing is not None:
            await writing
        return asyncio.ensure_future(self._write_batch(batch, vectors))

    async def _embed(self, texts: list[str]) -> Vectors:
        size = self._batch_size
        parts: list[Vectors] = []
        for start in range(0, len(texts), size):
            parts.append(await self.embedder.aembed(texts[start:start + size]))
            self._counts.chunks += len(parts[-1])
            self._emit(IngestEventKind.CHUNKS_EMBEDDED)
        return np.concatenate(parts)

    async def _write_batch(self, batch: list[_Prepared], vectors: Vectors) -> None:
        offset = 0
        for prepared in batch:
            count = len(prepared.chunks)
            row = prepared.row
            assert row is not None
            part = vectors[offset:offset + count]
            offset += count
            await self._write(functools.partial(self.writer.replace_document, row,
                                                prepared.chunks, part))
            self._indexed.append(prepared.item.key)
            self._counts.done += 1
            self._emit(IngestEventKind.DOCUMENT_INDEXED, prepared.item.key, chunks=count)

    def _prepare(self, item: SourceItem, known: dict[str, DocumentRow]) -> _Prepared:
        """Read, hash, extract and chunk one document (extraction thread)."""
        if item.problem:
            return _Prepared(item, error=item.problem)
        if item.size > self.max_file_bytes:
            return _Prepared(item, error=over_size_limit(item.size, self.max_file_bytes))
        try:
            if is_long(item):
                return self._prepare_long(item, known)
            data = item.read()
        except OSError as exc:
            return _Prepared(item, error=f"cannot read the file: {exc.strerror or exc}")
        if len(data) > self.max_file_bytes:
            return _Prepared(item, error=over_size_limit(len(data), self.max_file_bytes))
        digest = content_hash(data)
        previous = known.get(item.key)
        if previous is not None and previous.sha256 == digest:
            return _Prepared(item, unchanged=True)
        try:
            document = extract(item.name, data)
        except KbError as exc:
            return _Prepared(item, error=exc.message)
        chunks = chunk_document(document, self.chunking)
        row = DocumentRow(item.key, digest, len(data), item.mtime_ns, len(chunks),
                          document.pages, document.title)
        return _Prepared(item, row, chunks)

    def _prepare_long(self, item: SourceItem, known: dict[str, DocumentRow]) -> _Prepared:
        """Sniff and hash a long document in pieces; its chunks come later, part by part."""
        assert item.path is not None
        if suffix_of(item.name) in TEXT_SUFFIXES and looks_binary(read_head(item.path)):
            return _Prepared(item, error=BINARY_CONTENT)
        digest, form_feed = file_digest(item.path)
        previous = known.get(item.key)
        if previous is not None and previous.sha256 == digest:
            return _Prepared(item, unchanged=True)
        return _Prepared(item, long=LongDocument(item, digest, self.chunking,
                                                 form_feed=form_feed))

    def _emit(self, kind: IngestEventKind, source: str = "", *, chunks: int = 0,
              error: str = "") -> None:
        if self._progress is None:
            return
        c = self._counts
        self._progress(IngestEvent(kind, self.collection, source, c.total, c.pending, c.done,
                                   c.chunks, chunks, error))


def _same_stamp(row: DocumentRow | None, item: SourceItem) -> bool:
    return (row is not None and item.mtime_ns != 0 and row.size == item.size
            and row.mtime_ns == item.mtime_ns)
