"""Pieces of the worker processes that the knowledge-base tests SIGKILL mid-ingest: an
embedder slow enough for a kill to land between commits, and the line printed per commit."""

from __future__ import annotations

import time
from collections.abc import Sequence

from engine.kb import HashingEmbedder, IngestEvent, IngestEventKind
from engine.kb.embedders import Vectors


class SlowHashingEmbedder(HashingEmbedder):
    """The hashing embedder, sleeping ``delay`` seconds per batch of ``batch_size`` texts."""

    def __init__(self, delay: float, batch_size: int) -> None:
        super().__init__(batch_size=batch_size)
        self.delay = delay

    def embed_batch(self, texts: Sequence[str]) -> Vectors:
        time.sleep(self.delay)
        return super().embed_batch(texts)


def print_commit(event: IngestEvent) -> None:
    """Print ``indexed SOURCE`` when a whole document is committed, ``progress SOURCE CHUNKS``
    when a part of a long one is; other events print nothing."""
    if event.kind is IngestEventKind.DOCUMENT_INDEXED:
        print(f"indexed {event.source}", flush=True)
    elif event.kind is IngestEventKind.DOCUMENT_PROGRESS:
        print(f"progress {event.source} {event.chunks}", flush=True)
