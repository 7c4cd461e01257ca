"""The engine's knowledge service reports what a bot's indexing refused (links out of the
package, binary content, oversized documents), in ``problems()`` and in the log."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest

from engine.bots.package import BotPackage
from engine.kb.engine_service import EngineKnowledge
from engine.kb.extract.sniff import BINARY_CONTENT
from engine.kb.sources import LINK_OUTSIDE
from tests.engine.media.cached_models import cache_dir, cached_model


def test_engine_knowledge_reports_refused_documents(tmp_path: Path,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    cached_model("all-minilm-l6-v2")
    root = tmp_path / "probe.gbai"
    (root / "probe.gbkb" / "faq").mkdir(parents=True)
    (root / "probe.gbkb" / "faq" / "hours.md").write_text("# Hours\n\nOpen from nine to six.")
    (root / "probe.gbkb" / "faq" / "big.txt").write_text("x " * 700_000)
    (root / "probe.gbkb" / "faq" / "photo.md").write_bytes(bytes(range(256)) * 64)
    os.symlink("/etc/passwd", root / "probe.gbkb" / "faq" / "passwd.txt")
    knowledge = EngineKnowledge(tmp_path / "work", cache_dir(), lambda bot: BotPackage.at(root),
                                lambda bot: {"kb-max-document-mb": "1"})

    async def run() -> None:
        try:
            await knowledge.synced("probe")
        finally:
            await knowledge.aclose()

    with caplog.at_level(logging.WARNING, logger="engine.kb.engine_service"):
        asyncio.run(run())

    problems = {(collection, f.source): f.reason for collection, f in knowledge.problems("probe")}
    assert problems[("faq", "passwd.txt")] == LINK_OUTSIDE
    assert problems[("faq", "photo.md")] == BINARY_CONTENT
    assert "over the 1 MB limit" in problems[("faq", "big.txt")]
    assert len(problems) == 3
    assert "passwd.txt not indexed" in caplog.text
