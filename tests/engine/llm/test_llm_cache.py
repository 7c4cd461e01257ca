"""The semantic cache on diskcache with a deterministic word embedder."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from llmfakes import WordEmbedder

from engine.llm.cache import CacheScope, SemanticCache
from engine.llm.metrics import LlmMetrics
from engine.llm.prompt import Citation

T = TypeVar("T")
SCOPE = CacheScope(bot="faq", model="m", system_hash="s")


def with_cache(tmp_path: Path, body: Callable[[SemanticCache], Awaitable[T]],
               **options: object) -> T:
    async def main() -> T:
        async with SemanticCache(tmp_path / "cache", **options) as cache:  # type: ignore[arg-type]
            return await body(cache)
    return asyncio.run(main())


def test_exact_match_ignores_case_spacing_and_final_punctuation(tmp_path: Path) -> None:
    async def body(cache: SemanticCache) -> None:
        cite = (Citation(1, "a.md", 3, "snippet"),)
        await cache.store(SCOPE, "Opening hours?", "9 to 5 [1]", cite)
        found = await cache.lookup(SCOPE, "  opening   HOURS ")
        assert found is not None and found.text == "9 to 5 [1]" and found.similarity == 1.0
        assert found.citations == cite
        assert await cache.lookup(SCOPE, "closing hours") is None
        assert cache.stats.exact_hits == 1 and cache.stats.lookups == 2
    with_cache(tmp_path, body)


def test_semantic_match_above_the_threshold_only(tmp_path: Path) -> None:
    async def body(cache: SemanticCache) -> None:
        await cache.store(SCOPE, "what are your opening hours today", "9 to 5")
        near = await cache.lookup(SCOPE, "today what are your opening hours")  # same words
        assert near is not None and near.similarity > 0.99
        assert await cache.lookup(SCOPE, "what is your refund policy") is None
        assert await cache.lookup(SCOPE, "today what are your opening hours",
                                  semantic=False) is None
        assert cache.stats.semantic_hits == 1
    with_cache(tmp_path, body, embedder=WordEmbedder(), threshold=0.95)


def test_scopes_never_share_answers(tmp_path: Path) -> None:
    async def body(cache: SemanticCache) -> None:
        private = CacheScope(bot="faq", model="m", system_hash="s", user="alice")
        await cache.store(private, "what is my balance", "Alice has 5")
        for other in (CacheScope(bot="faq", model="m", system_hash="s", user="bob"), SCOPE,
                      CacheScope(bot="faq", model="other", system_hash="s", user="alice")):
            assert await cache.lookup(other, "what is my balance") is None
        assert await cache.lookup(private, "what is my balance") is not None
    with_cache(tmp_path, body, embedder=WordEmbedder())


def test_entries_expire_after_the_ttl(tmp_path: Path) -> None:
    async def body(cache: SemanticCache) -> None:
        await cache.store(SCOPE, "q one two", "a")
        time.sleep(0.3)
        assert await cache.lookup(SCOPE, "q one two") is None
        assert await cache.lookup(SCOPE, "two one q") is None
    with_cache(tmp_path, body, embedder=WordEmbedder(), ttl=0.2)


def test_invalidating_a_bot_drops_only_its_answers(tmp_path: Path) -> None:
    other = CacheScope(bot="shop", model="m")

    async def body(cache: SemanticCache) -> None:
        await cache.store(SCOPE, "hours", "9-5")
        await cache.store(other, "hours", "8-4")
        assert await cache.invalidate_bot("faq") >= 1
        assert await cache.lookup(SCOPE, "hours") is None
        assert await cache.lookup(SCOPE, "hours please") is None
        assert (await cache.lookup(other, "hours")) is not None
    with_cache(tmp_path, body, embedder=WordEmbedder())


def test_answers_survive_reopening_and_hits_are_counted(tmp_path: Path) -> None:
    metrics = LlmMetrics()

    async def store(cache: SemanticCache) -> None:
        await cache.store(SCOPE, "alpha beta gamma", "answer")

    async def find(cache: SemanticCache) -> None:
        assert await cache.lookup(SCOPE, "gamma beta alpha") is not None

    with_cache(tmp_path, store, embedder=WordEmbedder())
    with_cache(tmp_path, find, embedder=WordEmbedder(), metrics=metrics)
    assert metrics.snapshot()["llm_cache_hits_total"] == 1


def test_an_embedder_of_another_size_does_not_break_lookups(tmp_path: Path) -> None:
    async def store(cache: SemanticCache) -> None:
        await cache.store(SCOPE, "alpha beta", "answer")

    async def find(cache: SemanticCache) -> None:
        assert await cache.lookup(SCOPE, "beta alpha") is None
        await cache.store(SCOPE, "gamma delta", "other")
        assert await cache.lookup(SCOPE, "delta gamma") is not None

    with_cache(tmp_path, store, embedder=WordEmbedder(64))
    with_cache(tmp_path, find, embedder=WordEmbedder(32))


def test_a_question_is_embedded_once_and_a_given_embedding_is_used(tmp_path: Path) -> None:
    embedder = WordEmbedder()

    async def body(cache: SemanticCache) -> None:
        assert await cache.lookup(SCOPE, "alpha beta gamma") is None
        await cache.store(SCOPE, "alpha beta gamma", "answer")
        assert embedder.calls == 1  # the miss's vector is reused by the store
        vector = WordEmbedder().embed(["gamma beta alpha"])[0]
        found = await cache.lookup(SCOPE, "gamma beta alpha", embedding=vector)
        assert found is not None and embedder.calls == 1
    with_cache(tmp_path, body, embedder=embedder)
