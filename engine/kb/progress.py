"""Ingestion progress: events, the report, and an async-iterator adapter over the callback."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum


class IngestEventKind(StrEnum):
    STARTED = "started"
    """``documents_total`` files found; ``documents_pending`` of them need indexing."""
    CHUNKS_EMBEDDED = "chunks-embedded"
    DOCUMENT_PROGRESS = "document-progress"
    """A part of a long document was committed; ``chunks`` of it are in the index so far."""
    DOCUMENT_INDEXED = "document-indexed"
    DOCUMENT_UNCHANGED = "document-unchanged"
    DOCUMENT_REMOVED = "document-removed"
    DOCUMENT_FAILED = "document-failed"
    FINISHED = "finished"


@dataclass(frozen=True, slots=True)
class IngestEvent:
    """A step of one ingestion, with the running counts a progress bar needs."""

    kind: IngestEventKind
    collection: str
    source: str = ""
    documents_total: int = 0
    documents_pending: int = 0
    documents_done: int = 0
    """Documents settled so far (indexed, unchanged or failed)."""
    chunks_done: int = 0
    """Chunks embedded so far in this run."""
    chunks: int = 0
    """For a document event: its chunk count."""
    error: str = ""


@dataclass(frozen=True, slots=True)
class FailedDocument:
    source: str
    reason: str


@dataclass(frozen=True, slots=True)
class IngestReport:
    collection: str
    documents: int
    """Documents in the collection after this run."""
    indexed: tuple[str, ...] = ()
    unchanged: int = 0
    removed: tuple[str, ...] = ()
    failed: tuple[FailedDocument, ...] = ()
    chunks: int = 0
    """Chunks embedded and written in this run."""
    seconds: float = 0.0
    rebuilt: bool = False
    """True when the index was started over because the embedding model changed."""
    unsupported: tuple[str, ...] = field(default=())

    @property
    def chunks_per_second(self) -> float:
        return self.chunks / self.seconds if self.seconds > 0 else 0.0

    def to_json(self) -> dict[str, object]:
        return {"collection": self.collection, "documents": self.documents,
                "indexed": list(self.indexed), "unchanged": self.unchanged,
                "removed": list(self.removed),
                "failed": [{"source": f.source, "reason": f.reason} for f in self.failed],
                "chunks": self.chunks, "seconds": round(self.seconds, 3),
                "chunks_per_second": round(self.chunks_per_second, 1),
                "rebuilt": self.rebuilt, "unsupported": list(self.unsupported)}


ProgressCallback = Callable[[IngestEvent], None]


async def iterate_events(
    run: Callable[[ProgressCallback], Awaitable[IngestReport]],
) -> AsyncIterator[IngestEvent]:
    """Run ``run(progress)`` and yield its events as they happen; its errors propagate."""
    queue: asyncio.Queue[IngestEvent | None] = asyncio.Queue()
    task = asyncio.ensure_future(run(queue.put_nowait))
    task.add_done_callback(lambda _: queue.put_nowait(None))
    try:
        while (event := await queue.get()) is not None:
            yield event
        await task
    finally:
        if not task.done():
            task.cancel()
