"""Run by test_kb_restart.py in a subprocess: ingest a folder slowly, printing each commit.

``python kb_ingest_worker.py FOLDER KB_ROOT`` — the embedder sleeps a little per batch so the
parent can SIGKILL the process in the middle of the run.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from engine.kb import HashingEmbedder, IngestEvent, IngestEventKind, KnowledgeBase
from engine.kb.embedders import Vectors


class SlowEmbedder(HashingEmbedder):
    def embed_batch(self, texts: Sequence[str]) -> Vectors:
        time.sleep(0.05)
        return super().embed_batch(texts)


def report(event: IngestEvent) -> None:
    if event.kind is IngestEventKind.DOCUMENT_INDEXED:
        print(f"indexed {event.source}", flush=True)


async def main(folder: Path, root: Path) -> None:
    embedder = SlowEmbedder(batch_size=4)
    async with KnowledgeBase(root, embedder) as kb:
        await kb.ingest(folder, report)
    embedder.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
