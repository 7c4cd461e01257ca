"""The engine's knowledge bases: one per bot, opened on first use, kept in sync with the
bot's ``.gbkb`` folder (indexed once per process, then on every change).

It also adapts them to the BASIC host (``THINK KB`` from a worker thread) and to the chat
turn (the passages of the session's ``USE KB`` collections).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from engine.basic.errors import BasicTimeoutError, ServiceError
from engine.bots.package import BotPackage
from engine.errors import EngineError
from engine.kb.embedders import MiniLmOnnxEmbedder
from engine.kb.knowledge import KnowledgeBase
from engine.kb.progress import FailedDocument
from engine.kb.search import Hit
from engine.kb.settings import KbOptions
from engine.llm.grounding import ANSWER_MODE_KEY, answer_mode, extract
from engine.llm.models import ModelManager
from engine.llm.prompt import Passage, merge_passages
from engine.llm.shortlist import DEFAULT_MIN_SCORE, DEFAULT_SURE_SCORE, ToolShortlist

EMBEDDING_MODEL = "all-minilm-l6-v2"
log = logging.getLogger(__name__)


class EngineKnowledge:
    def __init__(self, work_dir: Path, models_dir: Path | None,
                 package_of: Callable[[str], BotPackage],
                 config_of: Callable[[str], Any]) -> None:
        self.work_dir = work_dir
        self.models_dir = models_dir
        self.package_of = package_of
        self.config_of = config_of
        self._bases: dict[str, KnowledgeBase] = {}
        self._synced: dict[str, asyncio.Task[Any]] = {}
        self._embedder: MiniLmOnnxEmbedder | None = None
        self._shortlist: ToolShortlist | None = None
        self._problems: dict[str, list[tuple[str, FailedDocument]]] = {}

    def _model_dir(self) -> Path:
        if self.models_dir is None:
            raise EngineError("no model folder: knowledge bases need the embedding model")
        return ModelManager(self.models_dir).path(EMBEDDING_MODEL).parent

    def embedder(self) -> MiniLmOnnxEmbedder | None:
        """The embedding model (shared with the LLM's semantic cache); None if absent."""
        if self._embedder is None:
            try:
                self._embedder = MiniLmOnnxEmbedder(self._model_dir())
            except EngineError:
                return None
        return self._embedder

    def tool_shortlist(self) -> ToolShortlist | None:
        """The tool shortlist for local models: its own one-thread MiniLM (bench/llm.py)."""
        if self._shortlist is None:
            try:
                embedder = MiniLmOnnxEmbedder(self._model_dir(), threads=1)
            except EngineError:
                return None
            self._shortlist = ToolShortlist(embedder, keep=1, min_score=DEFAULT_MIN_SCORE,
                                            sure_score=DEFAULT_SURE_SCORE)
        return self._shortlist

    def open(self, bot: str) -> KnowledgeBase:
        if bot not in self._bases:
            if self._embedder is None:
                self._embedder = MiniLmOnnxEmbedder(self._model_dir())
            options = KbOptions.from_config(self.config_of(bot))
            self._bases[bot] = KnowledgeBase(self.work_dir / bot / "kb", self._embedder, options)
        return self._bases[bot]

    async def synced(self, bot: str) -> KnowledgeBase:
        """The bot's knowledge base, its ``.gbkb`` indexed (incrementally) at least once."""
        kb = self.open(bot)
        task = self._synced.get(bot)
        if task is None:
            task = self._synced[bot] = asyncio.ensure_future(self.sync(bot))
        await asyncio.shield(task)
        return kb

    async def sync(self, bot: str) -> None:
        gbkb = self.package_of(bot).kb_dir
        if gbkb.is_dir():
            reports = await self.open(bot).ingest_package(gbkb)
            self._problems[bot] = [(r.collection, f) for r in reports for f in r.failed]
            for collection, failure in self._problems[bot]:
                log.warning("bot %s, knowledge base %s: %s not indexed: %s", bot, collection,
                            failure.source, failure.reason)

    def problems(self, bot: str) -> list[tuple[str, FailedDocument]]:
        """(collection, document) the bot's last indexing could not index and why (a link
        out of the package, binary content, over ``kb-max-document-mb``, unreadable)."""
        return list(self._problems.get(bot, []))

    def changed(self, bot: str) -> None:
        """The bot's files changed: re-index its ``.gbkb`` (unchanged files are skipped)."""
        if bot in self._bases:
            self._synced[bot] = asyncio.ensure_future(self.sync(bot))

    async def passages(self, bot: str, collections: Sequence[str], query: str) -> list[Passage]:
        kb = await self.synced(bot)
        hits = await kb.search(collections, query)
        return [Passage(h.text, h.source, h.page, h.score) for h in hits]

    async def aclose(self) -> None:
        for task in self._synced.values():
            task.cancel()
        for kb in self._bases.values():
            await kb.aclose()
        self._bases.clear()


class KbKeywordService:
    """``THINK KB`` for BASIC runs (worker threads): searches on the engine's loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, knowledge: EngineKnowledge,
                 bot: str, timeout: float = 60.0) -> None:
        self.loop = loop
        self.knowledge = knowledge
        self.bot = bot
        self.timeout = timeout  # ``kb-timeout``: the search's own limit, not script time

    def think(self, question: str, collections: Sequence[str]) -> dict[str, Any]:
        async def run() -> dict[str, Any]:
            kb = await self.knowledge.synced(self.bot)
            found = await kb.think(question, collections)
            value = found.to_value()
            # for THINK KB's summary (engine/basic/keywords/ai.py): grounded answers
            value["extract"] = think_extract(question, found.hits)
            value["answer_mode"] = str(answer_mode(self.knowledge.config_of(self.bot).get(
                ANSWER_MODE_KEY)))
            return value

        future = asyncio.run_coroutine_threadsafe(run(), self.loop)
        try:
            return future.result(self.timeout)
        except EngineError as error:
            raise ServiceError(f"the knowledge base is not available: {error.message}") from None
        except TimeoutError:
            future.cancel()
            raise BasicTimeoutError(f"the knowledge base did not answer within "
                                    f"{self.timeout:g} s") from None


def think_extract(question: str, hits: Sequence[Hit]) -> str:
    """The extractive answer to ``question`` from ``hits``: the best passage's most relevant
    sentences followed by its source in parentheses; empty when no sentence fits."""
    passages = merge_passages([Passage(h.text, h.label, None, h.score) for h in hits])
    found = extract(question, passages)
    return "" if found is None else f"{found.text} ({passages[found.index].source})"
