"""Run by test_kb_restart.py in a subprocess: ingest a folder slowly, printing each commit.

``python kb_ingest_worker.py FOLDER KB_ROOT`` — the embedder sleeps a little per batch so the
parent can SIGKILL the process in the middle of the run.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from engine.kb import KnowledgeBase
from tests.engine.kb.slowingest import SlowHashingEmbedder, print_commit


async def main(folder: Path, root: Path) -> None:
    embedder = SlowHashingEmbedder(delay=0.05, batch_size=4)
    async with KnowledgeBase(root, embedder) as kb:
        await kb.ingest(folder, print_commit)
    embedder.close()


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), Path(sys.argv[2])))
