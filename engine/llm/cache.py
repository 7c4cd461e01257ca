"""The semantic answer cache (config ``llm-cache``, ``llm-cache-semantic``,
``llm-cache-threshold``, ``llm-cache-ttl``) on diskcache.

An answer is found by exact match of the normalised question, then (when semantic matching
is on) by cosine similarity ≥ threshold of the question's embedding. Every entry lives in a
:class:`CacheScope`: bot, model, hashes of the system prompt, tools, history and KB version,
and the user id whenever the prompt holds private context, so a change of prompt, tools or
KB never serves a stale answer and one user's private context never reaches another.
:meth:`SemanticCache.invalidate_bot` drops a bot's entries (diskcache tags) when its package
changes. diskcache (SQLite) and the embedder run in one dedicated thread, never on the loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

import numpy as np
import numpy.typing as npt

from engine.llm.metrics import LlmMetrics
from engine.llm.prompt import Citation

MAX_ENTRIES_PER_SCOPE = 2000
RECENT_EMBEDDINGS = 256


class Embedder(Protocol):
    """Any sentence embedder (the KB's ``MiniLmOnnxEmbedder`` fits): one vector per text, as
    a list of lists or a 2-D array. Blocking; the cache calls it from its own thread."""

    def embed(self, texts: Sequence[str]) -> npt.ArrayLike: ...


@dataclass(frozen=True, slots=True)
class CacheScope:
    bot: str
    model: str
    system_hash: str = ""
    tools_hash: str = ""
    history_hash: str = ""
    kb_version: str = ""
    user: str | None = None

    @property
    def key(self) -> str:
        fields = [self.bot, self.model, self.system_hash, self.tools_hash, self.history_hash,
                  self.kb_version, self.user or ""]
        return digest(json.dumps(fields))


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    text: str
    citations: tuple[Citation, ...]
    question: str
    similarity: float
    exact: bool


@dataclass(frozen=True, slots=True)
class CacheStats:
    lookups: int
    hits: int
    exact_hits: int
    semantic_hits: int
    stores: int


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def normalise(question: str) -> str:
    return " ".join(question.casefold().split()).rstrip("?!. ")


class SemanticCache:
    """Open with ``async with``; ``embedder=None`` keeps exact matching only."""

    def __init__(self, directory: Path | str, embedder: Embedder | None = None, *,
                 ttl: float = 3600.0, threshold: float = 0.95,
                 metrics: LlmMetrics | None = None) -> None:
        self._directory = Path(directory)
        self._embedder = embedder
        self.ttl = ttl
        self.threshold = threshold
        self._metrics = metrics
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="llm-cache")
        self._store: Any = None
        self._vectors: dict[str, _ScopeIndex] = {}
        self._scopes_of_bot: dict[str, set[str]] = {}
        self._counts = {"lookups": 0, "hits": 0, "exact": 0, "semantic": 0, "stores": 0}
        self._lock = threading.Lock()
        self._recent: OrderedDict[str, np.ndarray[Any, np.dtype[np.float32]]] = OrderedDict()

    @property
    def stats(self) -> CacheStats:
        c = self._counts
        return CacheStats(c["lookups"], c["hits"], c["exact"], c["semantic"], c["stores"])

    async def lookup(self, scope: CacheScope, question: str, *, semantic: bool = True,
                     embedding: Sequence[float] | None = None) -> CachedAnswer | None:
        """The cached answer, or None. ``embedding``: the question's vector when the caller
        already has it from this embedder (the KB search embeds the same message)."""
        if embedding is not None:
            self._remember(question, embedding)
        found: CachedAnswer | None = await self._call(self._lookup, scope, question, semantic)
        self._count("lookups")
        if found is not None:
            self._count("hits", "exact" if found.exact else "semantic")
            if self._metrics:
                self._metrics.cache_hit()
        return found

    async def store(self, scope: CacheScope, question: str, answer: str,
                    citations: Sequence[Citation] = ()) -> None:
        await self._call(self._store_entry, scope, question, answer, tuple(citations))
        self._count("stores")

    async def invalidate_bot(self, bot: str) -> int:
        """Forget every answer of ``bot``; returns how many entries were removed."""
        return int(await self._call(self._invalidate, bot))

    async def aclose(self) -> None:
        if self._store is not None:
            await self._call(self._store.close)
        self._executor.shutdown(wait=True)

    async def __aenter__(self) -> Self:
        await asyncio.get_running_loop().run_in_executor(self._executor, self._open)
        return self

    async def __aexit__(self, kind: type[BaseException] | None, error: BaseException | None,
                        trace: TracebackType | None) -> None:
        await self.aclose()

    # --- in the cache thread -------------------------------------------------------------------

    def _open(self) -> None:
        diskcache = importlib.import_module("diskcache")  # loaded only when a cache opens
        self._store = diskcache.Cache(str(self._directory), tag_index=True)

    def _lookup(self, scope: CacheScope, question: str, semantic: bool) -> CachedAnswer | None:
        exact = self._store.get(("x", scope.key, normalise(question)))
        if exact is not None:
            return _answer(exact, 1.0, exact=True)
        if not semantic or self._embedder is None:
            return None
        index = self._index(scope)
        if not index.ids:
            return None
        best, similarity = index.nearest(self._embed(question))
        if similarity < self.threshold:
            return None
        entry = self._store.get(("s", scope.key, best))
        if entry is None:  # expired since the index was written
            index.remove(best)
            return None
        return _answer(entry, min(similarity, 1.0), exact=False)

    def _store_entry(self, scope: CacheScope, question: str, answer: str,
                     citations: tuple[Citation, ...]) -> None:
        payload = {"text": answer, "question": question,
                   "citations": [[c.n, c.source, c.page, c.snippet] for c in citations]}
        self._store.set(("x", scope.key, normalise(question)), payload, expire=self.ttl,
                        tag=scope.bot)
        self._scopes_of_bot.setdefault(scope.bot, set()).add(scope.key)
        if self._embedder is None:
            return
        entry = uuid.uuid4().hex
        self._store.set(("s", scope.key, entry), payload, expire=self.ttl, tag=scope.bot)
        index = self._index(scope)
        index.add(entry, self._embed(question))
        self._store.set(("i", scope.key), index.dump(), expire=self.ttl, tag=scope.bot)

    def _invalidate(self, bot: str) -> int:
        for key in self._scopes_of_bot.pop(bot, set()):
            self._vectors.pop(key, None)
        return int(self._store.evict(bot))

    def _index(self, scope: CacheScope) -> _ScopeIndex:
        if scope.key not in self._vectors:
            self._vectors[scope.key] = _ScopeIndex.load(self._store.get(("i", scope.key)))
            self._scopes_of_bot.setdefault(scope.bot, set()).add(scope.key)
        return self._vectors[scope.key]

    def _embed(self, text: str) -> np.ndarray[Any, np.dtype[np.float32]]:
        """The question's unit vector; a miss's store reuses the lookup's (an LRU memo)."""
        with self._lock:
            known = self._recent.get(text)
            if known is not None:
                self._recent.move_to_end(text)
                return known
        assert self._embedder is not None
        return self._remember(text, np.asarray(self._embedder.embed([text]),
                                               dtype=np.float32)[0])

    def _remember(self, text: str, vector: Any) -> np.ndarray[Any, np.dtype[np.float32]]:
        unit: np.ndarray[Any, np.dtype[np.float32]] = np.asarray(vector, dtype=np.float32)
        norm = float(np.linalg.norm(unit))
        unit = (unit / norm).astype(np.float32) if norm else unit
        with self._lock:
            self._recent[text] = unit
            while len(self._recent) > RECENT_EMBEDDINGS:
                self._recent.popitem(last=False)
        return unit

    async def _call(self, function: Any, *args: Any) -> Any:
        if self._store is None:
            raise RuntimeError("SemanticCache used before `async with`")
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    def _count(self, *names: str) -> None:
        with self._lock:
            for name in names:
                self._counts[name] += 1


class _ScopeIndex:
    """The unit embeddings of one scope's questions, newest last, as one matrix."""

    def __init__(self, ids: list[str], matrix: np.ndarray[Any, np.dtype[np.float32]]) -> None:
        self.ids = ids
        self.matrix = matrix

    @classmethod
    def load(cls, stored: Any) -> _ScopeIndex:
        if not stored:
            return cls([], np.zeros((0, 0), dtype=np.float32))
        ids, dim, data = stored
        return cls(list(ids), np.frombuffer(data, dtype=np.float32).reshape(len(ids), dim).copy())

    def dump(self) -> tuple[list[str], int, bytes]:
        return self.ids, int(self.matrix.shape[1]), self.matrix.tobytes()

    def nearest(self, vector: np.ndarray[Any, np.dtype[np.float32]]) -> tuple[str, float]:
        if self.matrix.shape[1] != vector.shape[0]:  # written by another embedder
            return "", -1.0
        scores = self.matrix @ vector
        best = int(np.argmax(scores))
        return self.ids[best], float(scores[best])

    def add(self, entry: str, vector: np.ndarray[Any, np.dtype[np.float32]]) -> None:
        same = bool(self.ids) and self.matrix.shape[1] == vector.shape[0]
        if not same:
            self.ids = []
        rows = self.matrix if same else np.zeros((0, vector.shape[0]), dtype=np.float32)
        self.matrix = np.vstack([rows, vector[None, :]])[-MAX_ENTRIES_PER_SCOPE:]
        self.ids = [*self.ids, entry][-MAX_ENTRIES_PER_SCOPE:]

    def remove(self, entry: str) -> None:
        at = self.ids.index(entry)
        self.ids = self.ids[:at] + self.ids[at + 1:]
        self.matrix = np.delete(self.matrix, at, axis=0)


def _answer(payload: dict[str, Any], similarity: float, *, exact: bool) -> CachedAnswer:
    citations = tuple(Citation(int(n), str(s), p, str(t)) for n, s, p, t in payload["citations"])
    return CachedAnswer(str(payload["text"]), citations, str(payload["question"]), similarity,
                        exact)
