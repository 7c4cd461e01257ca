"""Run by the knowledge-base reliability tests in a subprocess, to be SIGKILLed mid-way.

``python kb_ingest_worker.py FOLDER ROOT EMBEDDER`` ingests FOLDER into the knowledge base at
ROOT with EMBEDDER (``hashing``; ``slow-hashing``, which sleeps 20 ms per batch of 8 so a
kill can land anywhere; or a MiniLM model folder) and prints one line per commit:
``indexed SOURCE`` for a whole document, ``progress SOURCE CHUNKS`` for a part of a long one,
then ``done CHUNKS`` with the chunks embedded in this run. Its peak RSS goes to stderr.
"""

from __future__ import annotations

import asyncio
import resource
import sys
from pathlib import Path

from engine.kb import Embedder, HashingEmbedder, KnowledgeBase, MiniLmOnnxEmbedder
from tests.engine.kb.slowingest import SlowHashingEmbedder, print_commit


async def main(folder: Path, root: Path, embedder_name: str) -> None:
    embedder: Embedder
    if embedder_name == "hashing":
        embedder = HashingEmbedder()
    elif embedder_name == "slow-hashing":
        embedder = SlowHashingEmbedder(delay=0.02, batch_size=8)
    else:
        embedder = MiniLmOnnxEmbedder(Path(embedder_name))
    try:
        async with KnowledgeBase(root, embedder) as kb:
            result = await kb.ingest(folder, print_commit)
    finally:
        embedder.close()
    print(f"done {result.chunks}", flush=True)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak-rss-mb {peak_mb:.0f}", file=sys.stderr, flush=True)


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]))
